"""Bad input: a source answering 500s, stalling past the read timeout or sending malformed
JSON (the demo's Okta fake and its fault switches); configurations that do not validate; and
hostile text (spreadsheet formulas, HTML, ANSI and bidi escapes) from a source flowing to
`report`'s files and the terminal."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from benchmarks.fault_campaign.bench import Bench
from benchmarks.fault_campaign.outcome import Outcome
from demo.fakes.okta import OktaData, okta_error
from demo.fakes.okta_demo import _user, acme_exchange_okta
from demo.fakes.server import FakeApi, Reply
from tests.reliability.worker_process import ROOT
from vaultward.cli.output import CONTROL
from vaultward.reporting.content import FORMULA_PREFIXES

USERS = "/api/v1/users"  # Okta's user listing, and each user's factors and roles under it
STALL_SECONDS = 31.0  # past the SaaS clients' 30 s read timeout
FORMULAS = ['=HYPERLINK("http://attacker.example","open")', "+1+1", "@SUM(1)", "-2+3"]
HOSTILE = [*FORMULAS, "<script>alert(1)</script>", "\x1b[31mred\x1b[0m", "zero\u200bwidth \u202edetrevni"]


def hostile_okta() -> OktaData:
    """The demo's Okta org plus a person per hostile string, in their login and e-mail (what
    names them in findings) and names; none has a factor, so each fails the MFA checks and
    is a line of the report."""
    data = acme_exchange_okta(datetime.now(UTC))
    for n, text in enumerate(HOSTILE):
        user = _user(f"hostile{n}@acme.example", text, text, "ACTIVE", "2025-01-06T09:00:00.000Z", None)
        user["profile"]["login"] = user["profile"]["email"] = f"{text}@acme.example"
        data.users.append(user)
    return data


def okta_runs(bench: Bench, since: int) -> list[str]:
    return [
        run.status
        for run in bench.runs_since(since)
        if run.collector == "okta" and run.scope != "okta:discovery"
    ]


def source_fault(
    bench: Bench, fault: str, inject: Callable[[FakeApi], None], expected: int, run_status: str
) -> Outcome:
    outcome = Outcome(bench.store, fault)
    before = bench.snapshot()
    inject(bench.okta)
    try:
        step = bench.run("collect", "collect", "--source", "okta", config=bench.fast, expected=(expected,))
    finally:
        bench.okta.faults.clear()
    outcome.steps.append(step)
    outcome.check(f"the Okta Run ended {run_status}", okta_runs(bench, before.max_run) == [run_status])
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def source_500s(bench: Bench) -> Outcome:
    def inject(okta: FakeApi) -> None:
        okta.inject(USERS, 500, body=okta_error("E0000009", "Internal Server Error"), times=50)

    return source_fault(bench, "source answers HTTP 500 to every request: `collect`", inject, 1, "failed")


def source_malformed(bench: Bench) -> Outcome:
    def inject(okta: FakeApi) -> None:
        okta.inject(USERS, 200, body=b'[{"id": "00u1', times=50)

    return source_fault(bench, "source sends malformed JSON every time: `collect`", inject, 1, "failed")


def source_stalls(bench: Bench) -> Outcome:
    def inject(okta: FakeApi) -> None:
        okta.inject_reply(USERS, Reply(200, [], delay=STALL_SECONDS), times=1)

    fault = f"source stalls once for {STALL_SECONDS:.0f} s (past the read timeout): `collect`"
    return source_fault(bench, fault, inject, 0, "ok")


def bad_config(
    bench: Bench, fault: str, name: str, mentions: str, tables: dict[str, Any] | None = None, text: str = ""
) -> Outcome:
    outcome = Outcome(bench.store, fault)
    config = bench.config(name, tables=tables, text=text)
    before = bench.snapshot()
    step = bench.run("collect", "collect", "--source", "counted", config=config, expected=(2,))
    outcome.steps.append(step)
    outcome.check(f"names {mentions!r}", mentions in step.stderr)
    outcome.check("no raw control or bidi character printed", not CONTROL.search(step.stdout + step.stderr))
    outcome.check("no Run written", bench.snapshot().max_run == before.max_run)
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def config_unknown_key(bench: Bench) -> Outcome:
    tables = {"store": {"data_dirr": str(bench.folder / "elsewhere")}}
    return bad_config(
        bench, "config: unknown key ([store] data_dirr): `collect`", "unknown-key.toml", "data_dirr", tables
    )


def config_long_region(bench: Bench) -> Outcome:
    region = "eu-west-1\u202e" + "9" * 500
    tables = {"aws": {"regions": [region]}}
    fault = "config: 510-character [aws] region with a bidi override: `collect`"
    return bad_config(bench, fault, "long-region.toml", "regions", tables)


def config_malformed(bench: Bench) -> Outcome:
    fault = "config: malformed TOML (unclosed table header): `collect`"
    return bad_config(
        bench, fault, "malformed.toml", "malformed.toml", text="[sources.counted\nrecords = 3\n"
    )


def spreadsheet_safe(cells: list[str]) -> bool:
    return not any(value.startswith(FORMULA_PREFIXES) for value in cells)


def hostile_text(bench: Bench) -> Outcome:
    outcome = Outcome(
        bench.store, "hostile names from a source (formulas, HTML, ANSI, bidi) to `report`, `checks test`"
    )
    before = bench.snapshot()
    out = bench.folder / "report"
    week = datetime.now(UTC).strftime("%G-W%V")
    outcome.steps += [  # the bench's first collection read the hostile people, and evaluated them
        bench.run(
            "report",
            "report",
            "--week",
            week,
            "--format",
            "csv,html,json",
            "--out",
            str(out),
            config=bench.fast,
        ),
        # a command that prints the names: a built-in check's findings over the latest facts
        bench.run(
            "checks test",
            "checks",
            "test",
            str(ROOT / "checks/access/console_user_mfa.py"),
            config=bench.fast,
        ),
    ]
    files = {path.suffix: path for path in out.glob("vaultward-*")} if out.exists() else {}
    outcome.check("report wrote CSV, HTML and JSON", {".csv", ".html", ".json"} <= set(files))
    texts = {suffix: path.read_text(encoding="utf-8") for suffix, path in files.items()}
    cells = [value for row in csv.reader(io.StringIO(texts.get(".csv", ""))) for value in row]
    outcome.check("every CSV cell spreadsheet-safe", bool(cells) and spreadsheet_safe(cells))
    quoted = all(any(value.startswith("'" + text) for value in cells) for text in FORMULAS)
    outcome.check("the formulas are in the CSV, quoted", quoted)
    html = texts.get(".html", "")
    outcome.check("no live HTML from a source", bool(html) and "<script>alert(1)" not in html)
    try:
        readable = bool(json.loads(texts.get(".json", "")))
    except ValueError:
        readable = False
    outcome.check("JSON readable", readable)
    printed = "".join(step.stdout + step.stderr for step in outcome.steps)
    outcome.check("the names reached the terminal", "@SUM(1)@acme.example" in outcome.steps[-1].stdout)
    outcome.check("no raw control or bidi character printed", not CONTROL.search(printed))
    outcome.kept = bench.kept(before)
    return bench.record(outcome, *texts.values())
