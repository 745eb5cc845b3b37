"""`vaultward checks ...`: list, show, scaffold and try checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from vaultward.cli.names import known_or_exit, unknown_name_message
from vaultward.cli.output import WIDE, PlainConsole
from vaultward.contract.sdk import CheckSpec
from vaultward.contract.vocabulary import MITIGATIONS

checks_app = typer.Typer(help="List, show, scaffold and try checks.", no_args_is_help=True)
out = PlainConsole()
err = PlainConsole(stderr=True)

MODULE_TEMPLATE = '''"""{title}."""

from collections.abc import Iterator

from vaultward.contract.records import Identity
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown


@check(
    id="{mitigation}.{name}",
    title="{title}",
    mitigation="{mitigation}",
    severity="medium",
    weight=1,
    reads=[Identity],
    references=["attack-mitigation:M1032"],
    remediation="Say what to change, where, so an owner can act on it.",
)
def {name}(ctx: CheckContext) -> Iterator[Result]:
    """The risk in a sentence or two: what an attacker does when this check fails."""
    for identity in ctx.records(Identity):
        if identity.mfa_enrolled is None:
            yield unknown(identity, "the source did not say")
        elif identity.mfa_enrolled:
            yield passed(identity, "has MFA")
        else:
            yield failed(identity, "has no MFA", source=identity.source)
'''

TEST_TEMPLATE = """from vaultward.contract.records import Identity
from vaultward.contract.testing import statuses

from {module} import {name}


def identity(key: str, mfa: bool | None) -> Identity:
    return Identity(key=key, source="okta", mfa_enrolled=mfa)


def test_{name}():
    records = [identity("a", True), identity("b", False), identity("c", None)]
    assert statuses({name}, records) == {{"a": "pass", "b": "fail", "c": "unknown"}}
"""


def _registry(plugin_dir: Path | None = None):
    from vaultward.pipeline.registry import discover

    return discover(plugin_dir)


@checks_app.command("list")
def list_checks(
    mitigation: Annotated[str | None, typer.Option(help="Only this mitigation.")] = None,
    reference: Annotated[
        str | None,
        typer.Option(
            help="Only checks citing this reference (cis-v8:6.5), its sub-ids (attack:T1078) or a standard (ccss)."
        ),
    ] = None,
) -> None:
    """The catalog: every registered check (built-in and plugins)."""
    registry = _registry(_plugin_dir())
    known_or_exit("mitigation", mitigation, MITIGATIONS)
    if reference is not None:
        cited = {ref for spec in registry.checks.values() for ref in spec.references}
        known_or_exit("reference", reference, _reference_names(cited), "vaultward checks list")
    specs = [
        spec
        for spec in sorted(registry.checks.values(), key=lambda s: (MITIGATIONS.index(s.mitigation), s.id))
        if (not mitigation or spec.mitigation == mitigation)
        and (
            not reference
            or any(
                ref == reference or ref.startswith((reference + ".", reference + ":"))
                for ref in spec.references
            )
        )
    ]
    if out.width < WIDE:  # a table would squeeze every column but the ids into slivers
        out.print("Checks")
        for spec in specs:
            out.print(spec.id, no_wrap=True, overflow="ignore", crop=False)  # whole, to be copied
            out.print(f"  {spec.severity}, weight {spec.weight:g}, {spec.origin}: {spec.title}")
            out.print(f"  {' '.join(spec.references)}")
    else:
        table = Table(title="Checks", title_justify="left")
        table.add_column("id", no_wrap=True)  # whole, so it can be copied: the other columns wrap
        for column in ("severity", "weight", "title", "references", "origin"):
            table.add_column(column)
        for spec in specs:
            references = " ".join(spec.references)
            table.add_row(spec.id, spec.severity, f"{spec.weight:g}", spec.title, references, spec.origin)
        out.print(table)
    for broken in registry.broken:
        err.print(f"plugin skipped: {broken}")


@checks_app.command("show")
def show(check_id: str) -> None:
    """One check: its risk, what it reads, its references and remediation."""
    spec = _spec(check_id)
    out.print(f"[bold]{escape(spec.id)}[/bold] — {escape(spec.title)}", markup=True)
    out.print(
        f"mitigation {spec.mitigation}, severity {spec.severity}, weight {spec.weight:g}, origin {spec.origin}"
    )
    out.print(f"risk: {spec.risk}")
    out.print(f"reads: {', '.join(spec.kinds)}")
    out.print(f"judges: {', '.join(spec.judged_kinds)} (every record is in its findings)")
    out.print(f"references: {', '.join(spec.references)}")
    out.print(f"remediation: {spec.remediation}")


@checks_app.command("new")
def new(
    name: Annotated[str, typer.Argument(help="snake_case name; the check id is <mitigation>.<name>.")],
    mitigation: Annotated[str, typer.Option(help="custody, training, access, segmentation or detection.")],
    directory: Annotated[Path, typer.Option("--dir", help="Where to write the module and its test.")] = Path(
        "."
    ),
) -> None:
    """Scaffold a check module and its test, ready for `checks test` and pytest."""
    known_or_exit("mitigation", mitigation, MITIGATIONS)
    if not name.isidentifier() or name != name.lower():
        err.print(f"{name!r} is not a snake_case name")
        raise typer.Exit(2)
    module, test = directory / f"{name}.py", directory / f"test_{name}.py"
    for path in (module, test):
        if path.exists():
            err.print(f"{path} exists: not overwritten")
            raise typer.Exit(1)
    directory.mkdir(parents=True, exist_ok=True)
    title = name.replace("_", " ").capitalize()
    module.write_text(MODULE_TEMPLATE.format(name=name, mitigation=mitigation, title=title))
    test.write_text(TEST_TEMPLATE.format(name=name, module=name))
    out.print(f"wrote {module} and {test}; try: vaultward checks test {module} --records records.json")


@checks_app.command("test")
def test(
    path: Annotated[Path, typer.Argument(help="A check module (.py).")],
    records: Annotated[
        Path | None,
        typer.Option(
            help='JSON list of records: [{"kind": "identity", "key": "...", ...}]. Default: the latest facts in the store.'
        ),
    ] = None,
) -> None:
    """Run the checks of one module and print their findings, under the configured policy."""
    from vaultward.cli.app import settings_or_exit
    from vaultward.contract.testing import evaluate_check
    from vaultward.pipeline.registry import Registry, _load_file

    settings = settings_or_exit()
    try:
        module = _load_file(path)
    except Exception as error:
        err.print(f"{path}: cannot load: {type(error).__name__}: {error}")
        raise typer.Exit(1) from None
    registry = Registry()
    registry.add_module_checks(module, str(path))
    if not registry.checks:
        err.print(f"{path}: no @check function found")
        raise typer.Exit(1)
    facts = _fixture_records(records) if records is not None else _latest_records()
    table = Table(title=str(path), title_justify="left")
    table.add_column("check", no_wrap=True)
    for column in ("resource", "status", "reason"):
        table.add_column(column, overflow="fold")
    for spec in registry.checks.values():
        try:
            results = evaluate_check(spec.function, facts, policy=settings.policy)
        except AssertionError as error:  # the check raised: say so, as the evaluation would
            err.print(f"{path}: {error}")
            raise typer.Exit(1) from None
        for result in results:
            table.add_row(spec.id, result.resource_name or result.resource, result.status, result.reason)
    out.print(table)


def _plugin_dir() -> Path | None:
    from vaultward.cli.app import State
    from vaultward.config.settings import ConfigError, load_settings

    try:
        return load_settings(State.config, State.data_dir).plugin_dir
    except ConfigError:
        return None


def _reference_names(cited: set[str]) -> set[str]:
    """What `--reference` accepts: a cited reference, a prefix of one at a `.` or `:`, a standard."""
    names = set()
    for ref in cited:
        for index, char in enumerate(ref):
            if char in ".:":
                names.add(ref[:index])
        names.add(ref)
    return names


def _spec(check_id: str) -> CheckSpec:
    registry = _registry(_plugin_dir())
    spec = registry.checks.get(check_id)
    if spec is None:
        err.print(
            unknown_name_message("check", check_id, registry.checks, "vaultward checks list"), soft_wrap=True
        )
        raise typer.Exit(2)
    return spec


def _fixture_records(path: Path) -> list:
    from pydantic import ValidationError

    from vaultward.contract.records import record_class

    try:
        items = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        err.print(f"{path}: not a JSON list of records: {error}")
        raise typer.Exit(2) from None
    records = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        kind = item.pop("kind", None) if isinstance(item, dict) else None
        try:
            records.append(record_class(str(kind)).model_validate(item))
        except (KeyError, ValidationError) as error:
            err.print(f"{path}: record {index}: {error}")
            raise typer.Exit(2) from None
    return records


def _latest_records() -> list:
    from sqlmodel import Session

    from vaultward.cli.app import existing_store_or_exit, settings_or_exit
    from vaultward.pipeline.evidence import latest_facts
    from vaultward.store.models import utcnow

    settings = settings_or_exit()
    registry = _registry(settings.plugin_dir)
    with Session(existing_store_or_exit(settings)) as session:
        evidence = latest_facts(session, settings, utcnow(), sorted(registry.collectors))
    return [record for records in evidence.records.values() for record in records]
