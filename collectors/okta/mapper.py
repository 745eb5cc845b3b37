"""Pure mapping from Okta Management API payloads (users, factors, role assignments,
authentication and enrolment policies with their rules) to `Identity` and `MfaPolicy` records.

Rules, stated so checks and readers know what the fields mean:
- Only factors with status ACTIVE count as enrolled. DEPROVISIONED users' factors are not
  read (Okta lists them only on request, and they cannot sign in): `mfa_enrolled` is None. `signed_nonce` (Okta FastPass) is
  recorded as "passkey": Okta documents FastPass, with FIDO2 WebAuthn, as its
  phishing-resistant authenticators, and FastPass satisfies an authentication policy's
  `possession.phishingResistant: REQUIRED` constraint (restrictions: macOS Safari needs the SSO
  extension, some embedded WebViews cannot use it). `web` (Duo) is recorded as "push": the
  factor does not say which Duo method is used, and none of them is counted as
  phishing-resistant. An unknown factorType is kept as "other:<value>" and flagged.
- `privileged`: the user holds an ACTIVE admin role, directly or through a group. Every role
  counts, READ_ONLY_ADMIN too: each one opens the Okta Admin Console and the whole directory
  (reconnaissance for a social-engineering lure); a check that only wants write-capable admins
  can look at `admin_roles`.
- `console_access` (the user can sign in): ACTIVE, RECOVERY, LOCKED_OUT and PASSWORD_EXPIRED
  users are activated accounts that sign in (or will once unlocked / reset); STAGED and
  PROVISIONED users never activated; SUSPENDED and DEPROVISIONED ones cannot (`suspended`).
- `person`: False when the login or e-mail matches one of `policy.people.machine_patterns`
  (shell patterns such as `*-bot@*`, `svc-*`), the same rule people resolution uses.
- `mfa_enforced` comes from the ACTIVE authentication policies (ACCESS_POLICY): walking each
  policy's ACTIVE rules in priority order, every rule that may apply to the user (their
  groups and user id match; a rule with network / device / platform / risk / expression
  conditions may or may not apply, so the walk continues past it) is an ALLOW rule with
  factorMode 2FA, or a DENY rule. Any such path with 1FA: False. A verification method that
  cannot be judged (authentication method chains): None. No active policy: None. Policies are
  judged whatever app they protect, so a 1FA path in any app's policy counts.
- Authentication policy rules are recorded one `MfaPolicy` each (a DENY rule counts as
  requiring MFA: nobody signs in with one factor through it); enrolment policies
  (MFA_ENROLL) one each, with the factors they allow (REQUIRED or OPTIONAL), requires_mfa when
  a non-password factor is REQUIRED and some active rule enrols, phishing_resistant_required
  when a phishing-resistant one is REQUIRED.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from vaultward.records import PHISHING_RESISTANT_FACTORS, Identity, MfaPolicy

SOURCE = "okta"

FACTOR_KINDS: dict[str, str] = {
    "push": "push",
    "sms": "sms",
    "call": "voice",
    "email": "email",
    "question": "security_question",
    "token:software:totp": "totp",
    "token:hardware": "hardware_totp",
    "token": "totp",  # RSA SecurID / Symantec VIP codes, software or hardware
    "token:hotp": "totp",
    "hotp": "totp",
    "web": "push",  # Duo
    "webauthn": "webauthn",
    "u2f": "u2f",
    "signed_nonce": "passkey",  # Okta FastPass
}
FACTOR_STATUSES = frozenset(
    {"ACTIVE", "PENDING_ACTIVATION", "NOT_SETUP", "ENROLLED", "DISABLED", "INACTIVE", "EXPIRED"}
)
FACTOR_PROVIDERS = frozenset({"OKTA", "GOOGLE", "YUBICO", "RSA", "SYMANTEC", "DUO", "FIDO", "CUSTOM"})

SIGNS_IN = frozenset({"ACTIVE", "RECOVERY", "LOCKED_OUT", "PASSWORD_EXPIRED"})
NOT_ACTIVATED = frozenset({"STAGED", "PROVISIONED"})
SUSPENDED = frozenset({"SUSPENDED", "DEPROVISIONED"})

ROLE_TYPES = frozenset(
    {
        "SUPER_ADMIN",
        "ORG_ADMIN",
        "APP_ADMIN",
        "USER_ADMIN",
        "HELP_DESK_ADMIN",
        "READ_ONLY_ADMIN",
        "MOBILE_ADMIN",
        "API_ACCESS_MANAGEMENT_ADMIN",
        "REPORT_ADMIN",
        "GROUP_MEMBERSHIP_ADMIN",
        "ACCESS_CERTIFICATIONS_ADMIN",
        "ACCESS_REQUESTS_ADMIN",
        "CUSTOM",
    }
)

# Enrolment policy keys: Identity Engine authenticator keys and Classic factor keys.
ENROLL_KINDS: dict[str, tuple[str, ...]] = {
    "okta_verify": ("push", "totp"),  # FastPass only when its own key says so
    "okta_verify_push": ("push",),
    "okta_verify_totp": ("totp",),
    "okta_verify_fastpass": ("passkey",),
    "okta_otp": ("totp",),
    "okta_push": ("push",),
    "google_otp": ("totp",),
    "custom_otp": ("totp",),
    "hotp": ("totp",),
    "rsa_token": ("totp",),
    "symantec_vip": ("totp",),
    "onprem_mfa": ("totp",),
    "yubikey_token": ("hardware_totp",),
    "phone_number": ("sms", "voice"),
    "okta_sms": ("sms",),
    "okta_call": ("voice",),
    "okta_email": ("email",),
    "email": ("email",),
    "security_question": ("security_question",),
    "okta_question": ("security_question",),
    "security_key": ("webauthn",),
    "webauthn": ("webauthn",),
    "fido_webauthn": ("webauthn",),
    "fido_u2f": ("u2f",),
    "duo": ("push",),
    "custom_app": ("push",),
    "smart_card_idp": ("smart_card",),
    "okta_password": ("password",),
}
ENROLL_SETTINGS = frozenset({"REQUIRED", "OPTIONAL", "NOT_ALLOWED"})
ENROLL_WHEN = frozenset({"CHALLENGE", "LOGIN", "NEVER"})
POLICY_STATUSES = frozenset({"ACTIVE", "INACTIVE"})
# Rule conditions other than `people` that limit when a rule applies.
SITUATIONAL = ("network", "device", "platform", "riskScore", "elCondition", "userType", "authContext")


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def host_of(base_url: str) -> str:
    return base_url.split("://", 1)[-1].split("/", 1)[0].lower()


# --- users ---------------------------------------------------------------------------------


def factor_kinds(factors: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str]]:
    """The kinds of the ACTIVE factors, and what the mapper did not know."""
    kinds: set[str] = set()
    anomalies: list[str] = []
    for factor in factors:
        factor_type = str(factor.get("factorType", ""))
        status = str(factor.get("status", ""))
        provider = factor.get("provider")
        if status not in FACTOR_STATUSES:
            anomalies.append(f"factor {factor.get('id', '?')}: unknown status {status!r}")
        if provider is not None and provider not in FACTOR_PROVIDERS:
            anomalies.append(f"factor {factor.get('id', '?')}: unknown provider {provider!r}")
        kind = FACTOR_KINDS.get(factor_type)
        if kind is None:
            anomalies.append(f"factor {factor.get('id', '?')}: unknown factorType {factor_type!r}")
            kind = f"other:{factor_type}"
        if status == "ACTIVE":
            kinds.add(kind)
    return sorted(kinds), anomalies


def admin_roles(roles: Iterable[Mapping[str, Any]]) -> tuple[list[str], list[str], list[str]]:
    """(role names, routes like `user:SUPER_ADMIN` / `group:ORG_ADMIN`, anomalies) of the
    user's ACTIVE role assignments."""
    names: set[str] = set()
    routes: set[str] = set()
    anomalies: list[str] = []
    for role in roles:
        status = role.get("status", "ACTIVE")
        if status == "INACTIVE":
            continue
        if status != "ACTIVE":
            anomalies.append(f"role {role.get('id', '?')}: unknown status {status!r}")
        role_type = str(role.get("type", ""))
        if role_type not in ROLE_TYPES:
            anomalies.append(f"role {role.get('id', '?')}: unknown type {role_type!r}")
        name = f"CUSTOM:{role.get('label', role.get('id', '?'))}" if role_type == "CUSTOM" else role_type
        names.add(name)
        routes.add(f"{str(role.get('assignmentType', 'USER')).lower()}:{name}")
    return sorted(names), sorted(routes), anomalies


def is_machine(login: str, email: str, machine_patterns: Sequence[str]) -> bool:
    names = [n.lower() for n in (login, email) if n]
    return any(fnmatch.fnmatchcase(n, p.lower()) for n in names for p in machine_patterns)


def map_user(
    user: Mapping[str, Any],
    factors: Iterable[Mapping[str, Any]] | None,
    roles: Iterable[Mapping[str, Any]],
    account: str,
    mfa_enforced: bool | None,
    machine_patterns: Sequence[str] = (),
) -> Identity:
    profile = user.get("profile") or {}
    login = str(profile.get("login") or "")
    email = str(profile.get("email") or "").lower()
    status = str(user.get("status", ""))
    anomalies: list[str] = []
    if status in SIGNS_IN:
        console: bool | None = True
    elif status in NOT_ACTIVATED or status in SUSPENDED:
        console = False
    else:
        console = None
        anomalies.append(f"unknown user status {status!r}")
    kinds, factor_anomalies = factor_kinds(factors or [])
    names, routes, role_anomalies = admin_roles(roles)
    return Identity(
        key=f"{SOURCE}:{user['id']}",
        name=login,
        source=SOURCE,
        account=account,
        email=email,
        person=not is_machine(login, email, machine_patterns),
        privileged=bool(names),
        privileged_via=routes,
        console_access=console,
        mfa_enrolled=None if factors is None else bool(kinds),
        factor_kinds=kinds,
        mfa_enforced=mfa_enforced,
        admin_roles=names,
        created_at=parse_time(user.get("created")),
        last_used_at=parse_time(user.get("lastLogin")),
        suspended=status in SUSPENDED,
        anomalies=anomalies + factor_anomalies + role_anomalies,
    )


# --- authentication policies (ACCESS_POLICY) ------------------------------------------------


def _people(conditions: Mapping[str, Any] | None) -> dict[str, list[str]]:
    people = (conditions or {}).get("people") or {}
    groups = people.get("groups") or {}
    users = people.get("users") or {}
    return {
        "groups": list(groups.get("include") or []),
        "groups_out": list(groups.get("exclude") or []),
        "users": list(users.get("include") or []),
        "users_out": list(users.get("exclude") or []),
    }


def applies_to(conditions: Mapping[str, Any] | None, group_names: Mapping[str, str]) -> list[str]:
    """`["everyone"]`, or `group:<name>` / `user:<id>` entries, exclusions as `except ...`."""
    people = _people(conditions)

    def group(gid: str) -> str:
        return f"group:{group_names.get(gid, gid)}"

    targets = [group(g) for g in people["groups"]] + [f"user:{u}" for u in people["users"]]
    targets = targets or ["everyone"]
    targets += [f"except {group(g)}" for g in people["groups_out"]]
    targets += [f"except user:{u}" for u in people["users_out"]]
    return targets


def _situational(conditions: Mapping[str, Any] | None) -> bool:
    conditions = conditions or {}
    for name in SITUATIONAL:
        value = conditions.get(name)
        if not value:
            continue
        if name == "network" and value.get("connection", "ANYWHERE") == "ANYWHERE":
            continue
        if name == "riskScore" and value.get("level", "ANY") == "ANY":
            continue
        return True
    return False


def _matches(conditions: Mapping[str, Any] | None, user_id: str, groups: set[str]) -> bool:
    people = _people(conditions)
    if user_id in people["users_out"] or groups & set(people["groups_out"]):
        return False
    if not people["users"] and not people["groups"]:
        return True
    return user_id in people["users"] or bool(groups & set(people["groups"]))


def rule_verification(rule: Mapping[str, Any]) -> tuple[bool | None, bool | None, list[str]]:
    """(requires MFA, phishing-resistant possession required, anomalies) of one rule."""
    sign_on = ((rule.get("actions") or {}).get("appSignOn")) or {}
    access = sign_on.get("access", "ALLOW")
    where = f"rule {rule.get('id', '?')}"
    if access == "DENY":
        return True, None, []
    anomalies = [] if access == "ALLOW" else [f"{where}: unknown access {access!r}"]
    method = sign_on.get("verificationMethod") or {}
    method_type = method.get("type", "ASSURANCE")
    if method_type != "ASSURANCE":
        return None, None, anomalies + [f"{where}: verificationMethod {method_type!r} not evaluated"]
    mode = method.get("factorMode")
    requires = {"2FA": True, "1FA": False}.get(str(mode))
    if requires is None:
        anomalies.append(f"{where}: unknown factorMode {mode!r}")
    constraints = method.get("constraints") or []
    phishing_resistant = bool(constraints) and all(
        ((c or {}).get("possession") or {}).get("phishingResistant") == "REQUIRED" for c in constraints
    )
    return requires, phishing_resistant, anomalies


def _active(item: Mapping[str, Any]) -> bool:
    return item.get("status") == "ACTIVE"


def _status_anomaly(item: Mapping[str, Any], what: str) -> list[str]:
    status = item.get("status")
    return [] if status in POLICY_STATUSES else [f"{what} {item.get('id', '?')}: unknown status {status!r}"]


def map_access_policy(
    policy: Mapping[str, Any], rules: Iterable[Mapping[str, Any]], group_names: Mapping[str, str]
) -> list[MfaPolicy]:
    records = []
    for rule in rules:
        requires, phishing_resistant, anomalies = rule_verification(rule)
        records.append(
            MfaPolicy(
                key=f"{SOURCE}:{policy['id']}/{rule['id']}",
                name=f"{policy.get('name', policy['id'])} / {rule.get('name', rule['id'])}",
                source=SOURCE,
                policy_kind="ACCESS_POLICY",
                active=_active(policy) and _active(rule),
                applies_to=applies_to(rule.get("conditions"), group_names),
                requires_mfa=requires,
                phishing_resistant_required=phishing_resistant,
                anomalies=_status_anomaly(policy, "policy") + _status_anomaly(rule, "rule") + anomalies,
            )
        )
    return records


def _policy_enforces(user_id: str, groups: set[str], rules: Iterable[Mapping[str, Any]]) -> bool | None:
    undecided = False
    for rule in sorted((r for r in rules if _active(r)), key=lambda r: r.get("priority", 0)):
        conditions = rule.get("conditions")
        if not _matches(conditions, user_id, groups):
            continue
        requires, _, _ = rule_verification(rule)
        if requires is False:
            return False
        undecided = undecided or requires is None
        if not _situational(conditions):
            break  # this rule always applies to the user: later rules never do
    return None if undecided else True


def mfa_enforced(
    user_id: str, groups: set[str], access_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]]
) -> bool | None:
    """Whether every active authentication policy makes this user use a second factor."""
    verdicts = [
        _policy_enforces(user_id, groups, rules) for policy, rules in access_policies if _active(policy)
    ]
    if not verdicts:
        return None
    if any(v is False for v in verdicts):
        return False
    return True if all(verdicts) else None


def referenced_groups(access_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]]) -> list[str]:
    """Group ids the active rules of active authentication policies name (include or exclude)."""
    found: set[str] = set()
    for policy, rules in access_policies:
        if not _active(policy):
            continue
        for rule in rules:
            if _active(rule):
                people = _people(rule.get("conditions"))
                found.update(people["groups"], people["groups_out"])
    return sorted(found)


def named_groups(
    access_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]],
    enroll_policies: Sequence[tuple[Mapping[str, Any], Sequence[Mapping]]],
) -> list[str]:
    """Every group id a policy or rule names, active or not (for readable `applies_to`)."""
    found: set[str] = set()
    conditions = [rule.get("conditions") for _, rules in access_policies for rule in rules]
    conditions += [policy.get("conditions") for policy, _ in enroll_policies]
    for condition in conditions:
        people = _people(condition)
        found.update(people["groups"], people["groups_out"])
    return sorted(found)


# --- enrolment policies (MFA_ENROLL) --------------------------------------------------------


def enroll_settings(settings: Mapping[str, Any] | None) -> dict[str, str]:
    """key -> REQUIRED / OPTIONAL / NOT_ALLOWED, from `authenticators` (Identity Engine) or
    `factors` (Classic)."""
    settings = settings or {}
    found: dict[str, str] = {}
    for authenticator in settings.get("authenticators") or []:
        found[str(authenticator.get("key"))] = str((authenticator.get("enroll") or {}).get("self"))
    for key, factor in (settings.get("factors") or {}).items():
        found[str(key)] = str(((factor or {}).get("enroll") or {}).get("self"))
    return found


def map_enroll_policy(
    policy: Mapping[str, Any], rules: Iterable[Mapping[str, Any]], group_names: Mapping[str, str]
) -> MfaPolicy:
    anomalies = _status_anomaly(policy, "policy")
    allowed: set[str] = set()
    required: set[str] = set()
    for key, setting in enroll_settings(policy.get("settings")).items():
        if setting not in ENROLL_SETTINGS:
            anomalies.append(f"{key}: unknown enroll setting {setting!r}")
        kinds = ENROLL_KINDS.get(key)
        if kinds is None:
            anomalies.append(f"unknown authenticator key {key!r}")
            kinds = (f"other:{key}",)
        if setting in ("REQUIRED", "OPTIONAL"):
            allowed.update(kinds)
        if setting == "REQUIRED":
            required.update(kinds)
    enrols = False
    for rule in rules:
        when = ((rule.get("actions") or {}).get("enroll") or {}).get("self", "CHALLENGE")
        if when not in ENROLL_WHEN:
            anomalies.append(f"rule {rule.get('id', '?')}: unknown enroll {when!r}")
        enrols = enrols or (_active(rule) and when != "NEVER")
    second_factor = required - {"password"}
    return MfaPolicy(
        key=f"{SOURCE}:{policy['id']}",
        name=str(policy.get("name", policy["id"])),
        source=SOURCE,
        policy_kind="MFA_ENROLL",
        active=_active(policy),
        applies_to=applies_to(policy.get("conditions"), group_names),
        requires_mfa=bool(second_factor) and enrols,
        phishing_resistant_required=bool(required & PHISHING_RESISTANT_FACTORS),
        allowed_factors=sorted(allowed),
        anomalies=anomalies,
    )
