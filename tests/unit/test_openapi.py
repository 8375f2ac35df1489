"""Issue #25: the HTTP API as a published contract (docs/http-api.md#the-openapi-document).

GET /api/openapi.json is valid OpenAPI 3.1, names exactly the routes and methods the app serves
(a walk of the URL map), and describes the answers the app really gives, with real rows; its
`webhooks` section describes the bodies and headers the broadcaster really sends to X2C.
The fuzzing against a live server is tests/integration/test_api_fuzz.py.
"""

from __future__ import annotations

import re

import pytest
from flask import Blueprint, jsonify
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator
from openapi_spec_validator import validate

import stats_broadcaster as sb
from admin_api import create_app
from broadcaster.core.json_schema import INTEGER, STRING, obj
from broadcaster.delivery.contract import SIGNATURE_PATTERN, WEBHOOK_ID_PATTERN
from broadcaster.delivery.payload import WEBHOOK_BODY, build_body, build_stats_entry
from broadcaster.engine.tasks import TaskRow
from broadcaster.web import openapi
from broadcaster.web.inputs import IntArg
from tests.conftest import token_client
from tests.contract import (
    answer_validator,
    documented_routes,
    schema_validator,
    seed_tasks,
    served_routes,
    webhook_validator,
)

ADD_A_ROUTE = "document it with @documented(...) right under its route (docs/http-api.md#adding-a-route)"


@pytest.fixture
def app(fake_config, database):
    return create_app(fake_config, database=database)


@pytest.fixture
def client(app):
    return token_client(app)


@pytest.fixture
def document(client) -> dict:
    response = client.get("/api/openapi.json")
    assert 200 == response.status_code
    return response.get_json()


def test_the_document_is_valid_openapi_3_1(document):
    """openapi-spec-validator accepts it; it names a webhooks section and the three ways in."""
    validate(document)

    assert document["openapi"].startswith("3.1.")
    assert {"basicAuth", "bearerAuth", "sessionCookie"} == set(document["components"]["securitySchemes"])
    assert {"type": "apiKey", "in": "cookie", "name": "session"} == {
        key: value for key, value in document["components"]["securitySchemes"]["sessionCookie"].items()
        if key != "description"}
    assert ["taskDailyStats"] == list(document["webhooks"])


def test_the_document_needs_credentials_like_the_api(app):
    response = app.test_client().get("/api/openapi.json")

    assert 401 == response.status_code
    assert {"success": False, "error": "需要登录：请提供正确的用户名和密码"} == response.get_json()


def test_every_route_and_method_is_documented_and_nothing_else(app, document):
    """The walk of the URL map: a route without a description, or a description without a route,
    fails here by name."""
    served, documented = served_routes(app), documented_routes(document)

    assert set() == served - documented, ADD_A_ROUTE
    assert set() == documented - served, "the document names routes the app does not serve"
    assert {("/api/tasks", "GET"), ("/api/tasks", "POST"), ("/api/tasks/{task_id}", "PATCH"),
            ("/api/openapi.json", "GET"), ("/static/{filename}", "GET")} <= documented


def test_a_route_added_later_is_named_until_it_is_documented(fake_config, database):
    """What the walk is for: another blueprint's new route is missing until it has @documented,
    and then it is there with its path and query parameters, read and checked for the view."""
    app = create_app(fake_config, database=database)
    later = Blueprint("later", __name__)

    @later.get("/api/later/<int:item_id>")
    def undocumented_item(item_id: int):
        return jsonify({"success": True, "data": item_id})

    @later.get("/api/later")
    @openapi.documented("later", tag="later", query=[IntArg("limit", 5, 1, 9)],
                        ok=openapi.json_answer(openapi.envelope(obj({"limit": INTEGER})), "ok"))
    def documented_list(limit: int):
        return jsonify({"success": True, "data": {"limit": limit}})

    @later.route("/later/login", methods=["GET", "POST"])
    @openapi.documented("the form", tag="later", method="GET", public=True,
                        ok=openapi.media_answer("text/html", "a page"))
    @openapi.documented("sign in", tag="later", method="POST", public=True,
                        body=obj({"username": STRING, "password": STRING}),
                        body_media="application/x-www-form-urlencoded",
                        ok={303: openapi.Answer("to /admin", headers={"Location": {"schema": STRING}})})
    def later_login():
        return "form"

    app.register_blueprint(later)
    document = openapi.document(app)
    client = token_client(app)

    assert {("/api/later/{item_id}", "GET")} == served_routes(app) - documented_routes(document)
    operation = document["paths"]["/api/later"]["get"]
    assert [("limit", "query", {"type": "integer", "minimum": 1, "maximum": 9, "default": 5})] == [
        (p["name"], p["in"], p["schema"]) for p in operation["parameters"]]
    assert {"400", "401", "414", "429", "431", "503"} <= set(operation["responses"])
    login = document["paths"]["/later/login"]
    assert (["text/html"], []) == (list(login["get"]["responses"]["200"]["content"]), login["get"]["security"])
    assert ["application/x-www-form-urlencoded"] == list(login["post"]["requestBody"]["content"])
    assert {"303", "400", "403", "413"} <= set(login["post"]["responses"]) and "401" not in login["post"]["responses"]
    assert {"limit": 5} == client.get("/api/later").get_json()["data"]
    assert {"limit": 9} == client.get("/api/later?limit=9").get_json()["data"]
    refused = client.get("/api/later?limit=10")
    assert (400, "参数 limit 必须在 1–9 之间") == (refused.status_code, refused.get_json()["error"])


def test_every_error_answer_is_the_error_shape(document):
    """Every documented 4xx/5xx JSON answer is {"success": false, "error": "<中文>"}, but the
    health check's own 503."""
    shapes = set()
    for path, item in document["paths"].items():
        for operation in item.values():
            for status, answer in operation["responses"].items():
                if int(status) < 400:
                    continue
                if "$ref" in answer:
                    answer = document["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
                shapes.add((path if path == "/healthz" and status == "503" else "*",
                            answer["content"]["application/json"]["schema"]["$ref"]))

    assert {("*", "#/components/schemas/Error"), ("/healthz", "#/components/schemas/Health")} == shapes
    error = document["components"]["schemas"]["Error"]
    assert {"success", "error"} == set(error["required"]) and error["additionalProperties"] is False


def test_only_the_health_check_static_files_and_the_sign_in_form_are_public(document):
    public = {(path, method) for path, item in document["paths"].items() for method, operation in item.items()
              if operation.get("security") == []}

    assert {("/healthz", "get"), ("/static/{filename}", "get"), ("/login", "get"), ("/login", "post")} == public
    assert [{"basicAuth": []}, {"bearerAuth": []}, {"sessionCookie": []}] == document["security"]


def read_every_answer(client, ids: dict[str, int], run_id: int) -> list[tuple[str, str, object]]:
    """(path template, URL, response) of every documented read, with real ids."""
    reads = [
        ("/api/broadcaster/status", "/api/broadcaster/status"),
        ("/api/broadcaster/runs", "/api/broadcaster/runs?limit=5"),
        ("/api/broadcaster/runs/{run_id}", f"/api/broadcaster/runs/{run_id}"),
        ("/api/webhook-logs", "/api/webhook-logs?hours=1"),
        ("/api/webhook-logs", f"/api/webhook-logs?task_id={ids['gone']}&status=failed"),
        ("/api/tasks", "/api/tasks?sort=views"),
        ("/api/tasks", "/api/tasks?stats_status=unavailable&q=测试"),
        ("/api/tasks/{task_id}/history", f"/api/tasks/{ids['youtube']}/history"),
        ("/api/callback-hosts", "/api/callback-hosts"),
        ("/api/alerts", "/api/alerts"),
        ("/api/me", "/api/me"),
        ("/api/audit", "/api/audit"),
        ("/healthz", "/healthz"),
    ]
    return [(template, url, client.get(url)) for template, url in reads]


def test_answers_with_real_rows_match_the_document(client, database, fake, fake_config, document):
    """A pass over tasks of every fate, a task registered and edited: each read, change and
    refusal validates against the document's schema for its status (formats checked)."""
    ids = seed_tasks(database, fake)
    result = sb.broadcast_all_tasks(fake_config, database, trigger="cli")
    created = client.post("/api/tasks", json={"title": "《契约》", "video_url": "https://youtu.be/dQw4w9WgXcQ",
                                              "callback_url": fake.callback_url("x2c"), "duration": 7})
    edited = client.patch(f"/api/tasks/{ids['paused']}", json={"status": "active", "callback_secret": "new"})
    answers = [("/api/tasks", "POST", created), ("/api/tasks/{task_id}", "PATCH", edited),
               ("/api/broadcaster/start", "POST", client.post("/api/broadcaster/start")),
               ("/api/broadcaster/start", "POST", client.post("/api/broadcaster/start")),
               ("/api/broadcaster/stop", "POST", client.post("/api/broadcaster/stop")),
               ("/api/tasks/{task_id}/history", "GET", client.get("/api/tasks/2147483647/history")),
               ("/api/tasks", "GET", client.get("/api/tasks?limit=0")),
               ("/api/tasks", "POST", client.post("/api/tasks", data="{", content_type="application/json")),
               ("/api/alerts/test", "POST", client.post("/api/alerts/test"))]
    answers += [(template, "GET", response) for template, _, response in read_every_answer(client, ids, result["run_id"])]

    assert (3, 2) == (result["success_count"], result["failed_count"])
    statuses = []
    for template, method, response in answers:
        errors = [error.message for error in answer_validator(document, template, method, response.status_code)
                  .iter_errors(response.get_json())]
        assert [] == errors, (method, template, response.status_code, response.get_json())
        statuses.append(response.status_code)
    assert [201, 200, 200, 200, 200, 404, 400, 400, 400] == statuses[:9]
    assert {200} == set(statuses[9:])
    run = client.get(f"/api/broadcaster/runs/{result['run_id']}").get_json()["data"]
    assert {"youtube", "tiktok", "douyin"} == set(run["freshness"])  # the schema saw real figures
    assert any(row["stats_suspect"] is None and row["view_count"] for row in
               client.get("/api/tasks").get_json()["data"])


def test_the_push_matches_the_webhooks_section(database, fake, fake_config, document):
    """Every body the broadcaster sent in a real pass validates against the published schema, and
    its headers against the published header schemas."""
    seed_tasks(database, fake)
    sb.broadcast_all_tasks(fake_config.replace(x2c_webhook_secret=None), database, trigger="cli")
    body_schema = webhook_validator(document)
    headers = {parameter["name"]: parameter for parameter in document["webhooks"]["taskDailyStats"]["post"]["parameters"]}
    received = fake.received("x2c") + fake.received("gone")

    assert 4 == len(received)  # three delivered, one answered 410 (not retried); the deleted video sends nothing
    assert len(fake.received("gone")) == 1
    for webhook in received:
        assert [] == [error.message for error in body_schema.iter_errors(webhook.json)], webhook.json
        for name, parameter in headers.items():
            value = webhook.headers.get(name)
            if value is None:
                assert not parameter["required"] and webhook.name == "gone", name  # no secret, no signature
                continue
            assert [] == list(schema_validator(
                document, f"/webhooks/taskDailyStats/post/parameters/{list(headers).index(name)}/schema")
                .iter_errors(value)), (name, value)
    assert all(webhook.signature_ok for webhook in fake.received("x2c"))
    entries = [webhook.json["stats"][0] for webhook in fake.received("x2c")]
    assert {"yt_view_count", "tt_view_count"} <= {key for entry in entries for key in entry}
    assert any("yt_like_count" in entry and "yt_view_count" not in entry for entry in entries)  # Douyin


@pytest.mark.parametrize(("entry", "why"), [
    ({"task_id": 1, "account_count": 0, "yt_account_count": 0}, "an account count without a count"),
    ({"task_id": 1, "account_count": 0, "yt_view_count": 5}, "a count without its account count"),
    ({"task_id": 1, "account_count": 0, "yt_account_count": 0, "yt_view_count": 5, "tt_account_count": 0,
      "tt_like_count": 3}, "two platforms"),
    ({"task_id": 1, "account_count": 0, "tt_account_count": 0, "tt_view_count": 0}, "a zero count"),
    ({"account_count": 0}, "no task_id"),
    ({"task_id": 1, "account_count": 0, "project_id": None}, "a null key"),
    ({"task_id": 1, "account_count": 1}, "account_count not 0"),
    ({"task_id": 1, "account_count": 0, "views": 5}, "an unknown key"),
])
def test_the_entry_schema_holds_the_payload_rules(document, entry, why):
    """docs/webhook.md#the-body in the schema: which keys appear when."""
    assert not webhook_validator(document).is_valid({"site_name": "s", "stats": [entry]}), why


@given(views=st.one_of(st.none(), st.integers(min_value=-5, max_value=10**12)),
       likes=st.one_of(st.none(), st.integers(min_value=-5, max_value=10**12)),
       platform=st.sampled_from(["youtube", "tiktok", "douyin", None]),
       external=st.one_of(st.none(), st.integers(0, 2**31 - 1)),
       project_id=st.one_of(st.none(), st.text(max_size=20)), duration=st.one_of(st.none(), st.integers(0, 36500)))
def test_every_body_the_builder_makes_fits_the_schema(views, likes, platform, external, project_id, duration):
    """Whatever the counts and the task, the body built is valid against the schema published."""
    task = TaskRow(task_id=7, video_url="u", callback_url="http://x", external_task_id=external,
                   project_id=project_id, duration=duration)
    body = build_body("DramaRelayBot", [build_stats_entry(task, platform, views, likes)])

    assert [] == [error.message for error in BODY_SCHEMA.iter_errors(body)]


BODY_SCHEMA = Draft202012Validator(WEBHOOK_BODY)


def test_headers_are_those_the_sender_writes():
    """The documented patterns accept what the sender makes and refuse near misses."""
    assert re.match(WEBHOOK_ID_PATTERN, "run12-task7") and re.match(WEBHOOK_ID_PATTERN, "run3-batch120")
    assert not re.match(WEBHOOK_ID_PATTERN, "run-task7")
    assert re.match(SIGNATURE_PATTERN, "sha256=" + "a" * 64) and not re.match(SIGNATURE_PATTERN, "sha256=" + "A" * 64)
