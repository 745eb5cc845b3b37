"""Conditional Access and security defaults to `mfa_enforced` (one test per rule of
`policy_mapper`) and to exact `MfaPolicy` records from a captured-shape policy list."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from collectors.entra import policy_mapper
from collectors.entra.policy_mapper import TenantPolicies, User
from demo.fakes.entra_policies import phishing_resistant_strength, policy
from vaultward.contract.records import MfaPolicy

PAYLOADS = Path(__file__).parent / "payloads"
ALICE = User("u-alice", "member", "alice@acme.example")
BOB = User("u-bob", "member", "bob@acme.example")
JUDY = User("u-judy", "guest", "judy_partner.example#EXT#@acme.onmicrosoft.com")
EXTERNAL_MEMBER = User("u-max", "member", "max_partner.example#EXT#@acme.onmicrosoft.com")
DESK = "g-desk"


def enforced(*policies, user: User = ALICE, defaults: bool | None = False, members=None) -> bool | None:
    return TenantPolicies(defaults, list(policies), members if members is not None else {}).mfa_enforced(user)


def all_users_mfa(**options):
    return policy(1, "MFA for all", **{"include_users": ["All"], "controls": ["mfa"], **options})


def test_security_defaults_enforce_for_everyone():
    assert enforced(defaults=True) is True
    assert enforced(defaults=True, user=JUDY) is True
    assert enforced(defaults=False) is False  # read, and nothing enforces
    assert enforced(defaults=None) is None  # isEnabled unreadable and no policy decides


def test_an_enabled_all_users_all_apps_mfa_policy_enforces():
    assert enforced(all_users_mfa()) is True
    assert enforced(all_users_mfa(), user=JUDY) is True
    assert enforced(all_users_mfa(), defaults=None) is True  # a policy decides without defaults


@pytest.mark.parametrize("state", ["enabledForReportingButNotEnforced", "disabled", "unknownFutureValue"])
def test_report_only_and_disabled_policies_enforce_nothing(state):
    assert enforced(all_users_mfa(state=state)) is False


def test_an_excluded_user_is_not_enforced():
    assert enforced(all_users_mfa(exclude_users=[BOB.id]), user=BOB) is False
    assert enforced(all_users_mfa(exclude_users=[BOB.id]), user=ALICE) is True


def test_group_exclusion_by_resolved_members_and_unresolved_groups():
    desk_excluded = all_users_mfa(exclude_groups=[DESK])
    assert enforced(desk_excluded, user=BOB, members={DESK: frozenset({BOB.id})}) is False
    assert enforced(desk_excluded, user=ALICE, members={DESK: frozenset({BOB.id})}) is True
    # A group whose members could not be read may hold anyone, or no one: nobody counts as
    # covered, and nobody as uncovered either.
    assert enforced(desk_excluded, user=ALICE, members={}) is None


def test_group_inclusion_counts_only_when_resolved():
    desk_only = policy(1, "Desk MFA", include_groups=[DESK], controls=["mfa"])
    assert enforced(desk_only, user=BOB, members={DESK: frozenset({BOB.id})}) is True
    assert enforced(desk_only, user=ALICE, members={DESK: frozenset({BOB.id})}) is False
    assert enforced(desk_only, user=BOB, members={}) is None  # unread: Bob may be in it


def test_roles_are_not_resolved_so_they_neither_include_nor_safely_exclude():
    admins = policy(1, "Admins", include_roles=["role-ga"], controls=["mfa"])
    assert enforced(admins) is False
    excluding_role = all_users_mfa()
    excluding_role["conditions"]["users"]["excludeRoles"] = ["role-sync"]
    assert enforced(excluding_role) is False


def test_guest_scoping():
    guests_out = all_users_mfa(exclude_users=["GuestsOrExternalUsers"])
    assert enforced(guests_out, user=ALICE) is True
    assert enforced(guests_out, user=JUDY) is False
    assert enforced(guests_out, user=EXTERNAL_MEMBER) is False  # a B2B member is external too
    guests_only = policy(1, "Guests", include_users=["GuestsOrExternalUsers"], controls=["mfa"])
    assert enforced(guests_only, user=JUDY) is True
    assert enforced(guests_only, user=ALICE) is False
    typed = all_users_mfa()
    typed["conditions"]["users"]["excludeGuestsOrExternalUsers"] = {
        "guestOrExternalUserTypes": "b2bCollaborationGuest",
        "externalTenants": {"membershipKind": "all"},
    }
    assert (enforced(typed, user=ALICE), enforced(typed, user=JUDY)) == (True, False)


def test_or_with_another_control_is_not_mfa_but_and_is():
    assert enforced(all_users_mfa(controls=["mfa", "compliantDevice"])) is False
    assert enforced(all_users_mfa(controls=["mfa", "compliantDevice"], operator="AND")) is True
    with_terms = all_users_mfa()
    with_terms["grantControls"]["termsOfUse"] = ["terms-1"]
    assert enforced(with_terms) is False  # accepting the terms would do instead


def test_a_location_exclusion_leaves_the_office_network_password_only():
    office_spared = all_users_mfa(exclude_locations=["loc-office"])
    assert enforced(office_spared) is False
    # Policies add up: another policy covering every location closes the gap.
    assert enforced(office_spared, policy(2, "Everywhere", include_users=["All"], controls=["mfa"])) is True
    everywhere = all_users_mfa()
    everywhere["conditions"]["locations"] = {"includeLocations": ["All"], "excludeLocations": []}
    assert enforced(everywhere) is True


def test_authentication_strength_counts_when_it_grants_the_mfa_claim():
    assert (
        enforced(policy(1, "Strong", include_users=["All"], strength=phishing_resistant_strength())) is True
    )
    single = {
        **phishing_resistant_strength(),
        "requirementsSatisfied": "none",
        "allowedCombinations": ["password"],
    }
    assert enforced(policy(1, "Weak", include_users=["All"], strength=single)) is False


@pytest.mark.parametrize(
    "narrowing",
    [
        {"applications": ["Office365"]},
        {"applications": ["MicrosoftAdminPortals"]},
        {"applications": [], "user_actions": ["urn:user:registersecurityinfo"]},
        {"client_app_types": ["browser"]},
    ],
)
def test_policies_for_some_apps_or_clients_do_not_enforce(narrowing):
    assert enforced(all_users_mfa(**narrowing)) is False


@pytest.mark.parametrize(
    ("condition", "value"),
    [
        ("platforms", {"includePlatforms": ["windows"], "excludePlatforms": []}),
        ("platforms", {"includePlatforms": ["all"], "excludePlatforms": ["linux"]}),
        ("signInRiskLevels", ["high"]),
        ("userRiskLevels", ["medium"]),
        ("applications", {"includeApplications": ["All"], "excludeApplications": ["app-legacy"]}),
        ("authenticationFlows", {"transferMethods": "deviceCodeFlow"}),
        ("devices", {"deviceFilter": {"mode": "exclude", "rule": 'device.trustType -eq "ServerAD"'}}),
    ],
)
def test_excluded_apps_and_situational_conditions_do_not_enforce(condition, value):
    narrowed = all_users_mfa()
    narrowed["conditions"][condition] = value
    assert enforced(narrowed) is False


def test_conditions_present_but_unset_do_not_narrow():
    unset = all_users_mfa()
    unset["conditions"].update(
        devices={"deviceFilter": None},
        authenticationFlows={"transferMethods": None},
        platforms={"includePlatforms": ["all"], "excludePlatforms": []},
        insiderRiskLevels=None,
    )
    assert enforced(unset) is True


def test_block_for_everyone_everywhere_leaves_no_password_sign_in():
    assert enforced(all_users_mfa(controls=["block"])) is True


def test_unknown_grant_controls_are_not_mfa_and_are_flagged():
    requires, _, anomalies = policy_mapper.grant_verdict(
        {"operator": "OR", "builtInControls": ["mfa", "faceScan"]}
    )
    assert (requires, anomalies) == (False, ["builtInControls:faceScan"])
    assert policy_mapper.grant_verdict(None) == (False, False, [])


def test_only_groups_of_enabled_policies_are_resolved():
    policies = [
        all_users_mfa(exclude_groups=["g-2"]),
        policy(2, "Desk", include_groups=["g-1"], controls=["mfa"]),
        policy(3, "Off", state="disabled", include_groups=["g-3"], controls=["mfa"]),
    ]
    assert policy_mapper.referenced_groups(policies) == ["g-1", "g-2"]


def ca(number: int, name: str, **fields) -> MfaPolicy:
    values = {"active": True, "requires_mfa": True, "phishing_resistant_required": False, **fields}
    return MfaPolicy(
        key=f"entra:ca/e2a7c3d1-0000-4000-8000-0000000000{number:02d}",
        name=name,
        source="entra",
        policy_kind="CONDITIONAL_ACCESS",
        **values,
    )


def test_policy_records_map_exactly():
    page = json.loads((PAYLOADS / "conditional_access_policies.json").read_text())
    assert [policy_mapper.map_policy(p) for p in page["value"]] == [
        ca(1, "Require MFA for all users",
           applies_to=["everyone", "except user:0f0e0d0c-0000-4000-8000-00000000b001"]),
        ca(2, "Office network password-only",
           applies_to=["everyone", "except locations:0b6e4a1f-0000-4000-8000-00000000c001"]),
        ca(3, "Admins: phishing-resistant", applies_to=["role:62e90394-69f5-4237-9190-012177145e10"],
           phishing_resistant_required=True, allowed_factors=["fido2", "passkey", "smart_card"]),
        ca(4, "Guests: MFA or compliant device", active=False, applies_to=["guests or external users"],
           requires_mfa=False),
        ca(5, "Custody console: MFA and compliant device on iOS",
           applies_to=["group:7d1e5c22-0000-4000-8000-00000000a001",
                       "except group:7d1e5c22-0000-4000-8000-00000000a003",
                       "apps:c44b4083-3bb0-49c1-b47d-974e53cbdf3c", "platforms:iOS"]),
        # Terms of use are an alternative to the strength (OR); an undocumented mode is flagged.
        ca(6, "Contractors: custom control or terms", applies_to=["group:7d1e5c22-0000-4000-8000-00000000a004"],
           requires_mfa=False, allowed_factors=["other:futureMode", "password", "push", "sms", "totp"],
           anomalies=["allowedCombinations:futureMode"]),
        ca(7, "Risky sign-ins", active=False, applies_to=["everyone", "signInRiskLevels:high,medium"],
           anomalies=["state:enabledWithSurprise", "builtInControls:faceScan"]),
    ]  # fmt: skip


def test_security_defaults_record():
    body = {
        "id": "00000000-0000-0000-0000-000000000005",
        "displayName": "Security Defaults",
        "isEnabled": True,
    }
    record = policy_mapper.map_security_defaults(body)
    assert record == MfaPolicy(
        key="entra:securityDefaults",
        name="Security Defaults",
        source="entra",
        policy_kind="SECURITY_DEFAULTS",
        active=True,
        applies_to=["everyone"],
        requires_mfa=True,
        phishing_resistant_required=False,
    )
    odd = policy_mapper.map_security_defaults({"isEnabled": "yes"})
    assert (odd.active, odd.anomalies, policy_mapper.security_defaults_enabled({"isEnabled": "yes"})) == (
        False,
        ["isEnabled:yes"],
        None,
    )


def test_unreadable_policy_parts_never_enforce_and_never_raise():
    # Regressions (property tests): each part below raised AttributeError or TypeError.
    odd = {
        "id": "p-odd",
        "displayName": "Odd",
        "state": ["enabled"],
        "conditions": {
            "users": {"includeUsers": ["All"]},
            "applications": {"includeApplications": ["All"]},
            "locations": "trusted only",
        },
        "grantControls": ["mfa"],
    }
    record = policy_mapper.map_policy(odd)
    assert (record.key, record.requires_mfa, record.allowed_factors) == ("entra:ca/p-odd", False, [])
    assert record.anomalies == ["state:['enabled']", "grantControls:unreadable list"]
    assert "locations:unreadable str" in record.applies_to
    enforcing = {**odd, "state": "enabled", "grantControls": {"operator": "OR", "builtInControls": ["mfa"]}}
    # A condition that cannot be read limits the policy to unknown sign-ins: not enforced.
    assert TenantPolicies(False, [enforcing]).mfa_enforced(ALICE) is False
