"""Entra's non-interactive sign-ins (a client signing in for a user with a refresh or session
token, where a replayed stolen session shows): Graph v1.0 never lists them; with
`signin_log_non_interactive` the collector reads them from the beta endpoint, filtered on
`signInEventTypes` as signin-list (beta) documents, paged by @odata.nextLink, and the log no
longer names them as not read. Against the loopback fake (three pages, 429, 5xx, a refusal,
a malformed page), and through the account-takeover check."""

from __future__ import annotations

import copy
import re
from datetime import timedelta

import pytest

from checks.access.account_takeover_signals import account_takeover_signals
from collectors.entra import LOG_OVERLAP, NOT_READ
from demo.fakes.entra import demo_entra_data, make_entra_fake, throttled
from demo.fakes.server import Reply
from tests.checks.run import run
from tests.collectors.entra.test_signin_log import (
    ACCESS_TOKEN,
    NOW,
    SCOPE,
    SECRET,
    SIGN_INS,
    collect,
    collector,
    credentials,  # noqa: F401 - the fixture
    log_records,
    paths,
)
from tests.collectors.store_rows import stored
from tests.factories import make_identity
from vaultward.config.policy import PeopleRules, Policy
from vaultward.contract.records import SigninLog
from vaultward.pipeline.collection import run_scope

pytestmark = pytest.mark.usefixtures("credentials")
BETA = "/beta/auditLogs/signIns"
SINCE = "2026-11-23T09:30:00Z"
FILTER = f"createdDateTime ge {SINCE} and signInEventTypes/any(t: t eq 'nonInteractiveUser')"
HENRY_REPLAYED = "entra:event:6b1f0c2e-0010-4e5d-9a1b-acmesignin10"
FRANK_REFRESH = "entra:event:6b1f0c2e-0009-4e5d-9a1b-acmesignin09"


def tenant(extra_refreshes: int = 0) -> dict:
    """The demo tenant, with Frank's laptop refreshing its token `extra_refreshes` more times
    (one an hour from a day ago), so the beta listing runs to more pages."""
    data = demo_entra_data(NOW)
    [refresh] = [row for row in data["sign_ins"] if row["id"].endswith("signin09")]
    for n in range(extra_refreshes):
        row = copy.deepcopy(refresh)
        row["id"] = f"6b1f0c2e-{100 + n:04d}-4e5d-9a1b-acmerefresh{n:02d}"
        row["createdDateTime"] = (NOW - timedelta(days=1, hours=n)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        data["sign_ins"].append(row)
    return data


def fake(data: dict | None = None):
    return make_entra_fake(data or tenant(), SECRET, token=ACCESS_TOKEN, page_size=3)


def test_off_by_default_nothing_asks_the_beta_and_the_log_says_what_it_did_not_read():
    with fake() as api:
        events, [log], problems = log_records(collect(collector(api)))
        assert paths(api, BETA) == [] and not problems
    assert log.not_read == list(NOT_READ) and "nonInteractiveUser" not in log.event_types
    assert {HENRY_REPLAYED, FRANK_REFRESH}.isdisjoint(e.key for e in events)  # v1.0 never lists them


def test_on_the_beta_is_read_to_its_last_page_and_the_log_reads_everything():
    with fake(tenant(extra_refreshes=5)) as api:
        events, [log], problems = log_records(collect(collector(api, signin_log_non_interactive=True)))
        beta = paths(api, BETA)
        v1 = paths(api, SIGN_INS)
    assert not problems
    # 7 non-interactive sign-ins in the window, three a page: three pages, each 200, the next
    # links repeating the filter
    assert [status for _, status in beta] == [200, 200, 200]
    assert [path.split("&$skiptoken=")[0] for path, _ in beta[1:]] == [
        f"{BETA}?$filter={FILTER.replace(' ', '%20')}&$top=1000"
    ] * 2
    assert len(v1) == 3  # the interactive ones, as before
    non_interactive = [e for e in events if e.vendor_event == "signIn:nonInteractiveUser"]
    assert len(non_interactive) == 7
    henry = next(e for e in events if e.key == HENRY_REPLAYED)
    assert (henry.user, henry.anonymous_proxy, henry.device_managed, henry.country) == (
        "henry@acme.example",
        True,
        False,
        "DE",
    )
    assert [e.vendor_event for e in events if e.vendor_event.startswith("signIn")].count("signIn") == 7
    assert log.complete and log.not_read == [] and "nonInteractiveUser" in log.event_types
    assert log.events_read == 7 + 7 + 1  # interactive, non-interactive, Frank's registration


def test_a_429_and_a_5xx_on_the_beta_are_waited_out():
    with fake() as api:
        api.inject(BETA, *throttled(retry_after=4))
        api.inject(BETA, 502, body={"error": {"code": "BadGateway", "message": "Try later."}})
        sleeps: list[float] = []
        instance = collector(api, sleeps, signin_log_non_interactive=True, rate_limit_per_minute=0)
        events, [log], problems = log_records(collect(instance))
        assert [status for _, status in paths(api, BETA)] == [429, 502, 200]
    assert 4.0 in sleeps and not problems and log.complete
    assert HENRY_REPLAYED in {e.key for e in events}


@pytest.mark.parametrize(
    ("reply", "said"),
    [
        (
            Reply(
                403, {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges."}}
            ),
            "403",
        ),
        (Reply(200, b"<html>gateway</html>"), "malformed JSON"),
        (Reply(400, {"error": {"code": "BadRequest", "message": "Invalid filter clause"}}), "400"),
    ],
)
def test_a_beta_that_refuses_or_breaks_leaves_the_log_incomplete_and_keeps_the_rest(reply, said):
    with fake() as api:
        api.routes.insert(0, ("GET", re.compile(f"^{BETA}$"), lambda _request: reply))
        instance = collector(api, signin_log_non_interactive=True, rate_limit_per_minute=0)
        events, [log], problems = log_records(collect(instance))
    assert not log.complete and "the non-interactive sign-in log (beta)" in log.reason and said in log.reason
    assert [p.kinds for p in problems] == [("signin_event", "signin_log")]
    assert len([e for e in events if e.vendor_event == "signIn"]) == 7  # the interactive log stands


def test_turning_it_on_reads_the_whole_window_then_reads_on_from_the_cursor(engine):
    later = NOW + timedelta(hours=6)
    with fake() as api:
        logs = []
        for at, on in ((NOW, False), (later, True), (later + timedelta(hours=6), True)):
            instance = collector(api, signin_log_non_interactive=on)
            instance.clock = at.timestamp
            outcome = run_scope(engine, instance, instance.scopes()[0])
            assert outcome.status == "ok"
            [log] = [
                SigninLog.model_validate(f.data)
                for f in stored(engine)[1]
                if f.run_id == outcome.run_id and f.kind == "signin_log"
            ]
            logs.append(log)
    off, switched, on = logs
    assert off.read_from is None and off.not_read == list(NOT_READ)
    # the event types asked for changed: the whole window again, not read on from `off`
    assert switched.read_from is None and switched.events_carried == 0 and switched.not_read == []
    assert on.read_from == switched.covers_to - LOG_OVERLAP and on.events_carried > 0 and on.not_read == []


def test_the_replayed_session_fails_henry_only_once_the_log_reads_non_interactive_sign_ins():
    henry = make_identity(
        key="entra:henry",
        source="entra",
        scope=SCOPE,
        account=SCOPE,
        email="henry@acme.example",
        privileged=True,
    )
    policy = Policy(people=PeopleRules())
    verdicts = {}
    for on in (False, True):
        with fake() as api:
            records = [
                r for r in collect(collector(api, signin_log_non_interactive=on)) if hasattr(r, "kind")
            ]
        [result] = [
            r
            for r in run(account_takeover_signals, [henry, *records], policy)
            if r.resource == "henry@acme.example"
        ]
        verdicts[on] = (result.status, result.reason)
    assert verdicts[False][0] == "unknown" and "non-interactive" in verdicts[False][1]
    assert verdicts[True][0] == "fail"
    assert verdicts[True][1] == (
        "session from unmanaged device (entra, 2026-12-04 09:30 UTC); sign-in the vendor flags: "
        "anonymizedipaddress (entra, 2026-12-04 09:30 UTC); sign-in through an anonymising proxy "
        "from Frankfurt am Main, DE (entra, 2026-12-04 09:30 UTC)"
    )
