"""Names humans use: a name beside its id, never instead of it (issue 16)."""

from tests.factories import make_account, make_org_account
from vaultward.derived.names import AccountNames, named


def test_a_name_is_quoted_before_its_id_and_a_missing_name_shows_the_id_alone():
    assert named("security group", "prod-bastion", "sg-0abc") == 'security group "prod-bastion" (sg-0abc)'
    assert named("security group", "", "sg-0abc") == "security group sg-0abc"
    assert named("VPC", "vpc-1", "vpc-1") == "VPC vpc-1"  # a name that is the id adds nothing
    assert named("account", "old", "333", "SUSPENDED") == 'account "old" (333, SUSPENDED)'
    assert named("account", "", "333", "SUSPENDED") == "account 333 (SUSPENDED)"


def test_the_organisation_name_comes_before_the_alias_and_the_id_is_never_a_name():
    names = AccountNames.of(
        [
            make_org_account(account_id="111111111111", name="prod-payments"),
            make_org_account(account_id="333333333333", name=""),  # Organizations gave no name
        ],
        [
            make_account(account_id="111111111111", alias="acme-prod"),
            make_account(account_id="222222222222", alias="acme-corp"),
            make_account(account_id="333333333333", alias="", name="333333333333"),
        ],
    )
    assert names.label("111111111111") == 'account "prod-payments" (111111111111)'
    assert names.label("222222222222") == 'account "acme-corp" (222222222222)'
    assert names.label("333333333333") == "account 333333333333"
    assert names.label("444444444444") == "account 444444444444"  # never collected
    assert names.display("333333333333") == "333333333333"
    assert names.evidence("111111111111") == {"account": "111111111111", "account_name": "prod-payments"}
    assert names.evidence("333333333333") == {"account": "333333333333"}
    assert names.evidence("") == {}
