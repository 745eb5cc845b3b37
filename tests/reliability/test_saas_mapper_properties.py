"""Property tests of the SaaS mappers: captured vendor payloads, mutated (keys dropped,
unknown keys, wrong types, huge and hostile strings), map to valid records plus located
problems or anomalies, never an exception. Items are given as each collector gives them
(objects, with an id where the collector skips those without one)."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from collectors.bitgo import mapper as bitgo
from collectors.crowdstrike import mapper as crowdstrike
from collectors.entra import mapper as entra
from collectors.entra import policy_mapper as entra_policy
from collectors.entra import signin_mapper as entra_signins
from collectors.fireblocks import mapper as fireblocks
from collectors.fleet import mapper as fleet
from collectors.google_workspace import mapper as google
from collectors.internal_http.mapper import map_item
from collectors.internal_http.options import Endpoint
from collectors.intune import mapper as intune
from collectors.jamf import mapper as jamf
from collectors.knowbe4 import mapper as knowbe4
from collectors.okta import log_mapper as okta_log
from collectors.okta import mapper as okta
from collectors.okta import policy_mapper as okta_policy
from collectors.prowler_import.mapper import MalformedFinding, map_findings
from collectors.safe import mapper as safe
from collectors.training_category import DEFAULT_LURE_MODULES
from tests.reliability.mappers import objects, payload, valid_records, with_id
from tests.reliability.strategies import PROPERTY, junk, mutated

AS_OF = datetime(2026, 4, 1, tzinfo=UTC)


def some(items: list) -> st.SearchStrategy[list]:
    """A few of a page's captured items (a whole page per example is slow and adds nothing)."""
    return st.lists(st.sampled_from(items), min_size=1, max_size=3)


def _problems(problems: list[str], prefix: str = "") -> None:
    assert all(isinstance(p, str) and p.startswith(prefix) for p in problems), problems


OKTA_USERS = payload("okta", "users.json")
OKTA_FACTORS = payload("okta", "factors.json")
OKTA_ROLES = payload("okta", "roles.json")
OKTA_ACCESS = payload("okta", "access_policy.json")
OKTA_ENROLL = payload("okta", "enroll_policies.json")


@PROPERTY
@given(
    user=st.sampled_from(OKTA_USERS).flatmap(mutated),
    factors=some(OKTA_FACTORS["every_type_active"] + OKTA_FACTORS["unknown_values"]).flatmap(mutated),
    roles=some(OKTA_ROLES).flatmap(mutated),
    enforced=st.sampled_from([None, True, False]),
)
def test_okta_users(user, factors, roles, enforced):
    user = with_id(user)
    factors = None if user.get("status") == "DEPROVISIONED" else objects(factors)
    valid_records(okta.map_user(user, factors, objects(roles), "acme.okta.com", enforced))


@PROPERTY
@given(access=mutated(OKTA_ACCESS), enroll=st.sampled_from(OKTA_ENROLL).flatmap(mutated), names=junk())
def test_okta_policies(access, enroll, names):
    names = {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}
    # The collector reads each policy's rules by the policy's id; Okta gives every rule an id.
    policy = with_id(objects([access.get("policy")])[0] if objects([access.get("policy")]) else {})
    rules = [with_id(rule) for rule in objects(access.get("rules"))]
    valid_records(okta_policy.map_access_policy(policy, rules, names))
    assert okta_policy.mfa_enforced("00u1", {"00g1"}, [(policy, rules)]) in (True, False, None)
    okta_policy.referenced_groups([(policy, rules)])
    enroll_policy = with_id(objects([enroll.get("policy")])[0] if objects([enroll.get("policy")]) else {})
    enroll_rules = [with_id(rule) for rule in objects(enroll.get("rules"))]
    okta_policy.named_groups([(policy, rules)], [(enroll_policy, enroll_rules)])
    valid_records(okta_policy.map_enroll_policy(enroll_policy, enroll_rules, names))


OKTA_LOG_EVENTS = payload("okta", "log_events.json")


@PROPERTY
@given(event=st.sampled_from(OKTA_LOG_EVENTS).flatmap(mutated))
def test_okta_log_events(event):
    record, problems = okta_log.map_event(objects([event])[0] if objects([event]) else {})
    valid_records([record] if record is not None else [])
    _problems(problems, "okta log event ")
    assert record is not None or problems  # a skipped event is always said


GOOGLE_USERS = payload("google_workspace", "users_page.json")["users"]


@PROPERTY
@given(st.sampled_from(GOOGLE_USERS).flatmap(mutated))
def test_google_workspace_users(user):
    valid_records(google.map_user(with_id(user), "C03acme01"))


GOOGLE_ACTIVITIES = [
    (application, item)
    for application in ("login", "admin")
    for item in payload("google_workspace", f"{application}_activities.json")["items"]
]


@PROPERTY
@given(st.sampled_from(GOOGLE_ACTIVITIES).flatmap(lambda pair: st.tuples(st.just(pair[0]), mutated(pair[1]))))
def test_google_workspace_audit_activities(pair):
    application, activity = pair
    if not isinstance(activity, dict):  # the collector skips what is not an object, with a problem
        return
    events, problems = google.map_activity(activity, application)
    valid_records(events)
    _problems(problems, f"{application} audit: event ")


ENTRA_ROWS = payload("entra", "user_registration_details.json")["value"]
ENTRA_POLICIES = payload("entra", "conditional_access_policies.json")["value"]


@PROPERTY
@given(
    row=st.sampled_from(ENTRA_ROWS).flatmap(mutated),
    policies=some(ENTRA_POLICIES).flatmap(mutated),
    defaults=mutated({"id": "00000000-0000-0000-0000-000000000001", "isEnabled": True}),
)
def test_entra_registrations_and_policies(row, policies, defaults):
    policies = [policy for policy in objects(policies) if policy.get("id")]  # _with_ids
    groups = entra_policy.referenced_groups(policies)
    tenant = entra_policy.TenantPolicies(
        entra_policy.security_defaults_enabled(defaults), policies, {g: frozenset({"u1"}) for g in groups[:1]}
    )
    row = with_id(row)
    enforced = tenant.mfa_enforced(entra.policy_user(row))
    assert enforced in (True, False, None)
    valid_records(entra.map_registration(row, "tenant-1", enforced))
    valid_records([entra_policy.map_security_defaults(defaults)])
    valid_records([entra_policy.map_policy(policy) for policy in policies])


ENTRA_SIGN_INS = payload("entra", "sign_ins.json")["value"]
ENTRA_AUDITS = [
    {**row, "activityDisplayName": activity, "loggedByService": "Authentication Methods"}
    for row in payload("entra", "directory_audits.json")["value"]
    for activity in (*entra_signins.ACTIVITIES, "User started security info registration", "Unknown activity")
]


@PROPERTY
@given(
    sign_in=st.sampled_from(ENTRA_SIGN_INS).flatmap(mutated),
    audit=st.sampled_from(ENTRA_AUDITS).flatmap(mutated),
)
def test_entra_sign_ins_and_audits(sign_in, audit):
    # A log entry without an id, a time or a user is `Skipped` (the collector reports it and
    # marks the log incomplete); nothing else may escape.
    for mapping, row in ((entra_signins.map_sign_in, sign_in), (entra_signins.map_audit, audit)):
        try:
            record = mapping(row)
        except entra_signins.Skipped as skipped:
            assert str(skipped).startswith("entra: ")
            continue
        if record is not None:
            valid_records([record])


KNOWBE4_USERS = payload("knowbe4", "users.json")
KNOWBE4_ENROLMENTS = payload("knowbe4", "enrollments.json")
KNOWBE4_TESTS = payload("knowbe4", "security_tests.json")
KNOWBE4_RECIPIENTS = payload("knowbe4", "recipients.json")
KNOWBE4_CAMPAIGNS = payload("knowbe4", "campaigns.json")


@PROPERTY
@given(
    user=st.sampled_from(KNOWBE4_USERS).flatmap(mutated),
    enrolment=st.sampled_from(KNOWBE4_ENROLMENTS).flatmap(mutated),
    test=st.sampled_from(KNOWBE4_TESTS).flatmap(mutated),
    recipient=st.sampled_from(KNOWBE4_RECIPIENTS).flatmap(mutated),
    campaign=st.sampled_from(KNOWBE4_CAMPAIGNS).flatmap(mutated),
)
def test_knowbe4(user, enrolment, test, recipient, campaign):
    for record, problems in (
        knowbe4.map_user(user, AS_OF),
        knowbe4.map_enrollment(enrolment, DEFAULT_LURE_MODULES),
        knowbe4.map_recipient(recipient, with_id(test, "pst_id")),
        knowbe4.map_security_test(test, knowbe4.campaign_names(objects([campaign]))),
    ):
        _problems(problems, "knowbe4")
        if record is not None:
            valid_records(record)


SAFES = payload("safe", "safes.json")


@PROPERTY
@given(raw=st.sampled_from(list(SAFES.values())).flatmap(mutated))
def test_safe_wallets(raw):
    valid_records(safe.map_safe(raw, "eth", "0x" + "ab" * 20, "Treasury", {"ValueTier": "high"}))


FIREBLOCKS_POLICY = payload("fireblocks", "active_policy.json")
FIREBLOCKS_VAULTS = payload("fireblocks", "vault_accounts.json")
FIREBLOCKS_USERS = payload("fireblocks", "users.json")["users"]


@PROPERTY
@given(
    policy=mutated(FIREBLOCKS_POLICY),
    vault=st.sampled_from(FIREBLOCKS_VAULTS).flatmap(mutated),
    user=st.sampled_from(FIREBLOCKS_USERS).flatmap(mutated),
)
def test_fireblocks(policy, vault, user):
    rules, problems = fireblocks.map_policy(policy)
    _problems(problems, "fireblocks")
    valid_records(rules)
    valid_records(fireblocks.map_vault_account(with_id(vault)))
    valid_records(fireblocks.map_user(with_id(user), "api.fireblocks.io"))


FLEET_HOSTS = payload("fleet", "list_hosts.json")["hosts"]
FLEET_DETAILS = [payload("fleet", name)["host"] for name in ("host.json", "host_by_identifier.json")]
FLEET_MAPPING = payload("fleet", "device_mapping.json")["device_mapping"]


@PROPERTY
@given(
    host=st.sampled_from(FLEET_HOSTS + FLEET_DETAILS).flatmap(mutated),
    details=st.one_of(st.none(), st.sampled_from(FLEET_DETAILS).flatmap(mutated)),
    mapping=st.one_of(st.none(), mutated(FLEET_MAPPING)),
)
def test_fleet_hosts(host, details, mapping):
    details = details if isinstance(details, dict) else None  # the client hands an object or fails
    mapping = objects(mapping) if mapping is not None else None
    record, problems = fleet.map_host(with_id(host), details, mapping)
    _problems(problems, "fleet host")
    assert record is not None
    valid_records(record)


BITGO_WALLETS = payload("bitgo", "wallets.json")


@PROPERTY
@given(raw=st.sampled_from(BITGO_WALLETS).flatmap(mutated), pending=st.integers(min_value=0, max_value=5))
def test_bitgo_wallets_and_rules(raw, pending):
    raw = with_id(raw)
    valid_records(bitgo.map_wallet(raw, "eth", pending))
    valid_records(bitgo.map_rules(raw, "eth"))


CROWDSTRIKE_HOSTS = payload("crowdstrike", "device_details.json")["resources"]


@PROPERTY
@given(raw=st.sampled_from(CROWDSTRIKE_HOSTS).flatmap(mutated))
def test_crowdstrike_hosts(raw):
    record, problems = crowdstrike.map_device(raw)
    _problems(problems, "crowdstrike host ")
    assert (record is None) == any(p.endswith("no device_id, skipped") for p in problems)
    if record is not None:
        valid_records(record)
        # never a healthy sensor the host's own values do not say
        assert record.edr_running is not True or (
            str(raw.get("status")).strip().lower() == "normal"
            and str(raw.get("reduced_functionality_mode")).strip().lower() == "no"
        )


PROWLER = payload("prowler_import", "newer.ocsf.json") + payload("prowler_import", "older.ocsf.json")


@PROPERTY
@given(entries=some(PROWLER).flatmap(mutated), checks=st.sampled_from([["*"], ["iam_*"]]))
def test_prowler_findings(entries, checks):
    items = list(map_findings(entries, "prowler.ocsf.json", checks))
    for item in items:
        if isinstance(item, MalformedFinding):
            assert str(item).startswith("prowler.ocsf.json"), str(item)[:200]
    valid_records([item for item in items if not isinstance(item, MalformedFinding)])


WALLETS_ENDPOINT = Endpoint.model_validate(
    {
        "name": "wallets",
        "url": "https://wallets.internal.example/wallets",
        "kind": "custody.wallet",
        "constants": {"provider": "safe", "multisig_type": "onchain"},
        "fields": {"key": "id", "chain": "chain", "signers": "owners", "threshold": "m", "tags": "tags"},
    }
)
PEOPLE_ENDPOINT = Endpoint.model_validate(
    {
        "name": "hr",
        "url": "https://hr.internal.example/people",
        "kind": "identity",
        "constants": {"source": "hr"},
        "fields": {"key": "id", "email": "mail", "factor_kinds": "mfa", "privileged": "admin"},
    }
)


@PROPERTY
@given(
    wallet=mutated(
        {"id": "w1", "chain": "ethereum", "owners": ["0xA", "0xB"], "m": 2, "tags": {"tier": "hot"}}
    ),
    person=mutated(
        {"id": 7, "mail": "a@acme.example", "mfa": ["webauthn", "sms", "carrier pigeon"], "admin": True}
    ),
    anything=junk(),
)
def test_internal_http_items(wallet, person, anything):
    for endpoint, item in (
        (WALLETS_ENDPOINT, wallet),
        (PEOPLE_ENDPOINT, person),
        (PEOPLE_ENDPOINT, anything),
    ):
        record, problems = map_item(endpoint, item, 3)
        _problems(problems, f"internal_http:{endpoint.name} item 3: ")
        assert (record is None) == bool(problems)
        if record is not None:
            valid_records(record)


INTUNE_DEVICES = payload("intune", "managed_devices.json")["value"]
INTUNE_STATES = payload("intune", "management_states.json")["value"]


@PROPERTY
@given(
    device=st.sampled_from(INTUNE_DEVICES).flatmap(mutated),
    state=st.sampled_from(INTUNE_STATES).flatmap(mutated),
    read=st.booleans(),
)
def test_intune_devices(device, state, read):
    device = with_id(device)
    # As the client hands them over: a state that is not text is missing.
    value = state.get("managementState")
    states = {str(device["id"]): value if isinstance(value, str) else ""} if read else None
    valid_records([intune.map_device(device, states)])


JAMF_COMPUTERS = payload("jamf", "computers_inventory.json")["results"]


@PROPERTY
@given(raw=st.sampled_from(JAMF_COMPUTERS).flatmap(mutated))
def test_jamf_computers(raw):
    record, problems = jamf.map_computer(raw)
    _problems(problems, "jamf computer ")
    if record is not None:
        valid_records(record)
        assert all(anomaly for anomaly in record.anomalies)
