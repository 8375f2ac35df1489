"""The receiver's guide: its Node.js check verifies what was really sent."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess

import pytest

from tests.unit.test_receiver_guide import SECRET, SECTION, checks, delivery, guide_snippets  # noqa: F401 - the unit tests' fixtures and helpers


@pytest.mark.slow  # runs node
def test_the_node_check_verifies_what_was_really_sent(delivery, tmp_path):
    node = shutil.which("node")
    assert node, "node is missing: bash scripts/system-deps.sh installs it"
    cases = checks(delivery)
    (tmp_path / "cases.json").write_text(json.dumps([
        {"secret": secret, "body": base64.b64encode(body).decode(), "signature": signature}
        for _, secret, body, signature, _ in cases]), encoding="utf-8")
    script = tmp_path / "verify.cjs"
    script.write_text(guide_snippets()["js"] + """
const cases = JSON.parse(require("node:fs").readFileSync(process.argv[2], "utf8"));
console.log(JSON.stringify(cases.map((c) => verifySignature(c.secret, Buffer.from(c.body, "base64"), c.signature))));
""", encoding="utf-8")

    run = subprocess.run([node, str(script), str(tmp_path / "cases.json")], capture_output=True, text=True, timeout=60)

    assert 0 == run.returncode, run.stderr
    assert [expected for *_, expected in cases] == json.loads(run.stdout), [what for what, *_ in cases]
