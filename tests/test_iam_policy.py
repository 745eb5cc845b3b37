"""`vaultward iam-policy`, and proof that it is enough: every AWS call a full collection of
the demo organisation makes (recorded with botocore event hooks) is a declared action."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from collectors import BUILTIN_COLLECTORS
from collectors.aws.session import AwsSessions
from demo.organisation import seed_demo_organisation
from vaultward.cli.iam_policy import PolicyError, aws_actions, iam_policy
from vaultward.cli.main import app
from vaultward.config.settings import parse_settings
from vaultward.contract.sdk import Problem

AWS_COLLECTORS = {c.name: c for c in BUILTIN_COLLECTORS if c.name.startswith("aws_")}


def record_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every API call of every client the collectors build, as an IAM action."""
    calls: list[str] = []
    original = AwsSessions.client

    def client(self, session, service, region=None):
        made = original(self, session, service, region)
        prefix = made.meta.service_model.signing_name  # cloudhsmv2 signs (and authorises) as cloudhsm

        def note(model, **_):
            calls.append(f"{prefix}:{model.name}")

        made.meta.events.register("before-call", note)
        return made

    monkeypatch.setattr(AwsSessions, "client", client)
    return calls


@pytest.mark.slow
def test_every_call_of_a_full_collection_is_declared(moto_endpoint, monkeypatch):
    org = seed_demo_organisation(moto_endpoint)
    settings = parse_settings(org.settings_dict())
    calls = record_calls(monkeypatch)
    made: dict[str, set[str]] = {}
    for name, collector_class in sorted(AWS_COLLECTORS.items()):
        calls.clear()
        collector = collector_class(settings)
        for scope in collector.scopes():
            for item in collector.collect(scope):
                assert not isinstance(item, Problem), (name, item)
        made[name] = set(calls)
        undeclared = set(calls) - set(collector_class.permissions)
        assert not undeclared, f"{name} calls undeclared actions: {sorted(undeclared)}"
    # The recording saw real work: each collector's core reads, not an empty run.
    assert {"iam:GetAccountAuthorizationDetails", "sts:AssumeRole"} <= made["aws_iam"]
    assert {"cloudhsm:DescribeClusters", "kms:ListKeys"} <= made["aws_custody"]
    assert {"ec2:DescribeNetworkAcls", "ec2:DescribeSecurityGroups"} <= made["aws_network"]
    assert {"cloudtrail:DescribeTrails", "guardduty:ListDetectors"} <= made["aws_detection"]
    assert "organizations:ListOrganizationalUnitsForParent" in made["aws_organization"]
    policy = iam_policy(settings, AWS_COLLECTORS)
    allowed = {
        a
        for s in policy["Statement"]
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert set().union(*made.values()) <= allowed


def test_policy_is_read_only_and_scopes_assume_role_to_the_audited_roles():
    settings = parse_settings(
        {
            "aws": {
                "accounts": [
                    {"role_arn": "arn:aws:iam::111111111111:role/VaultwardAudit"},
                    {"account_id": "222222222222"},
                ],
                "organizations": {"enabled": True, "role_name": "OrgAudit"},
            },
            "sources": {"aws_detection": {"enabled": False}},
        }
    )
    policy = iam_policy(settings, AWS_COLLECTORS)
    read, assume = policy["Statement"]
    assert read["Sid"] == "VaultwardReadOnly" and read["Resource"] == "*"
    assert "sts:AssumeRole" not in read["Action"]
    assert not [a for a in read["Action"] if a.startswith(("cloudtrail:", "guardduty:"))]  # disabled
    assert {"iam:GetAccountAuthorizationDetails", "ec2:DescribeNetworkAcls", "kms:DescribeKey"} <= set(
        read["Action"]
    )
    assert all(
        a.split(":")[1].startswith(("Describe", "List", "Get", "Search", "Generate")) for a in read["Action"]
    )
    assert assume == {
        "Sid": "VaultwardAssumeCollectorRoles",
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Resource": ["arn:aws:iam::111111111111:role/VaultwardAudit", "arn:aws:iam::*:role/OrgAudit"],
    }


def test_a_collector_declaring_a_write_is_refused():
    class Writer:
        permissions = ("ec2:DescribeVpcs", "ec2:DeleteVpc")

    with pytest.raises(PolicyError, match="collector writer: ec2:DeleteVpc is not a read-only action"):
        aws_actions({"writer": Writer}, ["writer"])


def test_cli_prints_the_policy_as_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAULTWARD_CONFIG", raising=False)
    result = CliRunner().invoke(app, ["iam-policy"])
    assert result.exit_code == 0, result.output
    policy = json.loads(result.stdout)
    assert policy["Version"] == "2012-10-17"
    # Built-in defaults: no role configured, so no AssumeRole statement, and SaaS scopes never appear.
    assert [s["Sid"] for s in policy["Statement"]] == ["VaultwardReadOnly"]
    assert all(":" in a and "/" not in a for a in policy["Statement"][0]["Action"])
