"""A committee-final version on paper: the pages show the committee key's short
fingerprint, and a reader who trusts that key scans the pages back into a final,
committee-signed version."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Cli
from tests.integration.test_committee_cli import run_committee

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils"),
]


def test_final_version_prints_its_committee_key_and_scans_back_final(
    tmp_path: Path,
) -> None:
    facts: dict[str, Any] = run_committee(lambda name: Cli(tmp_path / name), tmp_path)
    holder: Cli = facts["signers"][2]
    version, group_key = facts["version"], facts["group_key"]
    printed = holder.ok("print", version, "--out", tmp_path / "final.pdf")
    text = subprocess.run(["pdftotext", str(tmp_path / "final.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert group_key[:16] in text
    assert "final" in text and "not final" not in text

    reader = Cli(tmp_path / "reader")
    reader.ok("init")
    reader.ok("trust", "add", facts["pub"])
    got = reader.ok("scan", tmp_path / "final.pdf", "--cap", printed["cap"])
    assert got["version"] == version and got["status"] == "authentic"
    assert {"kind": "committee", "key": group_key, "trusted": True} in got["signers"]
    log = reader.ok("log", got["document"])
    assert any(v["version"] == version and v["final"] for v in log["versions"])
