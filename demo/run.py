"""`vaultward demo`: the real collectors against a seeded AWS emulator on loopback.

Starts a moto server on 127.0.0.1, seeds a demo organisation (accounts, people, HSMs, keys,
production and corporate networks with some bad paths), collects it with the unchanged AWS
collectors, evaluates, and serves the dashboard over the demo's own SQLite store.
"""

from __future__ import annotations

import os
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
}
ISOLATED_ENVIRONMENT = ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


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
            "aliases": {name: f"{name}@acme.example" for name in DEMO_PEOPLE},
            "signers": saas.signers,
        },
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


def run_demo(data_dir: Path, port: int, serve_dashboard: bool, console: Console) -> int:
    from demo.organisation import seed_demo_organisation
    from vaultward.pipeline.collection import collect
    from vaultward.pipeline.evaluation import evaluate
    from vaultward.pipeline.registry import discover
    from vaultward.store.db import open_store

    for name in ISOLATED_ENVIRONMENT:
        os.environ.pop(name, None)
    os.environ.update(DEMO_ENVIRONMENT)
    os.environ.pop("VAULTWARD_DATABASE_URL", None)

    server, endpoint = start_emulator()
    try:
        console.print(
            f"[1/5] AWS emulator (moto) on {endpoint}: seeding the demo organisation", soft_wrap=True
        )
        organisation = seed_demo_organisation(endpoint)
        with saas_fakes(data_dir.resolve(), organisation.accounts["production"]) as saas:
            console.print(
                f"[2/5] vendor API fakes on loopback: {', '.join(sorted(saas.sources))}", soft_wrap=True
            )
            os.environ.update(saas.environment)
            settings = demo_settings(organisation.settings_dict(), saas, data_dir, port)
            engine = open_store(settings.database_url)
            registry = discover(entry_point_groups=False)
            redaction.configure(settings.credential_variables(registry.collectors))
            console.print("[3/5] collecting every source with the real collectors")
            outcomes = collect(settings, engine, registry)
            console.print(
                f"collected {len(outcomes)} scopes "
                f"({sum(o.status == 'ok' for o in outcomes)} ok), {sum(o.items for o in outcomes)} facts"
            )
            for outcome in outcomes:
                if outcome.status != "ok":
                    console.print(f"  {outcome.status}: {outcome.collector} {outcome.scope}: {outcome.error}")
            console.print("[4/5] evaluating every check")
            summary = evaluate(settings, engine, registry)
    finally:
        server.stop()
    for line in summary.lines():
        console.print(line, soft_wrap=True)
    _weekly_report(settings, engine, registry, console)
    console.print(f"store: {settings.database_url}", soft_wrap=True)
    if not serve_dashboard:
        return 0
    from vaultward.ops.serve import serve

    return serve(settings)


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
