"""Faults injected into the second estate's fakes (issue 15): losing a side request must leave
the verdicts that do not depend on it as they were."""

from __future__ import annotations

import itertools

from sqlmodel import Session, select

from collectors.http_api import HttpApi
from demo.fakes.entra import SECURITY_DEFAULTS_PATH
from demo.fakes.server import Reply, Request
from tests.estates.second.estate import NorthwindEstate
from tests.estates.second.expected import (
    BITGO_COLD,
    BITGO_HOT,
    BITGO_OPS,
    SAFE_GRANTS,
    SAFE_OPS,
    SAFE_PAYROLL,
    SAFE_TREASURY,
    _mail,
    expected_verdicts,
)
from tests.estates.second.identity_data import ENTRA_IDS, OKTA_IDS
from tests.estates.second.known_wrong import known_wrong
from tests.estates.second.test_second_estate import REGISTRY, check_scores, stored
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.store.db import open_store
from vaultward.store.models import Fact, Finding


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
    """The listing's first page answers; the requests after it on `path` get 503s. The
    client's backoff waits are recorded instead of slept."""
    waits: list[float] = []
    monkeypatch.setattr(HttpApi, "_retry", lambda self, what, attempt, reason, wait: waits.append(wait))
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
    assert outcome.status == "partial" and "HTTP 503 after 5 attempts (page 2" in (outcome.error or "")
    carried = evaluate(northwind.settings, engine, REGISTRY)
    # The listing broke off at page 2, so the collector never reached the System Log: its
    # sign-in events are missing too. The clean Run's complete listing of them held none
    # (Northwind's log is empty), and a kind with no record in the earlier Run is not
    # carried forward (vaultward/pipeline/evidence.py takes the kinds from Run.counts), so
    # the takeover check cannot tell "no signal" and says unknown: its score falls, never rises.
    takeover = "access.account_takeover_signals"
    carried_scores = check_scores(engine, carried.evaluation_id)
    assert carried_scores.pop(takeover) == 0.0 and clean_scores[takeover] == 100.0
    assert carried_scores == {c: s for c, s in clean_scores.items() if c != takeover}
    found = _findings(engine, carried.evaluation_id)
    assert {key: f.status for key, f in found.items() if key[0] != takeover} == {
        key: status for key, status in clean_found.items() if key[0] != takeover
    }
    assert {key for key in found if key[0] == takeover} == {key for key in clean_found if key[0] == takeover}
    assert {f.status for key, f in found.items() if key[0] == takeover} == {"unknown"}
    assert all("signin_event listing" in f.message for key, f in found.items() if key[0] == takeover)
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


WALLET_CHECKS = (
    "custody.multisig_threshold",
    "custody.safe_modules_allowlisted",
    "custody.bitgo_policy_rules",
    "custody.signers_distinct_mfa_trained",
)


def test_configured_safes_answering_404_are_unknown_in_every_wallet_check(
    northwind: NorthwindEstate, tmp_path
):
    clean_store = _store(tmp_path, "clean")
    collect(northwind.settings, clean_store, REGISTRY, sources=["safe"])
    clean = check_scores(clean_store, evaluate(northwind.settings, clean_store, REGISTRY).evaluation_id)
    clean_store.dispose()
    engine = _store(tmp_path, "faulted")
    northwind.fakes["safe"].inject("/tx-service/", 404, body={"detail": "Not found."}, times=50)
    [outcome] = collect(northwind.settings, engine, REGISTRY, sources=["safe"])
    assert outcome.status == "partial"
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = _findings(engine, summary.evaluation_id)
    for check in WALLET_CHECKS:
        for safe in (SAFE_TREASURY, SAFE_OPS):
            assert found[check, safe].status == "unknown", (check, safe)
            assert "could not be read" in found[check, safe].message
    scores = check_scores(engine, summary.evaluation_id)
    signers = "custody.signers_distinct_mfa_trained"
    assert (scores[signers] or 0.0) <= (clean[signers] or 0.0)
    _no_score_rises(scores, clean)
    engine.dispose()


def test_refused_safe_balances_make_value_dependent_findings_unknown_never_better(
    northwind: NorthwindEstate, tmp_path
):
    """Issue 16: the balances endpoint refused (403) for every Safe. The Safes stand (owners,
    threshold, modules), the Run records a field gap on custody.wallet.balances, and every
    verdict that rests on a Safe's value turns unknown with the reason; none improves."""
    clean_store = _store(tmp_path, "clean")
    collect(northwind.settings, clean_store, REGISTRY, sources=["safe"])
    clean_summary = evaluate(northwind.settings, clean_store, REGISTRY)
    clean = check_scores(clean_store, clean_summary.evaluation_id)
    clean_found = _findings(clean_store, clean_summary.evaluation_id)
    clean_store.dispose()
    engine = _store(tmp_path, "faulted")
    refused = {"detail": "You do not have permission to perform this action."}
    northwind.fakes["safe"].inject("/tx-service/eth/api/v2/", 403, body=refused, times=50)
    [outcome] = collect(northwind.settings, engine, REGISTRY, sources=["safe"])
    assert outcome.status == "partial"
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = _findings(engine, summary.evaluation_id)
    multisig = "custody.multisig_threshold"
    # Payroll was not high-value by its balances ($15,000): now nothing tells.
    assert clean_found[multisig, SAFE_PAYROLL].status == "skipped"
    assert found[multisig, SAFE_PAYROLL].status == "unknown"
    assert "balances could not be read" in found[multisig, SAFE_PAYROLL].message
    assert "403" in found[multisig, SAFE_PAYROLL].message
    assert found[multisig, SAFE_GRANTS].status == "unknown"
    # Tiered by their tags (high): judged as before, on owners and threshold.
    for safe in (SAFE_TREASURY, SAFE_OPS):
        assert found[multisig, safe].status == clean_found[multisig, safe].status
    # What does not rest on value is untouched.
    for safe in (SAFE_TREASURY, SAFE_OPS, SAFE_GRANTS, SAFE_PAYROLL):
        check = "custody.safe_modules_allowlisted"
        assert found[check, safe].status == clean_found[check, safe].status
    _no_score_rises(check_scores(engine, summary.evaluation_id), clean)
    engine.dispose()


def test_entra_security_defaults_answering_400_keeps_the_registrations(northwind: NorthwindEstate, tmp_path):
    clean_store = _store(tmp_path, "clean")
    collect(northwind.settings, clean_store, REGISTRY, sources=["entra"])
    clean = evaluate(northwind.settings, clean_store, REGISTRY)
    clean_found = stored(clean_store, clean.evaluation_id)
    clean_store.dispose()
    engine = _store(tmp_path, "faulted")
    body = {"error": {"code": "BadRequest", "message": "Invalid request", "innerError": {}}}
    northwind.fakes["entra"].inject(SECURITY_DEFAULTS_PATH, 400, body=body, times=10)
    [outcome] = collect(northwind.settings, engine, REGISTRY, sources=["entra"])
    assert outcome.status == "partial"
    with Session(engine) as session:
        registrations = session.exec(
            select(Fact.key).where(Fact.run_id == outcome.run_id, Fact.kind == "identity")
        ).all()
    assert set(registrations) == {f"entra:{ident}" for ident in ENTRA_IDS.values()}
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = stored(engine, summary.evaluation_id)
    for ident in ENTRA_IDS.values():
        assert found["access.mfa_enforced", f"entra:{ident}"] == "unknown"
    people = ("access.person_without_mfa", "training.awareness_recent", "training.lure_training_privileged")
    assert {k: v for k, v in found.items() if k[0] in people} == {
        k: v for k, v in clean_found.items() if k[0] in people
    }
    engine.dispose()


def test_entra_conditional_access_refused_leaves_person_verdicts_as_written(
    northwind: NorthwindEstate, tmp_path
):
    # The estate's baseline: the app has no Policy.Read.All, so Conditional Access is a 403.
    engine = _store(tmp_path, "store")
    outcomes = collect(northwind.settings, engine, REGISTRY)
    [entra_run] = [o for o in outcomes if o.collector == "entra"]
    assert entra_run.status == "partial" and "403" in (entra_run.error or "")
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = stored(engine, summary.evaluation_id)
    expected = expected_verdicts(northwind.aws, northwind.now)
    known = known_wrong(northwind.aws)
    people = ("access.person_without_mfa", "training.awareness_recent")
    wanted = {k: v for k, v in expected.items() if k[0] in people}
    wanted |= {k: wrong for k, (wrong, _) in known.items() if k[0] in people}  # as known_wrong records
    wanted = {k: v for k, v in wanted.items() if v != "absent"}
    assert {k: v for k, v in found.items() if k[0] in people} == wanted
    # Only what the estate itself leaves unsaid is unknown (the roster says nothing of MFA;
    # an IAM user with no e-mail); nobody is blanked by Entra's refusal.
    assert {k[1] for k, v in found.items() if k[0] in people and v == "unknown"} <= {
        _mail("quentin"),
        _mail("uri"),
        _mail("sam"),
        "identity:" + northwind.aws.user(northwind.aws.corporate, "old-contractor"),
    }
    engine.dispose()


def test_admin_ports_open_in_the_untagged_default_vpc_of_production_fail(
    northwind: NorthwindEstate, tmp_path
):
    engine = _store(tmp_path, "store")
    collect(northwind.settings, engine, REGISTRY, sources=["aws_network", "aws_organization"])
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = _findings(engine, summary.evaluation_id)
    r, production = northwind.aws.resources, northwind.aws.production
    finding = found["segmentation.no_admin_ports_from_internet", r["vpc:default:production"]]
    assert finding.status == "fail"
    # Issue 16: the group by its name and id, the account by its Organizations name; the
    # untagged default VPC has no name, so its id alone.
    assert finding.message == (
        f"open to the internet in production VPC {r['vpc:default:production']} in account "
        f'"northwind-production" ({production}): security group "legacy-bastion" ({r["sg:legacy-bastion"]}) '
        "port(s) 22, 3389 from 0.0.0.0/0"
    )
    assert finding.evidence["account_name"] == "northwind-production"
    engine.dispose()


def test_a_corp_tagged_vpc_in_a_production_account_is_a_reported_conflict(
    northwind: NorthwindEstate, tmp_path
):
    r = northwind.aws.resources
    engine = _store(tmp_path, "store")
    collect(northwind.settings, engine, REGISTRY, sources=["aws_network"])
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = _findings(engine, summary.evaluation_id)
    conflict = found["segmentation.zone_classification_consistent", r["vpc:corp-tools"]]
    assert conflict.status == "fail"
    assert "says production" in conflict.message and "says corporate" in conflict.message
    path = "segmentation.no_corporate_production_path"
    assert found[path, r["vpc:payments"]].status == "fail"
    assert found[path, r["vpc:corp-tools"]].status == "fail"
    peering = found[path, r["vpc:payments"]].message
    assert (
        f'peering {r["pcx:payments-corp-tools"]} between VPC "payments" ({r["vpc:payments"]}) and '
        f'VPC "corp-tools" ({r["vpc:corp-tools"]})'
    ) in peering and "zone conflict" in peering
    [line] = summary.zone_conflicts
    assert line.startswith(r["vpc:corp-tools"]) and "says corporate" in line
    assert f"  zone conflict: {line}" in summary.lines()
    engine.dispose()


TRUNCATED = b'{"id": "00unw", "status": "ACT'


def test_a_truncated_200_page_is_retried_and_the_verdicts_are_the_clean_ones(
    northwind: NorthwindEstate, tmp_path
):
    clean_store = _store(tmp_path, "clean")
    collect(northwind.settings, clean_store, REGISTRY, sources=["okta"])
    clean = stored(clean_store, evaluate(northwind.settings, clean_store, REGISTRY).evaluation_id)
    clean_store.dispose()
    fake = northwind.fakes["okta"]
    fake.log.clear()
    fake.inject("/api/v1/users", 200, headers={"Content-Type": "application/json"}, body=TRUNCATED, times=1)
    engine = _store(tmp_path, "faulted")
    [outcome] = collect(northwind.settings, engine, REGISTRY, sources=["okta"])
    assert outcome.status == "ok", outcome.error
    first_page = [entry for entry in fake.log if entry[1].startswith("/api/v1/users?")][:2]
    assert len(first_page) == 2 and first_page[0][1] == first_page[1][1]  # the same request, again
    assert [status for _, _, status in first_page] == [200, 200]
    assert stored(engine, evaluate(northwind.settings, engine, REGISTRY).evaluation_id) == clean
    engine.dispose()


PHISHING = ("training.phish_prone_trend", "training.repeat_clickers", "training.privileged_clicked_latest")


def _phishing_verdicts(northwind: NorthwindEstate, engine) -> tuple[dict, object]:
    outcomes = collect(northwind.settings, engine, REGISTRY)
    [knowbe4] = [o for o in outcomes if o.collector == "knowbe4"]
    summary = evaluate(northwind.settings, engine, REGISTRY)
    found = stored(engine, summary.evaluation_id)
    return {k: v for k, v in found.items() if k[0] in PHISHING}, knowbe4


def test_knowbe4_campaigns_refused_leaves_the_phishing_verdicts_as_written(
    northwind: NorthwindEstate, tmp_path
):
    # The campaign listing only names the tests' campaigns (a side request): refused, the
    # tests, their recipients and every verdict stand; the findings name the test instead.
    engine = _store(tmp_path, "store")
    northwind.fakes["knowbe4"].inject("/v1/phishing/campaigns", 403, body={"message": "Forbidden"}, times=10)
    found, run = _phishing_verdicts(northwind, engine)
    assert run.status == "partial" and "/v1/phishing/campaigns" in (run.error or "")
    expected = expected_verdicts(northwind.aws, northwind.now)
    wanted = {k: v for k, v in expected.items() if k[0] in PHISHING}
    wanted |= {k: wrong for k, (wrong, _) in known_wrong(northwind.aws).items() if k[0] in PHISHING}
    assert found == wanted
    with Session(engine) as session:
        trend = session.exec(
            select(Finding).where(
                Finding.check_id == "training.phish_prone_trend", Finding.resource == "knowbe4:pst:99101"
            )
        ).one()
    assert trend.message.startswith("Recruiter InMail with a take-home test (")
    engine.dispose()


def test_knowbe4_recipients_of_one_test_failing_turn_the_phishing_verdicts_unknown(
    northwind: NorthwindEstate, tmp_path
):
    # P4's recipients answer 500 on every attempt: the recipient listing is incomplete, and
    # with no earlier complete one to carry forward no phishing verdict is better than unknown.
    engine = _store(tmp_path, "store")
    northwind.fakes["knowbe4"].inject(
        "/v1/phishing/security_tests/99100/recipients", 500, body={"message": "Internal"}, times=10
    )
    found, run = _phishing_verdicts(northwind, engine)
    assert run.status == "partial" and "99100/recipients" in (run.error or "")
    expected = expected_verdicts(northwind.aws, northwind.now)
    # Every test and every person is still named, each unknown.
    assert set(found) >= {k for k in expected if k[0] in PHISHING}
    assert set(found.values()) == {"unknown"}
    engine.dispose()
