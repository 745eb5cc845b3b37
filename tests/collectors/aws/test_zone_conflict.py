"""Regression (issue 15, "contradictions are shown"): a VPC tagged env=corp in an account
listed under `production_accounts`, peered with a production VPC.

The account rule used to win silently: the VPC became production, the peering looked
production to production, and both VPCs passed `no_corporate_production_path`. Now both
rules are recorded, the VPC is a zone conflict judged under both zones (the peering fails),
`zone_classification_consistent` fails it, and `vaultward evaluate` prints the conflict. The
real collector runs unchanged against moto's in-process EC2, then `vaultward collect` and
`vaultward evaluate` run as a user runs them against a moto server on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import boto3
import pytest

from checks.segmentation.no_corporate_production_path import no_corporate_production_path
from checks.segmentation.zone_classification_consistent import zone_classification_consistent
from collectors.aws import AwsIamCollector, AwsNetworkCollector
from tests.checks.run import run
from vaultward.config.settings import parse_settings
from vaultward.contract.records import Record, Vpc
from vaultward.derived.zones import Zones

ACCOUNT, REGION = "123456789012", "us-east-1"  # moto's default account: no role is assumed
ZONES = {"production_accounts": [ACCOUNT], "corporate_tags": {"env": ["corp"]}}
CONFLICT = f"account {ACCOUNT} says production, tag env=corp says corporate"
ALIAS = "acme-payments"
NAMED = f'account "{ALIAS}" ({ACCOUNT})'  # as findings name it once the IAM facts are collected


def _seed(endpoint_url: str | None = None) -> tuple[str, str, str]:
    """The corporate-tagged VPC, the production VPC and the active peering between them, in
    an account whose IAM alias names it."""
    boto3.client("iam", endpoint_url=endpoint_url).create_account_alias(AccountAlias=ALIAS)
    ec2 = boto3.client("ec2", region_name=REGION, endpoint_url=endpoint_url)
    corp = ec2.create_vpc(
        CidrBlock="10.20.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "env", "Value": "corp"}]}],
    )["Vpc"]["VpcId"]
    prod = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    peering = ec2.create_vpc_peering_connection(VpcId=corp, PeerVpcId=prod)["VpcPeeringConnection"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering["VpcPeeringConnectionId"])
    return corp, prod, peering["VpcPeeringConnectionId"]


def test_the_peering_fails_and_the_conflict_is_a_finding(mocked_aws):
    corp, prod, peering = _seed()
    settings = parse_settings(
        {"aws": {"regions": [REGION], "accounts": [{"account_id": ACCOUNT}]}, "policy": {"zones": ZONES}}
    )
    collector = AwsNetworkCollector(settings)
    [scope] = collector.scopes()
    records = [item for item in collector.collect(scope) if isinstance(item, Record)]
    [vpc] = [r for r in records if isinstance(r, Vpc) and r.key == corp]
    # The VPC's account and tag are recorded; the rules matching them are found at evaluation.
    assert [str(c) for c in Zones(settings.policy.zones).vpc(vpc).classifications] == [
        f"account {ACCOUNT} says production",
        "tag env=corp says corporate",
    ]

    paths = {r.resource: r for r in run(no_corporate_production_path, records, policy=settings.policy)}
    assert (paths[prod].status, paths[prod].evidence["paths"]) == ("fail", [peering])
    assert f"[zone conflict: {corp}: {CONFLICT}]" in paths[prod].reason
    assert paths[corp].status == "fail" and "judged as corporate" in paths[corp].reason

    conflicts = {r.resource: r for r in run(zone_classification_consistent, records, policy=settings.policy)}
    assert conflicts[corp].status == "fail" and conflicts[corp].reason.startswith(CONFLICT)
    assert conflicts[prod].status == "pass"

    # With the account's IAM facts beside them, the findings name the account by its alias.
    iam = AwsIamCollector(settings)
    [iam_scope] = iam.scopes()
    records += [item for item in iam.collect(iam_scope) if isinstance(item, Record)]
    paths = {r.resource: r for r in run(no_corporate_production_path, records, policy=settings.policy)}
    assert paths[prod].reason == (
        f"1 path(s) from corporate: peering {peering} between VPC {corp} and VPC {prod} "
        f"[zone conflict: {corp}: {NAMED} says production, tag env=corp says corporate]"
    )
    assert (paths[prod].evidence["account"], paths[prod].evidence["account_name"]) == (ACCOUNT, ALIAS)
    conflicts = {r.resource: r for r in run(zone_classification_consistent, records, policy=settings.policy)}
    assert conflicts[corp].reason.startswith(f"{NAMED} says production, tag env=corp says corporate")


def _vaultward(*args: str, config: Path, database_url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "vaultward.cli.main", "--config", str(config), *args],
        capture_output=True,
        text=True,
        env={**os.environ, "VAULTWARD_DATABASE_URL": database_url},
        cwd=Path(__file__).parents[3],
        timeout=120,
    )


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_vaultward_evaluate_prints_the_conflict(moto_endpoint, database_url, tmp_path):
    corp, _, _ = _seed(moto_endpoint)
    config = tmp_path / "vaultward.toml"
    config.write_text(
        f'[aws]\nregions = ["{REGION}"]\nendpoint_url = "{moto_endpoint}"\n'
        f'[[aws.accounts]]\naccount_id = "{ACCOUNT}"\n'
        f'[policy.zones]\nproduction_accounts = ["{ACCOUNT}"]\ncorporate_tags = {{ env = ["corp"] }}\n'
    )
    for source in ("aws_network", "aws_iam"):
        collected = _vaultward("collect", "--source", source, config=config, database_url=database_url)
        assert collected.returncode == 0, collected.stderr
    evaluated = _vaultward("evaluate", config=config, database_url=database_url)
    assert evaluated.returncode == 0, evaluated.stderr
    assert (
        f"  zone conflict: {corp} in {NAMED} / {REGION}: {NAMED} says production, tag env=corp says "
        "corporate; fix the tag or CIDR, or policy.zones" in evaluated.stdout.splitlines()
    )
