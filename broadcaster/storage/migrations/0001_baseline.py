"""0001: the schema as the last release before migrations left it (baseline.sql, frozen).

A database made by that release already has every object of it, and is recognised as at this
version without running anything. An empty database, or one an older release made, gets
baseline.sql, each statement in its own short transaction (every statement is idempotent, so a
run cut short is simply run again).
"""

from __future__ import annotations

import re
from pathlib import Path

from broadcaster.storage import queries

BASELINE = Path(__file__).resolve().parent / "baseline.sql"

_TABLE = re.compile(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\);", re.S)
_COLUMN = re.compile(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)")
_INDEX = re.compile(r"CREATE (?:UNIQUE )?INDEX IF NOT EXISTS (\w+)")
_TRIGGER = re.compile(r"CREATE TRIGGER (\w+)")
_FUNCTION = re.compile(r"CREATE OR REPLACE FUNCTION (\w+)")
_OPTION = re.compile(r"ALTER TABLE (\w+) SET \((\w+) = (\w+)\)")
_CONSTRAINT_WORDS = ("PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "CONSTRAINT")


def expected_objects(sql: str) -> list[tuple[str, str]]:
    """(kind, name) of every column, index, trigger, function and storage option the script creates."""
    objects = []
    for table, body in _TABLE.findall(sql):
        for line in body.splitlines():
            word = line.strip().split(" ", 1)[0]
            if word and not word.startswith("--") and word not in _CONSTRAINT_WORDS:
                objects.append(("column", f"{table}.{word}"))
    objects += [("column", f"{table}.{column}") for table, column in _COLUMN.findall(sql)]
    objects += [("index", name) for name in _INDEX.findall(sql)]
    objects += [("trigger", name) for name in _TRIGGER.findall(sql)]
    objects += [("function", name) for name in _FUNCTION.findall(sql)]
    objects += [("option", f"{table}:{option}={value}") for table, option, value in _OPTION.findall(sql)]
    return objects


def missing_objects(session, sql: str) -> list[str]:
    """The baseline's objects the database lacks, as ``kind name``."""
    objects = expected_objects(sql)
    rows = session.fetch_all(queries.FIND_MISSING_OBJECTS, {
        "kinds": [kind for kind, _ in objects], "names": [name for _, name in objects]})
    return [f"{row['kind']} {row['name']}" for row in rows]


def apply(session) -> str | None:
    """Recognise the release's schema, or create what is missing."""
    sql = BASELINE.read_text(encoding="utf-8")
    if not missing_objects(session, sql):
        return "已有该版本的全部结构，未做改动"
    session.run_script(sql, per_statement=True)
    return None
