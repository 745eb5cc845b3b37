"""`vaultward demo`: the real collectors against a seeded AWS emulator on loopback.

Starts a moto server on 127.0.0.1 and the vendor fakes, seeds a demo organisation (accounts,
people, HSMs, keys, wallets, production and corporate networks with some bad paths) as it
was twelve weeks ago, then for each week up to this one changes it as demo/story.py tells,
collects it with the unchanged collectors and evaluates, with the clock set to that week
(demo/history.py); writes this week's report and serves the dashboard over the demo's own
SQLite store.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rich.console import Console

from demo.saas import DEMO_PRICES, DemoSaaS, saas_fakes
from vaultward.config.settings import Settings, parse_settings
from vaultward.contract import redaction

# First names shared by the demo's AWS IAM users and its SaaS people (name@acme.example).
DEMO_PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "mallory")

# The emulator accepts any credentials; these dummy values keep boto3 away from real ones.
DEMO_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "demo-access-key",
    "AWS_SECRET_ACCESS_KEY": "demo-secret-key",
    "AWS_DEFAULT_REGION": "us-east-1",
    # moto's documented switch: no public AMI catalogue in each account's EC2 (the demo
    # launches no instance); halves the time a new account's first EC2 call takes
    "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
}
ISOLATED_ENVIRONMENT = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


# Who must act, as Acme states it: by check, by the account's Team tag, by mitigation, else security.
DEMO_OWNERS = {
    "default": "Security office",
    "mitigations": {
        "custody": "Treasury operations",
        "training": "People team",
        "detection": "Security office",
    },
    "checks": {"access.root_mfa": "Cloud platform team"},
    "accounts": {
        "Team=platform": "Cloud platform team",
        "Team=it": "Corporate IT",
        "Team=treasury": "Treasury operations",
    },
}


def demo_settings(
    organisation_settings: dict[str, Any], saas: DemoSaaS, data_dir: Path, port: int
) -> Settings:
    data = dict(organisation_settings)
    data["store"] = {"data_dir": str(data_dir)}
    data["dashboard"] = {"address": "127.0.0.1", "port": port}
    data["sources"] = dict(saas.sources)
    # IAM users carry no e-mail: the alias table ties them to the people of the other sources.
    policy = data.get("policy", {})
    data["policy"] = {
        **policy,
        "custody": {**policy.get("custody", {}), "prices": DEMO_PRICES},
        "people": {
            "aliases": {**{name: f"{name}@acme.example" for name in DEMO_PEOPLE}, **saas.aliases},
            "signers": saas.signers,
        },
        "owners": DEMO_OWNERS,
    }
    return parse_settings(data, "demo configuration")


def start_emulator():
    """A moto server on a free loopback port, in this process (so seeding can reach its
    backends for what the AWS API cannot set, like root MFA or CloudHSM HSMs)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def run_demo(data_dir: Path, port: int, serve_dashboard: bool, console: Console, weeks: int = 12) -> int:
    """Seed, then collect and evaluate `weeks` simulated weeks (the last is the current one;
    1: today only), write this week's report and serve the dashboard unless told not to."""
    import time_machine

    from demo.history import week_moments

    for name in ISOLATED_ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(DEMO_ENVIRONMENT)
    os.environ.pop("VAULTWARD_DATABASE_URL", None)

    problem = claim_folder(data_dir)
    if problem:
        console.print(problem, soft_wrap=True)
        return 1
    moments = week_moments(datetime.now(UTC), weeks)
    with time_machine.travel(moments[0], tick=True) as clock:
        settings, engine, registry = _history(data_dir, port, console, moments, clock.move_to)
        _weekly_report(settings, engine, registry, console)
    console.print(f"store: {settings.database_url}", soft_wrap=True)
    if not serve_dashboard:
        return 0
    from vaultward.ops.serve import serve

    return serve(settings)


MARKER = ".vaultward-demo-store"  # in a folder whose store the demo made, and may make again
STORE_FILE = "vaultward.db"


def claim_folder(data_dir: Path) -> str | None:
    """Make `data_dir` the demo's: a store an earlier demo left there is replaced (it is
    rebuilt from the same seed); a folder holding anything the demo did not make is never
    written to. Returns why not, or None."""
    marker = data_dir / MARKER
    if data_dir.exists() and not marker.exists() and any(data_dir.iterdir()):
        return (
            f"{data_dir} holds files the demo did not make: the demo never writes into it. "
            "Run it with --data-dir pointing at a new or empty folder (the default is .vaultward-demo)."
        )
    data_dir.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):  # the database and SQLite's side files, no other
        (data_dir / f"{STORE_FILE}{suffix}").unlink(missing_ok=True)
    marker.write_text("This folder's store was made by `vaultward demo`, which replaces it at each run.\n")
    return None


def _history(data_dir: Path, port: int, console: Console, moments: list[datetime], move_to) -> tuple:
    from demo.history import Week, simulate
    from demo.organisation import seed_demo_organisation
    from demo.story import Estate
    from vaultward.pipeline.collection import collect
    from vaultward.pipeline.evaluation import evaluate
    from vaultward.pipeline.registry import discover
    from vaultward.store.db import open_store

    today = moments[-1]
    server, endpoint = start_emulator()
    try:
        past = f" as it was {len(moments) - 1} weeks ago" if len(moments) > 1 else ""
        console.print(
            f"[1/5] AWS emulator (moto) on {endpoint}: seeding the demo organisation{past}", soft_wrap=True
        )
        organisation = seed_demo_organisation(endpoint, now=today)
        with saas_fakes(data_dir.resolve(), organisation.accounts["production"], now=today) as saas:
            console.print(
                f"[2/5] vendor API fakes on loopback: {', '.join(sorted(saas.sources))}", soft_wrap=True
            )
            os.environ.update(saas.environment)
            settings = demo_settings(organisation.settings_dict(), saas, data_dir, port)
            engine = open_store(settings.database_url)
            registry = discover(entry_point_groups=False)
            redaction.configure(settings.credential_variables(registry.collectors))
            weeks = f"{len(moments)} weeks, each" if len(moments) > 1 else "this week,"
            console.print(
                f"[3/5] {weeks} collected by the real collectors and evaluated at that week's date",
                soft_wrap=True,
            )

            def collect_and_evaluate():
                return collect(settings, engine, registry), evaluate(settings, engine, registry)

            def report(week: Week) -> None:
                console.print(week.line(), soft_wrap=True)
                for outcome in week.outcomes:
                    if outcome.status != "ok":
                        console.print(
                            f"  {outcome.status}: {outcome.collector} {outcome.scope}: {outcome.error}",
                            soft_wrap=True,
                        )

            estate = Estate(organisation, saas, data_dir.resolve(), today)
            last = simulate(estate, moments, move_to, collect_and_evaluate, report)
    finally:
        server.stop()
    console.print("[4/5] this week's evaluation")
    for line in last.summary.lines():
        console.print(line, soft_wrap=True)
    return settings, engine, registry


def _weekly_report(settings, engine, registry, console: Console) -> None:
    """This week's report so far, in every format, so the Reports page has one to open."""
    from vaultward.reporting.files import ReportError, iso_week_of
    from vaultward.reporting.weekly import produce_and_deliver
    from vaultward.store.models import utcnow

    week = iso_week_of(utcnow())
    console.print(f"[5/5] writing the weekly report {week} (HTML, PDF, CSV, JSON)")
    try:
        run = produce_and_deliver(settings, engine, week, remote=False, registry=registry)
    except ReportError as error:  # e.g. WeasyPrint missing: the demo still serves
        console.print(f"weekly report {week}: not written: {error}", soft_wrap=True)
        return
    main = run.files.paths.get("pdf") or next(iter(run.files.paths.values()))
    console.print(f"weekly report {week} (the week so far): {main}", soft_wrap=True)
