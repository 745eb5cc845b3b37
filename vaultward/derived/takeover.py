"""Account-takeover signals in the identity providers' own logs (Okta System Log, Entra sign-in
and audit logs, Google Workspace Reports), under `policy.endpoints`: a factor enrolled, reset
or removed; a sign-in through an anonymising proxy, with the vendor's own risk detections or
from a denied country; impossible travel between two sign-ins; a session from a device the
identity provider says is unmanaged. And whether a person's logs were read completely over the
window, without which "no signal" means nothing.

Only successful sign-ins count as signals: a refused attempt from Tor is someone trying, not
someone in (the vendors' risk detections on it stay in the log for the SOC).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from vaultward.config.policy import EndpointPolicy
from vaultward.contract.records import SigninEvent, SigninLog
from vaultward.derived.people import Directory, Person, normalise_email

# The identity sources whose sign-in logs a collector reads; a source that produced a log
# counts too (a plugin's).
LOG_SOURCES = frozenset({"okta", "entra", "google_workspace"})
FACTOR_EVENTS = {
    "factor_enrolled": "factor enrolled",
    "factor_reset": "factor reset",
    "factor_removed": "factor removed",
}
# How long before the evaluation a complete log may end and still back "no signal": the
# vendors' own delivery delay (Google Reports: login events up to a few hours late; the
# collector's log ends 4 h before its Run). A log ending earlier (a later Run that failed) is stale.
LOG_DELAY_ALLOWED = timedelta(hours=6)
# Geo-IP places a city to within tens of kilometres: nearer pairs are never called travel.
TRAVEL_FLOOR_KM = 100.0
EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Signal:
    at: datetime
    source: str
    what: str
    event: str  # the event's key

    def line(self) -> str:
        return f"{self.what} ({self.source}, {self.at:%Y-%m-%d %H:%M} UTC)"


SHOWN = 10  # signals a reason names; the evidence keeps up to EVIDENCE_SIGNALS
EVIDENCE_SIGNALS = 100


def summary(found: list[Signal]) -> str:
    """The signals as a finding says them: a repeated one once, with how often and when last
    ("session from unmanaged device X (okta, 12 times, last 2026-11-22 16:00 UTC)"), at most
    SHOWN of them."""
    grouped: dict[tuple[str, str], list[Signal]] = {}
    for signal in found:
        grouped.setdefault((signal.what, signal.source), []).append(signal)
    lines = [
        group[0].line()
        if len(group) == 1
        else f"{what} ({source}, {len(group)} times, last {group[-1].at:%Y-%m-%d %H:%M} UTC)"
        for (what, source), group in grouped.items()
    ]
    more = f"; and {len(lines) - SHOWN} more (see the evidence)" if len(lines) > SHOWN else ""
    return "; ".join(lines[:SHOWN]) + more


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance (haversine) between two (latitude, longitude) points."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def events_by_person(
    events: Iterable[SigninEvent], directory: Directory, people: Iterable[Person] = ()
) -> dict[str, list[SigninEvent]]:
    """The events by the e-mail of the person whose account they concern, oldest first. A log
    names the account by its login (Okta's `alternateId`, a UPN), which need not be the
    person's e-mail: an identity of the same source with that login or e-mail decides first,
    then the alias table."""
    accounts: dict[tuple[str, str], str] = {}
    for person in people:
        if not person.email:
            continue
        for identity in person.identities:
            for login in (identity.name, identity.email):
                if login:
                    accounts.setdefault((identity.source, normalise_email(login)), person.email)
    found: dict[str, list[SigninEvent]] = {}
    for event in events:
        owner = accounts.get((event.source, normalise_email(event.user))) or directory.email_of(event.user)
        found.setdefault(owner, []).append(event)
    for listed in found.values():
        listed.sort(key=lambda e: (e.at, e.key))
    return found


def _place(event: SigninEvent) -> str:
    country = event.country_name or event.country
    return ", ".join(part for part in (event.city, country) if part) or event.ip or "unknown place"


def signals(events: Iterable[SigninEvent], policy: EndpointPolicy, since: datetime) -> list[Signal]:
    """The signals among one person's events from `since` on, oldest first."""
    denied = set(policy.denied_countries)
    found: list[Signal] = []
    located: list[SigninEvent] = []
    for event in events:
        if event.at < since:
            continue
        if event.event_type in FACTOR_EVENTS:
            by = f" by {event.actor}" if event.actor and event.actor != event.user else ""
            found.append(
                Signal(
                    event.at,
                    event.source,
                    f"{FACTOR_EVENTS[event.event_type]}{by}: {event.vendor_event}",
                    event.key,
                )
            )
        if event.event_type != "signin":
            continue
        where = _place(event)
        if event.anonymous_proxy:
            found.append(
                Signal(
                    event.at, event.source, f"sign-in through an anonymising proxy from {where}", event.key
                )
            )
        if event.risks:
            found.append(
                Signal(
                    event.at, event.source, f"sign-in the vendor flags: {', '.join(event.risks)}", event.key
                )
            )
        if event.country.upper() in denied:
            found.append(
                Signal(
                    event.at,
                    event.source,
                    f"sign-in from denied country {event.country.upper()} ({where})",
                    event.key,
                )
            )
        if event.device_managed is False:
            device = f" {event.device_id}" if event.device_id else ""
            found.append(Signal(event.at, event.source, f"session from unmanaged device{device}", event.key))
        if event.latitude is not None and event.longitude is not None:
            located.append(event)
    for before, after in zip(located, located[1:], strict=False):
        km = distance_km((before.latitude, before.longitude), (after.latitude, after.longitude))  # type: ignore[arg-type]
        hours = (after.at - before.at).total_seconds() / 3600
        if km >= TRAVEL_FLOOR_KM and (hours <= 0 or km / hours > policy.impossible_travel_kmh):
            speed = "at once" if hours <= 0 else f"{km / hours:,.0f} km/h"
            found.append(
                Signal(after.at, after.source,
                       f"impossible travel: {_place(before)} to {_place(after)}, {km:,.0f} km in "
                       f"{hours * 60:,.0f} min ({speed})", after.key)
            )  # fmt: skip
    return sorted(found, key=lambda s: (s.at, s.event, s.what))


def country_doubts(events: Iterable[SigninEvent], policy: EndpointPolicy, since: datetime) -> list[str]:
    """Why "not from a denied country" cannot be told for these sign-ins, while
    `policy.endpoints.denied_countries` asks: a sign-in with no ISO country code, because the
    source named no country or a name its mapper could not map to a code (Okta names
    countries in English; `collectors.countries`)."""
    if not policy.denied_countries:
        return []
    unsure: dict[str, set[str]] = {}
    for e in events:
        if e.at >= since and e.event_type == "signin" and not (len(e.country) == 2 and e.country.isalpha()):
            unsure.setdefault(e.source, set()).add(e.country_name or e.country)
    doubts = []
    for source, names in sorted(unsure.items()):
        named = sorted(name for name in names if name)
        why = f" (no ISO code known for {', '.join(named)})" if named else ""
        doubts.append(
            f"{source} names no ISO country code for a sign-in{why}, so a denied country cannot be told"
        )
    return doubts


def log_doubts(
    person: Person, logs: list[SigninLog], since: datetime, now: datetime
) -> tuple[list[str], list[str]]:
    """(the identity sources with a sign-in log that this person signs in with, why their logs
    cannot back "no signal" from `since` to `now`): a source whose log was not collected, is
    incomplete, starts after `since`, ends more than LOG_DELAY_ALLOWED before `now`, or does
    not read entries its source logs (`SigninLog.not_read`). A log
    of the identity's own scope is preferred; with none, every log of its source must do."""
    sources = LOG_SOURCES | {log.source for log in logs}
    identities = [i for i in person.sign_in_identities if i.source in sources]
    doubts: list[str] = []
    for source in sorted({i.source for i in identities}):
        scopes = {i.scope for i in identities if i.source == source}
        mine = [log for log in logs if log.source == source and log.scope in scopes]
        chosen = mine or [log for log in logs if log.source == source]
        if not chosen:
            doubts.append(f"the {source} sign-in log is not collected")
        for log in chosen:
            if not log.complete:
                doubts.append(
                    f"the {source} sign-in log of {log.scope} is incomplete ({log.reason or 'no reason given'})"
                )
            elif log.covers_from > since:
                doubts.append(
                    f"the {source} sign-in log of {log.scope} covers only from {log.covers_from:%Y-%m-%d %H:%M} UTC"
                    + (f" ({log.reason})" if log.reason else "")
                )
            elif log.covers_to < now - LOG_DELAY_ALLOWED:
                doubts.append(
                    f"the {source} sign-in log of {log.scope} ends at {log.covers_to:%Y-%m-%d %H:%M} UTC: "
                    "nothing since is known"
                )
            if log.not_read:
                doubts.append(
                    f"the {source} sign-in log of {log.scope} does not read {'; '.join(log.not_read)}"
                )
    return sorted({i.source for i in identities}), doubts
