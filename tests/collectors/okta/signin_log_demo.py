"""The records the Okta collector must make of the demo org's System Log
(demo/fakes/okta_demo.py), written out by hand from the events the fake serves: which
person, what Okta said, where from, and what it flagged."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from demo.fakes.okta_demo import event_uuid
from vaultward.contract.records import SigninEvent, SigninLog

ZURICH = dict(
    ip="198.51.100.23",
    country="CH",
    country_name="Switzerland",
    city="Zurich",
    latitude=47.3769,
    longitude=8.5417,
)
ALICE_MAC = dict(device_id="guo1alicemac00000000", device_managed=True)
EVENT_TYPES = [
    "user.session.start",
    "user.mfa.factor.activate",
    "user.mfa.factor.deactivate",
    "user.mfa.factor.reset_all",
]
DAY = timedelta(days=1)


def signin_records(account: str, now: datetime) -> list[SigninEvent | SigninLog]:
    scope = f"okta:{account}"

    def event(n: int, ago: timedelta, user: str, **fields: Any) -> SigninEvent:
        values: dict[str, Any] = dict(
            key=f"okta:event:{event_uuid(n)}",
            name="User login to Okta",
            scope=scope,
            source="okta",
            event_type="signin",
            vendor_event="user.session.start",
            user=user,
            at=now - ago,
            outcome="success",
            anonymous_proxy=False,
            **ZURICH,
        )
        values.update(fields)
        return SigninEvent(**values)

    every = ["new city=positive", "new country=positive", "new geo-location=positive", "new ip=positive"]
    return [
        # event 1 (dave, 20 days ago) is older than the 14-day window: never asked for
        event(2, 6 * DAY, "alice@acme.example", **ALICE_MAC),
        event(3, 5 * DAY, "carol@acme.example"),
        event(
            4,
            5 * DAY - timedelta(minutes=3),
            "carol@acme.example",
            event_type="signin_failed",
            outcome="failure",
            name="User login to Okta (INVALID_CREDENTIALS)",
        ),
        event(5, 4 * DAY, "erin@acme.example", device_id="guo1erinmac000000000", device_managed=False),
        event(
            6,
            3 * DAY,
            "bob@acme.example",
            actor="alice@acme.example",  # alice reset bob's factors
            event_type="factor_reset",
            vendor_event="user.mfa.factor.reset_all",
            name="Reset all factors for user",
            **ALICE_MAC,
        ),
        event(
            7,
            3 * DAY - timedelta(minutes=12),
            "bob@acme.example",
            event_type="factor_enrolled",
            vendor_event="user.mfa.factor.activate",
            name="Activate factor for user",
        ),
        event(8, 3 * DAY - timedelta(minutes=14), "bob@acme.example"),
        event(
            9,
            2 * DAY,
            "mallory@acme.example",
            ip="192.0.2.66",
            country="DE",
            country_name="Germany",
            city="Frankfurt am Main",
            latitude=50.1109,
            longitude=8.6821,
            anonymous_proxy=True,  # a Tor exit
            risks=sorted([*every, "new device=positive", "new state=positive", "risk level=medium"]),
        ),
        event(10, 2 * DAY - timedelta(hours=1), "grace@acme.example"),
        event(
            11,
            DAY,
            "alice@acme.example",
            ip="203.0.113.71",
            country="PT",
            country_name="Portugal",
            city="Lisbon",
            latitude=38.7223,
            longitude=-9.1393,
            risks=sorted([*every, "new state=positive"]),
            **ALICE_MAC,
        ),
        event(  # 40 minutes after Lisbon: impossible travel, and Okta says so
            12,
            DAY - timedelta(minutes=40),
            "alice@acme.example",
            ip="203.0.113.140",
            country="SG",
            country_name="Singapore",
            city="Singapore",
            latitude=1.3521,
            longitude=103.8198,
            risks=sorted(
                [
                    *every,
                    "new device=positive",
                    "new state=positive",
                    "risk level=high",
                    "threatsuspected",
                    "velocity=positive",
                ]
            ),
        ),
        event(13, timedelta(hours=20), "peggy@acme.example"),
        event(14, timedelta(hours=6), "bob@acme.example"),
        event(15, timedelta(hours=2), "alice@acme.example", **ALICE_MAC),
        SigninLog(
            key=f"okta:signin_log:{account}",
            name=f"Okta System Log of {account}",
            scope=scope,
            source="okta",
            covers_from=now - 14 * DAY,
            covers_to=now,
            events_read=14,
            event_types=EVENT_TYPES,
        ),
    ]
