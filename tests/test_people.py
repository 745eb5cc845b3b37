"""Identity resolution: people, not accounts."""

from tests.factories import make_identity
from vaultward.config.policy import PeopleRules
from vaultward.derived.people import Census, Directory, census


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


def test_identity_classes_from_the_sources_facts_and_the_policy():
    directory = Directory(PeopleRules(aliases={"arn:aws:iam::1:user/carol-cli": "carol@acme.example"}))
    key_only = {
        "console_access": False,
        "mfa_enrolled": False,
        "factor_kinds": [],
        "programmatic_access": True,
    }
    cases = [
        # the source marks it non-human
        (make_identity(key="a", person=False), "machine", "aws_iam marks it as not a person"),
        # policy.people.machine_patterns
        (
            make_identity(key="okta:svc", source="okta", email="svc-reporting@acme.example"),
            "machine",
            "its name matches policy.people.machine_patterns 'svc-*'",
        ),
        # no console password, no MFA device, only access keys: a CI user
        (
            make_identity(key="arn:aws:iam::1:user/runner", name="runner", **key_only),
            "machine",
            "no interactive sign-in (no console password, no MFA device), only access keys",
        ),
        # keys and an MFA device: someone types its codes
        (
            make_identity(key="arn:aws:iam::1:user/dan", name="dan", **{**key_only, "mfa_enrolled": True}),
            "employee",
            "",
        ),
        # the alias table says whose key it is
        (make_identity(key="arn:aws:iam::1:user/carol-cli", name="carol-cli", **key_only), "employee", ""),
        # an Entra B2B guest; a Google guest (isGuestUser)
        (
            make_identity(key="entra:g", source="entra", user_type="guest", external=True),
            "guest",
            "entra says it is a guest (userType guest)",
        ),
        (
            make_identity(key="google:g", source="google_workspace", external=True),
            "guest",
            "google_workspace says it is a guest",
        ),
        # an HR roster entry: no sign-in, no credential: a record of employment, not a machine
        (
            make_identity(
                key="hr:1", source="hr", email="e@acme.example", console_access=False, mfa_enrolled=None
            ),
            "employee",
            "",
        ),
    ]
    for identity, kind, reason in cases:
        found = directory.classify(identity)
        assert (found.kind, found.reason) == (kind, reason), identity.key


def test_a_person_is_a_guest_only_when_every_identity_is_and_the_roster_is_no_login():
    directory = Directory(
        PeopleRules(aliases={"vik_audit.example#ext#@acme.onmicrosoft.com": "vik@acme.example"})
    )
    people = {
        person.id: person
        for person in directory.resolve(
            [
                make_identity(key="entra:vik", source="entra", email="vik_audit.example#EXT#@acme.onmicrosoft.com",
                              user_type="guest", external=True),
                make_identity(key="okta:vik", source="okta", email="vik@acme.example"),
                make_identity(key="entra:wes", source="entra", email="wes_partner.example#EXT#@acme.onmicrosoft.com",
                              user_type="guest", external=True),
                make_identity(key="hr:sam", source="hr", email="sam@acme.example", console_access=False,
                              mfa_enrolled=None),
                make_identity(key="google:sam", source="google_workspace", email="sam@acme.example"),
                make_identity(key="hr:gone", source="hr", email="gone@acme.example", console_access=False,
                              suspended=True),
                make_identity(key="ci", name="ci-runner", console_access=False, programmatic_access=True),
            ]
        )
    }  # fmt: skip
    # vik's guest account is aliased to his staff identity: an employee with a guest account
    assert people["vik@acme.example"].identity_class == "employee"
    wes = people["wes_partner.example#ext#@acme.onmicrosoft.com"]
    assert (wes.identity_class, wes.guest, wes.employee, wes.why) == (
        "guest",
        True,
        False,
        "entra says it is a guest (userType guest)",
    )
    assert [i.key for i in people["sam@acme.example"].sign_in_identities] == ["google:sam"]
    assert people["machine:ci"].identity_class == "machine"

    found = census(people.values())
    assert (found.employees, found.guests, found.machines, found.departed) == (2, 1, 1, 1)
    assert [guest["id"] for guest in found.guest_list] == ["wes_partner.example#ext#@acme.onmicrosoft.com"]
    assert Census.from_json(found.to_json()) == found
    assert Census.from_json({}) is None  # an evaluation stored before the census
