"""aws_organization against moto (in-process and a ThreadedMotoServer): the OU tree, the
accounts in each OU, paging, and denials (injected: moto enforces no IAM) that fail the Run."""

from __future__ import annotations

import boto3
import pytest
from sqlmodel import Session, select

from collectors import BUILTIN_COLLECTORS
from collectors.aws import AwsOrganizationCollector
from collectors.aws.organization_mapper import map_accounts
from collectors.aws.session import CollectionError
from tests.aws_faults import deny
from tests.collectors.aws import exact_org as expected
from tests.collectors.aws.payloads import load
from vaultward.config.policy import ZoneRules
from vaultward.config.settings import parse_settings
from vaultward.contract.records import OrgAccount
from vaultward.contract.sdk import Problem
from vaultward.derived.zones import Zones
from vaultward.pipeline.collection import collect
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import discover
from vaultward.store.models import Finding, Run

MANAGEMENT = "123456789012"  # moto's default account creates the organisation
DENIED = "User is not authorized to perform this action (injected by the test)"


def test_declares_its_contract():
    assert AwsOrganizationCollector in BUILTIN_COLLECTORS
    assert AwsOrganizationCollector.enabled_by_default
    assert AwsOrganizationCollector.produces == (OrgAccount,)
    assert set(AwsOrganizationCollector.permissions) == {
        "sts:GetCallerIdentity",
        "organizations:ListRoots",
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListAccountsForParent",
        "organizations:ListTagsForResource",
    }


@pytest.mark.parametrize("discovery", ["organizations", "accounts"])
def test_collects_exact_organisation(exact_org, discovery):
    """One scope whatever the account discovery: the base credentials' (management) account."""
    collector = AwsOrganizationCollector(parse_settings(exact_org.settings_dict(discovery=discovery)))
    wanted = expected.organization_records(exact_org)
    [scope] = collector.scopes()
    assert scope.id == f"aws:{exact_org.management_account}" and scope.params["role_arn"] is None
    records = list(collector.collect(scope))
    assert expected.comparable(records) == expected.comparable(wanted[scope.id])


def _organisation(units: dict[str, list[str]]) -> dict[str, str]:
    """Create the OUs (paths below the root, parents first) with new accounts named in them."""
    org = boto3.client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = {"Root": org.list_roots()["Roots"][0]["Id"]}
    for path, names in units.items():
        parent, _, name = path.rpartition("/")
        ids[path] = org.create_organizational_unit(ParentId=ids[parent or "Root"], Name=name)[
            "OrganizationalUnit"
        ]["Id"]
        for account_name in names:
            status = org.create_account(Email=f"{account_name}@example.test", AccountName=account_name)
            account = status["CreateAccountStatus"]["AccountId"]
            org.move_account(AccountId=account, SourceParentId=ids["Root"], DestinationParentId=ids[path])
            ids[account_name] = account
    return ids


def test_walks_nested_units_and_every_page(mocked_aws):
    # 25 accounts in one OU: moto answers 20 a page, so the paginator must follow NextToken.
    sandboxes = [f"sandbox-{n:02d}" for n in range(25)]
    ids = _organisation(
        {
            "Workloads": [],
            "Workloads/Prod": ["payments"],
            "Workloads/Prod/Signing": ["signer"],
            "Workloads/Corp": ["office"],
            "Sandbox": sandboxes,
        }
    )
    settings = parse_settings(
        {
            "aws": {"accounts": [{"account_id": MANAGEMENT}]},
            "policy": {
                "zones": {
                    "production_accounts": [ids["payments"], ids["signer"]],
                    "corporate_accounts": [ids["office"]],
                }
            },
        }
    )
    collector = AwsOrganizationCollector(settings)
    [scope] = collector.scopes()
    records = {r.name: r for r in collector.collect(scope)}
    assert len(records) == 29  # management, payments, signer, office and 25 sandboxes
    signer = records["signer"]
    assert signer == OrgAccount(
        key=f"aws:{ids['signer']}",
        name="signer",
        scope=f"aws:{MANAGEMENT}",
        account_id=ids["signer"],
        status="ACTIVE",
        parent_id=ids["Workloads/Prod/Signing"],
        ou_ids=[ids["Root"], ids["Workloads"], ids["Workloads/Prod"], ids["Workloads/Prod/Signing"]],
        ou_path="Root/Workloads/Prod/Signing",
        tags={},  # read, and none set
    )
    zones = Zones(settings.policy.zones)  # zones are derived at evaluation, from the account ids
    assert zones.account(signer) == "production"
    assert (records["office"].ou_path, zones.account(records["office"])) == (
        "Root/Workloads/Corp",
        "corporate",
    )
    assert {records[name].ou_path for name in sandboxes} == {"Root/Sandbox"}
    assert (records["master"].ou_path, records["master"].under_root) == ("Root", True)


def test_mapper_from_captured_payloads():
    tree = load("organizations_tree.json")
    roots = tree["roots"]["Roots"]
    units = {parent: page["OrganizationalUnits"] for parent, page in tree["units"].items()}
    accounts = {parent: page["Accounts"] for parent, page in tree["accounts"].items()}
    by_id = {a["Name"]: a["Id"] for page in accounts.values() for a in page}
    zones = Zones(ZoneRules(production_accounts=[by_id["production"], by_id["custody"]]))
    records = {r.name: r for r in map_accounts(roots, units, accounts)}
    assert {name: (r.ou_path, zones.account(r)) for name, r in records.items()} == {
        "master": ("Root", "unknown"),
        "sandbox": ("Root", "unknown"),
        "production": ("Root/Workloads/Prod", "production"),
        "custody": ("Root/Workloads/Prod", "production"),
        "corporate": ("Root/Workloads/Corp", "unknown"),
    }
    assert records["custody"].parent_id == records["production"].parent_id == records["custody"].ou_ids[-1]
    assert len(records["custody"].ou_ids) == 3 and records["custody"].ou_ids[0] == roots[0]["Id"]


def test_mapper_reads_the_older_status_field_and_unnamed_units():
    roots = [{"Id": "r-1"}]
    units = {"r-1": [{"Id": "ou-1-a"}]}
    accounts = {"ou-1-a": [{"Id": "111111111111", "Status": "SUSPENDED"}]}
    [record] = map_accounts(roots, units, accounts)
    assert (record.status, record.ou_path, record.name) == ("SUSPENDED", "Root/ou-1-a", "")


def test_account_tags_are_read_and_a_refused_tag_request_leaves_them_unknown(mocked_aws, monkeypatch):
    """Tags are a side request per account: a refusal is a gap on `tags` of that account (None,
    not "no tags"), and the accounts and the other accounts' tags are still recorded."""
    ids = _organisation({"Prod": ["payments", "custody"]})
    org = boto3.client("organizations", region_name="us-east-1")
    org.tag_resource(ResourceId=ids["payments"], Tags=[{"Key": "Team", "Value": "payments"}])
    collector = AwsOrganizationCollector(parse_settings({"aws": {"accounts": [{"account_id": MANAGEMENT}]}}))
    [scope] = collector.scopes()
    deny(
        monkeypatch,
        "before-call.organizations.ListTagsForResource",
        lambda p: p["ResourceId"] == ids["custody"],
    )
    collected = list(collector.collect(scope))
    records = {r.name: r for r in collected if isinstance(r, OrgAccount)}
    [problem] = [p for p in collected if isinstance(p, Problem)]
    assert records["payments"].tags == {"Team": "payments"}
    assert records["custody"].tags is None and records["master"].tags == {}
    assert problem.fields == ("org.account.tags",) and problem.kinds == ()
    assert f"account {ids['custody']}" in problem.reason and "AccessDenied" in problem.reason


def test_denied_listing_fails_the_scope_naming_the_call(mocked_aws, monkeypatch):
    ids = _organisation({"Prod": ["payments"]})
    collector = AwsOrganizationCollector(parse_settings({"aws": {"accounts": [{"account_id": MANAGEMENT}]}}))
    [scope] = collector.scopes()
    # Injected: credentials of an account that is not the management account are refused.
    deny(
        monkeypatch, "before-call.organizations.ListAccountsForParent", lambda p: p["ParentId"] == ids["Prod"]
    )
    with pytest.raises(CollectionError) as raised:
        list(collector.collect(scope))
    assert str(raised.value) == (
        f"aws:{MANAGEMENT}: organizations:ListAccountsForParent ({ids['Prod']}) failed: AccessDenied: {DENIED}"
    )


def test_denied_organisation_fails_the_run_and_the_check_is_unknown(mocked_aws, engine, monkeypatch):
    ids = _organisation({"Prod": ["payments"]})
    settings = parse_settings(
        {
            "aws": {"accounts": [{"account_id": MANAGEMENT}]},
            "policy": {"zones": {"production_accounts": [ids["payments"]]}},
        }
    )
    registry = discover(entry_point_groups=False)
    deny(monkeypatch, "before-call.organizations.ListRoots", lambda params: True)  # injected
    [outcome] = collect(settings, engine, registry, sources=["aws_organization"])
    error = f"CollectionError: aws:{MANAGEMENT}: organizations:ListRoots failed: AccessDenied: {DENIED}"
    assert (outcome.scope, outcome.status, outcome.error) == (f"aws:{MANAGEMENT}", "failed", error)
    with Session(engine) as session:
        run = session.exec(
            select(Run).where(Run.collector == "aws_organization", Run.scope == outcome.scope)
        ).one()
    assert (run.status, run.error) == ("failed", error)

    summary = evaluate(settings, engine, registry)
    with Session(engine) as session:
        findings = session.exec(
            select(Finding).where(
                Finding.evaluation_id == summary.evaluation_id,
                Finding.check_id == "segmentation.production_accounts_own_ou",
            )
        ).all()
    messages = {f.resource: (f.status, f.message) for f in findings}
    assert set(messages) == {"organisation", f"aws:{MANAGEMENT}"}
    assert messages["organisation"][0] == "unknown"
    assert messages[f"aws:{MANAGEMENT}"] == (
        "unknown",
        f"no successful collection from aws_organization for aws:{MANAGEMENT}: {error}",
    )
