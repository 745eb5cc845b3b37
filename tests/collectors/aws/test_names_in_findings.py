"""Issue 16, "names humans use": the exact organisation collected by the real collectors
(moto in-process and on a ThreadedMotoServer), then the checks' messages and evidence name the
security groups, peerings, VPCs and accounts as people know them, the id always beside.

Accounts are named by AWS Organizations (`Name` of ListAccountsForParent; moto names the
management account "master") before their IAM alias; without the organisation's facts the
alias names them.
"""

from __future__ import annotations

from checks.access.root_mfa import root_mfa
from checks.segmentation.hsm_reachable_from_signing_only import hsm_reachable_from_signing_only
from checks.segmentation.no_admin_ports_from_internet import no_admin_ports_from_internet
from checks.segmentation.no_corporate_production_path import no_corporate_production_path
from collectors.aws import AwsCustodyCollector, AwsIamCollector, AwsNetworkCollector, AwsOrganizationCollector
from demo.organisation import DemoOrganisation
from tests.checks.run import run
from vaultward.config.policy import Policy
from vaultward.config.settings import parse_settings
from vaultward.contract.records import OrgAccount, Record

COLLECTORS = (AwsOrganizationCollector, AwsIamCollector, AwsNetworkCollector, AwsCustodyCollector)


def _records(org: DemoOrganisation) -> tuple[list[Record], Policy]:
    settings = parse_settings(org.settings_dict())
    records: list[Record] = []
    for collector_class in COLLECTORS:
        collector = collector_class(settings)
        for scope in collector.scopes():
            records += [item for item in collector.collect(scope) if isinstance(item, Record)]
    return records, settings.policy


def test_findings_name_groups_peerings_vpcs_and_accounts(exact_org):
    records, policy = _records(exact_org)
    res, prod, corp = exact_org.resources, exact_org.accounts["production"], exact_org.accounts["corporate"]
    core, hub, office, web = res["vpc:prod-core"], res["vpc:vpn-hub"], res["vpc:office"], res["sg:prod-web"]

    exposed = {r.resource: r for r in run(no_admin_ports_from_internet, records, policy)}[core]
    assert exposed.reason == (
        f'open to the internet in production VPC "prod-core" ({core}) in account "production" ({prod}): '
        f'security group "prod-web" ({web}) port(s) 22 from 0.0.0.0/0'
    )
    assert (exposed.evidence["account"], exposed.evidence["account_name"]) == (prod, "production")

    joined = {r.resource: r for r in run(no_corporate_production_path, records, policy)}[core]
    assert joined.status == "fail"
    named = joined.evidence["named_paths"]
    # The peering's id in the message, its far end in the corporate account named by its name.
    assert (
        f'peering {res["pcx:prod-office"]} between VPC "prod-core" ({core}) and VPC "office" ({office}) '
        f'in account "corporate" ({corp})'
    ) in named
    assert (
        f'transit gateway {res["tgw:core"]} route between VPC "vpn-hub" ({hub}) and VPC "prod-core" ({core})'
    ) in named
    assert f'security group "prod-web" ({web}) admits tcp/5432 from 10.20.0.0/16' in named
    assert joined.reason == f"{len(named)} path(s) from corporate: " + "; ".join(named)

    [cluster] = run(hsm_reachable_from_signing_only, records, policy)
    group = res["sg:cloudhsm-signing-hsm"]
    assert cluster.reason == (
        f'security group "cloudhsm-signing-hsm-sg" ({group}): all 2 ingress source(s) are signing sources'
    )
    assert cluster.evidence["account_name"] == "custody"

    management = exact_org.management_account
    roots = {r.resource: r for r in run(root_mfa, records, policy)}
    assert (roots[f"aws:{management}"].resource_name, roots[f"aws:{management}"].reason) == (
        "master",
        f'root user of account "master" ({management}) has MFA enabled',
    )
    # Without the organisation's facts, the IAM alias names the account.
    without_org = [r for r in records if not isinstance(r, OrgAccount)]
    roots = {r.resource: r for r in run(root_mfa, without_org, policy)}
    assert (roots[f"aws:{prod}"].resource_name, roots[f"aws:{prod}"].reason) == (
        "demo-production",
        f'root user of account "demo-production" ({prod}) has no MFA',
    )
