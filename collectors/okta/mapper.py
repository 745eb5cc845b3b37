"""Pure mapping from Okta Management API payloads (users, their factors and role assignments)
to `Identity` records; policies are mapped in `policy_mapper`.

Rules, stated so checks and readers know what the fields mean:
- Only factors with status ACTIVE count as enrolled. DEPROVISIONED users' factors are not
  read (Okta lists such users only on request, and they cannot sign in): `mfa_enrolled` is
  None for them. `signed_nonce` (Okta FastPass) is recorded as "passkey": Okta documents FastPass, with FIDO2 WebAuthn, as its
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
- `person` stays True and `external` None: an Okta user object has no service-account flag and
  no guest type (a user's `type` is an admin-defined User Type, `credentials.provider` says who
  authenticates it, not whether it is staff). Service users are told apart by
  `policy.people.machine_patterns`, which vaultward.derived.people applies to every source.
- `full_admin`: SUPER_ADMIN or ORG_ADMIN, the roles Okta documents as administering the whole
  org; every other role (APP_ADMIN, REPORT_ADMIN, HELP_DESK_ADMIN, ...) is scoped.
- `mfa_enforced` is computed by `policy_mapper.mfa_enforced` (see there).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from vaultward.contract.records import Identity

SOURCE = "okta"
FULL_ADMIN_ROLES = frozenset({"SUPER_ADMIN", "ORG_ADMIN"})

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
def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _time(user: Mapping[str, Any], field: str, anomalies: list[str]) -> datetime | None:
    """An ISO 8601 timestamp with its zone; anything else is an anomaly and unknown."""
    value = user.get(field)
    try:
        parsed = parse_time(value) if isinstance(value, str) or value is None else None
    except ValueError:
        parsed = None
    if value and (parsed is None or parsed.tzinfo is None):
        anomalies.append(f"{field} {value!r} is not a timestamp")
        return None
    return parsed


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
        if provider is not None and not (isinstance(provider, str) and provider in FACTOR_PROVIDERS):
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


def map_user(
    user: Mapping[str, Any],
    factors: Iterable[Mapping[str, Any]] | None,
    roles: Iterable[Mapping[str, Any]] | None,
    account: str,
    mfa_enforced: bool | None,
) -> Identity:
    anomalies: list[str] = []
    profile = user.get("profile") or {}
    if not isinstance(profile, Mapping):
        anomalies.append(f"profile is not an object: {profile!r}")
        profile = {}
    login = str(profile.get("login") or "")
    email = str(profile.get("email") or "").lower()
    status = str(user.get("status", ""))
    if status in SIGNS_IN:
        console: bool | None = True
    elif status in NOT_ACTIVATED or status in SUSPENDED:
        console = False
    else:
        console = None
        anomalies.append(f"unknown user status {status!r}")
    kinds, factor_anomalies = factor_kinds(factors or [])
    names, routes, role_anomalies = admin_roles(roles or [])
    return Identity(
        key=f"{SOURCE}:{user['id']}",
        name=login,
        source=SOURCE,
        account=account,
        email=email,
        person=True,
        privileged=None if roles is None else bool(names),  # None: the roles could not be read
        privileged_via=routes,
        full_admin=None if roles is None else bool(FULL_ADMIN_ROLES & set(names)),
        console_access=console,
        mfa_enrolled=None if factors is None else bool(kinds),
        factor_kinds=kinds,
        mfa_enforced=mfa_enforced,
        admin_roles=names,
        created_at=_time(user, "created", anomalies),
        last_used_at=_time(user, "lastLogin", anomalies),
        suspended=status in SUSPENDED,
        anomalies=anomalies + factor_anomalies + role_anomalies,
    )
