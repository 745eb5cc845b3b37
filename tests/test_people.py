"""Identity resolution: people, not accounts."""

from tests.factories import make_identity
from vaultward.config import PeopleRules
from vaultward.people import Directory


def test_one_person_from_okta_google_and_aws_under_cased_emails_and_an_alias():
    rules = PeopleRules(
        aliases={
            "arn:aws:iam::111111111111:user/asmith": "alice@acme.example",
            "a.smith@old-acme.example": "Alice@Acme.example",
        }
    )
    identities = [
        make_identity(key="okta:00u1", source="okta", email="Alice@ACME.example", name="alice"),
        make_identity(key="google:1", source="google_workspace", email="alice@acme.example"),
        make_identity(key="arn:aws:iam::111111111111:user/asmith", source="aws_iam", email="", name="asmith"),
        make_identity(key="entra:9", source="entra", email="a.smith@old-acme.example"),
        make_identity(key="okta:00u2", source="okta", email="bob@acme.example"),
        make_identity(key="okta:00u3", source="okta", email="api-bot@acme.example"),
        make_identity(key="arn:aws:iam::111111111111:user/deploy", source="aws_iam", email="", person=False),
        make_identity(key="arn:aws:iam::111111111111:user/carol", source="aws_iam", email="", name="carol"),
    ]
    people = {person.id: person for person in Directory(rules).resolve(identities)}
    assert sorted(people) == [
        "alice@acme.example",
        "bob@acme.example",
        "identity:arn:aws:iam::111111111111:user/carol",
        "machine:arn:aws:iam::111111111111:user/deploy",
        "machine:okta:00u3",
    ]
    alice = people["alice@acme.example"]
    assert sorted(i.key for i in alice.identities) == [
        "arn:aws:iam::111111111111:user/asmith",
        "entra:9",
        "google:1",
        "okta:00u1",
    ]
    assert alice.sources == ["aws_iam", "entra", "google_workspace", "okta"] and not alice.machine
    assert people["machine:okta:00u3"].machine and people["machine:okta:00u3"].email == ""
    assert people["identity:arn:aws:iam::111111111111:user/carol"].email == ""


def test_signers_and_training_emails_resolve_through_the_tables():
    directory = Directory(
        PeopleRules(
            aliases={"a.smith@old-acme.example": "alice@acme.example"},
            signers={"0xAbC0000000000000000000000000000000000001": "Alice@acme.example"},
        )
    )
    assert directory.signer("0xabc0000000000000000000000000000000000001") == "alice@acme.example"
    assert directory.signer("0xdead") is None
    assert directory.email_of(" A.Smith@Old-Acme.example ") == "alice@acme.example"


def test_privilege_across_identities():
    directory = Directory(PeopleRules())
    [person] = directory.resolve(
        [
            make_identity(key="okta:1", source="okta", email="x@acme.example", privileged=False),
            make_identity(key="google:1", source="google_workspace", email="x@acme.example", privileged=True),
        ]
    )
    assert person.privileged is True
