"""IAM mapper from captured payloads (moto 5.2, plus a hand-shaped `<root_account>` row)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from collectors.aws import iam_mapper
from tests.collectors.aws.payloads import load
from vaultward.config.policy import ZoneRules
from vaultward.contract.records import AccessKey, CloudAccount, Identity
from vaultward.derived.zones import Zones

ACCOUNT = "123456789012"
CREATED = datetime(2026, 11, 24, 0, 17, 20, tzinfo=UTC)


def arn(user: str) -> str:
    return f"arn:aws:iam::{ACCOUNT}:user/{user}"


@pytest.fixture
def report() -> list[dict[str, str]]:
    return iam_mapper.parse_credential_report(load("iam_credential_report.csv").encode())


def serials() -> dict[str, list[str]]:
    devices = load("iam_mfa_devices.json")
    return {user: [d["SerialNumber"] for d in page["MFADevices"]] for user, page in devices.items()}


def test_users_map_to_identities_and_access_keys(report):
    records = iam_mapper.map_users(ACCOUNT, report, load("iam_authorization_details.json"), serials())
    identities = {r.key: r for r in records if isinstance(r, Identity)}
    keys = [r for r in records if isinstance(r, AccessKey)]

    def person(name, **fields):
        values = dict(
            key=arn(name),
            name=name,
            source="aws_iam",
            account=ACCOUNT,
            person=True,
            privileged=False,
            privileged_via=[],
            console_access=True,
            mfa_enrolled=True,
            created_at=CREATED,
            last_used_at=None,
            programmatic_access=False,
        )
        values.update(fields)
        values.setdefault("full_admin", values["privileged"])  # every route grants * on *
        return Identity(**values)

    assert identities == {
        arn("alice"): person(
            "alice",
            privileged=True,
            privileged_via=["group:Admins/AdministratorAccess"],
            factor_kinds=["virtual"],
        ),
        arn("bob"): person("bob", privileged=True, privileged_via=["inline:user/full"], mfa_enrolled=False),
        arn("carol"): person(
            "carol",
            privileged=True,
            privileged_via=["group:Ops/inline:ops-all"],
            factor_kinds=["hardware_totp"],
        ),
        arn("dave"): person(
            "dave", privileged=True, privileged_via=["attached:StarStar"], factor_kinds=["u2f"]
        ),
        arn("erin"): person("erin", factor_kinds=["virtual"]),
        # No console password, no MFA device, active access keys: facts only; vaultward.derived.people
        # calls it a machine (IAM itself does not say).
        arn("ci-deploy"): person(
            "ci-deploy",
            console_access=False,
            programmatic_access=True,
            mfa_enrolled=False,
            last_used_at=datetime(2026, 7, 27, 0, 17, 20, tzinfo=UTC),
        ),
    }
    assert keys == [
        AccessKey(
            key=f"{arn('ci-deploy')}#access_key_1",
            name="ci-deploy access key 1",
            source="aws_iam",
            account=ACCOUNT,
            identity=arn("ci-deploy"),
            active=True,
            created_at=datetime(2026, 5, 8, 0, 17, 20, tzinfo=UTC),
            last_used_at=datetime(2026, 7, 27, 0, 17, 20, tzinfo=UTC),
        ),
        AccessKey(
            key=f"{arn('ci-deploy')}#access_key_2",
            name="ci-deploy access key 2",
            source="aws_iam",
            account=ACCOUNT,
            identity=arn("ci-deploy"),
            active=True,
            created_at=CREATED,
            last_used_at=None,
        ),
    ]
    # The key id never reaches a record.
    assert "AKIA" not in repr(records)


def test_account_reads_root_row_when_summary_says_nothing(report):
    summary = load("iam_account_summary.json")["SummaryMap"]
    assert summary["AccountMFAEnabled"] == 0  # moto 5.2 always says 0
    account = iam_mapper.map_account(ACCOUNT, summary, report, ["acme-prod"])
    assert account == CloudAccount(
        key=f"aws:{ACCOUNT}",
        name="acme-prod",
        account_id=ACCOUNT,
        alias="acme-prod",
        root_mfa_enabled=True,
        root_access_keys_present=True,
    )
    # The mapper records the account id; its zone is derived under the policy at evaluation.
    assert Zones(ZoneRules(production_accounts=[ACCOUNT])).account(account) == "production"


def test_account_from_summary_alone():
    summary = {"AccountMFAEnabled": 1, "AccountAccessKeysPresent": 0}
    account = iam_mapper.map_account(ACCOUNT, summary, [], [])
    assert account == CloudAccount(
        key=f"aws:{ACCOUNT}",
        name=ACCOUNT,
        account_id=ACCOUNT,
        root_mfa_enabled=True,
        root_access_keys_present=False,
    )
    assert Zones(ZoneRules(corporate_accounts=[ACCOUNT])).account(account) == "corporate"
    assert Zones(ZoneRules()).account(iam_mapper.map_account(ACCOUNT, {}, [], [])) == "unknown"


@pytest.mark.parametrize(
    ("serial", "kind"),
    [
        ("arn:aws:iam::123456789012:mfa/alice", "virtual"),
        ("arn:aws:iam::123456789012:u2f/user/dave/fidosecuritykey-X", "u2f"),
        ("GAHT12345678", "hardware_totp"),
    ],
)
def test_factor_kind(serial, kind):
    assert iam_mapper.factor_kind(serial) == kind


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}, True),
        ({"Statement": [{"Effect": "Allow", "Action": ["s3:*", "*:*"], "Resource": ["*"]}]}, True),
        ({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "arn:aws:s3:::b"}]}, False),
        ({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"}]}, False),
        ({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}, False),
        # The wire format: URL-encoded JSON.
        (
            "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C"
            "%22Resource%22%3A%22%2A%22%7D%7D",
            True,
        ),
    ],
)
def test_allows_everything(document, expected):
    assert iam_mapper.allows_everything(document) is expected


@pytest.mark.parametrize("value", ["N/A", "no_information", "not_supported", "", None])
def test_report_placeholders_are_none(value):
    assert iam_mapper.parse_time(value) is None
