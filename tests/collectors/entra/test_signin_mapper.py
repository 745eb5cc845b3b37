"""signin_mapper from Microsoft's own examples (payloads/sign_ins.json: List signIns v1.0,
payloads/directory_audits.json: List directoryAudits v1.0, learn.microsoft.com/graph/api/),
then every documented value of the fields it maps, table-driven."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from collectors.entra import signin_mapper
from collectors.entra.signin_mapper import Skipped, map_audit, map_sign_in
from vaultward.contract.records import SigninEvent

PAYLOADS = Path(__file__).parent / "payloads"
SIGN_IN = json.loads((PAYLOADS / "sign_ins.json").read_text())["value"][0]
AUDIT = json.loads((PAYLOADS / "directory_audits.json").read_text())["value"][0]


def sign_in(**changes: Any) -> dict[str, Any]:
    row = copy.deepcopy(SIGN_IN)
    row.update(changes)
    return row


def audit(activity: str, **changes: Any) -> dict[str, Any]:
    row = copy.deepcopy(AUDIT)
    row.update({"activityDisplayName": activity, "loggedByService": "Authentication Methods", **changes})
    return row


def test_microsofts_sign_in_example():
    assert map_sign_in(SIGN_IN) == SigninEvent(
        key="entra:event:66ea54eb-6301-4ee5-be62-ff5a759b0100",
        name="testaccount1@contoso.com sign-in",
        source="entra",
        event_type="signin",
        vendor_event="signIn",
        user="testaccount1@contoso.com",
        at=datetime(2020, 3, 13, 19, 15, 41, 619583, tzinfo=UTC),
        outcome="success",
        ip="131.107.159.37",
        country="US",
        city="Redmond",
        latitude=47.68050003051758,
        longitude=-122.12094116210938,
        anonymous_proxy=None,  # no detection is not a clean bill: Identity Protection may not run
        risks=[],
        device_id="",
        device_managed=None,  # isManaged and isCompliant null: the log does not say
        anomalies=[],
    )


@pytest.mark.parametrize(
    ("status", "event_type", "outcome", "anomalies"),
    [
        ({"errorCode": 0, "failureReason": None}, "signin", "success", []),
        (
            {
                "errorCode": 50126,
                "failureReason": "Error validating credentials due to invalid username or password.",
            },
            "signin_failed",
            "failure: 50126 Error validating credentials due to invalid username or password.",
            [],
        ),
        ({"errorCode": 50074, "failureReason": None}, "signin_failed", "failure: 50074", []),
        # No code: an attempt whose result is not said stays a sign-in (never hides a signal)
        ({"errorCode": None}, "signin", "other:None", ["status.errorCode:None"]),
        ({"errorCode": "0"}, "signin", "other:0", ["status.errorCode:0"]),
        (None, "signin", "other:None", ["status.errorCode:None"]),
    ],
)
def test_status_error_code(status, event_type, outcome, anomalies):
    event = map_sign_in(sign_in(status=status))
    assert (event.event_type, event.outcome, event.anomalies) == (event_type, outcome, anomalies)


DOCUMENTED_RISKS = [
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
]


@pytest.mark.parametrize("risk", DOCUMENTED_RISKS)
def test_every_documented_risk_event_type_is_kept_lower_case(risk):
    event = map_sign_in(sign_in(riskEventTypes_v2=[risk]))
    assert event.risks == [risk.lower()] and event.anomalies == []
    assert event.anonymous_proxy is (True if risk == "anonymizedIPAddress" else None)


def test_an_undocumented_risk_is_kept_and_named():
    event = map_sign_in(sign_in(riskEventTypes_v2=["impossibleTravel", "anonymizedIPAddress"]))
    assert event.risks == ["impossibletravel", "anonymizedipaddress"]
    assert event.anomalies == ["riskEventTypes_v2:impossibleTravel"]
    assert event.anonymous_proxy is True


@pytest.mark.parametrize(
    ("risks", "anomalies"),
    [(None, []), ([], []), ("anonymizedIPAddress", ["riskEventTypes_v2:anonymizedIPAddress"])],
)
def test_risk_list_shapes(risks, anomalies):
    event = map_sign_in(sign_in(riskEventTypes_v2=risks))
    assert (event.risks, event.anonymous_proxy, event.anomalies) == ([], None, anomalies)


@pytest.mark.parametrize("level", ["none", "low", "medium", "high", "hidden", "unknownFutureValue", None])
def test_every_documented_risk_level_is_accepted(level):
    assert map_sign_in(sign_in(riskLevelDuringSignIn=level)).anomalies == []


def test_an_unknown_risk_level_is_an_anomaly():
    assert map_sign_in(sign_in(riskLevelDuringSignIn="critical")).anomalies == [
        "riskLevelDuringSignIn:critical"
    ]


@pytest.mark.parametrize(
    ("is_managed", "is_compliant", "managed", "anomalies"),
    [
        (True, True, True, []),
        (True, False, True, []),
        (True, None, True, []),
        (False, False, False, []),
        (False, None, False, []),
        (False, True, False, []),  # isManaged says it; compliance does not override it
        (None, True, True, []),  # compliant: Intune judged it, so it is managed
        (None, False, None, []),
        (None, None, None, []),
        ("yes", None, None, ["deviceDetail.isManaged:yes"]),
    ],
)
def test_device_managed(is_managed, is_compliant, managed, anomalies):
    device = {
        **SIGN_IN["deviceDetail"],
        "deviceId": "dev-1",
        "isManaged": is_managed,
        "isCompliant": is_compliant,
    }
    event = map_sign_in(sign_in(deviceDetail=device))
    assert (event.device_id, event.device_managed, event.anomalies) == ("dev-1", managed, anomalies)


def test_missing_location_and_device_say_nothing():
    event = map_sign_in(sign_in(location=None, deviceDetail=None, ipAddress=None))
    assert (event.country, event.city, event.latitude, event.longitude, event.ip) == ("", "", None, None, "")
    assert event.device_managed is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "without an id"),
        ({"id": ""}, "without an id"),
        ({"createdDateTime": "yesterday"}, "no valid createdDateTime"),
        ({"createdDateTime": "2020-03-13T19:15:41"}, "no time zone"),
        ({"userPrincipalName": None}, "names no userPrincipalName"),
    ],
)
def test_a_sign_in_that_cannot_be_recorded_is_skipped(changes, message):
    with pytest.raises(Skipped, match=message):
        map_sign_in(sign_in(**changes))


def test_microsofts_audit_example_shape_as_a_security_info_registration():
    # Microsoft's example lists a group first and the user second
    event = map_audit(audit("User registered security info"))
    assert event == SigninEvent(
        key="entra:event:id",
        name="bob@contoso.com User registered security info",
        source="entra",
        event_type="factor_enrolled",
        vendor_event="User registered security info",
        user="bob@contoso.com",
        actor="bob@wingtiptoysonline.com",
        at=datetime(2018, 1, 9, 21, 20, 2, 721537, tzinfo=UTC),
        outcome="success",
        ip="127.0.0.1",
        anomalies=[],
    )


@pytest.mark.parametrize(
    ("activity", "event_type"),
    [
        ("User registered security info", "factor_enrolled"),
        ("Admin registered security info", "factor_enrolled"),
        ("User deleted security info", "factor_removed"),
        ("Admin deleted security info", "factor_removed"),
        ("User updated security info", "factor_reset"),
        ("Admin updated security info", "factor_reset"),
        ("User changed default security info", "factor_reset"),
    ],
)
def test_every_documented_factor_change(activity, event_type):
    event = map_audit(audit(activity))
    assert event is not None and (event.event_type, event.vendor_event, event.anomalies) == (
        event_type,
        activity,
        [],
    )


@pytest.mark.parametrize("activity", sorted(signin_mapper.NOT_FACTOR_CHANGES))
def test_documented_activities_that_change_no_factor_are_skipped(activity):
    assert map_audit(audit(activity)) is None


def test_microsoft_writes_one_activity_in_lower_case():
    assert map_audit(audit("user started password reset")) is None


def test_an_unknown_activity_is_kept_as_a_factor_change_with_an_anomaly():
    event = map_audit(audit("User registered passkey in Authenticator"))
    assert event is not None and event.event_type == "factor_reset"
    assert event.vendor_event == "User registered passkey in Authenticator"
    assert event.anomalies == ["activityDisplayName:User registered passkey in Authenticator"]


@pytest.mark.parametrize(
    ("result", "outcome", "anomalies"),
    [
        ("success", "success", []),
        ("failure", "failure", []),
        ("timeout", "timeout", []),
        ("unknownFutureValue", "unknownFutureValue", []),
        ("partial", "other:partial", ["result:partial"]),
    ],
)
def test_every_documented_audit_result(result, outcome, anomalies):
    event = map_audit(audit("User registered security info", result=result))
    assert event is not None and (event.outcome, event.anomalies) == (outcome, anomalies)


def test_the_actor_is_empty_when_users_change_their_own_and_an_app_is_named():
    own = audit("User registered security info")
    own["initiatedBy"]["user"]["userPrincipalName"] = "Bob@Contoso.com"
    assert map_audit(own).actor == ""
    by_app = audit(
        "Admin deleted security info", initiatedBy={"user": None, "app": {"displayName": "Helpdesk"}}
    )
    assert (map_audit(by_app).actor, map_audit(by_app).ip) == ("Helpdesk", "")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"id": None}, "without an id"),
        ({"activityDateTime": None}, "no valid activityDateTime"),
        ({"targetResources": []}, "names no target user"),
        ({"targetResources": None}, "names no target user"),
    ],
)
def test_an_audit_entry_that_cannot_be_recorded_is_skipped(changes, message):
    with pytest.raises(Skipped, match=message):
        map_audit(audit("User deleted security info", **changes))
