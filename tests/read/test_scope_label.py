"""vaultward.read.runs.scope_label: a scope with its AWS account by name."""

from vaultward.read.runs import scope_label

NAMES = {"552271760869": "production"}


def test_an_aws_scope_names_its_account_with_the_id_beside_it():
    assert scope_label("aws:552271760869/us-east-1", NAMES) == "production (552271760869) / us-east-1"
    assert scope_label("aws:552271760869", NAMES) == "production (552271760869)"


def test_a_scope_without_a_named_account_is_shown_as_stored():
    assert scope_label("aws:111111111111/eu-west-1", NAMES) == "aws:111111111111/eu-west-1"
    assert scope_label("okta:552271760869", NAMES) == "okta:552271760869"  # a tenant, not an account
    assert scope_label("aws_iam:discovery", NAMES) == "aws_iam:discovery"
    assert scope_label("", NAMES) == ""
