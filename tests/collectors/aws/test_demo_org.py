"""The demo organisation on a ThreadedMotoServer, collected by the real collectors."""

from __future__ import annotations

from collections import Counter

import pytest
import requests
from moto.server import ThreadedMotoServer

from checks.segmentation.hsm_reachable_from_signing_only import hsm_reachable_from_signing_only
from checks.segmentation.no_allow_all_nacls import no_allow_all_nacls
from collectors import BUILTIN_COLLECTORS
from demo.organisation import seed_demo_organisation
from vaultward.config.settings import parse_settings
from vaultward.contract.records import HsmCluster, Identity, SigningKey
from vaultward.contract.sdk import Problem
from vaultward.contract.testing import statuses


@pytest.fixture
def server_endpoint(aws_env):
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    yield endpoint
    requests.post(f"{endpoint}/moto-api/reset", timeout=10)
    server.stop()


@pytest.mark.slow
def test_demo_organisation_end_to_end(server_endpoint):
    org = seed_demo_organisation(server_endpoint)
    assert org.backend_seeded
    settings = parse_settings(org.settings_dict())
    assert settings.aws.endpoint_url == server_endpoint
    records = []
    for collector_class in (
        c for c in BUILTIN_COLLECTORS if c.name in ("aws_iam", "aws_custody", "aws_network")
    ):
        collector = collector_class(settings)
        for scope in collector.scopes():
            for item in collector.collect(scope):
                assert not isinstance(item, Problem), item
                records.append(item)
    assert Counter(r.kind for r in records) == {
        "cloud.account": 4,
        "identity": 12,
        "credential.access_key": 2,
        "custody.hsm_cluster": 2,
        "custody.key": 4,
        "network.vpc": 8,  # four default VPCs, prod-core, vpn-hub, office, signing
        # every rule admitting a range: with legacy-hsm's group admitting the office range, and
        # prod-web's and signing-hsm's admitting their own VPC's (zones derived at evaluation)
        "network.path": 11,
        "network.acl": 9,  # each VPC's default ACL and signing-hsm's
    }
    people = {r.name: r for r in records if isinstance(r, Identity)}
    admins_without_mfa = sorted(n for n, p in people.items() if p.privileged and not p.mfa_enrolled)
    assert admins_without_mfa == ["grace", "ops-admin"]
    assert sorted(n for n, p in people.items() if p.phishing_resistant) == ["dave"]
    clusters = {r.name: (r.state, r.active_hsm_count) for r in records if isinstance(r, HsmCluster)}
    assert clusters == {"signing-hsm": ("ACTIVE", 2), "legacy-hsm": ("DEGRADED", 0)}
    signers = sorted(r.name for r in records if isinstance(r, SigningKey) and r.signing)
    assert signers == ["alias/hot-wallet-signer", "alias/imported-signer", "alias/treasury-signer"]
    # The segmentation checks on ACLs and HSM groups see a pass and a fail each.
    res = org.resources
    assert statuses(hsm_reachable_from_signing_only, records, policy=settings.policy) == {
        res["hsm:signing-hsm"]: "pass",
        res["hsm:legacy-hsm"]: "fail",
    }
    # Outside production (the corporate hub and office, the other accounts' default VPCs) an
    # ACL is listed as not applicable.
    assert statuses(no_allow_all_nacls, records, policy=settings.policy) == {
        res["acl:prod-core"]: "fail",
        res["acl:default:custody"]: "fail",
        res["acl:signing"]: "pass",
        res["acl:signing-hsm"]: "pass",
        res["acl:vpn-hub"]: "skipped",
        res["acl:office"]: "skipped",
        res["acl:default:management"]: "skipped",
        res["acl:default:production"]: "skipped",
        res["acl:default:corporate"]: "skipped",
    }
