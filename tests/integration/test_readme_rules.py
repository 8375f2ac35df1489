"""The Prometheus alert rules in docs/operations.md are valid: `promtool check rules` accepts them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow  # runs promtool


def readme_rule_files() -> list[str]:
    """Every ```yaml block of docs/operations.md that is a rules file (starts with `groups:`)."""
    text = (ROOT / "docs" / "operations.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```yaml\n(.*?)```", text, re.S) if block.lstrip().startswith("groups:")]


def test_readme_alert_rules_pass_promtool(tmp_path):
    """Debian's `prometheus` package ships promtool; CI installs it (.ci/run), so there a missing
    promtool fails the test instead of skipping it."""
    promtool = shutil.which("promtool")
    if promtool is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("promtool missing: install Debian's prometheus package (apt-get install prometheus)")
        pytest.skip("promtool not installed (apt-get install --no-install-recommends prometheus)")
    blocks = readme_rule_files()
    assert blocks, "docs/operations.md has no rules block"
    for number, block in enumerate(blocks):
        path = tmp_path / f"rules-{number}.yml"
        path.write_text(block, encoding="utf-8")
        checked = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True, text=True, timeout=60)
        assert 0 == checked.returncode, checked.stdout + checked.stderr
