"""Pure judgement of a tenant's Conditional Access policies and security defaults: whether they
enforce MFA for one user (`Identity.mfa_enforced`), and their `MfaPolicy` records.

Conditional Access applies every matching policy at once (their grants add up), so a user is
enforced when one policy certainly makes every sign-in of theirs pass MFA. The rule:

- `True` when security defaults are on (`isEnabled`): every user must register and sign in
  with MFA — administrators at every sign-in, others whenever Microsoft judges it needed; no
  administrator-made exception exists.
- `True` when some policy
  - is `enabled` (report-only `enabledForReportingButNotEnforced` and `disabled` enforce nothing);
  - covers every sign-in: `includeApplications` has `All` and nothing is in
    `excludeApplications` (a policy for `Office365` or `MicrosoftAdminPortals` only leaves every
    other app, a custody console among them, to a password); client app types `all` (or
    unset); no location condition other than include `All` (excluding a trusted network is the
    password-only office rule); no platform, device-filter, risk-level or authentication-flow
    condition (each limits when the policy applies);
  - certainly includes the user and certainly does not exclude them (below);
  - grants with MFA: `mfa` or an authentication strength whose `requirementsSatisfied` is `mfa`
    (`block` too: nobody signs in through it with a password). With operator `AND` one such
    control suffices; with `OR` every alternative must be one, so `mfa` OR `compliantDevice`
    (or a custom control, or terms of use) lets a user in without MFA.
- `False` when the policies were read and none of the above holds; `None` when they could not
  be read (the collector leaves `mfa_enforced` unknown and reports the missing permission).

Who a policy covers, conservatively (a user counts only when coverage is certain):
- included by `All`, their user id, `GuestsOrExternalUsers` when `userType` is `guest`, or a
  group in `includeGroups` whose transitive members the collector resolved and which lists
  them. `includeRoles` and `includeGuestsOrExternalUsers` (guest kinds and tenants the report
  does not tell) never count as certain inclusion.
- excluded by their user id; by `GuestsOrExternalUsers` or `excludeGuestsOrExternalUsers` unless
  they are certainly internal (`userType` `member` and no `#EXT#` in the UPN); by a resolved
  group that lists them, by any group that could not be resolved, and by any `excludeRoles`
  (role holders are not read: active and eligible assignments would both need reading, so a
  policy excluding a role does not count as covering anyone).

Records: one `MfaPolicy` per Conditional Access policy (`entra:ca/<id>`, kind
`CONDITIONAL_ACCESS`, `active` only when `enabled`, `requires_mfa` from the grant alone,
`applies_to` listing who and, where narrower than everything, which apps, clients, locations
and conditions) and one for security defaults (`entra:securityDefaults`). `allowed_factors` are
the factor kinds of an authentication strength's combinations; `phishing_resistant_required`
when every combination holds a phishing-resistant method and no other alternative grants.
Values outside Microsoft's documented sets are listed in `anomalies`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultward.contract.records import MfaPolicy

SOURCE = "entra"
ENFORCING_STATE = "enabled"
STATES = frozenset({"enabled", "disabled", "enabledForReportingButNotEnforced"})
BUILT_IN_CONTROLS = frozenset(
    {
        "block",
        "mfa",
        "compliantDevice",
        "domainJoinedDevice",
        "approvedApplication",
        "compliantApplication",
        "passwordChange",
        "unknownFutureValue",
    }
)
MFA_CONTROLS = frozenset({"mfa", "block"})  # through either, nobody signs in with a password alone
GUESTS = "GuestsOrExternalUsers"
# Authentication-strength method modes (authenticationMethodModes) -> factor kinds.
MODE_FACTORS: dict[str, tuple[str, ...]] = {
    "password": ("password",),
    "voice": ("voice",),
    "hardwareOath": ("hardware_totp",),
    "softwareOath": ("totp",),
    "sms": ("sms",),
    "fido2": ("fido2",),
    "windowsHelloForBusiness": ("passkey",),
    "x509CertificateMultiFactor": ("smart_card",),
    "x509CertificateSingleFactor": ("smart_card",),
    "microsoftAuthenticatorPush": ("push",),
    "deviceBasedPush": ("push",),  # Authenticator phone sign-in: phishable, as in the mapper
    "temporaryAccessPassOneTime": ("password",),
    "temporaryAccessPassMultiUse": ("password",),
    "email": ("email",),
    # Documented, but no kind in the vocabulary says what they are.
    "federatedSingleFactor": ("other:federatedSingleFactor",),
    "federatedMultiFactor": ("other:federatedMultiFactor",),
    "qrCodePin": ("other:qrCodePin",),
}
PHISHING_RESISTANT_MODES = frozenset({"fido2", "windowsHelloForBusiness", "x509CertificateMultiFactor"})


@dataclass(frozen=True)
class User:
    """What the registration report tells about a user, as far as policy scope goes."""

    id: str
    user_type: str | None  # member / guest
    upn: str = ""

    @property
    def guest(self) -> bool:
        return self.user_type == "guest"

    @property
    def certainly_internal(self) -> bool:
        return self.user_type == "member" and "#ext#" not in self.upn.lower()


@dataclass(frozen=True)
class TenantPolicies:
    """A tenant's policies as read: security defaults' `isEnabled` (None when not a boolean),
    the Conditional Access policies, and the transitive members of the groups that could be
    resolved (a group missing here is unresolved)."""

    security_defaults: bool | None
    policies: Sequence[Mapping[str, Any]]
    group_members: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def mfa_enforced(self, user: User) -> bool | None:
        if self.security_defaults is True:
            return True
        if any(enforces(policy, user, self.group_members) for policy in self.policies):
            return True
        # Unknown, not False, when a policy would enforce were its unread groups to include
        # the user and not exclude them: what could not be read proves nothing either way.
        if any(enforces(policy, user, self._hopeful(policy, user)) for policy in self.policies):
            return None
        return None if self.security_defaults is None else False

    def _hopeful(self, policy: Mapping[str, Any], user: User) -> Mapping[str, frozenset[str]]:
        """Group members with each unresolved group of the policy as favourable as can be."""
        users = _users(policy)
        members = dict(self.group_members)
        for group in _strings(users, "includeGroups"):
            members.setdefault(group, frozenset({user.id}))
        for group in _strings(users, "excludeGroups"):
            if group not in self.group_members:
                members[group] = frozenset()
        return members


# --- reading the policy shapes --------------------------------------------------------------


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _section(conditions: Mapping[str, Any], name: str, gaps: list[str]) -> Mapping[str, Any]:
    """A condition's object; one that is there but not an object limits the policy to
    sign-ins we cannot name (a gap), never to none."""
    value = conditions.get(name)
    if value and not isinstance(value, Mapping):
        gaps.append(f"{name}:unreadable {type(value).__name__}")
    return _object(value)


def _strings(container: Mapping[str, Any] | None, key: str) -> list[str]:
    values = _object(container).get(key) or []
    return [str(value) for value in values] if isinstance(values, list) else [str(values)]


def _conditions(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    return _object(policy.get("conditions"))


def _users(policy: Mapping[str, Any]) -> Mapping[str, Any]:
    return _object(_conditions(policy).get("users"))  # not an object: includes nobody


def scope_gaps(conditions: Mapping[str, Any]) -> list[str]:
    """What limits a policy to some sign-ins: empty when it applies to every app, client,
    location, platform, device and risk level."""
    gaps: list[str] = []
    apps = _section(conditions, "applications", gaps)
    included = _strings(apps, "includeApplications")
    if "All" not in included:
        actions = _strings(apps, "includeUserActions")
        gaps.append("apps:" + ",".join(included + actions) if included or actions else "apps:none")
    if excluded := _strings(apps, "excludeApplications"):
        gaps.append("except apps:" + ",".join(excluded))
    clients = _strings(conditions, "clientAppTypes")
    if clients and "all" not in clients:
        gaps.append("clients:" + ",".join(clients))
    locations = _section(conditions, "locations", gaps)
    included_locations = _strings(locations, "includeLocations")
    if included_locations and included_locations != ["All"]:
        gaps.append("locations:" + ",".join(included_locations))
    if excluded_locations := _strings(locations, "excludeLocations"):
        gaps.append("except locations:" + ",".join(excluded_locations))
    platforms = _section(conditions, "platforms", gaps)
    included_platforms = _strings(platforms, "includePlatforms")
    if included_platforms and included_platforms != ["all"]:
        gaps.append("platforms:" + ",".join(included_platforms))
    if excluded_platforms := _strings(platforms, "excludePlatforms"):
        gaps.append("except platforms:" + ",".join(excluded_platforms))
    for risk in ("signInRiskLevels", "userRiskLevels", "insiderRiskLevels"):
        if levels := _strings(conditions, risk):
            gaps.append(f"{risk}:" + ",".join(levels))
    devices = _section(conditions, "devices", gaps)
    included_devices = _strings(devices, "includeDevices")
    if (
        devices.get("deviceFilter")
        or _strings(devices, "excludeDevices")
        or included_devices not in ([], ["All"])
    ):
        gaps.append("device filter")
    if flows := _section(conditions, "authenticationFlows", gaps).get("transferMethods"):
        gaps.append(f"authentication flows:{flows}")
    return gaps


def _strength(grant: Mapping[str, Any]) -> Mapping[str, Any] | None:
    strength = grant.get("authenticationStrength")
    return strength if isinstance(strength, Mapping) else None


def _combinations(strength: Mapping[str, Any]) -> list[list[str]]:
    return [
        [mode.strip() for mode in combo.split(",")] for combo in _strings(strength, "allowedCombinations")
    ]


def grant_verdict(grant: Mapping[str, Any] | None) -> tuple[bool, bool, list[str]]:
    """(grants only through MFA, phishing-resistant MFA required, anomalies) of grantControls."""
    if not grant:
        return False, False, []  # session controls only: nothing to pass at sign-in
    if not isinstance(grant, Mapping):
        return False, False, [f"grantControls:unreadable {type(grant).__name__}"]
    anomalies: list[str] = []
    operator = str(grant.get("operator") or "OR").upper()
    if operator not in ("AND", "OR"):
        anomalies.append(f"operator:{operator}")
    alternatives: list[bool] = []  # one per control: is it MFA
    for control in _strings(grant, "builtInControls"):
        if control not in BUILT_IN_CONTROLS:
            anomalies.append(f"builtInControls:{control}")
        alternatives.append(control in MFA_CONTROLS)
    resistant = False
    strength = _strength(grant)
    if strength is not None:
        satisfied = strength.get("requirementsSatisfied")
        if satisfied not in ("mfa", "none"):
            anomalies.append(f"requirementsSatisfied:{satisfied}")
        combinations = _combinations(strength)
        resistant = bool(combinations) and all(PHISHING_RESISTANT_MODES & set(c) for c in combinations)
        alternatives.append(satisfied == "mfa")
    alternatives += [False] * len(
        _strings(grant, "customAuthenticationFactors") + _strings(grant, "termsOfUse")
    )
    if not alternatives:
        return False, False, anomalies
    if operator == "AND":
        return any(alternatives), resistant, anomalies
    # OR (and anything unknown, read as the weaker OR): every alternative must be MFA.
    return all(alternatives), resistant and len(alternatives) == 1, anomalies


def covers(users: Mapping[str, Any], user: User, group_members: Mapping[str, frozenset[str]]) -> bool:
    """The policy certainly includes the user and certainly does not exclude them."""
    include = _strings(users, "includeUsers")
    included = (
        "All" in include
        or user.id in include
        or (user.guest and GUESTS in include)
        or any(user.id in group_members.get(group, frozenset()) for group in _strings(users, "includeGroups"))
    )
    if not included:
        return False
    if user.id in _strings(users, "excludeUsers"):
        return False
    if (GUESTS in _strings(users, "excludeUsers") or users.get("excludeGuestsOrExternalUsers")) and not (
        user.certainly_internal
    ):
        return False
    for group in _strings(users, "excludeGroups"):
        members = group_members.get(group)
        if members is None or user.id in members:
            return False  # unresolved: the user may be in it
    return not _strings(users, "excludeRoles")


def enforces(policy: Mapping[str, Any], user: User, group_members: Mapping[str, frozenset[str]]) -> bool:
    """This policy certainly makes every sign-in of this user pass MFA."""
    if policy.get("state") != ENFORCING_STATE or scope_gaps(_conditions(policy)):
        return False
    if not covers(_users(policy), user, group_members):
        return False
    requires, _, _ = grant_verdict(policy.get("grantControls"))
    return requires


def referenced_groups(policies: Iterable[Mapping[str, Any]]) -> list[str]:
    """Group ids that enabled policies include or exclude: the only ones worth resolving."""
    found: set[str] = set()
    for policy in policies:
        if policy.get("state") == ENFORCING_STATE:
            users = _users(policy)
            found.update(_strings(users, "includeGroups"), _strings(users, "excludeGroups"))
    return sorted(found)


# --- records --------------------------------------------------------------------------------


def applies_to(policy: Mapping[str, Any]) -> list[str]:
    """Who the policy names (`everyone`, `user:<id>`, `group:<id>`, `role:<id>`, guests),
    exclusions as `except ...`, then what narrows it to some sign-ins."""
    users = _users(policy)
    targets: list[str] = []
    for value in _strings(users, "includeUsers"):
        targets.append(
            {"All": "everyone", GUESTS: "guests or external users", "None": "nobody"}.get(
                value, f"user:{value}"
            )
        )
    targets += [f"group:{g}" for g in _strings(users, "includeGroups")]
    targets += [f"role:{r}" for r in _strings(users, "includeRoles")]
    if users.get("includeGuestsOrExternalUsers"):
        targets.append("guests or external users (some kinds)")
    for value in _strings(users, "excludeUsers"):
        targets.append("except guests or external users" if value == GUESTS else f"except user:{value}")
    targets += [f"except group:{g}" for g in _strings(users, "excludeGroups")]
    targets += [f"except role:{r}" for r in _strings(users, "excludeRoles")]
    if users.get("excludeGuestsOrExternalUsers"):
        targets.append("except guests or external users (some kinds)")
    return targets + scope_gaps(_conditions(policy))


def allowed_factors(grant: Mapping[str, Any] | None) -> tuple[list[str], list[str]]:
    """Factor kinds an authentication strength allows, and undocumented modes found."""
    strength = _strength(_object(grant))
    if strength is None:
        return [], []
    kinds: set[str] = set()
    anomalies: list[str] = []
    for combination in _combinations(strength):
        for mode in combination:
            known = MODE_FACTORS.get(mode)
            if known is None:
                anomalies.append(f"allowedCombinations:{mode}")
                known = (f"other:{mode}",)
            kinds.update(known)
    return sorted(kinds), anomalies


def map_policy(policy: Mapping[str, Any]) -> MfaPolicy:
    state = policy.get("state")
    anomalies = [] if isinstance(state, str) and state in STATES else [f"state:{state}"]
    requires, resistant, grant_anomalies = grant_verdict(policy.get("grantControls"))
    factors, factor_anomalies = allowed_factors(policy.get("grantControls"))
    return MfaPolicy(
        key=f"{SOURCE}:ca/{policy['id']}",
        name=str(policy.get("displayName") or policy["id"]),
        source=SOURCE,
        policy_kind="CONDITIONAL_ACCESS",
        active=state == ENFORCING_STATE,
        applies_to=applies_to(policy),
        requires_mfa=requires,
        phishing_resistant_required=resistant,
        allowed_factors=factors,
        anomalies=anomalies + grant_anomalies + factor_anomalies,
    )


def security_defaults_enabled(body: Mapping[str, Any]) -> bool | None:
    enabled = body.get("isEnabled")
    return enabled if isinstance(enabled, bool) else None


def map_security_defaults(body: Mapping[str, Any]) -> MfaPolicy:
    enabled = security_defaults_enabled(body)
    return MfaPolicy(
        key=f"{SOURCE}:securityDefaults",
        name=str(body.get("displayName") or "Security Defaults"),
        source=SOURCE,
        policy_kind="SECURITY_DEFAULTS",
        active=enabled is True,
        applies_to=["everyone"],
        requires_mfa=True,  # what the policy demands when on; `active` says whether it is
        phishing_resistant_required=False,
        anomalies=[] if enabled is not None else [f"isEnabled:{body.get('isEnabled')}"],
    )
