"""`vaultward waive`: add, list, revoke; bad input is refused with what is wrong."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import Session, select

from vaultward.store.db import open_store
from vaultward.store.models import AuditEvent, Waiver

VAULTWARD = str(Path(sys.executable).parent / "vaultward")


def run(url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "VAULTWARD_DATABASE_URL": url, "COLUMNS": "200"}
    env.pop("VAULTWARD_CONFIG", None)
    return subprocess.run([VAULTWARD, "waive", *args], capture_output=True, text=True, env=env, timeout=120)


def test_add_list_revoke(database_url):
    added = run(
        database_url, "add", "access.console_user_mfa", "arn:aws:iam::*:user/bob",
        "--reason", "leaves on Friday", "--owner", "ciso@acme.example", "--expires", "10d",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("waiver 1: access.console_user_mfa on arn:aws:iam::*:user/bob until ")
    listed = run(database_url, "list")
    assert "access.console_user_mfa" in listed.stdout and "expires soon" in listed.stdout
    assert run(database_url, "revoke", "1").stdout.strip() == "waiver 1 revoked"
    assert run(database_url, "list").stdout.strip() == "No waivers."
    assert "expired" in run(database_url, "list", "--all").stdout
    with Session(open_store(database_url)) as session:
        events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target) for e in events] == [
        ("waiver.create", "waiver 1"),
        ("waiver.revoke", "waiver 1"),
    ]
    assert events[0].actor.startswith("cli") and events[0].details["reason"] == "leaves on Friday"


def test_bad_waivers_are_refused_naming_each_problem(database_url):
    result = run(
        database_url, "add", "access.nope", "*", "--reason", " ", "--owner", "bob", "--expires", "400d"
    )
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "no check 'access.nope'; did you mean 'access.root_mfa'? (see `vaultward checks list`)",
        "the reason is empty",
        "owner 'bob' is not an e-mail address",
        "expiry '400d' must be in the future and within 365 days",
    ]
    with Session(open_store(database_url)) as session:
        assert session.exec(select(Waiver)).all() == [] and session.exec(select(AuditEvent)).all() == []
