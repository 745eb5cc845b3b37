"""The runner hands a collector what it carries forward: the kinds it names, from its scope's
latest ok or partial Run (never a failed one, never another scope's), typed and read-only,
one scope at a time, even when scopes are collected in parallel threads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from threading import Lock
from typing import ClassVar, NamedTuple

from sqlmodel import Session, select

from vaultward.config.settings import Settings
from vaultward.contract.records import Identity, Record, SigninEvent, SigninLog
from vaultward.contract.sdk import NO_PRIOR, Collector, Problem, Scope
from vaultward.pipeline.collection import collect
from vaultward.pipeline.prior import load_prior
from vaultward.pipeline.registry import discover
from vaultward.store.models import Fact

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def log(scope: str, n: int) -> SigninLog:
    return SigninLog(key=f"x:signin_log:{scope}", source="x", covers_from=NOW, covers_to=NOW, events_read=n)


def event(n: int) -> SigninEvent:
    return SigninEvent(
        key=f"x:event:{n}", source="x", event_type="signin", vendor_event="v", user="a@x", at=NOW
    )


class Carrying(Collector):
    """Each Run yields an identity, an event and a log numbered by the Run (`n`), and notes
    the prior it was handed; `fail` names scopes whose collection raises, `partial` those
    whose Run is partial."""

    name: ClassVar[str] = "carrying"
    title: ClassVar[str] = "carrying"
    produces: ClassVar[tuple[type[Record], ...]] = (Identity, SigninEvent, SigninLog)
    carries_forward = (SigninEvent, SigninLog)
    runs = 0
    seen: ClassVar[dict[str, tuple[int, int | None, tuple]]] = {}  # scope: (n, prior run, prior records)
    fail: ClassVar[set[str]] = set()
    partial: ClassVar[set[str]] = set()
    lock = Lock()

    def scopes(self) -> list[Scope]:
        return [Scope(self.name, "s1"), Scope(self.name, "s2")]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        with self.lock:
            Carrying.runs += 1
            n = Carrying.runs
            prior = scope.prior
            self.seen[scope.id] = (n, prior.run_id, (*prior.of(SigninEvent), *prior.of(SigninLog)))
        if scope.id in self.fail:
            raise RuntimeError("the source is down")
        yield Identity(key=f"id:{scope.id}", source="x")
        yield event(n)
        yield log(scope.id, n)
        if scope.id in self.partial:
            yield Problem("a side listing broke", (Identity.kind,))


class Round(NamedTuple):
    run: dict[str, int]  # scope: this Run's id
    n: dict[str, int]  # scope: the number its records carry
    prior: dict[str, int | None]  # scope: the prior Run's id
    carried: dict[str, tuple]  # scope: the prior records


def run(engine) -> Round:
    registry = discover(entry_point_groups=False)
    registry.collectors = {"carrying": Carrying}
    Carrying.seen.clear()
    outcomes = collect(Settings(), engine, registry, ["carrying"])
    seen = Carrying.seen
    return Round(
        {o.scope: o.run_id for o in outcomes if o.scope in seen},
        {scope: n for scope, (n, _, _) in seen.items()},
        {scope: prior for scope, (_, prior, _) in seen.items()},
        {scope: records for scope, (_, _, records) in seen.items()},
    )


def test_each_scope_gets_its_own_latest_usable_runs_carried_kinds(engine):
    Carrying.runs, Carrying.fail, Carrying.partial = 0, set(), {"s2"}
    first = run(engine)
    assert first.prior == {"s1": None, "s2": None} and first.carried == {"s1": (), "s2": ()}
    second = run(engine)
    assert second.prior == first.run  # s2's partial Run counts: its records say how far they hold
    for scope in ("s1", "s2"):
        records = second.carried[scope]
        assert {type(r) for r in records} == {SigninEvent, SigninLog}  # never the identity
        assert {r.key for r in records} == {f"x:event:{first.n[scope]}", f"x:signin_log:{scope}"}
        assert all(r.scope == scope for r in records)
        [carried_log] = [r for r in records if isinstance(r, SigninLog)]
        assert carried_log.events_read == first.n[scope]
    Carrying.fail = {"s1"}
    third = run(engine)
    assert third.prior == second.run
    Carrying.fail = set()
    fourth = run(engine)
    # a failed Run is never a prior: s1 is handed the Run before it
    assert fourth.prior == {"s1": second.run["s1"], "s2": third.run["s2"]}
    assert {r.key for r in fourth.carried["s1"]} == {f"x:event:{second.n['s1']}", "x:signin_log:s1"}


def test_a_collector_that_carries_nothing_gets_no_prior():
    assert Collector.carries_forward == ()
    assert Scope("c", "s").prior is NO_PRIOR
    assert list(NO_PRIOR.of(SigninLog)) == [] and NO_PRIOR.run_id is None


def test_the_prior_keeps_compact_json_typed_only_when_read(engine):
    Carrying.runs, Carrying.fail, Carrying.partial = 0, set(), set()
    first = run(engine)
    with Session(engine) as session:
        fact = session.exec(
            select(Fact).where(Fact.run_id == first.run["s1"], Fact.kind == SigninEvent.kind)
        ).one()
        fact.data = {**fact.data, "at": "not a time"}  # as if the record's model had changed
        session.add(fact)
        session.commit()
        prior = load_prior(session, Carrying(Settings()), Scope("carrying", "s1"), first.run["s1"] + 1000)
    assert prior.run_id == first.run["s1"] and set(prior.chunks) == {SigninEvent.kind, SigninLog.kind}
    [text] = prior.texts(SigninLog)
    assert (
        isinstance(text, str)
        and ", " not in text
        and '"scope":"s1"' in text
        and '"key":"x:signin_log:s1"' in text
    )
    assert [log.events_read for log in prior.of(SigninLog)] == [first.n["s1"]]
    assert prior.count(SigninEvent) == 1 and list(prior.of(SigninEvent)) == []  # no longer valid: left out
    assert isinstance(prior.of(SigninEvent), Iterator)
