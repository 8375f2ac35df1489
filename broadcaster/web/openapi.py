"""The HTTP API as a published contract (docs/http-api.md#the-openapi-document): an OpenAPI 3.1 document built from the URL map.

Every view declares its operation right under its route with `@documented(...)`: a summary, the
query arguments it reads, its request body and its answers. The query arguments (`IntArg`,
`TextArg`, `ChoiceArg` of `broadcaster.web.inputs`) are read and checked before the view runs and handed to
it as keyword arguments, so the arguments documented are the arguments read. The schemas are the
ones the answers are built from (`broadcaster.core.json_schema`). `document(app)` walks
`app.url_map` and writes each rule and method with its operation, the errors every route can
answer, the authentication schemes, and the push to X2C under `webhooks` (`webhook_contract`).
A route without `@documented` is left out, and tests/unit/test_openapi.py names it.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from flask import Flask

from broadcaster.access.accounts import READ_ONLY_MESSAGE, SAFE_METHODS
from broadcaster.core.json_schema import INTEGER, STRING, obj
from broadcaster.delivery import contract as webhook_contract
from broadcaster.web.inputs import MAX_REQUEST_BYTES
from broadcaster.web.shapes import ERROR
from broadcaster.web.state import app_state

#: The contract's version: bump it when a route, an argument or an answer changes.
CONTRACT_VERSION = "1.0.0"
#: Flask answers these for every rule by itself (HEAD is GET without the body; OPTIONS lists the
#: methods), as HTTP defines them for every resource; the document names the methods of the views.
AUTOMATIC_METHODS = frozenset({"HEAD", "OPTIONS"})
#: Views Flask itself registers; documented here, since they carry no decorator.
STATIC_ENDPOINT = "static"
OPERATION_ATTRIBUTE = "openapi_operations"

_RULE_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)>")
_CONVERTER_SCHEMAS = {
    "int": {"type": "integer", "minimum": 0},
    "default": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
    "string": {"type": "string", "minLength": 1, "pattern": "^[^/]+$"},
    "path": {"type": "string", "minLength": 1},
}


# --------------------------------------------------------------------------------------------
# Answers and operations


@dataclasses.dataclass(frozen=True)
class Answer:
    """One documented answer: a description, its media types with their schemas, its headers."""

    description: str
    content: Mapping[str, Mapping] | None = None
    headers: Mapping[str, Mapping] = dataclasses.field(default_factory=dict)


def json_answer(schema: Mapping, description: str, **headers: Mapping) -> Answer:
    """A JSON answer of `schema`."""
    return Answer(description, {"application/json": {"schema": schema}}, headers)


def media_answer(media_type: str, description: str, **headers: Mapping) -> Answer:
    """A non-JSON answer (the page, a CSV download, the metrics text)."""
    return Answer(description, {media_type: {"schema": STRING}}, headers)


def envelope(data: Mapping, *, title: str | None = None, **more: Mapping) -> dict:
    """`{"success": true, "data": …}` and any further keys (`total`, `counts`…)."""
    return obj({"success": {"const": True}, "data": data, **more}, title=title)


def error_answer(description: str) -> Answer:
    """An error answer: `{"success": false, "error": "<中文原因>"}`."""
    return json_answer(ERROR, description)


@dataclasses.dataclass(frozen=True)
class Operation:
    """What `@documented` records about a view."""

    summary: str
    tag: str
    answers: Mapping[int, Answer]
    query: tuple = ()
    body: Mapping | None = None
    body_required: bool = True
    errors: Mapping[int, str] = dataclasses.field(default_factory=dict)
    public: bool = False
    description: str = ""
    examples: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    body_media: str = "application/json"


def documented(summary: str, *, tag: str, ok: Answer | Mapping[int, Answer], query: Iterable = (),
               body: Mapping | None = None, body_required: bool = True, errors: Mapping[int, str] | None = None,
               public: bool = False, description: str = "", examples: Mapping[str, Any] | None = None,
               body_media: str = "application/json", method: str | None = None) -> Callable:
    """Declare a view's operation for the OpenAPI document; put it right under the route.

    `ok`: the success answer (200), or answers by status. `query`: the view's query arguments,
    read and checked (400 with the reason) before the view runs and passed to it by name.
    `body`: the JSON Schema of the request body (`body_media`: a form's is
    application/x-www-form-urlencoded). `errors`: the statuses this route answers
    besides those every route may (400, 401, 414, 429, 431, 503; 403 for changes; 404 with a
    path parameter; 413 with a body), each with what it means. `examples`: a realistic value of
    a path or query parameter, by name. `method`: for a view serving several methods, one
    `@documented` per method.
    """
    operation = Operation(summary, tag, ok if isinstance(ok, Mapping) else {200: ok}, tuple(query), body,
                          body_required, dict(errors or {}), public, description, dict(examples or {}), body_media)

    def decorate(view: Callable) -> Callable:
        target = view
        if operation.query:
            if getattr(view, "openapi_reads_query", False):
                raise TypeError(f"{view.__name__}: query arguments belong to one @documented only")

            @functools.wraps(view)
            def target(**path_args: Any):
                return view(**path_args, **{arg.name: arg.read() for arg in operation.query})

            target.openapi_reads_query = True
        operations = dict(getattr(view, OPERATION_ATTRIBUTE, {}))
        operations[method.upper() if method else "*"] = operation
        setattr(target, OPERATION_ATTRIBUTE, operations)
        return target

    return decorate


def operation_of(app: Flask, endpoint: str, method: str) -> Operation | None:
    """The operation documented for `endpoint` and `method`, or None."""
    if endpoint == STATIC_ENDPOINT:
        return STATIC_FILE
    operations = getattr(app.view_functions.get(endpoint), OPERATION_ATTRIBUTE, {})
    return operations.get(method) or operations.get("*")


STATIC_FILE = Operation(
    "管理页面的静态文件（脚本、样式）", "页面与运维",
    {200: Answer("文件内容", {"*/*": {"schema": STRING}})},
    errors={404: "没有这个文件"}, public=True, examples={"filename": "admin.css"},
)


# --------------------------------------------------------------------------------------------
# Answers every route may give

_COMMON = {
    "BadRequest": (400, "请求无效：参数或请求体不符合要求（error 说明原因），或 HTTP 请求本身格式错误（由服务器直接拒绝）"),
    "Unauthorized": (401, "缺少或错误的认证信息（/api/ 以外的地址另带 WWW-Authenticate: Basic）"),
    "Forbidden": (403, f"{READ_ONLY_MESSAGE}（只读账号），或来自其他网站的请求（拒绝跨站请求）"),
    "NotFound": (404, "地址中的对象不存在"),
    "PayloadTooLarge": (413, f"请求体超过 {MAX_REQUEST_BYTES >> 20} MB"),
    "UriTooLong": (414, "请求行过长（gunicorn 的 limit_request_line，4094 字节），由服务器直接拒绝"),
    "Blocked": (429, "该客户端地址登录失败次数过多，暂时被封锁：Retry-After 为剩余秒数"),
    "HeadersTooLarge": (431, "请求头过大或过多，由服务器直接拒绝"),
    "Unavailable": (503, "数据库暂时不可用，请稍后重试"),
}
_HEADERS = {
    "Blocked": {"Retry-After": {"required": True, "schema": INTEGER, "description": "剩余的封锁秒数"}},
    "Unauthorized": {"WWW-Authenticate": {"schema": STRING, "description": "仅 /api/ 以外的地址"}},
}


def _common_answers(operation: Operation, method: str, has_path_arguments: bool) -> dict[int, str]:
    """{status: the name of the shared answer} that apply to this operation."""
    names = ["BadRequest", "UriTooLong", "HeadersTooLarge"]
    if not operation.public:
        names += ["Unauthorized", "Blocked", "Unavailable"]
    if method not in SAFE_METHODS:
        names.append("Forbidden")
    if operation.body is not None:
        names.append("PayloadTooLarge")
    if has_path_arguments:
        names.append("NotFound")
    return {_COMMON[name][0]: name for name in names}


# --------------------------------------------------------------------------------------------
# The document


class _Schemas:
    """Named schemas (those with a `title`) moved to components/schemas and referred to."""

    #: Keywords whose values are data, not schemas (an example may well have a "title").
    DATA = frozenset({"examples", "example", "const", "enum", "default"})

    def __init__(self):
        self.named: dict[str, dict] = {}

    def use(self, schema: Any) -> Any:
        """`schema` as the document writes it: each named schema inside as a reference."""
        if isinstance(schema, list):
            return [self.use(item) for item in schema]
        if not isinstance(schema, Mapping):
            return schema
        used = {key: value if key in self.DATA else self.use(value) for key, value in schema.items()}
        title = schema.get("title")
        if not isinstance(title, str):
            return used
        if self.named.setdefault(title, used) != used:
            raise ValueError(f"two different schemas are named {title!r}")
        return {"$ref": f"#/components/schemas/{title}"}


def document(app: Flask) -> dict:
    """The OpenAPI 3.1 document of `app`: every documented rule and method of its URL map."""
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        path, parameters = _path_of(rule.rule)
        for method in sorted(set(rule.methods or ()) - AUTOMATIC_METHODS):
            operation = operation_of(app, rule.endpoint, method)
            if operation is not None:
                paths.setdefault(path, {})[method.lower()] = _operation_object(
                    operation, rule.endpoint, method, parameters, schemas)
    webhooks = webhook_contract.webhooks(app_state(app).config)
    return {
        "openapi": "3.1.0",
        "info": {"title": "Stats Broadcaster API", "version": CONTRACT_VERSION, "description": _DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{name: []} for name in _security_schemes(app)],
        "tags": [{"name": name} for name in sorted({op["tags"][0] for item in paths.values() for op in item.values()})],
        "paths": paths,
        "webhooks": schemas.use(webhooks),
        "components": {
            "securitySchemes": _security_schemes(app),
            "responses": {name: _answer_object(error_answer(text), schemas) | _headers_of(name)
                          for name, (_, text) in _COMMON.items()},
            "schemas": dict(sorted(schemas.named.items())),
        },
    }


_DESCRIPTION = (
    "分发数据回传服务（Stats Broadcaster）的管理接口，以及它向 X2C Pool 推送的 Webhook（见 webhooks）。"
    "除 /healthz 和 /static/ 外，每个地址都需要认证：HTTP Basic、Bearer（ADMIN_TOKEN）或登录后的会话。"
    "出错时一律返回 JSON {\"success\": false, \"error\": \"中文原因\"} 和相应的状态码。"
    "值为空的查询参数等同于未提供；同一个参数只能给一次。每个地址也接受 HEAD（同 GET，不含正文）和 OPTIONS（列出允许的方法）。"
)


def _security_schemes(app: Flask) -> dict:
    return {
        "basicAuth": {"type": "http", "scheme": "basic",
                      "description": "ADMIN_USERS 中的账号，或 ADMIN_USERNAME / ADMIN_PASSWORD"},
        "bearerAuth": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer ADMIN_TOKEN"},
        "sessionCookie": {"type": "apiKey", "in": "cookie", "name": app.config["SESSION_COOKIE_NAME"],
                          "description": "登录页（POST /login）建立的会话（docs/access.md#the-sign-in-form）"},
    }


def _headers_of(name: str) -> dict:
    return {"headers": _HEADERS[name]} if name in _HEADERS else {}


def _path_of(rule: str) -> tuple[str, list[dict]]:
    """A Flask rule as an OpenAPI path, and its path parameters."""
    parameters = []

    def parameter(match: re.Match) -> str:
        converter = match["converter"] or "default"
        if converter not in _CONVERTER_SCHEMAS:
            raise ValueError(f"{rule}: no schema for the URL converter {converter!r} (broadcaster/web/openapi.py)")
        parameters.append({"name": match["name"], "in": "path", "required": True,
                           "schema": dict(_CONVERTER_SCHEMAS[converter])})
        return "{" + match["name"] + "}"

    return _RULE_ARGUMENT.sub(parameter, rule), parameters


def _operation_object(operation: Operation, endpoint: str, method: str, path_parameters: list[dict],
                      schemas: _Schemas) -> dict:
    item: dict[str, Any] = {"operationId": _operation_id(endpoint, method), "summary": operation.summary,
                            "tags": [operation.tag]}
    if operation.description:
        item["description"] = operation.description
    parameters = [*map(dict, path_parameters), *(_query_parameter(arg, schemas) for arg in operation.query)]
    for parameter in parameters:
        if parameter["name"] in operation.examples:
            parameter["example"] = operation.examples[parameter["name"]]
    if parameters:
        item["parameters"] = parameters
    if operation.body is not None:
        item["requestBody"] = {"required": operation.body_required,
                               "content": {operation.body_media: {"schema": schemas.use(operation.body)}}}
    if operation.public:
        item["security"] = []
    answers: dict[str, Any] = {}
    for status, name in _common_answers(operation, method, bool(path_parameters)).items():
        answers[str(status)] = {"$ref": f"#/components/responses/{name}"}
    for status, text in operation.errors.items():
        answers[str(status)] = _answer_object(error_answer(text), schemas)
    for status, answer in operation.answers.items():
        answers[str(status)] = _answer_object(answer, schemas)
    item["responses"] = dict(sorted(answers.items()))
    return item


def _operation_id(endpoint: str, method: str) -> str:
    # One view, one operation in the app today; a view serving several methods gets one id each.
    return f"{endpoint.replace('.', '_')}_{method.lower()}"


def _query_parameter(arg, schemas: _Schemas) -> dict:
    # Every reader takes an empty value as not given, as a form sends an unset field.
    parameter = {"name": arg.name, "in": "query", "required": False, "allowEmptyValue": True,
                 "schema": schemas.use(arg.schema())}
    if arg.description:
        parameter["description"] = arg.description
    return parameter


def _answer_object(answer: Answer, schemas: _Schemas) -> dict:
    item: dict[str, Any] = {"description": answer.description}
    if answer.content is not None:
        item["content"] = {media: {"schema": schemas.use(value["schema"])} for media, value in answer.content.items()}
    if answer.headers:
        item["headers"] = {name: dict(header) for name, header in answer.headers.items()}
    return item
