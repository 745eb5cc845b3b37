from datetime import timedelta

from checks.access.account_takeover_signals import account_takeover_signals
from tests.checks.run import run, with_incomplete_listing
from tests.factories import make_identity, make_signin_event, make_signin_log, make_wallet
from vaultward.config.policy import PeopleRules, Policy
from vaultward.derived.takeover import distance_km

ADMIN = "admin@acme.example"
SIGNER = "signer@acme.example"
DEV = "dev@acme.example"
POLICY = Policy(people=PeopleRules(signers={"0xsigner": SIGNER}), endpoints={"denied_countries": ["kp"]})


def people() -> list:
    """An Okta administrator, an Okta developer, and a Safe owner with an Okta account."""
    return [
        make_identity(key="okta:1", source="okta", scope="okta:acme", email=ADMIN, privileged=True),
        make_identity(key="okta:2", source="okta", scope="okta:acme", email=DEV),
        make_identity(key="okta:3", source="okta", scope="okta:acme", email=SIGNER),
        make_wallet(signers=["0xsigner"], threshold=1),
    ]


def judged(records, policy=POLICY):
    return {r.resource: r for r in run(account_takeover_signals, records, policy)}


def test_a_complete_log_without_signals_passes_and_others_are_not_applicable():
    records = people() + [
        make_signin_log(),
        make_signin_event(ADMIN),
        make_signin_event(SIGNER, hours_ago=48),
    ]
    found = judged(records)
    assert {k: r.status for k, r in found.items()} == {ADMIN: "pass", SIGNER: "pass", DEV: "skipped"}
    assert found[ADMIN].reason == "no takeover signal in the last 14 days of the complete okta sign-in logs"


def test_each_signal_fails_the_person_and_is_named():
    records = people() + [
        make_signin_log(),
        make_signin_event(ADMIN, "factor_reset", 30, actor="helpdesk@acme.example", vendor_event="user.mfa.factor.reset_all"),
        make_signin_event(ADMIN, hours_ago=20, anonymous_proxy=True, city="", country="NL", ip="185.220.101.1"),
        make_signin_event(SIGNER, hours_ago=10, country="KP", city="Pyongyang", latitude=39.03, longitude=125.75),
        make_signin_event(SIGNER, hours_ago=9, risks=["unfamiliarfeatures"]),
        make_signin_event(SIGNER, hours_ago=8, device_managed=False, device_id="DESKTOP-7Q"),
    ]  # fmt: skip
    found = judged(records)
    assert found[ADMIN].status == "fail" and found[SIGNER].status == "fail"
    assert found[ADMIN].reason == (
        "factor reset by helpdesk@acme.example: user.mfa.factor.reset_all (okta, 2026-11-22 06:00 UTC); "
        "sign-in through an anonymising proxy from NL (okta, 2026-11-22 16:00 UTC)"
    )
    reason = found[SIGNER].reason
    assert "sign-in from denied country KP (Pyongyang, KP)" in reason
    assert "impossible travel: Pyongyang, KP to Zurich, CH" in reason  # 8,000 km in an hour
    assert "sign-in the vendor flags: unfamiliarfeatures" in reason
    assert "session from unmanaged device DESKTOP-7Q" in reason
    assert [s["signal"] for s in found[SIGNER].evidence["signals"]][0].startswith(
        "sign-in from denied country"
    )


def test_old_events_failed_sign_ins_and_plausible_travel_are_no_signal():
    records = people() + [
        make_signin_log(),
        make_signin_event(ADMIN, "factor_enrolled", hours_ago=24 * 20),  # before the 14-day window
        make_signin_event(ADMIN, "signin_failed", hours_ago=5, anonymous_proxy=True),
        # Zurich to Geneva (224 km) in three hours, then Geneva again
        make_signin_event(SIGNER, hours_ago=6),
        make_signin_event(SIGNER, hours_ago=3, city="Geneva", latitude=46.20, longitude=6.14),
        make_signin_event(SIGNER, hours_ago=2.9, city="Geneva", latitude=46.21, longitude=6.15),
    ]
    found = judged(records)
    assert (found[ADMIN].status, found[SIGNER].status) == ("pass", "pass")
    assert 220 < distance_km((47.37, 8.54), (46.20, 6.14)) < 230


def test_a_log_that_cannot_back_no_signal_is_unknown_with_the_reason():
    incomplete = make_signin_log(complete=False, reason="page 7 refused after retries (503)")
    found = judged(people() + [incomplete])
    assert found[ADMIN].status == "unknown"
    assert found[ADMIN].reason == (
        "no signal seen, but the okta sign-in log of okta:acme is incomplete (page 7 refused after retries (503))"
    )
    short = make_signin_log(days=7, reason="the System Log keeps 90 days; the first read began 7 days ago")
    assert "covers only from 2026-11-16 12:00 UTC" in judged(people() + [short])[ADMIN].reason
    # a complete log that ended a day ago (the later Runs failed) says nothing of today
    stale = make_signin_log(covers_to=make_signin_log().covers_to - timedelta(days=1))
    assert judged(people() + [stale])[ADMIN].status == "unknown"
    assert "ends at 2026-11-22 12:00 UTC: nothing since is known" in judged(people() + [stale])[ADMIN].reason
    # one ending within the vendors' delivery delay (Google's hours-late login events) still does
    recent = make_signin_log(covers_to=make_signin_log().covers_to - timedelta(hours=4))
    assert judged(people() + [recent])[ADMIN].status == "pass"
    # no log collected at all
    found = judged(people())
    assert found[ADMIN].reason == "no signal seen, but the okta sign-in log is not collected"
    # a signal stands even when the log is incomplete
    records = people() + [incomplete, make_signin_event(ADMIN, "factor_enrolled", 2)]
    assert judged(records)[ADMIN].status == "fail"


def test_each_identity_source_needs_its_own_complete_log():
    records = people() + [
        make_identity(key="entra:1", source="entra", scope="entra:tenant", email=ADMIN, privileged=True),
        make_signin_log(),
    ]
    found = judged(records)
    assert (
        found[ADMIN].status == "unknown" and "the entra sign-in log is not collected" in found[ADMIN].reason
    )
    assert found[SIGNER].status == "pass"
    records.append(make_signin_log(key="entra:signin_log:tenant", scope="entra:tenant", source="entra"))
    assert judged(records)[ADMIN].status == "pass"


def test_a_log_that_does_not_read_what_its_source_logs_never_backs_a_pass():
    """Entra's v1.0 sign-in log lists interactive sign-ins only: complete for what it read, it
    cannot say a replayed session token (a non-interactive sign-in) did not happen."""
    entra = make_identity(key="entra:1", source="entra", scope="entra:tenant", email=ADMIN, privileged=True)
    log = make_signin_log(key="entra:signin_log:tenant", scope="entra:tenant", source="entra")
    records = people() + [entra, make_signin_log()]
    assert judged([*records, log])[ADMIN].status == "pass"
    found = judged([*records, log.model_copy(update={"not_read": ["non-interactive user sign-ins"]})])
    assert found[ADMIN].status == "unknown"
    assert (
        "the entra sign-in log of entra:tenant does not read non-interactive user sign-ins"
        in found[ADMIN].reason
    )
    assert found[SIGNER].status == "pass"  # okta only: its log reads what Okta logs
    # a signal in what was read still fails
    signal = make_signin_event(ADMIN, "factor_enrolled", 2).model_copy(update={"source": "entra"})
    failing = [*records, signal, log.model_copy(update={"not_read": ["non-interactive user sign-ins"]})]
    assert judged(failing)[ADMIN].status == "fail"


def test_a_signer_no_identity_provider_lists_is_unknown_never_a_pass():
    records = [make_wallet(signers=["0xsigner"], threshold=1), make_signin_log()]
    found = judged(records)
    assert found[SIGNER].status == "unknown"
    assert "no identity provider whose sign-in log is read" in found[SIGNER].reason


def test_events_reach_a_person_through_the_alias_table():
    policy = Policy(people=PeopleRules(aliases={"CORP\\admin": ADMIN}))
    records = people() + [make_signin_log(), make_signin_event("CORP\\Admin", "factor_removed", 1)]
    assert judged(records, policy)[ADMIN].status == "fail"


def test_the_signal_window_and_travel_speed_are_the_policys():
    records = people() + [
        make_signin_log(days=60),
        make_signin_event(ADMIN, "factor_enrolled", hours_ago=24 * 20),
        make_signin_event(SIGNER, hours_ago=6),
        make_signin_event(SIGNER, hours_ago=5, city="Geneva", latitude=46.20, longitude=6.14),
    ]
    policy = Policy(people=POLICY.people, endpoints={"signal_days": 30, "impossible_travel_kmh": 200})
    found = judged(records, policy)
    assert (found[ADMIN].status, found[SIGNER].status) == ("fail", "fail")


def test_an_incomplete_event_listing_makes_a_pass_unknown():
    records = people() + [make_signin_log(), make_signin_event(ADMIN)]
    found = {
        r.resource: r
        for r in with_incomplete_listing(account_takeover_signals, records, "signin_event", POLICY)
    }
    assert found[ADMIN].status == "unknown" and found[ADMIN].evidence["status_if_fresh"] == "pass"


def test_a_repeated_signal_is_said_once_with_its_count():
    records = (
        people()
        + [make_signin_log()]
        + [
            make_signin_event(ADMIN, hours_ago=h, device_managed=False, device_id="KIOSK-1")
            for h in (30, 20, 10)
        ]
    )
    found = judged(records)
    assert found[ADMIN].reason == (
        "session from unmanaged device KIOSK-1 (okta, 3 times, last 2026-11-23 02:00 UTC)"
    )
    assert found[ADMIN].evidence["signal_count"] == 3 and len(found[ADMIN].evidence["signals"]) == 3


def test_the_log_of_the_persons_own_tenant_decides():
    other = make_signin_log(
        key="okta:signin_log:subsidiary", scope="okta:subsidiary", complete=False, reason="403"
    )
    records = people() + [make_signin_log(), other]
    assert judged(records)[ADMIN].status == "pass"  # their tenant's log is complete
    records = people() + [other]  # only another tenant's log: every log of the source must do
    assert judged(records)[ADMIN].status == "unknown"


def test_events_reach_a_person_through_their_okta_login():
    # Okta's System Log names the account by its login, which here is not the e-mail
    records = people() + [
        make_identity(key="okta:4", source="okta", scope="okta:acme", email=ADMIN, name="a.admin"),
        make_signin_log(),
        make_signin_event("a.admin", "factor_reset", 2),
    ]
    found = judged(records)
    assert found[ADMIN].status == "fail" and "factor reset" in found[ADMIN].reason


def test_a_country_named_not_coded_cannot_clear_a_denied_country():
    # Okta's geographicalContext gives "United States", not "US": with denied countries set,
    # such a sign-in cannot be said not to come from one
    named = make_signin_event(ADMIN, hours_ago=5, country="United States")
    found = judged(people() + [make_signin_log(), named])
    assert found[ADMIN].status == "unknown"
    assert "okta names no ISO country code" in found[ADMIN].reason
    # with no denied countries there is nothing to tell
    relaxed = Policy(people=PeopleRules(signers={"0xsigner": SIGNER}))
    assert judged(people() + [make_signin_log(), named], relaxed)[ADMIN].status == "pass"


def test_an_okta_country_name_mapped_to_its_code_is_judged_against_denied_countries():
    # the mapper records Okta's "North Korea" as KP (collectors.countries): the sign-in is
    # judged, not left unknown; a name with no ISO code stays a doubt, never "not denied"
    coded = make_signin_event(ADMIN, hours_ago=5, country="KP", country_name="North Korea", city="Pyongyang")
    found = judged(people() + [make_signin_log(), coded])
    assert found[ADMIN].status == "fail"
    assert "sign-in from denied country KP (Pyongyang, North Korea)" in found[ADMIN].reason
    allowed = make_signin_event(ADMIN, hours_ago=5, country="RU", country_name="Russia")
    assert judged(people() + [make_signin_log(), allowed])[ADMIN].status == "pass"
    unmapped = make_signin_event(ADMIN, hours_ago=5, country="", country_name="Kosovo")
    found = judged(people() + [make_signin_log(), unmapped])
    assert found[ADMIN].status == "unknown"
    assert (
        "okta names no ISO country code for a sign-in (no ISO code known for Kosovo)" in found[ADMIN].reason
    )
