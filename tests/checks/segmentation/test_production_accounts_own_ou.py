from checks.segmentation.production_accounts_own_ou import production_accounts_own_ou
from tests.checks.run import run, statuses
from tests.factories import make_account, make_org_account
from vaultward.config.policy import Policy

PROD, PAYMENTS, CORP, SANDBOX = "111111111111", "222222222222", "333333333333", "444444444444"


def policy(*production: str) -> Policy:
    return Policy.model_validate({"zones": {"production_accounts": list(production)}})


def test_production_accounts_alone_in_their_ou_pass():
    records = [
        make_org_account("Root/Workloads/Prod", account_id=PROD, name="prod-core"),
        make_org_account("Root/Workloads/Prod", account_id=PAYMENTS),
        make_org_account("Root/Workloads/Corp", account_id=CORP, zone="corporate"),
        make_org_account("Root", account_id=SANDBOX, zone="unknown"),
    ]
    assert statuses(production_accounts_own_ou, records, policy=policy(PROD, PAYMENTS)) == {
        f"aws:{PROD}": "pass",
        f"aws:{PAYMENTS}": "pass",
        # corporate and unclassified accounts: reported as not judged
        f"aws:{CORP}": "skipped",
        f"aws:{SANDBOX}": "skipped",
    }
    [result, _, _, _] = run(production_accounts_own_ou, records, policy=policy(PROD, PAYMENTS))
    assert result.reason == "OU Root/Workloads/Prod holds production accounts only"
    assert result.evidence == {
        "ou_path": "Root/Workloads/Prod",
        "parent_id": "ou-workloads-prod",
        "account": PROD,
        "account_name": "prod-core",
    }
    assert result.resource_name == "prod-core"


def test_sharing_an_ou_with_non_production_fails_naming_them():
    records = [
        make_org_account("Root/Platform", account_id=PROD, name="custody"),
        make_org_account("Root/Platform", account_id=CORP, name="corporate", zone="corporate"),
        # a child OU inherits the OU's policies and matches its org path: it counts too
        make_org_account("Root/Platform/Dev", account_id=SANDBOX, name="sandbox", zone="unknown"),
    ]
    [result, *others] = run(production_accounts_own_ou, records, policy=policy(PROD))
    assert {(r.resource, r.status) for r in others} == {
        (f"aws:{CORP}", "skipped"),
        (f"aws:{SANDBOX}", "skipped"),
    }
    assert others[0].reason == f'corporate account "corporate" ({CORP}): only production accounts are judged'
    assert (result.resource, result.status) == (f"aws:{PROD}", "fail")
    assert result.reason == (
        "OU Root/Platform also holds non-production account(s): "
        f'corporate account "corporate" ({CORP}); unclassified account "sandbox" ({SANDBOX})'
    )
    assert result.evidence["sharing"] == [CORP, SANDBOX]
    assert result.evidence["sharing_named"] == [
        f'corporate account "corporate" ({CORP})',
        f'unclassified account "sandbox" ({SANDBOX})',
    ]


def test_a_sibling_ou_or_the_parent_ou_is_not_shared():
    records = [
        make_org_account("Root/Workloads/Prod", account_id=PROD),
        make_org_account("Root/Workloads", account_id=CORP, zone="corporate"),
        make_org_account("Root/Workloads/Corp", account_id=SANDBOX, zone="corporate"),
    ]
    assert statuses(production_accounts_own_ou, records, policy=policy(PROD)) == {
        f"aws:{PROD}": "pass",
        f"aws:{CORP}": "skipped",
        f"aws:{SANDBOX}": "skipped",
    }


def test_directly_under_the_root_fails_even_alone():
    records = [make_org_account("Root", account_id=PROD, name="prod-payments")]
    [result] = run(production_accounts_own_ou, records, policy=policy(PROD))
    assert (result.status, result.reason) == (
        "fail",
        f'account "prod-payments" ({PROD}) sits directly under the organisation root Root',
    )


def test_suspended_neighbour_is_named_with_its_state():
    records = [
        make_org_account("Root/Prod", account_id=PROD),
        make_org_account("Root/Prod", account_id=CORP, name="old", zone="unknown", status="SUSPENDED"),
    ]
    [result, _] = run(production_accounts_own_ou, records, policy=policy(PROD))
    assert result.status == "fail" and result.reason.endswith(
        f'unclassified account "old" ({CORP}, SUSPENDED)'
    )


def test_production_account_outside_the_organisation_fails():
    records = [make_org_account("Root/Prod", account_id=PROD)]
    assert statuses(production_accounts_own_ou, records, policy=policy(PROD, PAYMENTS)) == {
        f"aws:{PROD}": "pass",
        f"aws:{PAYMENTS}": "fail",
    }
    missing = run(production_accounts_own_ou, records, policy=policy(PROD, PAYMENTS))[1]
    assert missing.reason == (
        f"production account {PAYMENTS} is not a member of the organisation, so under none of its OUs"
    )
    assert (missing.resource_name, missing.evidence["account"]) == (PAYMENTS, PAYMENTS)
    # Outside the organisation, its IAM alias still names it.
    aliased = [*records, make_account(account_id=PAYMENTS, alias="payments-legacy")]
    missing = run(production_accounts_own_ou, aliased, policy=policy(PROD, PAYMENTS))[1]
    assert missing.reason.startswith(f'production account "payments-legacy" ({PAYMENTS}) is not a member')
    assert (missing.resource_name, missing.evidence["account_name"]) == ("payments-legacy", "payments-legacy")


def test_no_production_account_is_unknown_not_pass():
    records = [make_org_account("Root/Corp", account_id=CORP, zone="corporate")]
    assert statuses(production_accounts_own_ou, records, policy=policy()) == {"zones": "unknown"}


def test_organisation_not_collected_is_unknown():
    assert statuses(production_accounts_own_ou, [], policy=policy(PROD)) == {"organisation": "unknown"}
    # nothing listed and nothing collected: no result, the evaluation reports "no data"
    assert statuses(production_accounts_own_ou, [], policy=policy()) == {}


def test_an_account_listed_as_production_and_corporate_never_passes_and_counts_as_corporate():
    both = Policy.model_validate(
        {"zones": {"production_accounts": [PROD, PAYMENTS], "corporate_accounts": [PAYMENTS]}}
    )
    records = [
        make_org_account("Root/Workloads/Prod", account_id=PROD),
        make_org_account("Root/Workloads/Prod", account_id=PAYMENTS),
    ]
    results = {r.resource: r for r in run(production_accounts_own_ou, records, policy=both)}
    assert {key: r.status for key, r in results.items()} == {
        f"aws:{PROD}": "fail",
        f"aws:{PAYMENTS}": "skipped",
    }
    assert results[f"aws:{PROD}"].evidence["sharing"] == [PAYMENTS]
    assert results[f"aws:{PAYMENTS}"].reason.startswith(
        "zone conflict (listed in both production_accounts and corporate_accounts: fix policy.zones)"
    )


def test_an_account_without_an_organisation_name_shows_its_alias_or_its_id():
    """Issue 16: the Organizations name first, then the IAM alias; an account with neither
    shows its id alone, never `aws:<id>`."""
    records = [
        make_org_account("Root/Prod", account_id=PROD, name=""),
        make_org_account("Root/Prod", account_id=CORP, name="", zone="corporate"),
        make_org_account("Root/Prod", account_id=SANDBOX, name="", zone="unknown"),
        make_account(account_id=CORP, alias="acme-corp"),
    ]
    results = {r.resource: r for r in run(production_accounts_own_ou, records, policy=policy(PROD))}
    prod = results[f"aws:{PROD}"]
    assert prod.reason == (
        f'OU Root/Prod also holds non-production account(s): corporate account "acme-corp" ({CORP}); '
        f"unclassified account {SANDBOX}"
    )
    assert prod.resource_name == PROD and "account_name" not in prod.evidence
    assert {key: r.resource_name for key, r in results.items()} == {
        f"aws:{PROD}": PROD,
        f"aws:{CORP}": "acme-corp",
        f"aws:{SANDBOX}": SANDBOX,
    }
