"""`vaultward checks`: the catalog, one check, and a new check scaffolded then tried."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

VAULTWARD = str(Path(sys.executable).parent / "vaultward")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "COLUMNS": "200"}
    env.pop("VAULTWARD_CONFIG", None)
    return subprocess.run([VAULTWARD, *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120)


def test_list_filters_by_mitigation_and_reference():
    custody = run("checks", "list", "--mitigation", "custody")
    assert custody.returncode == 0
    assert "custody.multisig_threshold" in custody.stdout and "access.root_mfa" not in custody.stdout
    cis = run("checks", "list", "--reference", "cis-v8:6.5")
    assert "access.root_mfa" in cis.stdout and "custody.multisig_threshold" not in cis.stdout
    ccss = run("checks", "list", "--reference", "ccss")  # a whole standard
    assert "custody.multisig_threshold" in ccss.stdout and "access.root_mfa" not in ccss.stdout


def test_show_and_an_unknown_id():
    shown = run("checks", "show", "access.root_mfa")
    assert shown.returncode == 0 and "risk: A root user without MFA" in shown.stdout
    missing = run("checks", "show", "access.nope")
    assert missing.returncode == 2
    assert missing.stderr.startswith("unknown check 'access.nope'; did you mean 'access.root_mfa'")
    assert "`vaultward checks list` lists them" in missing.stderr


def test_new_then_test_then_pytest(tmp_path):
    created = run("checks", "new", "signer_has_mfa", "--mitigation", "custody", "--dir", str(tmp_path))
    assert created.returncode == 0, created.stderr
    records = tmp_path / "records.json"
    records.write_text(
        json.dumps(
            [
                {"kind": "identity", "key": "okta:1", "source": "okta", "mfa_enrolled": True},
                {"kind": "identity", "key": "okta:2", "source": "okta", "mfa_enrolled": False},
            ]
        )
    )
    tried = run("checks", "test", str(tmp_path / "signer_has_mfa.py"), "--records", str(records))
    assert tried.returncode == 0, tried.stderr
    lines = [line for line in tried.stdout.splitlines() if "custody.signer_has_mfa" in line]
    assert "okta:1" in lines[0] and "pass" in lines[0]
    assert "okta:2" in lines[1] and "fail" in lines[1]
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_signer_has_mfa.py"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert tests.returncode == 0 and "1 passed" in tests.stdout
    again = run("checks", "new", "signer_has_mfa", "--mitigation", "custody", "--dir", str(tmp_path))
    assert again.returncode == 1 and "exists: not overwritten" in again.stderr


def test_new_refuses_a_bad_mitigation(tmp_path):
    result = run("checks", "new", "x", "--mitigation", "wallets", "--dir", str(tmp_path))
    assert result.returncode == 2 and "unknown mitigation 'wallets'" in result.stderr
