"""Directory API user resources (a captured-shape users.list page) to exact identities, and
Reports API activities (login and admin audit pages in Google's documented shapes) to exact
sign-in events, table-driven over every documented event name and parameter value mapped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from collectors.google_workspace import mapper
from vaultward.contract.records import Identity, SigninEvent

PAYLOADS = Path(__file__).parent / "payloads"


def identity(number: int, email: str, name: str, **fields) -> Identity:
    return Identity(
        key=f"google:10423311321000000000{number}",
        name=name,
        source="google_workspace",
        account="C03acme01",
        email=email,
        person=True,
        console_access=True,
        **fields,
    )


def test_every_user_shape_maps_exactly():
    page = json.loads((PAYLOADS / "users_page.json").read_text())
    assert mapper.map_users(page["users"], "C03acme01") == [
        identity(
            1, "alice@acme.example", "Alice Moreau",
            privileged=True, privileged_via=["isAdmin"], admin_roles=["super_admin"], full_admin=True,
            mfa_enrolled=True, mfa_enforced=True,
            created_at=datetime(2021, 3, 4, 10, 0, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 20, 8, 12, 44, tzinfo=UTC),
        ),
        identity(
            2, "carol@acme.example", "Carol Lindqvist",
            privileged=True, privileged_via=["isDelegatedAdmin"], admin_roles=["delegated_admin"],
            full_admin=False, mfa_enrolled=True, mfa_enforced=False,
            created_at=datetime(2022, 7, 11, 9, 15, 30, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 21, 10, 30, tzinfo=UTC),
        ),
        # Mixed-case primary e-mail lower-cased; lastLoginTime 1970-01-01 means never.
        identity(
            3, "zoe.park@acme.example", "Zoe Park",
            privileged=False, full_admin=False, mfa_enrolled=False, mfa_enforced=False,
            created_at=datetime(2026, 11, 1, 12, 0, tzinfo=UTC), last_used_at=None,
        ),
        identity(
            4, "frank@acme.example", "Frank Osei",
            privileged=False, full_admin=False, mfa_enrolled=False, mfa_enforced=False, suspended=True,
            created_at=datetime(2020, 1, 6, 8, 0, tzinfo=UTC),
            last_used_at=datetime(2025, 6, 30, 12, 0, tzinfo=UTC),
        ),
        # Archived users cannot sign in either: suspended.
        identity(
            5, "grace@acme.example", "Grace Ito",
            privileged=False, full_admin=False, mfa_enrolled=True, mfa_enforced=False, suspended=True,
            created_at=datetime(2019, 5, 20, 8, 0, tzinfo=UTC),
            last_used_at=datetime(2025, 1, 15, 9, 20, tzinfo=UTC),
        ),
        # Missing isDelegatedAdmin / isEnforcedIn2Sv: unknown, not False. A value of the
        # wrong type and an unparseable time: unknown, kept in anomalies.
        identity(
            6, "quinn@acme.example", "Quinn Reyes",
            privileged=None, full_admin=False, mfa_enrolled=None, mfa_enforced=None,
            created_at=datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), last_used_at=None,
            anomalies=["isEnrolledIn2Sv:ENROLLED", "lastLoginTime:yesterday"],
        ),
        # A guest (users.createGuest, isGuestUser): someone from outside the organisation.
        identity(
            7, "dana@partner.example", "Dana Ruiz",
            privileged=False, full_admin=False, external=True, mfa_enrolled=True, mfa_enforced=False,
            created_at=datetime(2026, 10, 1, 9, 0, tzinfo=UTC),
            last_used_at=datetime(2026, 11, 19, 14, 0, tzinfo=UTC),
        ),
    ]  # fmt: skip


def test_factor_kinds_stay_unreported_so_phishing_resistance_is_not_claimed():
    page = json.loads((PAYLOADS / "users_page.json").read_text())
    alice = mapper.map_user(page["users"][0], "C03acme01")
    # The Directory API does not name the 2SV method: no kind is invented, none claimed.
    assert alice.mfa_enrolled is True and alice.factor_kinds == []


# --- Reports API activities -> SigninEvent -------------------------------------------------


def activities(name: str) -> list[dict]:
    return json.loads((PAYLOADS / name).read_text())["items"]


def mapped(items: list[dict], application: str) -> list[SigninEvent]:
    found: list[SigninEvent] = []
    for item in items:
        events, problems = mapper.map_activity(item, application)
        assert problems == []
        found += events
    return found


def signin(qualifier: str, name: str, event_type: str, user: str, at: str, ip: str, **fields) -> SigninEvent:
    return SigninEvent(
        key=f"google_workspace:event:{qualifier}",
        name=f"{name} {user}",
        source="google_workspace",
        event_type=event_type,
        vendor_event=name,
        user=user,
        at=datetime.fromisoformat(at).replace(tzinfo=UTC),
        ip=ip,
        **fields,
    )


def test_every_login_activity_shape_maps_exactly():
    q = "-73110000000000000"
    tor = "185.220.101.7"
    assert mapped(activities("login_activities.json"), "login") == [
        signin(f"{q}01-0", "login_success", "signin", "alice@acme.example", "2026-12-01T08:00", "198.51.100.21",
               outcome="success"),
        signin(f"{q}02-0", "login_failure", "signin_failed", "bob@acme.example", "2026-12-01T08:05", "203.0.113.9",
               outcome="failure", risks=["is_suspicious"]),
        signin(f"{q}03-0", "2sv_enroll", "factor_enrolled", "carol@acme.example", "2026-12-01T09:00", "198.51.100.52"),
        signin(f"{q}04-0", "2sv_disable", "factor_removed", "erin@acme.example", "2026-12-01T09:30", "198.51.100.40"),
        signin(f"{q}05-0", "suspicious_login", "signin", "dave@acme.example", "2026-12-01T10:00", tor,
               risks=["suspicious_login"]),
        signin(f"{q}06-0", "suspicious_login_less_secure_app", "signin", "dave@acme.example", "2026-12-01T10:10", tor,
               risks=["suspicious_login_less_secure_app"]),
        signin(f"{q}07-0", "suspicious_programmatic_login", "signin", "dave@acme.example", "2026-12-01T10:20", tor,
               risks=["suspicious_programmatic_login"]),
        signin(f"{q}08-0", "gov_attack_warning", "signin", "peggy@acme.example", "2026-12-01T11:00", "198.51.100.77",
               risks=["gov_attack_warning"]),
        # the activity's second event (its first, login_challenge, is a step of the sign-in)
        signin(f"{q}09-1", "login_success", "signin", "erin@acme.example", "2026-12-01T12:00", "198.51.100.40",
               outcome="success"),
        # logout, password_edit and account_disabled_password_leak are no sign-in or factor change
    ]  # fmt: skip


def test_every_admin_user_settings_shape_maps_exactly():
    q = "-84000000000000000"
    ip, alice = "198.51.100.21", "alice@acme.example"
    assert mapped(activities("admin_activities.json"), "admin") == [
        signin(f"{q}01-0", "TURN_OFF_2_STEP_VERIFICATION", "factor_removed", "bob@acme.example", "2026-12-02T09:00", ip,
               actor=alice),
        signin(f"{q}01-1", "REVOKE_SECURITY_KEY", "factor_removed", "bob@acme.example", "2026-12-02T09:00", ip,
               actor=alice),
        signin(f"{q}02-0", "GENERATE_2SV_SCRATCH_CODES", "factor_reset", "carol@acme.example", "2026-12-02T09:10", ip,
               actor=alice),
        signin(f"{q}02-1", "DELETE_2SV_SCRATCH_CODES", "factor_removed", "carol@acme.example", "2026-12-02T09:10", ip,
               actor=alice),
        # CHANGE_PASSWORD is no factor change
    ]  # fmt: skip


def one(event: dict, application: str = "login", **activity) -> tuple[list[SigninEvent], list[str]]:
    base = {
        "id": {"time": "2026-12-01T08:00:00.000Z", "uniqueQualifier": "42", "applicationName": application},
        "actor": {"email": "Alice@Acme.example"},
        "ipAddress": "198.51.100.21",
        "events": [event],
    }
    return mapper.map_activity({**base, **activity}, application)


@pytest.mark.parametrize(
    ("name", "event_type", "outcome", "risks"),
    [
        ("login_success", "signin", "success", []),
        ("login_failure", "signin_failed", "failure", []),
        ("2sv_enroll", "factor_enrolled", "", []),
        ("2sv_disable", "factor_removed", "", []),
        ("suspicious_login", "signin", "", ["suspicious_login"]),
        ("suspicious_login_less_secure_app", "signin", "", ["suspicious_login_less_secure_app"]),
        ("suspicious_programmatic_login", "signin", "", ["suspicious_programmatic_login"]),
        ("gov_attack_warning", "signin", "", ["gov_attack_warning"]),
    ],
)
def test_every_mapped_login_event(name, event_type, outcome, risks):
    [event], problems = one({"type": "t", "name": name})
    assert problems == []
    assert (event.event_type, event.outcome, event.risks, event.user, event.actor) == (
        event_type, outcome, risks, "alice@acme.example", ""
    )  # fmt: skip


@pytest.mark.parametrize(
    "name",
    [
        "logout", "login_challenge", "login_verification", "password_edit", "recovery_email_edit",
        "recovery_phone_edit", "recovery_secret_qa_edit", "account_disabled_password_leak",
        "account_disabled_generic", "account_disabled_hijacked", "account_disabled_spamming",
        "account_disabled_spamming_through_relay", "risky_sensitive_action_allowed",
        "risky_sensitive_action_blocked", "a_future_event",
    ],
)  # fmt: skip
def test_login_events_that_are_no_signin_or_factor_change_yield_nothing(name):
    assert one({"type": "t", "name": name}) == ([], [])


@pytest.mark.parametrize(
    ("name", "event_type"),
    [
        ("TURN_OFF_2_STEP_VERIFICATION", "factor_removed"),
        ("REVOKE_SECURITY_KEY", "factor_removed"),
        ("DELETE_2SV_SCRATCH_CODES", "factor_removed"),
        ("GENERATE_2SV_SCRATCH_CODES", "factor_reset"),
    ],
)
def test_every_mapped_admin_event_names_the_user_and_the_admin(name, event_type):
    params = [{"name": "USER_EMAIL", "value": "Bob@acme.example"}]
    [event], problems = one({"type": "USER_SETTINGS", "name": name, "parameters": params}, "admin")
    assert (event.event_type, event.user, event.actor, problems) == (
        event_type, "bob@acme.example", "alice@acme.example", []
    )  # fmt: skip
    assert one({"type": "USER_SETTINGS", "name": name}, "admin") == (
        [], [f"admin audit: event {name} without a user was skipped (42)"]
    )  # fmt: skip
    assert one({"type": "USER_SETTINGS", "name": "CHANGE_PASSWORD", "parameters": params}, "admin") == (
        [],
        [],
    )


@pytest.mark.parametrize(
    ("name", "event_type"), [("2sv_enroll", "factor_enrolled"), ("2sv_disable", "factor_removed")]
)
def test_a_users_own_2sv_change_under_user_accounts_is_a_factor_change(name, event_type):
    """Google's current pages list a user's own 2SV changes under applicationName=user_accounts
    (https://developers.google.com/admin-sdk/reports/v1/appendix/activity/user-accounts), type
    2sv_change: the same factor signal as under login, keyed apart from the login log's."""
    [event], problems = one({"type": "2sv_change", "name": name}, "user_accounts")
    assert problems == []
    assert (event.key, event.event_type, event.vendor_event, event.user, event.actor, event.outcome) == (
        "google_workspace:event:user_accounts:42-0", event_type, name, "alice@acme.example", "", ""
    )  # fmt: skip
    assert event.event_type in ("factor_enrolled", "factor_removed")  # what the takeover check calls a signal
    [login], _ = one({"type": "2sv_change", "name": name})
    assert login.key != event.key


@pytest.mark.parametrize(
    "name",
    [
        "password_edit",
        "recovery_email_edit",
        "recovery_phone_edit",
        "recovery_secret_qa_edit",
        "a_future_event",
    ],
)
def test_user_accounts_events_that_are_no_factor_change_yield_nothing(name):
    # Recovery information lets someone recover a password; it is no sign-in factor, and
    # SigninEvent records factor changes and sign-ins only.
    assert one({"type": "recovery_info_change", "name": name}, "user_accounts") == ([], [])


@pytest.mark.parametrize(
    "login_type", ["exchange", "google_password", "reauth", "saml", "unknown", "passkey_x"]
)
def test_every_documented_login_type_and_an_unknown_one(login_type):
    params = [{"name": "login_type", "value": login_type}]
    [event], _ = one({"type": "login", "name": "login_success", "parameters": params})
    known = login_type != "passkey_x"
    assert event.anomalies == ([] if known else ["login_type:other:passkey_x"])


@pytest.mark.parametrize(
    "method",
    [
        "backup_code", "google_authenticator", "google_prompt", "idv_any_phone", "idv_preregistered_phone",
        "internal_two_factor", "knowledge_employee_id", "knowledge_preregistered_email",
        "knowledge_preregistered_phone", "login_location", "none", "offline_otp", "other", "password",
        "security_key", "security_key_otp", "carrier_pigeon",
    ],
)  # fmt: skip
def test_every_documented_challenge_method_and_an_unknown_one(method):
    params = [{"name": "login_challenge_method", "multiValue": ["password", method]}]
    [event], _ = one({"type": "login", "name": "login_success", "parameters": params})
    assert event.anomalies == (
        [] if method != "carrier_pigeon" else ["login_challenge_method:other:carrier_pigeon"]
    )


@pytest.mark.parametrize(
    ("value", "risks", "anomalies"),
    [(True, ["is_suspicious"], []), (False, [], []), ("yes", [], ["is_suspicious:yes"])],
)
def test_is_suspicious(value, risks, anomalies):
    field = "boolValue" if isinstance(value, bool) else "value"
    params = [{"name": "is_suspicious", field: value}]
    [event], _ = one({"type": "login", "name": "login_success", "parameters": params})
    assert (event.risks, event.anomalies) == (risks, anomalies)


def test_the_affected_user_is_the_user_and_the_actor_someone_else():
    params = [{"name": "affected_email_address", "value": "Dave@acme.example"}]
    [event], _ = one({"type": "account_warning", "name": "suspicious_login", "parameters": params})
    assert (event.user, event.actor) == ("dave@acme.example", "alice@acme.example")


def test_no_geolocation_and_no_proxy_verdict():
    [event], _ = one({"type": "login", "name": "login_success"})
    assert (event.country, event.city, event.latitude, event.longitude, event.anonymous_proxy) == (
        "", "", None, None, None
    )  # fmt: skip


@pytest.mark.parametrize(
    "activity",
    [
        {"id": {"time": "2026-12-01T08:00:00Z"}},
        {"id": {"uniqueQualifier": "42", "time": "yesterday"}},
        {"id": "42"},
    ],
)
def test_an_event_without_id_or_time_is_skipped_with_a_problem(activity):
    events, [problem] = one({"type": "login", "name": "login_success"}, **activity)
    assert events == [] and problem.startswith(
        "login audit: event login_success without an id or a time was skipped"
    )


def test_malformed_events_and_parameters_are_passed_over():
    events, problems = mapper.map_activity(
        {"id": {"time": "x", "uniqueQualifier": "1"}, "events": "no"}, "login"
    )
    assert (events, problems) == ([], [])
    params = ["junk", {"value": "no name"}, {"name": "login_type", "value": "saml"}]
    [event], _ = one({"type": "login", "name": "login_success", "parameters": params})
    assert event.anomalies == []
