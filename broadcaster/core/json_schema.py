"""JSON Schema building blocks (draft 2020-12, the dialect of OpenAPI 3.1) for the API's shapes.

A shape is written once, as a schema, beside the function that builds its answers (RUN and TASK
in `broadcaster.web.shapes`, ALERT in `broadcaster.web.alerts`, the webhook body in `payload`…).
The builder takes its keys from the schema (`project`, `shaped`), and `broadcaster.web.openapi`
publishes the same schema, so the document cannot say one thing while the code answers another.
A schema with a `title` is a named type: the document lists it once under `components/schemas`
and refers to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from broadcaster.core.clock import isoformat

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
TIME = {"type": "string", "format": "date-time", "description": "ISO-8601，UTC"}
#: Any JSON value.
ANY: dict = {}
#: Every error message is Chinese: at least one CJK character.
CHINESE_TEXT = {"type": "string", "minLength": 1, "pattern": "[\u4e00-\u9fff]"}


def nullable(schema: Mapping) -> dict:
    """`schema` or null."""
    kind = schema.get("type")
    if isinstance(kind, str) and "title" not in schema:
        widened = {**schema, "type": [kind, "null"]}
        if "enum" in schema:
            widened["enum"] = [*schema["enum"], None]
        return widened
    return {"anyOf": [dict(schema), {"type": "null"}]}


def one_of_values(values: Iterable[str], description: str | None = None) -> dict:
    """A string that is one of `values` (a StrEnum or a tuple)."""
    schema: dict[str, Any] = {"type": "string", "enum": [str(value) for value in values]}
    if description:
        schema["description"] = description
    return schema


def array(items: Mapping, **limits: int) -> dict:
    """An array of `items` (limits: minItems, maxItems)."""
    return {"type": "array", "items": dict(items), **limits}


def described(schema: Mapping, description: str) -> dict:
    """`schema` with a description for readers of the document (a named type keeps its own)."""
    if "title" in schema:
        return {"description": description, "allOf": [dict(schema)]}
    return {**schema, "description": description}


def obj(properties: Mapping[str, Mapping], *, optional: Iterable[str] = (), title: str | None = None,
        description: str | None = None, examples: Iterable[Mapping] = ()) -> dict:
    """An object with exactly these keys, every one required but those in `optional`; `examples`
    show readers (and the fuzzer's first requests) a realistic value."""
    optional = set(optional)
    unknown = optional - set(properties)
    if unknown:
        raise ValueError(f"optional keys that are not properties: {sorted(unknown)}")
    schema: dict[str, Any] = {"type": "object"}
    if title:
        schema["title"] = title
    if description:
        schema["description"] = description
    schema.update(properties={name: dict(value) for name, value in properties.items()},
                  required=[name for name in properties if name not in optional],
                  additionalProperties=False)
    if examples:
        schema["examples"] = [dict(example) for example in examples]
    return schema


def extend(shape: Mapping, properties: Mapping[str, Mapping], *, title: str | None = None,
           description: str | None = None) -> dict:
    """`shape` with more keys (RUN plus its `items`, PROJECT plus its series…)."""
    optional = [name for name in shape["properties"] if name not in shape["required"]]
    return obj({**shape["properties"], **properties}, optional=optional, title=title,
               description=description or shape.get("description"))


def shaped(shape: Mapping, **values: Any) -> dict:
    """An answer of `shape` from values named by its keys, in the schema's order.

    A missing required key or a key the shape does not have is a programming error, raised at
    once: the answer and the published schema never differ in their keys.
    """
    properties = shape["properties"]
    missing = [name for name in shape["required"] if name not in values]
    unknown = [name for name in values if name not in properties]
    if missing or unknown:
        raise KeyError(f"{shape.get('title', 'answer')}: missing {missing}, not in the schema {unknown}")
    return {name: values[name] for name in properties if name in values}


def project(shape: Mapping, row: Mapping, **computed: Any) -> dict:
    """The answer of `shape` from a database row: each key from `computed`, else the row's column
    of that name; times (`format: date-time`) as ISO-8601 UTC."""
    values = dict(computed)
    for name, schema in shape["properties"].items():
        if name not in values:
            value = row[name]
            values[name] = isoformat(value) if schema.get("format") == "date-time" else value
    return shaped(shape, **values)
