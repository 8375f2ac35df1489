"""The project documents itself (docs/): every relative link of the Markdown resolves, to a file and,
with `#anchor`, to a heading in it (by GitHub's anchor rules); every `docs/….md` that code names
exists, with its heading; and nothing points to files outside the repository (the design notes and
reference files the code once cited are not shipped)."""

from __future__ import annotations

import functools
import re
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import ROOT

CODE_SUFFIXES = {".py", ".js", ".mjs", ".css", ".html", ".sql", ".txt", ".toml", ".cfg", ".sh"}
CODE_NAMES = {"Makefile", ".env.example", "Procfile", "run"}
FENCE = re.compile(r"^\s*(```|~~~)")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target) or ![alt](target "title"); the text may hold one level of brackets.
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'][^\"']*[\"'])?\s*\)")
REFERENCE_DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+[\"'(].*)?$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)(?:\s+#+)?\s*$")
HTML_ANCHOR = re.compile(r"<a\s[^>]*(?:name|id)=[\"']([^\"']+)[\"']", re.I)
# A Markdown file named in code: `docs/architecture.md`, `docs/storage.md#figures`, `README.md#quick-start`.
CODE_DOC_REF = re.compile(r"(?<![\w./-])((?:[\w.-]+/)*[\w.-]+\.md)(?:#([\w%-]+))?")
# What points outside the repository: the design notes and their sections, the reference files.
OUTSIDE = {
    "a design-note section": re.compile(r"DESIGN(?:\.md)?\s*§|(?<![\w/])§\s?\d"),
    "the design notes": re.compile(r"\bDESIGN\.md\b"),
    "a reference file": re.compile(r"(?<![\w-])reference/[\w-]+\.md"),
    "a folder beside the repository": re.compile(r"\.\./shared\b|/work/+shared\b"),
}
# In code, these names alone can only mean reference files (docs/ has no page of that name; a section
# of one, a section sign and its number, is caught by the check for those).
REFERENCE_NAMES = re.compile(r"(?<![\w/.-])(?:x2c-pool|freshness|scheduling|style-anchors)\.md\b")


def _listed_files() -> list[Path]:
    """The repository's files: tracked ones, and new ones not ignored (git's own list)."""
    try:
        out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                             capture_output=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("bench/*.md")]
    return [ROOT / name for name in dict.fromkeys(out.decode("utf-8").split("\0")) if name and (ROOT / name).is_file()]


FILES = _listed_files()
MARKDOWN = sorted(path for path in FILES if path.suffix == ".md")
CODE = sorted(path for path in FILES if path.suffix in CODE_SUFFIXES or path.name in CODE_NAMES)


def _name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) of Markdown outside fenced code blocks."""
    lines, fence = [], None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if match and (fence is None or match[1] == fence):
            fence = None if fence else match[1]
        elif fence is None:
            lines.append((number, line))
    return lines


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: its text lower-cased, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link or image: its text
    text = CODE_SPAN.sub(lambda match: match[2], text)
    text = re.sub(r"<[^>]+>", "", text)
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


@functools.cache
def anchors(path: Path) -> frozenset[str]:
    """Every anchor of a Markdown file: its headings' (repeats get -1, -2, …) and explicit HTML ones."""
    found, seen = set(), {}
    for _, line in prose_lines(path.read_text(encoding="utf-8")):
        found.update(HTML_ANCHOR.findall(line))
        match = HEADING.match(line)
        if match:
            slug = github_anchor(match[2])
            count = seen.get(slug, 0)
            seen[slug] = count + 1
            found.add(slug if count == 0 else f"{slug}-{count}")
    return frozenset(found)


def markdown_links(path: Path) -> list[tuple[int, str]]:
    """(line number, target) of every link of a Markdown file outside code."""
    links = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        definition = REFERENCE_DEFINITION.match(line)
        if definition:
            links.append((number, definition[1]))
            continue
        bare = CODE_SPAN.sub("", line)
        links.extend((number, target) for target in INLINE_LINK.findall(bare))
    return links


def unresolved(target: str, *, base: Path, source: Path | None = None) -> str | None:
    """Why `target` (a path relative to `base`, maybe with #anchor; a bare #anchor is in `source`)
    does not resolve, or None."""
    path_part, _, anchor = target.partition("#")
    path = (base / unquote(path_part)).resolve() if path_part else source
    if path is None or not path.is_relative_to(ROOT):
        return "leaves the repository"
    if not path.is_file():
        return "no such file"
    if anchor and path.suffix == ".md" and unquote(anchor) not in anchors(path):
        return f"no heading #{unquote(anchor)}"
    return None


def is_relative(target: str) -> bool:
    return not re.match(r"^[a-z][a-z0-9+.-]*:|^//", target, re.I)


def test_the_documents_exist_and_readme_links_each():
    """README leads to every page of docs/, and the docs folder holds what the issue lists."""
    pages = {path.name for path in (ROOT / "docs").glob("*.md")}
    readme_links = {target.partition("#")[0] for _, target in markdown_links(ROOT / "README.md")}

    assert {"architecture.md", "settings.md", "command-line.md", "http-api.md", "webhook.md", "operations.md",
            "deployment.md", "performance.md", "testing.md", "storage.md"} <= pages
    assert [] == sorted(page for page in pages if f"docs/{page}" not in readme_links)


def test_anchors_follow_githubs_rules():
    """Code spans keep their text, punctuation goes (full-width too), letters of any script stay."""
    assert "one-pass-broadcasterenginepipelinepy" == github_anchor("One pass (`broadcaster/engine/pipeline.py`)")
    assert "what-2xx-means-and-retries" == github_anchor("What 2xx means, and retries")
    assert "x2c-接收端验证签名去重重试" == github_anchor("X2C 接收端：验证签名、去重、重试")
    assert "the-settings_table" == github_anchor("The [settings_table](x.md)")


@pytest.mark.parametrize("path", MARKDOWN, ids=_name)
def test_every_relative_link_resolves(path):
    """A relative link names a file of the repository, and its #anchor a heading of that file."""
    broken = [f"{_name(path)}:{number}: {target} ({why})" for number, target in markdown_links(path)
              if is_relative(target) and (why := unresolved(target, base=path.parent, source=path))]

    assert [] == broken


@pytest.mark.parametrize("path", CODE, ids=_name)
def test_code_names_only_documents_that_exist(path):
    """A `docs/….md` (or any `….md#anchor`) in code names a file of the repository, by its path from
    the root, and its #anchor a heading there."""
    broken = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        for target, anchor in CODE_DOC_REF.findall(line):
            if target.startswith("docs/") or anchor:
                full = f"{target}#{anchor}" if anchor else target
                why = unresolved(full, base=ROOT)
                if why:
                    broken.append(f"{_name(path)}:{number}: {full} ({why})")

    assert [] == broken


@pytest.mark.parametrize("path", MARKDOWN + CODE, ids=_name)
def test_nothing_points_outside_the_repository(path):
    """No pointer to the design notes (by name or by section sign), to the reference files or to the
    shared folder beside the repository: what they said is in docs/ now, and pointers go there."""
    patterns = dict(OUTSIDE)
    if path in CODE:
        patterns["a reference file"] = re.compile(f"{OUTSIDE['a reference file'].pattern}|{REFERENCE_NAMES.pattern}")
    found = [f"{_name(path)}:{number}: {what}: {line.strip()[:120]}"
             for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1)
             for what, pattern in patterns.items() if pattern.search(line)]

    assert [] == found
