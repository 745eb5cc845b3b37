"""Okta System Log mapper from LogEvent objects shaped as Okta documents them
(https://developer.okta.com/docs/reference/api/system-log/#logevent-object; payloads/log_events.json
holds the page's own example event, verbatim, and a factor reset in the documented layout): every
event type asked for, every documented `outcome.result`, `securityContext.isProxy`, the
`device` object, and the debugData risk signals, plus unknown values (kept and flagged)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.okta import log_mapper
from vaultward.contract.records import SigninEvent

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def base() -> dict[str, Any]:
    """The documentation's example sign-in with its date made real (it says September 31st)."""
    event = copy.deepcopy(load("log_events.json")[0])
    event["published"] = "2017-09-30T22:23:07.777Z"
    return event


def mapped(event: dict[str, Any]) -> tuple[SigninEvent, list[str]]:
    record, problems = log_mapper.map_event(event)
    assert record is not None, problems
    return record, problems


def test_the_documented_example_event():
    record, problems = mapped(base())
    assert problems == []
    assert record == SigninEvent(
        key="okta:event:f790999f-fe87-467a-9880-6982a583986c",
        name="User login to Okta",
        source="okta",
        event_type="signin",
        vendor_event="user.session.start",
        user="admin@example.com",
        at=datetime(2017, 9, 30, 22, 23, 7, 777000, tzinfo=UTC),
        outcome="success",
        ip="12.97.85.90",
        device_id="guob5wtu7rBggkg9G1d7",
        device_managed=False,  # the documented device says managed: false
    )


def test_the_documented_example_verbatim_is_skipped_for_its_impossible_date():
    record, problems = log_mapper.map_event(load("log_events.json")[0])
    assert record is None
    assert problems == [
        "okta log event f790999f-fe87-467a-9880-6982a583986c (user.session.start): no uuid or "
        "published timestamp '2017-09-31T22:23:07.777Z', skipped"
    ]


def test_a_factor_reset_by_an_administrator():
    record, problems = mapped(load("log_events.json")[1])
    assert problems == []
    assert record == SigninEvent(
        key="okta:event:b9ab9263-a4ae-4780-9981-377ec8f2da86",
        name="Reset all factors for user",
        source="okta",
        event_type="factor_reset",
        vendor_event="user.mfa.factor.reset_all",
        user="jon@example.com",  # the User target, not the administrator
        actor="admin@example.com",
        at=datetime(2017, 9, 30, 22, 23, 7, 777000, tzinfo=UTC),
        outcome="success",
        ip="184.73.186.14",
        country="US",
        country_name="United States",
        city="Seattle",
        latitude=47.6062,
        longitude=-122.3321,
        anonymous_proxy=False,
    )


@pytest.mark.parametrize(
    ("vendor_event", "event_type"),
    [
        ("user.mfa.factor.activate", "factor_enrolled"),
        ("user.mfa.factor.deactivate", "factor_removed"),
        ("user.mfa.factor.reset_all", "factor_reset"),
    ],
)
def test_every_factor_change_names_its_target_and_drops_a_self_actor(vendor_event, event_type):
    event = base()
    event["eventType"] = vendor_event
    event["target"] = [
        {"id": "0oa1", "type": "AppInstance", "alternateId": "Workday"},
        {"id": "00u2", "type": "User", "alternateId": "admin@example.com"},
    ]
    record, _ = mapped(event)
    assert (record.event_type, record.user, record.actor) == (event_type, "admin@example.com", "")
    assert log_mapper.EVENT_TYPES == (
        "user.session.start",
        "user.mfa.factor.activate",
        "user.mfa.factor.deactivate",
        "user.mfa.factor.reset_all",
    )


@pytest.mark.parametrize(
    ("result", "event_type", "outcome"),
    [
        ("SUCCESS", "signin", "success"),
        ("ALLOW", "signin", "allow"),
        ("FAILURE", "signin_failed", "failure"),
        ("DENY", "signin_failed", "deny"),
        ("CHALLENGE", "signin_failed", "challenge"),
        ("SKIPPED", "signin", "skipped"),  # not said to have failed: a check must see it
        ("UNKNOWN", "signin", "unknown"),
    ],
)
def test_every_documented_outcome_of_a_sign_in(result, event_type, outcome):
    event = base()
    event["outcome"] = {"result": result, "reason": "VERIFICATION_ERROR" if result != "SUCCESS" else None}
    record, problems = mapped(event)
    assert (record.event_type, record.outcome, problems) == (event_type, outcome, [])
    assert record.name == (
        "User login to Okta" if result == "SUCCESS" else "User login to Okta (VERIFICATION_ERROR)"
    )


def test_an_undocumented_outcome_is_kept_as_a_sign_in_and_flagged():
    event = base()
    event["outcome"] = {"result": "MAYBE"}
    record, problems = mapped(event)
    assert (record.event_type, record.outcome) == ("signin", "other:MAYBE")
    assert record.anomalies == ["unknown outcome.result 'MAYBE'"]
    assert problems == [
        "okta log event f790999f-fe87-467a-9880-6982a583986c (user.session.start): unknown outcome.result 'MAYBE'"
    ]


@pytest.mark.parametrize(
    ("is_proxy", "expected", "anomalies"),
    [
        (True, True, []),
        (False, False, []),
        (None, None, []),  # Okta does not say: never False
        ("yes", None, ["securityContext.isProxy 'yes' is not a boolean"]),
    ],
)
def test_is_proxy(is_proxy, expected, anomalies):
    event = base()
    event["securityContext"] = {
        "asNumber": None,
        "asOrg": None,
        "isp": None,
        "domain": None,
        "isProxy": is_proxy,
    }
    record, _ = mapped(event)
    assert (record.anonymous_proxy, record.anomalies) == (expected, anomalies)


@pytest.mark.parametrize(
    ("device", "device_id", "managed", "anomalies"),
    [
        ({"id": "guo1", "name": "Mac", "managed": True}, "guo1", True, []),
        ({"id": "guo1", "name": "Mac", "managed": False}, "guo1", False, []),
        ({"id": "guo1", "name": "Mac", "managed": None}, "guo1", None, []),
        (None, "", None, []),  # a Classic org, or no registered device: not said
        ("laptop", "", None, ["device 'laptop' is not an object"]),
    ],
)
def test_the_device_object(device, device_id, managed, anomalies):
    event = base()
    event["device"] = device
    record, _ = mapped(event)
    assert (record.device_id, record.device_managed, record.anomalies) == (device_id, managed, anomalies)


@pytest.mark.parametrize(
    ("debug_data", "risks", "anomalies"),
    [
        ({"threatSuspected": "false"}, [], []),
        ({"threatSuspected": "true"}, ["threatsuspected"], []),
        ({"threatSuspected": "perhaps"}, [], ["threatSuspected 'perhaps' is neither true nor false"]),
        ({"risk": "{level=LOW}"}, [], []),
        ({"risk": "{reasons=Anomalous Location, level=MEDIUM}"}, ["risk level=medium"], []),
        ({"risk": "{reasons=Anomalous Device, level=HIGH}"}, ["risk level=high"], []),
        ({"risk": "{level=SEVERE}"}, ["risk level=other:severe"], ["risk '{level=SEVERE}': unknown level"]),
        (
            {
                "behaviors": "{New Geo-Location=POSITIVE, New Device=NEGATIVE, New IP=UNKNOWN, "
                "New State=BAD_REQUEST, New Country=NEGATIVE, Velocity=POSITIVE, New City=NEGATIVE}"
            },
            ["new geo-location=positive", "velocity=positive"],
            [],
        ),
        (
            {"behaviors": "{New IP=SOMETIMES}"},
            ["new ip=sometimes"],
            ["behavior 'New IP': unknown outcome 'SOMETIMES'"],
        ),
        ({"behaviors": "Normal Login"}, [], ["behaviors 'Normal Login' cannot be read"]),
        (
            {
                "logOnlySecurityData": json.dumps(
                    {
                        "risk": {"level": "HIGH"},
                        "behaviors": {"New Country": "POSITIVE", "New IP": "NEGATIVE"},
                    }
                )
            },
            ["new country=positive", "risk level=high"],
            [],
        ),
        ({"logOnlySecurityData": "{not json"}, [], ["logOnlySecurityData cannot be read"]),
    ],
)
def test_okta_risk_signals(debug_data, risks, anomalies):
    event = base()
    event["debugContext"] = {"debugData": {"requestUri": "/idp/idx/identify", **debug_data}}
    record, _ = mapped(event)
    assert (record.risks, record.anomalies) == (risks, anomalies)


def test_geography_as_okta_gives_it():
    event = base()
    event["client"]["geographicalContext"] = {
        "city": "Lisbon",
        "state": "Lisbon",
        "country": "Portugal",
        "postalCode": "1100",
        "geolocation": {"lat": 38.7223, "lon": "west"},
    }
    record, _ = mapped(event)
    assert (record.city, record.country, record.country_name, record.latitude, record.longitude) == (
        "Lisbon",
        "PT",
        "Portugal",
        38.7223,
        None,
    )
    assert record.anomalies == ["geolocation lon 'west' is not a number"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        # GeoIP English names, as Okta's geographicalContext gives them
        ("United States", "US"),
        ("Russia", "RU"),  # ISO's name is "Russian Federation"
        ("South Korea", "KR"),
        ("North Korea", "KP"),
        ("Iran", "IR"),
        ("Vietnam", "VN"),
        ("Taiwan", "TW"),
        ("Turkey", "TR"),
        ("Ivory Coast", "CI"),
        ("DR Congo", "CD"),
        ("Congo Republic", "CG"),
        ("Hong Kong", "HK"),
        ("Czechia", "CZ"),
        ("Republic of Korea", "KR"),  # a fuzzy match would say KP
        ("  united   kingdom ", "GB"),
    ],
)
def test_a_country_name_is_recorded_with_its_iso_code(name, code):
    event = base()
    event["client"]["geographicalContext"] = {"city": "Somewhere", "country": name}
    record, problems = mapped(event)
    assert (record.country, record.country_name, problems) == (code, name.strip(), [])


@pytest.mark.parametrize("name", ["Kosovo", "Atlantis", "Korea"])
def test_a_country_name_without_an_iso_code_stays_unknown(name):
    # Kosovo has no ISO 3166-1 code (GeoIP's "XK" is user-assigned); "Korea" is two countries
    event = base()
    event["client"]["geographicalContext"] = {"city": "Somewhere", "country": name}
    record, problems = mapped(event)
    assert (record.country, record.country_name) == ("", name)
    assert record.anomalies == [
        f"country {name!r} has no ISO 3166-1 code known: a denied country cannot be told"
    ]
    assert problems == [
        f"okta log event {record.key.split(':')[-1]} (user.session.start): {record.anomalies[0]}"
    ]


def test_no_country_is_no_code_and_no_anomaly():
    event = base()
    event["client"]["geographicalContext"] = {"city": None, "country": None}
    record, _ = mapped(event)
    assert (record.country, record.country_name, record.anomalies) == ("", "", [])


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"uuid": None}, "no uuid or published timestamp '2017-09-30T22:23:07.777Z', skipped"),
        ({"published": "yesterday"}, "no uuid or published timestamp 'yesterday', skipped"),
        (
            {"published": "2017-09-30T22:23:07"},
            "no uuid or published timestamp '2017-09-30T22:23:07', skipped",
        ),
        (
            {"actor": {"id": "00u1", "type": "User"}},
            "no user (actor or User target with an alternateId), skipped",
        ),
        (
            {"eventType": "user.mfa.factor.activate", "target": []},
            "no user (actor or User target with an alternateId), skipped",
        ),
        ({"eventType": "system.mfa.factor.deactivate"}, "an event type that was not asked for, skipped"),
    ],
)
def test_events_that_cannot_be_recorded_are_skipped_and_said(change, reason):
    event = {**base(), **change}
    record, problems = log_mapper.map_event(event)
    assert record is None
    assert len(problems) == 1 and problems[0].endswith(reason)


def test_the_filter_asks_only_for_the_event_types_mapped():
    assert log_mapper.event_filter() == (
        'eventType eq "user.session.start" or eventType eq "user.mfa.factor.activate" or '
        'eventType eq "user.mfa.factor.deactivate" or eventType eq "user.mfa.factor.reset_all"'
    )
