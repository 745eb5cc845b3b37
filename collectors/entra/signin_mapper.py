"""Pure mapping from Microsoft Graph's sign-in log (`signIn`) and the directory audit log's
Authentication Methods entries (`directoryAudit`) to `SigninEvent` records.

Rules (learn.microsoft.com graph/api/resources/signin, signinstatus, devicedetail,
directoryaudit; "Microsoft Entra audit log categories and activities", Authentication Methods):
- Key `entra:event:<id>` (the sign-in's or the audit entry's id).
- A sign-in is `signin` when `status.errorCode` is 0 ("0 indicates a successful sign-in"),
  else `signin_failed` with the code and `failureReason` as the outcome. A status without an
  integer code is kept as a `signin` (an attempt whose result the log does not say must not
  hide a takeover signal) with `outcome` "other:<value>" and an anomaly.
- `risks` are `riskEventTypes_v2`, lower-cased, verbatim; a value Microsoft does not list
  (`RISK_EVENT_TYPES`) is kept and named in `anomalies`. `anonymous_proxy` is True when
  Microsoft detected `anonymizedIPAddress`, else None: no detection is not a statement that
  the address is clean (Identity Protection runs only with P2; other tenants see `hidden`).
- `riskLevelDuringSignIn` has no field in the record; only its value is checked (an unknown
  level is an anomaly).
- `device_managed` is `deviceDetail.isManaged`; when that is null a compliant device
  (`isCompliant` true: Intune judged it, so it is managed) counts as managed; otherwise None.
- Country is `location.countryOrRegion` (Microsoft's two-letter code), city and coordinates
  as given.
- Audit entries: `ACTIVITIES` maps the documented security-info activities to factor event
  types; `NOT_FACTOR_CHANGES` are documented activities of the same service that change no
  user's factors (registration started or cancelled, password resets, tenant policy and
  hardware-token inventory), skipped. Any other activity is kept as `factor_reset` (a change of
  factors the mapper cannot name: never dropped, never read as harmless) with an anomaly. The
  user is the first of `targetResources` with a `userPrincipalName` (`[0]` in these entries;
  Microsoft's own example lists a group first); the actor, when someone else,
  `initiatedBy.user.userPrincipalName` (an app initiator is named by its display name).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from vaultward.contract.records import SigninEvent

SOURCE = "entra"

# riskEventTypes_v2 values Microsoft documents (signIn, v1.0), and the further risk event
# types its riskEventTypes enumeration lists (beta signIn): all lower case.
RISK_EVENT_TYPES = frozenset(
    value.lower()
    for value in (
        "unlikelyTravel",
        "anonymizedIPAddress",
        "maliciousIPAddress",
        "unfamiliarFeatures",
        "malwareInfectedIPAddress",
        "suspiciousIPAddress",
        "leakedCredentials",
        "investigationsThreatIntelligence",
        "generic",
        "adminConfirmedUserCompromised",
        "mcasImpossibleTravel",
        "mcasSuspiciousInboxManipulationRules",
        "investigationsThreatIntelligenceSigninLinked",
        "maliciousIPAddressValidCredentialsBlockedIP",
        "unknownFutureValue",
    )
)
ANONYMIZED = "anonymizedipaddress"
RISK_LEVELS = frozenset({"none", "low", "medium", "high", "hidden", "unknownFutureValue"})

# Authentication Methods activities that change a user's factors
ACTIVITIES: dict[str, str] = {
    "User registered security info": "factor_enrolled",
    "Admin registered security info": "factor_enrolled",
    "User deleted security info": "factor_removed",
    "Admin deleted security info": "factor_removed",
    # A method's details changed (a new phone number behind the same method)
    "User updated security info": "factor_reset",
    "Admin updated security info": "factor_reset",
    # Which method sign-ins prompt for: an intruder makes their own method the default
    "User changed default security info": "factor_reset",
}
# What `SigninLog.event_types` names: the sign-in log's entries and the audit activities mapped
EVENT_TYPES = ("signIn", *ACTIVITIES)
# Documented activities of the same service that change no user's factors: a registration
# started, cancelled or reviewed (each method registered has its own entry), password
# changes and resets (no factor), tenant policy, hardware-token inventory and MFA Server
# tenant operations. Compared in lower case (Microsoft writes "user started password reset").
NOT_FACTOR_CHANGES = frozenset(
    name.lower()
    for name in (
        "User started security info registration",
        "User cancelled security info registration",
        "User registered all required security info",
        "User reviewed security info",
        "Admin started password reset",
        "User started password change",
        "User started password reset",
        "Assign Hardware Oath Token",
        "Authentication Methods Policy Reset",
        "Authentication Methods Policy Update",
        "Authentication Strength Combination Configuration Create",
        "Authentication Strength Combination Configuration Delete",
        "Authentication Strength Combination Configuration Update",
        "Authentication Strength Policy Create",
        "Authentication Strength Policy Delete",
        "Authentication Strength Policy Update",
        "Bulk upload Hardware Oath Token",
        "Create Hardware Oath Token",
        "Delete Hardware Oath Token",
        "Update Hardware Oath Token",
        "DELETE Subscription.DeleteProviders",
        "DELETE Tenant.DeleteAgentStatuses",
        "DELETE Tenant.DeleteCaches",
        "DELETE Tenant.DeleteGreetings",
        "PATCH Tenant.Patch",
        "PATCH Tenant.PatchCaches",
        "PATCH UserAuthMethod.PatchSignInPreferencesAsync",
        "POST SoundFile.Post",
        "Subscription.CreateProvider",
        "Subscription.CreateSubscription",
        "POST Tenant.CreateBlockedUser",
        "POST Tenant.CreateBypassedUser",
        "POST Tenant.CreateCacheConfig",
        "POST Tenant.CreateGreeting",
        "POST Tenant.CreateOemTenant",
        "POST Tenant.CreateTenant",
        "POST Tenant.GenerateNewActivationCredentials",
        "POST Tenant.RemoveBlockedUser",
        "POST Tenant.RemoveBypassedUser",
    )
)
AUDIT_RESULTS = frozenset({"success", "failure", "timeout", "unknownFutureValue"})


class Skipped(ValueError):
    """A log entry the mapper cannot make a record of (no id, no time, no user): the caller
    reports it, and the log it came from is not complete."""


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def _flag(value: Any, field: str, anomalies: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    anomalies.append(f"{field}:{value}")
    return None


def _when(row: Mapping[str, Any], field: str) -> datetime:
    value = row.get(field)
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise Skipped(
            f"entra: log entry {row.get('id')} has no valid {field} ({str(value)[:40]!r})"
        ) from None
    if moment.tzinfo is None:
        raise Skipped(f"entra: log entry {row.get('id')} has no time zone in {field}")
    return moment


def _key(row: Mapping[str, Any]) -> str:
    if not isinstance(row.get("id"), str) or not row["id"]:
        raise Skipped("entra: a log entry without an id was skipped")
    return f"{SOURCE}:event:{row['id']}"


def _outcome(status: Mapping[str, Any], anomalies: list[str]) -> tuple[str, str]:
    """(event type, outcome) from `status`."""
    code = status.get("errorCode")
    if isinstance(code, int) and not isinstance(code, bool):
        if code == 0:
            return "signin", "success"
        reason = _text(status.get("failureReason"))
        return "signin_failed", f"failure: {code}" + (f" {reason}" if reason else "")
    anomalies.append(f"status.errorCode:{code}")
    return "signin", f"other:{code}"


def _risks(values: Any, anomalies: list[str]) -> list[str]:
    if values is None:
        return []
    if not isinstance(values, list):
        anomalies.append(f"riskEventTypes_v2:{values}")
        return []
    risks = []
    for value in values:
        risk = str(value).lower()
        if risk not in RISK_EVENT_TYPES:
            anomalies.append(f"riskEventTypes_v2:{value}")
        if risk not in risks:
            risks.append(risk)
    return risks


def _device_managed(device: Mapping[str, Any], anomalies: list[str]) -> bool | None:
    managed = _flag(device.get("isManaged"), "deviceDetail.isManaged", anomalies)
    compliant = _flag(device.get("isCompliant"), "deviceDetail.isCompliant", anomalies)
    if managed is not None:
        return managed
    return True if compliant else None


def map_sign_in(row: Mapping[str, Any]) -> SigninEvent:
    """One signIn as a `signin` / `signin_failed` event; raises `Skipped` for an entry
    without an id, time or user."""
    key = _key(row)
    at = _when(row, "createdDateTime")
    user = _text(row.get("userPrincipalName")).lower()
    if not user:
        raise Skipped(f"entra: sign-in {row['id']} names no userPrincipalName, skipped")
    anomalies: list[str] = []
    event_type, outcome = _outcome(_object(row.get("status")), anomalies)
    risks = _risks(row.get("riskEventTypes_v2"), anomalies)
    level = row.get("riskLevelDuringSignIn")
    if level is not None and not (isinstance(level, str) and level in RISK_LEVELS):
        anomalies.append(f"riskLevelDuringSignIn:{level}")
    location = _object(row.get("location"))
    coordinates = _object(location.get("geoCoordinates"))
    device = _object(row.get("deviceDetail"))
    return SigninEvent(
        key=key,
        name=f"{user} sign-in",
        source=SOURCE,
        event_type=event_type,  # type: ignore[arg-type]  # one of SigninEventType
        vendor_event=_vendor_event(row),
        user=user,
        at=at,
        outcome=outcome,
        ip=_text(row.get("ipAddress")),
        country=_text(location.get("countryOrRegion")),
        city=_text(location.get("city")),
        latitude=_number(coordinates.get("latitude")),
        longitude=_number(coordinates.get("longitude")),
        anonymous_proxy=True if ANONYMIZED in risks else None,
        risks=risks,
        device_id=_text(device.get("deviceId")),
        device_managed=_device_managed(device, anomalies),
        anomalies=anomalies,
    )


def _vendor_event(row: Mapping[str, Any]) -> str:
    """`signIn`, or with the beta's `signInEventTypes` other than interactiveUser named
    (`signIn:nonInteractiveUser`): the evidence says which log the event came from."""
    kinds = row.get("signInEventTypes")
    named = [str(kind) for kind in kinds if kind != "interactiveUser"] if isinstance(kinds, list) else []
    return ":".join(["signIn", *named])


def map_audit(row: Mapping[str, Any]) -> SigninEvent | None:
    """One Authentication Methods directoryAudit entry as a factor event; None for an activity
    that changes no user's factors. Raises `Skipped` for an entry without an id, time or
    target user."""
    key = _key(row)
    activity = _text(row.get("activityDisplayName"))
    if activity.lower() in NOT_FACTOR_CHANGES:
        return None
    at = _when(row, "activityDateTime")
    anomalies: list[str] = []
    event_type = ACTIVITIES.get(activity)
    if event_type is None:
        event_type = "factor_reset"
        anomalies.append(f"activityDisplayName:{activity}")
    targets = row.get("targetResources")
    named = [_text(_object(t).get("userPrincipalName")) for t in targets] if isinstance(targets, list) else []
    user = next((upn for upn in named if upn), "").lower()
    if not user:
        raise Skipped(f"entra: audit entry {row['id']} ({activity}) names no target user, skipped")
    initiator = _object(row.get("initiatedBy"))
    actor = _text(_object(initiator.get("user")).get("userPrincipalName")).lower()
    actor = actor or _text(_object(initiator.get("app")).get("displayName"))
    result = row.get("result")
    known = isinstance(result, str) and result in AUDIT_RESULTS
    if not known:
        anomalies.append(f"result:{result}")
    return SigninEvent(
        key=key,
        name=f"{user} {activity}",
        source=SOURCE,
        event_type=event_type,  # type: ignore[arg-type]  # one of SigninEventType
        vendor_event=activity,
        user=user,
        actor="" if actor == user else actor,
        at=at,
        outcome=str(result) if known else f"other:{result}",
        ip=_text(_object(initiator.get("user")).get("ipAddress")),
        anomalies=anomalies,
    )
