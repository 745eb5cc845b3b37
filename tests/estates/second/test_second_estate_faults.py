"""Faults injected into the second estate's fakes (issue 15): losing a side request must leave
the verdicts that do not depend on it as they were."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from tests.estates.second.estate import NorthwindEstate
from tests.estates.second.expected import BITGO_COLD, BITGO_HOT, BITGO_OPS, expected_verdicts
from tests.estates.second.identity_data import OKTA_IDS
from tests.estates.second.test_second_estate import REGISTRY, check_scores, stored
from vaultward.collection import collect
from vaultward.db import open_store
from vaultward.demo.fakes.server import Reply, Request
from vaultward.evaluation import evaluate
from vaultward.models import Finding


def test_bitgo_pending_approvals_refused_keeps_the_wallets(northwind: NorthwindEstate, tmp_path):
    engine = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    body = {"error": "Not Found", "name": "NotFound", "requestId": "northwind-fault"}
    northwind.fakes["bitgo"].inject("/api/v2/btc/pendingapprovals", 404, body=body, times=5)
    collect(northwind.settings, engine, REGISTRY, sources=["bitgo"])
    summary = evaluate(northwind.settings, engine, REGISTRY)
    rules = "custody.bitgo_policy_rules"
    found = {key: status for key, status in stored(engine, summary.evaluation_id).items() if key[0] == rules}
    # The wallet payloads were read in full; pending approvals bear on none of these verdicts.
    expected = expected_verdicts(northwind.aws)
    assert found == {(rules, w): expected[(rules, w)] for w in (BITGO_HOT, BITGO_OPS, BITGO_COLD)}
    engine.dispose()


# --- issue 15's cases, one regression test each -------------------------------------------


def _store(tmp_path, name: str):
    return open_store(f"sqlite:///{tmp_path / f'{name}.db'}")


def _findings(engine, evaluation_id: int) -> dict[tuple[str, str], Finding]:
    with Session(engine) as session:
        rows = session.exec(select(Finding).where(Finding.evaluation_id == evaluation_id)).all()
    return {(f.check_id, f.resource): f for f in rows}


def _no_score_rises(faulted: dict[str, float | None], clean: dict[str, float | None]) -> None:
    risen = {c: (clean.get(c), s) for c, s in faulted.items() if s is not None and s > (clean.get(c) or 0.0)}
    assert not risen, f"scores that rose (clean, faulted): {risen}"


def _fail_later_page(monkeypatch, fake, path: str, times: int = 10) -> None:
    """The listing's first page answers; the requests after it on `path` get 503s."""
    original = fake.handle
    seen = itertools.count(1)

    def handle(request: Request) -> Reply:
        if request.path == path and 2 <= next(seen) <= 1 + times:
            return Reply(503, {"errorCode": "E0000009", "errorSummary": "Service unavailable"})
        return original(request)

    monkeypatch.setattr(fake, "handle", handle)


def test_okta_users_failing_on_a_later_page_never_raise_a_score(
    northwind: NorthwindEstate, tmp_path, monkeypatch
):
    okta_keys = {f"okta:{ident}" for ident in OKTA_IDS.values()}
    # After a clean run: the population is carried forward, scores as the clean ones.
    engine = _store(tmp_path, "carried")
    collect(northwind.settings, engine, REGISTRY, sources=["okta"])
    clean = evaluate(northwind.settings, engine, REGISTRY)
    clean_scores = check_scores(engine, clean.evaluation_id)
    clean_found = stored(engine, clean.evaluation_id)
    _fail_later_page(monkeypatch, northwind.fakes["okta"], "/api/v1/users")
    [outcome] = collect(northwind.settings, engine, REGISTRY, sources=["okta"])
    assert outcome.status == "partial" and "page 2" in (outcome.error or "")
    carried = evaluate(northwind.settings, engine, REGISTRY)
    assert check_scores(engine, carried.evaluation_id) == clean_scores
    found = _findings(engine, carried.evaluation_id)
    assert {key: f.status for key, f in found.items()} == clean_found
    # Every Okta identity is still judged; those of the unread pages (page size 3) are carried.
    assert okta_keys <= {resource for check, resource in found if check == "access.console_user_mfa"}
    tara = found["access.console_user_mfa", f"okta:{OKTA_IDS['tara']}"]
    assert "carried forward from the complete listing" in tara.message
    assert "carried_forward_from" in tara.evidence
    engine.dispose()

    # On a fresh store: the Okta identities' checks are unknown, and no score rises.
    fresh = _store(tmp_path, "fresh")
    collect(northwind.settings, fresh, REGISTRY, sources=["okta"])
    summary = evaluate(northwind.settings, fresh, REGISTRY)
    found = _findings(fresh, summary.evaluation_id)
    for check in ("access.console_user_mfa", "access.mfa_enforced", "access.privileged_user_mfa"):
        statuses = {f.status for (c, _), f in found.items() if c == check and f.scope.startswith("okta:")}
        assert statuses == {"unknown"}, (check, statuses)
    _no_score_rises(check_scores(fresh, summary.evaluation_id), clean_scores)
    fresh.dispose()
