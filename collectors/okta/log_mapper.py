"""Pure mapping from Okta System Log `LogEvent` objects (GET /api/v1/logs) to `SigninEvent`
records, and the filter that asks Okta only for the event types mapped here.

Documented shapes: https://developer.okta.com/docs/reference/api/system-log/ (the LogEvent
object) and the event type catalog, https://developer.okta.com/docs/reference/api/event-types/.

Rules, stated so checks and readers know what the fields mean:
- The event types read (`EVENT_TYPES`) are the catalog's per-user factor changes and sign-ins.
  `system.mfa.factor.deactivate` is not read: the catalog describes it as an administrator
  turning a factor type off for the whole org, an event with no user. `user.mfa.factor.update`
  ("Update factor for user") and `suspend` / `unsuspend` are not read either: the catalog does
  not say they enrol or remove anything.
- Whose account: for a factor change, the `target` of type `User` (its `alternateId`, the
  login); `actor` is who made the change, kept only when it is someone else (an administrator
  resetting a user's factors). For a sign-in the actor is the user.
- `user.session.start`: `outcome.result` SUCCESS or ALLOW is a `signin` (Okta issued a
  session); FAILURE, DENY and CHALLENGE are `signin_failed` (no session from this event);
  SKIPPED and UNKNOWN stay `signin` with `outcome` saying so, because a check must not pass
  over a session that may have started. `outcome` is the result in lower case; an undocumented
  result is kept as "other:<value>" (a sign-in) and listed in `anomalies`.
- `country_name` and `city` are as Okta gives them: Okta names the country in English
  ("United States"), not by ISO code. `country` is that name's ISO 3166-1 alpha-2 code
  (`collectors.countries.iso_code`), what `denied_countries` is written in; a name no code
  is known for leaves `country` "" and is an anomaly, so a denied-country check cannot pass
  over it.
- `anonymous_proxy` is `securityContext.isProxy` (None when Okta does not say).
- `risks` (lower case): "threatsuspected" when `debugContext.debugData.threatSuspected` is
  "true"; "risk level=medium" / "risk level=high" from `debugData.risk` ("{level=HIGH, ...}",
  or the same in `logOnlySecurityData`); and every behavior Okta evaluated POSITIVE, verbatim
  ("new geo-location=positive", "velocity=positive"). Okta says debugData keys may change
  between releases: a value the mapper cannot read is an anomaly, never a "no risk".
- `device_id` / `device_managed` come from the LogEvent's `device` object (Okta Identity
  Engine, devices registered with Okta Verify); absent: "" and None.
- An event without a uuid, a timestamp or a user cannot be recorded: it is skipped and
  reported, which leaves the log incomplete.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from collectors.countries import iso_code
from vaultward.contract.records import SigninEvent
from vaultward.contract.records.endpoint import SigninEventType

SOURCE = "okta"

SIGNIN = "user.session.start"
FACTOR_CHANGES: dict[str, SigninEventType] = {
    "user.mfa.factor.activate": "factor_enrolled",
    "user.mfa.factor.deactivate": "factor_removed",
    "user.mfa.factor.reset_all": "factor_reset",
}
EVENT_TYPES = (SIGNIN, *FACTOR_CHANGES)

# outcome.result values the LogEvent documents, and what each means for a sign-in.
SIGNIN_OUTCOMES: dict[str, SigninEventType] = {
    "SUCCESS": "signin",
    "ALLOW": "signin",
    "FAILURE": "signin_failed",
    "DENY": "signin_failed",
    "CHALLENGE": "signin_failed",
    "SKIPPED": "signin",
    "UNKNOWN": "signin",
}
RISK_LEVELS = frozenset({"LOW", "MEDIUM", "HIGH"})
BEHAVIOR_OUTCOMES = frozenset({"POSITIVE", "NEGATIVE", "UNKNOWN", "BAD_REQUEST"})


def event_filter(event_types: tuple[str, ...] = EVENT_TYPES) -> str:
    """The `filter` expression that asks Okta for `event_types` only."""
    return " or ".join(f'eventType eq "{event_type}"' for event_type in event_types)


def event_key(uuid: str) -> str:
    return f"{SOURCE}:event:{uuid}"


def signin_log_key(org: str) -> str:
    return f"{SOURCE}:signin_log:{org}"


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _published(raw: Mapping[str, Any]) -> datetime | None:
    value = raw.get("published")
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None


def _user_target(raw: Mapping[str, Any]) -> str:
    targets = raw.get("target")
    for target in targets if isinstance(targets, list) else []:
        if isinstance(target, Mapping) and target.get("type") == "User" and _text(target.get("alternateId")):
            return _text(target.get("alternateId"))
    return ""


def _coordinate(value: Any, name: str, anomalies: list[str]) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    anomalies.append(f"geolocation {name} {value!r} is not a number")
    return None


def _flag(value: Any, name: str, anomalies: list[str]) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    anomalies.append(f"{name} {value!r} is not a boolean")
    return None


def _risk_level(value: Any, anomalies: list[str]) -> list[str]:
    """`{level=HIGH, reasons=...}` (debugData.risk) or {"level": "HIGH"} (logOnlySecurityData)."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        level = _text(value.get("level"))
    else:
        match = re.search(r"\blevel=([A-Za-z_]+)", value) if isinstance(value, str) else None
        level = match.group(1) if match else ""
    if level.upper() not in RISK_LEVELS:
        anomalies.append(f"risk {value!r}: unknown level")
        return [f"risk level=other:{level.lower()}"] if level else []
    return [] if level.upper() == "LOW" else [f"risk level={level.lower()}"]


def _behaviors(value: Any, anomalies: list[str]) -> list[str]:
    """`{New Geo-Location=POSITIVE, Velocity=NEGATIVE, ...}` (debugData.behaviors) or the same
    as a JSON object (logOnlySecurityData): the POSITIVE ones, verbatim in lower case."""
    if value is None:
        return []
    if isinstance(value, Mapping):
        pairs = [(str(name), str(outcome)) for name, outcome in value.items()]
    elif isinstance(value, str):
        body = value.strip().removeprefix("{").removesuffix("}")
        pairs = [tuple(part.strip().rsplit("=", 1)) for part in body.split(",") if part.strip()]  # type: ignore[misc]
    else:
        pairs = []
    if not pairs or any(len(pair) != 2 for pair in pairs):
        anomalies.append(f"behaviors {value!r} cannot be read")
        return []
    found = []
    for name, outcome in pairs:
        if outcome.upper() not in BEHAVIOR_OUTCOMES:
            anomalies.append(f"behavior {name!r}: unknown outcome {outcome!r}")
            found.append(f"{name}={outcome}".lower())
        elif outcome.upper() == "POSITIVE":
            found.append(f"{name}={outcome}".lower())
    return found


def _security_data(value: Any, anomalies: list[str]) -> Mapping[str, Any]:
    if value is None:
        return {}
    try:
        parsed = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        parsed = None
    if not isinstance(parsed, Mapping):
        anomalies.append("logOnlySecurityData cannot be read")
        return {}
    return parsed


def risks(debug_data: Mapping[str, Any], anomalies: list[str]) -> list[str]:
    """Okta's own risk signals on one event (see the module docstring)."""
    found: list[str] = []
    threat = debug_data.get("threatSuspected")
    if threat is not None:
        if str(threat).lower() == "true":
            found.append("threatsuspected")
        elif str(threat).lower() != "false":
            anomalies.append(f"threatSuspected {threat!r} is neither true nor false")
    security = _security_data(debug_data.get("logOnlySecurityData"), anomalies)
    found += _risk_level(debug_data.get("risk", security.get("risk")), anomalies)
    found += _behaviors(debug_data.get("behaviors", security.get("behaviors")), anomalies)
    return sorted(set(found))


def map_event(raw: Mapping[str, Any]) -> tuple[SigninEvent | None, list[str]]:
    """One LogEvent as a `SigninEvent`, and what could not be read (the record is None when
    the event cannot be recorded at all)."""
    uuid = _text(raw.get("uuid"))
    vendor_event = _text(raw.get("eventType"))
    where = f"okta log event {uuid or '(no uuid)'} ({vendor_event or 'no eventType'})"
    at = _published(raw)
    if not uuid or at is None:
        return None, [f"{where}: no uuid or published timestamp {raw.get('published')!r}, skipped"]
    anomalies: list[str] = []
    actor = _object(raw.get("actor"))
    actor_id = _text(actor.get("alternateId"))
    outcome = _object(raw.get("outcome"))
    result = _text(outcome.get("result")).upper()
    if result in SIGNIN_OUTCOMES:
        outcome_value = result.lower()
    else:
        outcome_value = f"other:{outcome.get('result')}"
        anomalies.append(f"unknown outcome.result {outcome.get('result')!r}")
    event_type: SigninEventType
    if vendor_event == SIGNIN:
        event_type = SIGNIN_OUTCOMES.get(result, "signin")
        user = actor_id
    elif vendor_event in FACTOR_CHANGES:
        event_type = FACTOR_CHANGES[vendor_event]
        user = _user_target(raw)
    else:
        return None, [f"{where}: an event type that was not asked for, skipped"]
    if not user:
        return None, [f"{where}: no user (actor or User target with an alternateId), skipped"]
    client = _object(raw.get("client"))
    place = _object(client.get("geographicalContext"))
    geolocation = _object(place.get("geolocation"))
    device = raw.get("device")
    if device is not None and not isinstance(device, Mapping):
        anomalies.append(f"device {device!r} is not an object")
    device = _object(device)
    country_name = _text(place.get("country"))
    country = iso_code(country_name) if country_name else None
    if country_name and country is None:
        anomalies.append(
            f"country {country_name!r} has no ISO 3166-1 code known: a denied country cannot be told"
        )
    reason = _text(outcome.get("reason"))
    label = _text(raw.get("displayMessage")) or vendor_event
    return (
        SigninEvent(
            key=event_key(uuid),
            name=f"{label} ({reason})" if reason else label,
            source=SOURCE,
            event_type=event_type,
            vendor_event=vendor_event,
            user=user,
            actor="" if actor_id.lower() == user.lower() else actor_id,
            at=at,
            outcome=outcome_value,
            ip=_text(client.get("ipAddress")),
            country=country or "",
            country_name=country_name,
            city=_text(place.get("city")),
            latitude=_coordinate(geolocation.get("lat"), "lat", anomalies),
            longitude=_coordinate(geolocation.get("lon"), "lon", anomalies),
            anonymous_proxy=_flag(
                _object(raw.get("securityContext")).get("isProxy"), "securityContext.isProxy", anomalies
            ),
            risks=risks(_object(_object(raw.get("debugContext")).get("debugData")), anomalies),
            device_id=_text(device.get("id")),
            device_managed=_flag(device.get("managed"), "device.managed", anomalies),
            anomalies=anomalies,
        ),
        [f"{where}: {anomaly}" for anomaly in anomalies],
    )
