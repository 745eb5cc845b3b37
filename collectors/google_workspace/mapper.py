"""Pure mapping from Directory API user resources to `Identity` records.

Rules:
- Key `google:<id>` (the immutable user id; the primary e-mail can be renamed), e-mail the
  primary e-mail in lower case, name the full name.
- `mfa_enrolled` is `isEnrolledIn2Sv`, `mfa_enforced` is `isEnforcedIn2Sv` (2-Step
  Verification enforced for the user's org unit or group).
- `factor_kinds` stays empty: the Directory API says whether a user has 2SV, not with which
  method (security key, passkey, Authenticator, SMS ...). An empty list here means "not
  reported", so a check must treat Google identities' phishing resistance as unknown, never
  as "no phishing-resistant factor". (The method is only in the Reports API's
  `accounts:is_2sv_enrolled` / login audit events, a possible follow-up.)
- `privileged`: `isAdmin` (super administrator) or `isDelegatedAdmin` (an administrator
  role); `admin_roles` says which: `super_admin`, `delegated_admin`.
- `suspended` covers `suspended` and `archived` (neither can sign in).
- `external` is `isGuestUser` ("Indicates if the inserted user is a guest", the Directory API's
  guest users, created by `users.createGuest` for an outside e-mail, `guestAccountInfo`);
  None when the field is absent (users listed before Google added guests). Google has no
  service-account flag on a Directory user (service accounts are Cloud IAM's, not users):
  `person` stays True and `policy.people.machine_patterns` tells bots apart.
- `full_admin` is `isAdmin` (super administrator: every admin privilege); a delegated
  administrator holds a scoped role.
- `last_used_at` is `lastLoginTime`; Google's `1970-01-01T00:00:00.000Z` means "never".
- A field of the wrong type or an unparseable time is kept as unknown (None) and listed in
  `anomalies` as `<field>:<value>`.
- No `MfaPolicy`: the Directory API does not expose 2SV enforcement settings; each user's
  `isEnforcedIn2Sv` is the observable effect of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from vaultward.contract.records import Identity

SOURCE = "google_workspace"
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


def _flag(user: Mapping[str, Any], field: str, anomalies: list[str]) -> bool | None:
    value = user.get(field)
    if value is None or isinstance(value, bool):
        return value
    anomalies.append(f"{field}:{value}")
    return None


def _time(user: Mapping[str, Any], field: str, anomalies: list[str]) -> datetime | None:
    value = user.get(field)
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        anomalies.append(f"{field}:{value}")
        return None
    if parsed.tzinfo is None:  # Google sends UTC with a Z; be explicit if it did not
        parsed = parsed.replace(tzinfo=UTC)
    return None if parsed == NEVER else parsed


def map_user(user: Mapping[str, Any], account: str) -> Identity:
    anomalies: list[str] = []
    super_admin = _flag(user, "isAdmin", anomalies)
    delegated_admin = _flag(user, "isDelegatedAdmin", anomalies)
    enrolled = _flag(user, "isEnrolledIn2Sv", anomalies)
    enforced = _flag(user, "isEnforcedIn2Sv", anomalies)
    suspended = _flag(user, "suspended", anomalies)
    archived = _flag(user, "archived", anomalies)
    guest = _flag(user, "isGuestUser", anomalies)
    created = _time(user, "creationTime", anomalies)
    last_login = _time(user, "lastLoginTime", anomalies)

    roles: list[str] = []
    via: list[str] = []
    if super_admin:
        roles.append("super_admin")
        via.append("isAdmin")
    if delegated_admin:
        roles.append("delegated_admin")
        via.append("isDelegatedAdmin")
    if roles:
        privileged: bool | None = True
    elif super_admin is None or delegated_admin is None:
        privileged = None
    else:
        privileged = False

    email = str(user.get("primaryEmail") or "")
    name = user.get("name")
    full_name = name.get("fullName") if isinstance(name, Mapping) else None
    return Identity(
        key=f"google:{user['id']}",
        name=str(full_name or email),
        source=SOURCE,
        account=account,
        email=email.lower(),
        person=True,
        privileged=privileged,
        privileged_via=via,
        full_admin=super_admin,
        external=guest,
        console_access=True,  # every Workspace user signs in interactively
        mfa_enrolled=enrolled,
        mfa_enforced=enforced,
        factor_kinds=[],
        admin_roles=roles,
        created_at=created,
        last_used_at=last_login,
        suspended=bool(suspended) or bool(archived),
        anomalies=anomalies,
    )


def map_users(users: Iterable[Mapping[str, Any]], account: str) -> list[Identity]:
    return [map_user(user, account) for user in users]
