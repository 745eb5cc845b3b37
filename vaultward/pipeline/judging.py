"""The judge stage of an evaluation: each check over the loaded evidence, its results made
unknown where the evidence cannot back them, then waived where a live waiver covers them."""

from __future__ import annotations

import fnmatch
import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from pydantic_core import to_jsonable_python

from vaultward.config.owners import OwnerRules
from vaultward.config.settings import Settings
from vaultward.contract.records import OrgAccount
from vaultward.contract.redaction import redact
from vaultward.contract.sdk import CheckContext, CheckSpec, Result
from vaultward.derived.owners import Owners, finding_account
from vaultward.derived.people import census
from vaultward.derived.zones import conflict_line
from vaultward.pipeline.evidence import Evidence, apply_evidence
from vaultward.pipeline.inventories import Inventories, take_inventories
from vaultward.pipeline.registry import Registry
from vaultward.pipeline.scoring import CheckTally, tally_check
from vaultward.store.finding_rows import FindingRow
from vaultward.store.models import Waiver

log = logging.getLogger(__name__)


def _apply_waivers(
    check_id: str, results: list[Result], waivers: list[Waiver]
) -> list[tuple[Result, int | None]]:
    applicable = [w for w in waivers if w.check_id == check_id]
    if not applicable:
        return [(result, None) for result in results]
    out = []
    for result in results:
        waiver = next(
            (
                w
                for w in applicable
                if result.status in ("fail", "unknown")
                and fnmatch.fnmatchcase(result.resource, w.resource_pattern)
            ),
            None,
        )
        if waiver is not None:
            evidence = {
                **result.evidence,
                "status_if_not_waived": result.status,
                "waiver_reason": waiver.reason,
            }
            result = replace(result, status="waived", evidence=evidence)
        out.append((result, waiver.id if waiver else None))
    return out


def run_check(spec: CheckSpec, context: CheckContext) -> tuple[list[Result], str | None]:
    """The check's results, and why it failed if it raised: a check that raises yields one
    unknown result instead of stopping the evaluation, and is reported."""
    try:
        return spec.run(context), None
    except Exception as error:
        log.exception("check %s raised", spec.id)
        problem = redact(f"check {spec.id} ({spec.origin}) raised {type(error).__name__}: {error}")
        return [Result("*", "unknown", problem, {}, "(check error)")], problem


def judge(
    spec: CheckSpec,
    context: CheckContext,
    evidence: Evidence,
    producers: dict[str, set[str]],
    waivers: list[Waiver],
) -> tuple[list[tuple[Result, int | None]], str | None]:
    """One check's findings as the evaluation stores them: its results, made unknown where
    the evidence is stale, incomplete or missing, then waived where a live waiver covers
    them; with the waiver id of each, and the error if the check raised."""
    live = [w for w in waivers if w.check_id == spec.id and w.expires_at > context.now]
    results, problem = run_check(spec, context)
    judged = apply_evidence(spec, results, evidence, producers, context.now)
    return _apply_waivers(spec.id, judged, live), problem


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Checks make millions of acyclic objects (records, results, evidence) at 100,000
    identities; the cyclic collector re-scanning them was 40% of the evaluation. Reference
    counting still frees everything meanwhile; cycles wait until the collector is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class Loaded:
    """The load stage: the evidence every check judges and the waivers live at `now`."""

    evidence: Evidence
    waivers: list[Waiver]
    produced: dict[str, set[str]]  # record kinds per collector (evidence.producers)


@dataclass(frozen=True)
class Judged:
    """The judge stage: every check's findings and tally, what went wrong, what was derived."""

    findings: list[FindingRow]
    tallies: list[CheckTally]
    reported: list[str]  # broken plugins, facts that do not validate, checks that raised
    runs: list[int]  # the Runs whose facts were judged
    people: dict[str, Any]  # the census the checks judged (derived.people), stored as is
    zone_conflicts: tuple[str, ...]
    inventories: Inventories  # the people and custody the checks resolved, stored with the findings
    owners: dict[str, list[str]]  # check id -> who must act on its open findings ([policy.owners])


def judge_all(loaded: Loaded, settings: Settings, registry: Registry, now: datetime) -> Judged:
    """Every registered check over the loaded evidence, in check id order."""
    evidence = loaded.evidence
    context = CheckContext(evidence.records, settings.policy, now, evidence.field_gaps())
    zones = context.zones  # under this evaluation's policy
    conflicts = tuple(conflict_line(vpc, zones.vpc(vpc), context.account_names) for vpc in zones.conflicts())
    people = census(context.people()).to_json()  # the same resolution the checks judge
    findings: list[FindingRow] = []
    tallies: list[CheckTally] = []
    reported = [redact(f"plugin skipped: {broken}") for broken in registry.broken] + evidence.problems
    with cyclic_gc_paused():
        for spec in sorted(registry.checks.values(), key=lambda s: s.id):
            judged, raised = judge(spec, context, evidence, loaded.produced, loaded.waivers)
            if raised:
                reported.append(raised)
            tallies.append(tally_check(spec.id, spec.mitigation, spec.weight, (r.status for r, _ in judged)))
            findings += [
                FindingRow(
                    spec.id,
                    spec.mitigation,
                    spec.severity,
                    result.resource,
                    result.resource_name or result.resource,
                    result.scope,
                    result.status,
                    result.reason,
                    to_jsonable_python(dict(result.evidence)),
                    waiver_id,
                )
                for result, waiver_id in judged
            ]
    runs = [s.run.id for s in evidence.states if s.run is not None and s.run.id is not None]
    inventories = take_inventories(context, findings)  # as the checks resolved them
    owners, unowned = check_owners(context, settings.policy.owners, findings)
    reported += settings.policy.owners.unknown_checks(set(registry.checks)) + unowned
    return Judged(findings, tallies, reported, runs, people, conflicts, inventories, owners)


def check_owners(
    context: CheckContext, rules: OwnerRules, findings: list[FindingRow]
) -> tuple[dict[str, list[str]], list[str]]:
    """Each check's owners over its open (failed or unknown) findings, and what in
    `[policy.owners]` matched nothing; ({}, []) without `[policy.owners]`."""
    if rules == OwnerRules():
        return {}, []
    org_accounts = context.records(OrgAccount)
    resolver = Owners.of(rules, org_accounts, context.account_names.names)
    accounts: dict[str, list[tuple[str, str]]] = {}
    mitigations: dict[str, str] = {}
    for row in findings:
        mitigations[row.check_id] = row.mitigation
        if row.status in ("fail", "unknown"):
            account = finding_account(row.scope, row.resource, str(row.evidence.get("account") or ""))
            accounts.setdefault(row.check_id, []).append((account, row.status))
    owners = {
        check_id: resolver.of_check(check_id, mitigation, accounts.get(check_id, ()))
        for check_id, mitigation in mitigations.items()
    }
    return owners, resolver.unmatched(org_accounts, context.account_names.names)
