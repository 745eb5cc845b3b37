"""Pure mapping from Directory API user resources to `Identity` records, and from Reports API
audit activities to `SigninEvent` records (below `map_users`).

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
from vaultward.contract.records.endpoint import SigninEvent, SigninEventType

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


# --- Reports API audit activities -> SigninEvent ------------------------------------------
#
# Login audit (applicationName=login), events and parameters as documented in
# https://developers.google.com/admin-sdk/reports/v1/appendix/activity/login :
# - login_success -> signin (outcome success), login_failure -> signin_failed (outcome
#   failure), 2sv_enroll -> factor_enrolled, 2sv_disable -> factor_removed;
# - Google's own detections, suspicious_login, suspicious_login_less_secure_app,
#   suspicious_programmatic_login (type account_warning) and gov_attack_warning (type
#   attack_warning), -> signin with the event's name in `risks`; a login_success or
#   login_failure whose `is_suspicious` is true gets the risk "is_suspicious";
# - every other documented login event (logout, login_challenge, login_verification,
#   password_edit, recovery_*, account_disabled_*, ...) is not a sign-in or factor change
#   and yields no record.
# `user` is the `affected_email_address` parameter when the event names one, else the actor;
# `actor` is the actor when that is someone else. `login_type` and `login_challenge_method`
# have no field on SigninEvent: a value outside the documented lists is an anomaly.
#
# Admin audit (applicationName=admin), "User settings" events documented in
# https://developers.google.com/admin-sdk/reports/v1/appendix/activity/admin-user-settings :
# an administrator turning off a user's 2-Step Verification, revoking their security key,
# deleting or generating their backup (scratch) codes. `user` is the USER_EMAIL parameter,
# `actor` the administrator.
#
# User accounts audit (applicationName=user_accounts), documented in
# https://developers.google.com/admin-sdk/reports/v1/appendix/activity/user-accounts : Google
# now lists a user's own 2-Step Verification changes there (type 2sv_change: 2sv_enroll ->
# factor_enrolled, 2sv_disable -> factor_removed, as under login, where older pages put them).
# `user` is the actor (the user changing their own account). password_edit and the recovery
# information changes (recovery_email_edit, recovery_phone_edit, recovery_secret_qa_edit)
# yield no record: a recovery address, phone or question lets someone recover the password, it
# is not a sign-in factor, and SigninEvent records factor changes and sign-ins only. These
# events' keys carry the application (`google_workspace:event:user_accounts:<id>-<index>`):
# a uniqueQualifier is Google's tie-break within one time, not an id unique across logs.
#
# No geolocation: the Reports API gives the address (`ipAddress`) only, so country, city,
# latitude and longitude stay empty and `anonymous_proxy` None ("not said").

LOGIN_EVENTS: dict[str, SigninEventType] = {
    "login_success": "signin",
    "login_failure": "signin_failed",
    "2sv_enroll": "factor_enrolled",
    "2sv_disable": "factor_removed",
    "suspicious_login": "signin",
    "suspicious_login_less_secure_app": "signin",
    "suspicious_programmatic_login": "signin",
    "gov_attack_warning": "signin",
}
RISK_EVENTS = frozenset(
    {
        "suspicious_login",
        "suspicious_login_less_secure_app",
        "suspicious_programmatic_login",
        "gov_attack_warning",
    }
)
OUTCOMES = {"login_success": "success", "login_failure": "failure"}
ADMIN_EVENTS: dict[str, SigninEventType] = {
    "TURN_OFF_2_STEP_VERIFICATION": "factor_removed",
    "REVOKE_SECURITY_KEY": "factor_removed",
    "DELETE_2SV_SCRATCH_CODES": "factor_removed",
    "GENERATE_2SV_SCRATCH_CODES": "factor_reset",  # new backup codes pass 2SV without the user's factor
}
USER_ACCOUNTS_EVENTS: dict[str, SigninEventType] = {
    "2sv_enroll": "factor_enrolled",
    "2sv_disable": "factor_removed",
}
APPLICATION_EVENTS: dict[str, dict[str, SigninEventType]] = {
    "login": LOGIN_EVENTS,
    "user_accounts": USER_ACCOUNTS_EVENTS,
    "admin": ADMIN_EVENTS,
}
# The applications read, in order, each whole for the window.
APPLICATIONS = tuple(APPLICATION_EVENTS)
LOGIN_TYPES = frozenset({"exchange", "google_password", "reauth", "saml", "unknown"})
CHALLENGE_METHODS = frozenset(
    {
        "backup_code",
        "google_authenticator",
        "google_prompt",
        "idv_any_phone",
        "idv_preregistered_phone",
        "internal_two_factor",
        "knowledge_employee_id",
        "knowledge_preregistered_email",
        "knowledge_preregistered_phone",
        "login_location",
        "none",
        "offline_otp",
        "other",
        "password",
        "security_key",
        "security_key_otp",
    }
)


def parameters(event: Mapping[str, Any]) -> dict[str, Any]:
    """An event's parameters by name: `value`, `boolValue`, `multiValue` or `intValue`."""
    found: dict[str, Any] = {}
    listed = event.get("parameters")
    for parameter in listed if isinstance(listed, list) else []:
        if not isinstance(parameter, Mapping) or not isinstance(parameter.get("name"), str):
            continue
        for field in ("value", "boolValue", "multiValue", "intValue"):
            if field in parameter:
                found[parameter["name"]] = parameter[field]
                break
    return found


def _login_details(name: str, given: Mapping[str, Any], anomalies: list[str], risks: list[str]) -> None:
    suspicious = given.get("is_suspicious")
    if suspicious is True and name not in RISK_EVENTS:
        risks.append("is_suspicious")
    elif suspicious is not None and not isinstance(suspicious, bool):
        anomalies.append(f"is_suspicious:{suspicious}")
    login_type = given.get("login_type")
    if login_type is not None and (not isinstance(login_type, str) or login_type not in LOGIN_TYPES):
        anomalies.append(f"login_type:other:{login_type}")
    methods = given.get("login_challenge_method")
    if methods is not None:
        for method in methods if isinstance(methods, list) else [methods]:
            if not isinstance(method, str) or method not in CHALLENGE_METHODS:
                anomalies.append(f"login_challenge_method:other:{method}")


def _object(resource: Mapping[str, Any], field: str) -> Mapping[str, Any]:
    value = resource.get(field)
    return value if isinstance(value, Mapping) else {}


def map_activity(activity: Mapping[str, Any], application: str) -> tuple[list[SigninEvent], list[str]]:
    """The SigninEvents of one activity resource of `application` ("login", "user_accounts"
    or "admin"), one per event that is a sign-in or factor change, keyed
    `google_workspace:event:<id uniqueQualifier>-<event index>` (with `user_accounts:` before
    the qualifier for that log); and why any such event was skipped."""
    events = APPLICATION_EVENTS[application]
    ident = _object(activity, "id")
    actor_field = _object(activity, "actor")
    listed = activity.get("events")
    records: list[SigninEvent] = []
    problems: list[str] = []
    # login and admin keep the keys they had; user_accounts' could meet theirs
    prefix = "user_accounts:" if application == "user_accounts" else ""
    for index, event in enumerate(listed if isinstance(listed, list) else []):
        if (
            not isinstance(event, Mapping)
            or not isinstance(event.get("name"), str)
            or event["name"] not in events
        ):
            continue
        name = str(event["name"])
        qualifier = ident.get("uniqueQualifier")
        anomalies: list[str] = []
        at = _time(ident, "time", anomalies)
        if qualifier in (None, "") or at is None:
            problems.append(
                f"{application} audit: event {name} without an id or a time was skipped"
                f" (id.uniqueQualifier {qualifier!r}, id.time {ident.get('time')!r})"
            )
            continue
        given = parameters(event)
        actor = str(actor_field.get("email") or "").lower()
        risks = [name] if name in RISK_EVENTS else []
        if application == "login":
            _login_details(name, given, anomalies, risks)
            user = str(given.get("affected_email_address") or actor).lower()
        elif application == "user_accounts":
            user = actor
        else:
            user = str(given.get("USER_EMAIL") or "").lower()
        if not user:
            problems.append(f"{application} audit: event {name} without a user was skipped ({qualifier})")
            continue
        records.append(
            SigninEvent(
                key=f"{SOURCE}:event:{prefix}{qualifier}-{index}",
                name=f"{name} {user}",
                source=SOURCE,
                event_type=events[name],
                vendor_event=name,
                user=user,
                actor=actor if actor != user else "",
                at=at,
                outcome=OUTCOMES.get(name, ""),
                ip=str(activity.get("ipAddress") or ""),
                risks=risks,
                anomalies=anomalies,
            )
        )
    return records, problems
