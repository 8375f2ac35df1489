"""Helpers for the API contract's tests (test_openapi.py, test_api_fuzz.py): which routes the app
serves and the document names, the document's schema of an answer, and tasks of every fate so that
the answers checked against the document carry real rows."""

from __future__ import annotations

import re

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tests.conftest import insert_task

#: Flask answers these for every rule itself; the document names the views' methods.
AUTOMATIC_METHODS = {"HEAD", "OPTIONS"}
DOCUMENT_URI = "urn:openapi"
SECRET = "x2c-shared-secret"
VIDEOS = {  # platform, id, views, likes, behaviour
    "youtube": ("youtube", "dQw4w9WgXcQ", 12500, 680, "ok"),
    "tiktok": ("tiktok", "7504044860782021930", 5000, 120, "ok"),
    "douyin": ("douyin", "7535852404919586100", None, 77, "ok"),
    "deleted": ("youtube", "aaaaaaaaaaa", None, None, "deleted"),
}
LINKS = {
    "youtube": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "tiktok": "https://www.tiktok.com/@someone/video/7504044860782021930",
    "douyin": "https://www.douyin.com/video/7535852404919586100",
    "deleted": "https://youtu.be/aaaaaaaaaaa",
}


def served_routes(app) -> set[tuple[str, str]]:
    """(OpenAPI path, method) of every rule and method the app serves but HEAD and OPTIONS."""
    served = set()
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        served |= {(path, method) for method in rule.methods - AUTOMATIC_METHODS}
    return served


def documented_routes(document: dict) -> set[tuple[str, str]]:
    """(path, method) of every operation the document names."""
    return {(path, method.upper()) for path, item in document["paths"].items() for method in item}


def answer_validator(document: dict, path: str, method: str, status: int) -> Draft202012Validator:
    """A validator of the JSON body the document gives for `status` of this operation."""
    answer = document["paths"][path][method.lower()]["responses"][str(status)]
    pointer = f"/paths/{_escape(path)}/{method.lower()}/responses/{status}"
    if "$ref" in answer:
        pointer = answer["$ref"].removeprefix("#")
        answer = document["components"]["responses"][pointer.rsplit("/", 1)[1]]
    assert "application/json" in answer["content"], f"{method} {path} {status} is not JSON"
    return schema_validator(document, f"{pointer}/content/application~1json/schema")


def webhook_validator(document: dict) -> Draft202012Validator:
    """A validator of the push's body as the document's `webhooks` section gives it."""
    return schema_validator(document, "/webhooks/taskDailyStats/post/requestBody/content/application~1json/schema")


def schema_validator(document: dict, pointer: str) -> Draft202012Validator:
    """A validator of the schema at `pointer` in the document, its references resolved there."""
    registry = Registry().with_resource(DOCUMENT_URI, Resource.from_contents(document, DRAFT202012))
    return Draft202012Validator({"$ref": f"{DOCUMENT_URI}#{pointer}"}, registry=registry,
                                format_checker=Draft202012Validator.FORMAT_CHECKER)


def _escape(path: str) -> str:
    return path.replace("~", "~0").replace("/", "~1")


def seed_tasks(database, fake) -> dict[str, int]:
    """Tasks of every fate for one pass: delivered (signed, YouTube, TikTok, Douyin with likes
    only), a deleted video (fails, sends nothing), a receiver that answers 410, a paused task.
    Their ids by name."""
    for platform, video_id, views, likes, behaviour in VIDEOS.values():
        fake.add_video(platform, video_id, views, likes, behaviour=behaviour)
    fake.set_receiver("x2c", secret=SECRET)
    fake.set_receiver("gone", "gone")
    to_x2c = {"callback_url": fake.callback_url("x2c"), "callback_secret": SECRET}
    return {
        "youtube": insert_task(database, video_url=LINKS["youtube"], external_task_id=42, **to_x2c),
        "tiktok": insert_task(database, video_url=LINKS["tiktok"], project_id=None, **to_x2c),
        "douyin": insert_task(database, video_url=LINKS["douyin"], duration=None, **to_x2c),
        "deleted": insert_task(database, video_url=LINKS["deleted"], **to_x2c),
        "gone": insert_task(database, video_url=LINKS["youtube"], callback_url=fake.callback_url("gone")),
        "paused": insert_task(database, video_url=LINKS["tiktok"], status="paused", **to_x2c),
    }
