"""The codebase keeps the shape a newcomer can read: sizes, one home for SQL, shared status values, layers."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from broadcaster.core import states
from broadcaster.storage import queries

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = sorted([*ROOT.glob("*.py"), *ROOT.glob("broadcaster/**/*.py")])
# The fakes and the benchmark are read as often as the product, so the same sizes hold there.
SUPPORT = sorted([*ROOT.glob("fakes/**/*.py"), *ROOT.glob("bench/*.py")])
MODULE_LIMIT, ENTRY_LIMIT, CLASS_LIMIT, FUNCTION_LIMIT = 400, 80, 250, 80
# Entry points of the design card that only wire or re-export what lives in broadcaster/.
ENTRY_MODULES = ("stats_broadcaster.py", "video_stats_fetcher.py", "admin_api.py")
SQL_HOME = ROOT / "broadcaster" / "storage" / "queries"  # every statement of the running service
MIGRATIONS = ROOT / "broadcaster" / "storage" / "migrations"  # and the schema's, numbered
# The admin page's ES modules: one feature or shared helper each, small enough to read in one go.
PAGE_MODULES = sorted(ROOT.glob("static/js/*.js"))
PAGE_MODULE_LIMIT = 400
# Its styles the same way: the base (colours light and dark, layout) and css/, shared controls and
# tables, then one file per feature, each linked by a template in the cascade's order.
PAGE_STYLESHEETS = sorted([ROOT / "static" / "admin.css", *ROOT.glob("static/css/*.css")])
PAGE_STYLESHEET_LIMIT = 400
STYLESHEET_LINK = re.compile(r"""<link rel="stylesheet" href="\{\{ url_for\('static', filename='([^']+\.css)'\) \}\}">""")


def _relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _definitions(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield node


@pytest.mark.parametrize("path", PRODUCT + SUPPORT, ids=_relative)
def test_module_sizes(path):
    """No module over 400 lines; the three entry modules only wire, in at most 80."""
    limit = ENTRY_LIMIT if path.name in ENTRY_MODULES else MODULE_LIMIT
    lines = len(path.read_text(encoding="utf-8").splitlines())

    assert lines <= limit, f"{_relative(path)} has {lines} lines (limit {limit})"


def test_page_script_is_modules():
    """The page loads its script as ES modules from static/js/, not one long file."""
    template = (ROOT / "templates" / "admin.html").read_text(encoding="utf-8")

    assert len(PAGE_MODULES) >= 10
    assert not (ROOT / "static" / "admin.js").exists()
    assert re.search(r'<script type="module" src="[^"]*js/main\.js[^"]*"></script>', template)


@pytest.mark.parametrize("path", PAGE_MODULES, ids=_relative)
def test_page_module_sizes(path):
    """No module of the admin page over 400 lines."""
    lines = len(path.read_text(encoding="utf-8").splitlines())

    assert lines <= PAGE_MODULE_LIMIT, f"{_relative(path)} has {lines} lines (limit {PAGE_MODULE_LIMIT})"


def test_page_styles_are_split_and_linked():
    """The page's styles are a base and one file per feature, every one linked by a template."""
    templates = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "templates").glob("*.html"))
    linked = STYLESHEET_LINK.findall(templates)
    on_disk = [str(path.relative_to(ROOT / "static")) for path in PAGE_STYLESHEETS]

    assert len(on_disk) >= 10
    assert sorted(on_disk) == sorted(linked)  # each file once: none forgotten, none linked twice


@pytest.mark.parametrize("path", PAGE_STYLESHEETS, ids=_relative)
def test_page_stylesheet_sizes(path):
    """No stylesheet of the admin page over 400 lines."""
    lines = len(path.read_text(encoding="utf-8").splitlines())

    assert lines <= PAGE_STYLESHEET_LIMIT, f"{_relative(path)} has {lines} lines (limit {PAGE_STYLESHEET_LIMIT})"


@pytest.mark.parametrize("path", PRODUCT + SUPPORT, ids=_relative)
def test_class_and_function_sizes(path):
    """No class over 250 lines, no function over 80."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    too_long = []
    for node in _definitions(tree):
        size = node.end_lineno - node.lineno + 1
        limit = CLASS_LIMIT if isinstance(node, ast.ClassDef) else FUNCTION_LIMIT
        if size > limit:
            too_long.append(f"{node.name}: {size} lines (limit {limit})")

    assert [] == too_long


def _sql_outside_queries(path: Path) -> list[str]:
    hits = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if re.search(r"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM)\b", node.value, re.S):
                hits.append(node.value.strip()[:60])
    return hits


@pytest.mark.parametrize("path", [p for p in PRODUCT if SQL_HOME not in p.parents and MIGRATIONS not in p.parents],
                         ids=_relative)
def test_sql_lives_in_queries(path):
    """Every SQL statement of the product is in broadcaster/storage/queries/ (or a migration)."""
    assert [] == _sql_outside_queries(path)


def _quoted_literals(text: str) -> set[str]:
    return set(re.findall(r"'([a-z_]+)'", text))


STATUS_COLUMNS = {
    "status": (states.RunStatus, states.TaskStatus, states.ShardStatus),
    "trigger": (states.Trigger,),
    "scope": (states.Scope,),
    "callback_status": (states.CallbackStatus,),
    "fetch_status": (states.FetchStatus,),
}


def _allowed(enums) -> set[str]:
    return {member.value for enum in enums for member in enum}


def test_schema_status_literals_are_shared_constants():
    """The status values the migrations spell out are members of broadcaster.core.states."""
    schema = "".join(path.read_text(encoding="utf-8") for path in sorted(MIGRATIONS.glob("*.sql")))
    found = []
    for column, enums in STATUS_COLUMNS.items():
        for literal in re.findall(rf"\b{column}\b[^;'\n]*?'([a-z_]+)'", schema):
            found.append((column, literal, literal in _allowed(enums)))

    assert found, "the schema names no status literal at all"
    assert [] == [item for item in found if not item[2]]


def test_queries_spell_statuses_through_the_constants():
    """The queries never write a status value by hand: each one comes from broadcaster.core.states."""
    every_value = _allowed([states.RunStatus, states.TaskStatus, states.Trigger, states.CallbackStatus,
                            states.FetchStatus, states.Platform, states.Scope, states.ShardStatus])
    source = "".join(path.read_text(encoding="utf-8") for path in SQL_HOME.glob("*.py"))
    compiled = [value for name, value in vars(queries).items() if name.isupper() and isinstance(value, str)]

    assert [] == sorted(_quoted_literals(source) & every_value)
    assert {"running", "schedule", "active", "ok", "success"} <= set().union(*map(_quoted_literals, compiled))


# --------------------------------------------------------------------------------------------
# The package: folders by concern, one level deep; the entry points only outside it

FOLDER_LIMIT = 20  # modules in one folder of broadcaster/ (queries/ and migrations/ included)


def _imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_nothing_in_the_package_imports_the_entry_points():
    """admin_api, stats_broadcaster and video_stats_fetcher only wire what broadcaster/ holds."""
    entry_points = {name.removesuffix(".py") for name in ENTRY_MODULES}
    reaching_back = {_relative(path): sorted(_imported_modules(path) & entry_points)
                     for path in sorted((ROOT / "broadcaster").glob("**/*.py"))}

    assert {} == {path: names for path, names in reaching_back.items() if names}


def test_folders_are_one_level_deep_and_small():
    """broadcaster/'s folders hold at most 20 modules each, and no folder holds another package
    (queries/ and migrations/ are storage's own)."""
    folders = [path for path in (ROOT / "broadcaster").glob("**/") if path.name != "__pycache__"]
    too_big = {_relative(folder): count for folder in folders
               if (count := len([*folder.glob("*.py"), *folder.glob("*.sql")])) > FOLDER_LIMIT}
    nested = [_relative(folder) for folder in folders
              if len(folder.relative_to(ROOT / "broadcaster").parts) > 1 and folder.parent.name != "storage"
              and (folder / "__init__.py").exists()]

    assert ({}, []) == (too_big, nested)


# --------------------------------------------------------------------------------------------
# Tests: tests/unit start no process, tests/integration start processes or the browser


def _marked_slow(path: Path) -> dict[str, bool]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    module = any(isinstance(node, ast.Assign) and "slow" in ast.unparse(node.value)
                 and any(getattr(target, "id", "") == "pytestmark" for target in node.targets) for node in tree.body)
    return {node.name: module or any("slow" in ast.unparse(mark) for mark in node.decorator_list)
            for node in tree.body if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")}


def test_tests_are_grouped_by_what_they_start():
    """Every test in tests/integration is marked slow and none in tests/unit is, so the folders and
    `-m "not slow"` say the same (the conftest refuses a process start in an unmarked test)."""
    unit = {f"{path.name}::{name}" for path in sorted((ROOT / "tests" / "unit").glob("test_*.py"))
            for name, slow in _marked_slow(path).items() if slow}
    integration = {f"{path.name}::{name}" for path in sorted((ROOT / "tests" / "integration").glob("test_*.py"))
                   for name, slow in _marked_slow(path).items() if not slow}

    assert (set(), set()) == (unit, integration)
    assert not list((ROOT / "tests").glob("test_*.py")), "a test module belongs in tests/unit or tests/integration"

