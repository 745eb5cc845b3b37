"""The three AWS collectors end to end against moto: in-process (`mock_aws`) and a
ThreadedMotoServer on loopback, over four accounts reached through sts:AssumeRole into
OrganizationAccountAccessRole (moto 5 maps assumed-role credentials to the role's account).

moto 5.2 gaps filled by seeding its in-process backends (demo/): root MFA
(`AccountMFAEnabled` is always 0), HSMs in a cluster (no `create_hsm`), back-dated access
keys, a static transit-gateway route's attachments, AdministratorAccess. moto enforces no
IAM, so denials are injected with botocore `before-call` event hooks on the collectors'
clients, as said in each test.
"""

from __future__ import annotations

import pytest

from collectors import BUILTIN_COLLECTORS
from collectors.aws import AwsCustodyCollector, AwsIamCollector, AwsNetworkCollector
from collectors.aws.session import CollectionError
from tests.aws_faults import deny
from tests.collectors.aws import exact_org as expected
from vaultward.config.settings import parse_settings
from vaultward.contract.records import HsmCluster, Identity, NetworkAcl, NetworkPath, Record, Vpc
from vaultward.contract.sdk import Problem
from vaultward.derived.zones import Zones


def settings_for(org, **aws_overrides):
    data = org.settings_dict()
    data["aws"].update(aws_overrides)
    return parse_settings(data)


def collect(collector, scope) -> tuple[list[Record], list[Problem]]:
    items = list(collector.collect(scope))
    return [i for i in items if isinstance(i, Record)], [i for i in items if isinstance(i, Problem)]


def test_aws_collectors_declare_their_contract():
    aws = [AwsIamCollector, AwsCustodyCollector, AwsNetworkCollector]
    assert all(collector in BUILTIN_COLLECTORS for collector in aws)
    assert [c.name for c in aws] == ["aws_iam", "aws_custody", "aws_network"]
    for collector in aws:
        assert collector.title and collector.produces and collector.enabled_by_default
        assert "sts:AssumeRole" in collector.permissions
        assert all(":" in p for p in collector.permissions)


@pytest.mark.parametrize(
    ("collector_class", "expected_records"),
    [
        (AwsIamCollector, expected.iam_records),
        (AwsCustodyCollector, expected.custody_records),
        (AwsNetworkCollector, expected.network_records),
    ],
    ids=["aws_iam", "aws_custody", "aws_network"],
)
def test_collects_exact_organisation(exact_org, collector_class, expected_records):
    assert exact_org.backend_seeded
    collector = collector_class(settings_for(exact_org))
    wanted = expected_records(exact_org)
    scopes = collector.scopes()
    assert [s.id for s in scopes] == list(wanted)
    for scope in scopes:
        records, problems = collect(collector, scope)
        assert problems == []
        assert all(r.scope == scope.id for r in records)
        assert expected.comparable(records) == expected.comparable(wanted[scope.id]), scope.id


def test_zones_of_the_exact_organisation(exact_org):
    """The network collector records observations; the zones are derived from them under the
    organisation's policy: each VPC's, and each ACL's (its VPC's)."""
    settings = settings_for(exact_org)
    collector = AwsNetworkCollector(settings)
    records = [r for scope in collector.scopes() for r in collect(collector, scope)[0]]
    zones = Zones(settings.policy.zones, [r for r in records if isinstance(r, Vpc)])
    assert {vpc: zones.vpc(zones.vpcs[vpc]) for vpc in zones.vpcs} == expected.network_zones(exact_org)
    wanted = {
        acl.key: zones.vpc(zones.vpcs[acl.vpc_id]).zone
        for acl in records
        if isinstance(acl, NetworkAcl) and acl.vpc_id in zones.vpcs
    }
    assert {acl.key: zones.acl(acl) for acl in records if isinstance(acl, NetworkAcl)} == wanted
    assert sorted(set(wanted.values())) == ["corporate", "production", "unknown"]
    # And each network path's zones, from and to.
    paths = {r.key: zones.path(r) for r in records if isinstance(r, NetworkPath)}
    assert paths == expected.path_zones(exact_org)


def test_scope_ids_and_params(exact_org):
    accounts = exact_org.all_accounts
    iam = AwsIamCollector(settings_for(exact_org))
    network = AwsNetworkCollector(settings_for(exact_org, regions=["us-east-1", "eu-west-1"]))
    assert [s.id for s in iam.scopes()] == [f"aws:{a}" for a in accounts]
    assert [s.id for s in network.scopes()] == [
        f"aws:{a}/{r}" for a in accounts for r in ("us-east-1", "eu-west-1")
    ]
    prod = exact_org.accounts["production"]
    [scope] = [s for s in iam.scopes() if s.id == f"aws:{prod}"]
    assert scope.params["role_arn"] == f"arn:aws:iam::{prod}:role/OrganizationAccountAccessRole"
    # The caller's own (management) account is not assumed into.
    assert iam.scopes()[0].params["role_arn"] is None


def test_named_accounts_and_exclusions(exact_org):
    named = parse_settings(exact_org.settings_dict(discovery="accounts"))
    assert [s.id for s in AwsIamCollector(named).scopes()] == [f"aws:{a}" for a in exact_org.all_accounts]
    data = exact_org.settings_dict()
    data["aws"]["organizations"]["exclude_accounts"] = [exact_org.accounts["corporate"]]
    scopes = AwsIamCollector(parse_settings(data)).scopes()
    assert exact_org.accounts["corporate"] not in {s.params["account_id"] for s in scopes}
    assert len(scopes) == 3


def test_denied_assume_role_fails_that_scope_only(exact_org, monkeypatch):
    corp = exact_org.accounts["corporate"]
    role = f"arn:aws:iam::{corp}:role/OrganizationAccountAccessRole"
    # Injected: moto would let any AssumeRole through.
    deny(monkeypatch, "before-call.sts.AssumeRole", lambda params: params["RoleArn"] == role)
    collector = AwsIamCollector(settings_for(exact_org))
    wanted = expected.iam_records(exact_org)
    for scope in collector.scopes():
        if scope.params["account_id"] == corp:
            with pytest.raises(CollectionError) as raised:
                list(collector.collect(scope))
            assert str(raised.value) == (
                f"aws:{corp}: sts:AssumeRole into {role} failed: AccessDenied: "
                "User is not authorized to perform this action (injected by the test)"
            )
        else:
            records, problems = collect(collector, scope)
            assert problems == []
            assert expected.comparable(records) == expected.comparable(wanted[scope.id])


def test_denied_core_call_fails_the_scope(exact_org, monkeypatch):
    deny(monkeypatch, "before-call.ec2.DescribeVpcs", lambda params: True)  # injected
    collector = AwsNetworkCollector(settings_for(exact_org))
    scope = collector.scopes()[1]
    with pytest.raises(CollectionError, match=rf"^{scope.id}: ec2:DescribeVpcs failed: AccessDenied"):
        list(collector.collect(scope))


def test_denied_mfa_listing_is_a_problem_not_a_failure(exact_org, monkeypatch):
    prod = exact_org.accounts["production"]
    # Injected: one user's ListMFADevices is denied.
    deny(monkeypatch, "before-call.iam.ListMFADevices", lambda params: params["UserName"] == "alice")
    collector = AwsIamCollector(settings_for(exact_org))
    [scope] = [s for s in collector.scopes() if s.id == f"aws:{prod}"]
    records, problems = collect(collector, scope)
    assert problems == [
        Problem(
            f"aws:{prod}: iam:ListMFADevices for user alice failed: AccessDenied: "
            "User is not authorized to perform this action (injected by the test)",
            ("identity",),
        )
    ]
    [alice] = [r for r in records if isinstance(r, Identity) and r.name == "alice"]
    assert (alice.mfa_enrolled, alice.factor_kinds) == (True, [])


def test_denied_key_tags_leave_the_key_and_report_a_gap(exact_org, monkeypatch):
    custody = exact_org.accounts["custody"]
    deny(monkeypatch, "before-call.kms.ListResourceTags", lambda params: True)  # injected
    collector = AwsCustodyCollector(settings_for(exact_org))
    [scope] = [s for s in collector.scopes() if s.params["account_id"] == custody]
    records, problems = collect(collector, scope)
    assert len(problems) == 3  # one per customer-managed key
    assert all(p.reason.startswith(f"{scope.id}: kms:ListResourceTags for key ") for p in problems)
    assert sorted(r.key for r in records if r.kind == "custody.key") == sorted(
        exact_org.resources[f"kms:{a}"] for a in ("hot-wallet-signer", "imported-signer", "backup-encryption")
    )
    assert all(r.tags == {} for r in records if r.kind == "custody.key")


def test_denied_network_acls_leave_the_other_network_facts(exact_org, monkeypatch):
    deny(monkeypatch, "before-call.ec2.DescribeNetworkAcls", lambda params: True)  # injected
    collector = AwsNetworkCollector(settings_for(exact_org))
    wanted = expected.network_records(exact_org)
    scope = collector.scopes()[1]
    records, problems = collect(collector, scope)
    assert problems == [
        Problem(
            f"{scope.id}: ec2:DescribeNetworkAcls for the region failed: AccessDenied: "
            "User is not authorized to perform this action (injected by the test)",
            ("network.acl",),
        )
    ]
    assert expected.comparable(records) == expected.comparable(
        [r for r in wanted[scope.id] if not isinstance(r, NetworkAcl)]
    )


def test_denied_hsm_security_group_leaves_the_cluster_with_unknown_sources(exact_org, monkeypatch):
    group = exact_org.resources["sg:cloudhsm-signing-hsm"]
    # Injected: only the HSM group's read is refused.
    deny(
        monkeypatch,
        "before-call.ec2.DescribeSecurityGroups",
        lambda params: params.get("GroupIds") == [group],
    )
    collector = AwsCustodyCollector(settings_for(exact_org))
    [scope] = [s for s in collector.scopes() if s.params["account_id"] == exact_org.accounts["custody"]]
    records, problems = collect(collector, scope)
    assert problems == [
        Problem(
            f"{scope.id}: ec2:DescribeSecurityGroups for HSM security group {group} failed: AccessDenied: "
            "User is not authorized to perform this action (injected by the test)",
            ("custody.hsm_cluster",),
        )
    ]
    [cluster] = [r for r in records if isinstance(r, HsmCluster)]
    assert (cluster.security_group, cluster.ingress) == (group, None)


def test_account_id_without_a_role_must_be_the_callers_own(exact_org):
    """A named account with no role is collected with the base credentials only if they are
    that account's: otherwise its facts would be another account's under its id."""
    data = exact_org.settings_dict(discovery="accounts")
    data["aws"]["accounts"] = [{"account_id": exact_org.accounts["production"]}]
    collector = AwsIamCollector(parse_settings(data))
    [scope] = collector.scopes()
    with pytest.raises(CollectionError) as error:
        list(collector.collect(scope))
    assert str(error.value) == (
        f"aws:{exact_org.accounts['production']}: the credentials belong to account "
        f"{exact_org.management_account}, not {exact_org.accounts['production']}; give role_arn to assume a role in it"
    )
