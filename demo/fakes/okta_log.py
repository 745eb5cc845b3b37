"""Acme Exchange's Okta System Log for the demo, dated from the demo's `now`: people signing in
from Zurich as usual; bob's factors reset by alice three days ago and a new factor enrolled
minutes later (the signer with a recently reset factor); mallory signing in through a Tor exit
(`isProxy`); alice signing in from Lisbon and, 40 minutes later, from Singapore (impossible
travel); and a sign-in older than the collector's default 14-day window, which it never asks for.
The org itself (people, factors, policies) is demo/fakes/okta_demo.py."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from demo.fakes.okta import okta_time


def user_id(login: str) -> str:
    """An Acme person's Okta user id (the org's users and its log's actors share it)."""
    local = login.split("@")[0].replace("-", "")
    return f"00u{local[:8]:0<8}acme00001"[:20]


# Where sign-ins come from: (city, state, country, postal code, lat, lon, IP, ISP, AS number)
PLACES: dict[str, tuple[str, str, str, str, float, float, str, str, int]] = {
    "zurich": ("Zurich", "Zurich", "Switzerland", "8001", 47.3769, 8.5417, "198.51.100.23", "Swisscom", 3303),
    "lisbon": ("Lisbon", "Lisbon", "Portugal", "1100", 38.7223, -9.1393, "203.0.113.71", "MEO", 3243),
    "singapore": ("Singapore", "", "Singapore", "018956", 1.3521, 103.8198, "203.0.113.140", "Singtel", 7473),
    # a Tor exit relay's address; Okta marks such requests isProxy
    "tor": (
        "Frankfurt am Main",
        "Hesse",
        "Germany",
        "60313",
        50.1109,
        8.6821,
        "192.0.2.66",
        "Tor exit",
        208323,
    ),
}
EVENT_NAMESPACE = uuid.UUID("6f1c2e8a-9e7b-41f1-a3c4-0b52d7e9f1a6")
NORMAL_BEHAVIORS = (
    "{New Geo-Location=NEGATIVE, New Device=NEGATIVE, New IP=NEGATIVE, New State=NEGATIVE, "
    "New Country=NEGATIVE, Velocity=NEGATIVE, New City=NEGATIVE}"
)


def event_uuid(n: int) -> str:
    return str(uuid.uuid5(EVENT_NAMESPACE, f"acme-event-{n}"))


def log_event(
    n: int,
    at: datetime,
    event_type: str,
    actor: str,
    result: str = "SUCCESS",
    *,
    target: str | None = None,
    place: str = "zurich",
    proxy: bool | None = False,
    debug: dict[str, str] | None = None,
    device: dict[str, Any] | None = None,
    reason: str | None = None,
) -> dict:
    """One LogEvent as the System Log API returns it
    (https://developer.okta.com/docs/reference/api/system-log/#logevent-object)."""
    city, state, country, postal, lat, lon, ip, isp, asn = PLACES[place]
    geo = {
        "city": city,
        "state": state,
        "country": country,
        "postalCode": postal,
        "geolocation": {"lat": lat, "lon": lon},
    }
    messages = {
        "user.session.start": ("User login to Okta", "core.user_auth.login_success"),
        "user.mfa.factor.activate": ("Activate factor for user", "core.user.factor.activate"),
        "user.mfa.factor.deactivate": ("Reset factor for user", "core.user.factor.deactivate"),
        "user.mfa.factor.reset_all": ("Reset all factors for user", "core.user.factor.reset_all"),
    }
    message, legacy = messages[event_type]
    if event_type == "user.session.start" and result == "FAILURE":
        legacy = "core.user_auth.login_failed"
    request_id = f"X{n:026d}"
    event: dict[str, Any] = {
        "uuid": event_uuid(n),
        "published": okta_time(at),
        "eventType": event_type,
        "version": "0",
        "severity": "INFO" if result == "SUCCESS" else "WARN",
        "legacyEventType": legacy,
        "displayMessage": message,
        "actor": {
            "id": user_id(actor),
            "type": "User",
            "alternateId": actor,
            "displayName": actor,
            "detailEntry": None,
        },
        "client": {
            "userAgent": {
                "rawUserAgent": "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6_1) AppleWebKit/605.1.15 Safari/605.1.15",
                "os": "Mac OS X",
                "browser": "SAFARI",
            },
            "zone": "null",
            "device": "Computer",
            "id": None,
            "ipAddress": ip,
            "geographicalContext": geo,
        },
        "device": device,
        "authenticationContext": {
            "authenticationProvider": None,
            "credentialProvider": None,
            "credentialType": None,
            "issuer": None,
            "interface": None,
            "authenticationStep": 0,
            "externalSessionId": f"102acme{n:018d}",
        },
        "outcome": {"result": result, "reason": reason},
        "securityContext": {"asNumber": asn, "asOrg": isp, "isp": isp, "domain": None, "isProxy": proxy},
        "debugContext": {
            "debugData": {
                "requestId": request_id,
                "requestUri": "/idp/idx/identify",
                "url": "/idp/idx/identify?",
                "threatSuspected": "false",
                **(debug or {}),
            }
        },
        "transaction": {"type": "WEB", "id": request_id, "detail": {}},
        "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V4", "source": None}]},
        "target": [],
    }
    if target is not None:
        event["target"] = [
            {
                "id": user_id(target),
                "type": "User",
                "alternateId": target,
                "displayName": target,
                "detailEntry": None,
            }
        ]
    return event


def _device(name: str, managed: bool) -> dict[str, Any]:
    """The LogEvent's `device` (Identity Engine: a device registered with Okta Verify)."""
    return {
        "id": f"guo1{name}"[:20].ljust(20, "0"),
        "name": "MacBookPro18,3",
        "os_platform": "OSX",
        "os_version": "14.6.1",
        "managed": managed,
        "registered": True,
        "device_integrator": None,
        "disk_encryption_type": "ALL_INTERNAL_VOLUMES",
        "screen_lock_type": "BIOMETRIC",
        "jailbreak": None,
        "secure_hardware_present": True,
    }


def acme_system_log(now: datetime) -> list[dict]:
    """Acme's System Log events, dated back from `now`, in the order Okta publishes them."""
    day = timedelta(days=1)
    alice, bob = "alice@acme.example", "bob@acme.example"
    normal = {"behaviors": NORMAL_BEHAVIORS, "risk": "{level=LOW}"}
    alice_mac, erin_mac = _device("alicemac", True), _device("erinmac", False)

    def signin(n: int, at: datetime, login: str, **fields: Any) -> dict:
        return log_event(n, at, "user.session.start", login, **{"debug": normal, **fields})

    events = [
        # older than the default 14-day window: never asked for
        signin(1, now - 20 * day, "dave@acme.example"),
        signin(2, now - 6 * day, alice, device=alice_mac),
        signin(3, now - 5 * day, "carol@acme.example"),
        signin(
            4,
            now - 5 * day + timedelta(minutes=3),
            "carol@acme.example",
            result="FAILURE",
            reason="INVALID_CREDENTIALS",
        ),
        signin(5, now - 4 * day, "erin@acme.example", device=erin_mac),
        # bob's factors reset by alice, and a new one enrolled minutes later
        log_event(6, now - 3 * day, "user.mfa.factor.reset_all", alice, target=bob, device=alice_mac),
        log_event(7, now - 3 * day + timedelta(minutes=12), "user.mfa.factor.activate", bob, target=bob),
        signin(8, now - 3 * day + timedelta(minutes=14), bob),
        # mallory through a Tor exit
        signin(
            9,
            now - 2 * day,
            "mallory@acme.example",
            place="tor",
            proxy=True,
            debug={
                "behaviors": "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE, "
                "New State=POSITIVE, New Country=POSITIVE, Velocity=NEGATIVE, New City=POSITIVE}",
                "risk": "{reasons=Anomalous Location, level=MEDIUM}",
            },
        ),
        signin(10, now - 2 * day + timedelta(hours=1), "grace@acme.example"),
        # alice in Lisbon, then 40 minutes later in Singapore
        signin(
            11,
            now - day,
            alice,
            place="lisbon",
            device=alice_mac,
            debug={
                "behaviors": "{New Geo-Location=POSITIVE, New Device=NEGATIVE, New IP=POSITIVE, "
                "New State=POSITIVE, New Country=POSITIVE, Velocity=NEGATIVE, New City=POSITIVE}",
                "risk": "{level=LOW}",
            },
        ),
        signin(
            12,
            now - day + timedelta(minutes=40),
            alice,
            place="singapore",
            device=None,
            debug={
                "behaviors": "{New Geo-Location=POSITIVE, New Device=POSITIVE, New IP=POSITIVE, "
                "New State=POSITIVE, New Country=POSITIVE, Velocity=POSITIVE, New City=POSITIVE}",
                "risk": "{reasons=Anomalous Geo-Distance, level=HIGH}",
                "threatSuspected": "true",
            },
        ),
        signin(13, now - timedelta(hours=20), "peggy@acme.example"),
        signin(14, now - timedelta(hours=6), bob),
        signin(15, now - timedelta(hours=2), alice, device=alice_mac),
    ]
    return sorted(events, key=lambda event: event["published"])
