"""Sessions: credentials from named env vars, retries, endpoint, ExternalId, account choice."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from collectors.aws.session import AccountTarget, AwsSessions, CollectionError
from vaultward.config.settings import parse_settings


def sessions(**data) -> AwsSessions:
    return AwsSessions(parse_settings(data), "aws_iam")


def test_credentials_from_named_env_vars(aws_env, monkeypatch):
    monkeypatch.setenv("VW_KEY", "AKIDFROMENV")
    monkeypatch.setenv("VW_SECRET", "secret-from-env")
    made = sessions(
        sources={
            "aws_iam": {"credentials_env": {"access_key_id": "VW_KEY", "secret_access_key": "VW_SECRET"}}
        }
    )
    credentials = made.base_session().get_credentials()
    assert (credentials.access_key, credentials.secret_key, credentials.token) == (
        "AKIDFROMENV",
        "secret-from-env",
        None,
    )


def test_client_config_endpoint_and_regions(aws_env):
    made = sessions(
        aws={
            "regions": ["eu-west-1", "us-east-1"],
            "endpoint_url": "http://127.0.0.1:5999",
            "retry_mode": "standard",
            "max_attempts": 3,
        },
        sources={"aws_iam": {"regions": ["ap-southeast-1"]}},
    )
    assert made.regions == ["ap-southeast-1"]
    client = made.client(made.base_session(), "kms", "ap-southeast-1")
    assert client.meta.endpoint_url == "http://127.0.0.1:5999"
    assert client.meta.region_name == "ap-southeast-1"
    assert client.meta.config.retries == {"mode": "standard", "total_max_attempts": 3}
    assert made.config.connect_timeout == 10 and made.config.read_timeout == 60


def test_missing_external_id_names_the_variable_not_a_value(aws_env):
    made = sessions()
    target = AccountTarget("222222222222", "arn:aws:iam::222222222222:role/Audit", "VW_EXTERNAL_ID")
    with pytest.raises(CollectionError) as raised:
        made.account_session("aws:222222222222", target, "us-east-1")
    assert str(raised.value) == (
        "aws:222222222222: environment variable VW_EXTERNAL_ID (the ExternalId for "
        "arn:aws:iam::222222222222:role/Audit) is not set"
    )


def test_external_id_and_session_name_are_sent(mocked_aws, monkeypatch):
    monkeypatch.setenv("VW_EXTERNAL_ID", "ext-123")
    sent = {}
    original = AwsSessions.client

    def client(self, session, service, region=None):
        made = original(self, session, service, region)
        made.meta.events.register(
            "before-parameter-build.sts.AssumeRole", lambda params, **_: sent.update(params)
        )
        return made

    monkeypatch.setattr(AwsSessions, "client", client)
    made = sessions()
    role = "arn:aws:iam::222222222222:role/Audit"
    session = made.account_session(
        "aws:222222222222", AccountTarget("222222222222", role, "VW_EXTERNAL_ID"), "us-east-1"
    )
    assert sent == {"RoleArn": role, "RoleSessionName": "vaultward", "ExternalId": "ext-123"}
    # moto 5 maps the assumed role's credentials to the role's account.
    assert session.client("sts").get_caller_identity()["Account"] == "222222222222"


def test_accounts_default_to_the_caller(mocked_aws):
    assert sessions().accounts() == [AccountTarget("123456789012")]


def test_configured_accounts_without_discovery(mocked_aws):
    made = sessions(
        aws={
            "accounts": [
                {"account_id": "123456789012", "name": "self"},
                {"role_arn": "arn:aws:iam::333333333333:role/Audit", "external_id_env": "X", "name": "p"},
            ]
        }
    )
    assert made.accounts() == [
        AccountTarget("123456789012", None, None, "self"),
        AccountTarget("333333333333", "arn:aws:iam::333333333333:role/Audit", "X", "p"),
    ]
    assert [s.id for s in made.regional_scopes("aws_network")] == [
        "aws:123456789012/us-east-1",
        "aws:333333333333/us-east-1",
    ]


def test_assumed_role_credentials_are_reused_across_regions_until_near_expiry(mocked_aws, monkeypatch):
    assumed = []
    original = AwsSessions.client

    def client(self, session, service, region=None):
        made = original(self, session, service, region)
        made.meta.events.register("before-call.sts.AssumeRole", lambda **_: assumed.append(1))
        return made

    monkeypatch.setattr(AwsSessions, "client", client)
    made = sessions(aws={"regions": ["us-east-1", "eu-west-1"]})
    target = AccountTarget("222222222222", "arn:aws:iam::222222222222:role/Audit")
    east = made.account_session("aws:222222222222/us-east-1", target, "us-east-1")
    west = made.account_session("aws:222222222222/eu-west-1", target, "eu-west-1")
    assert len(assumed) == 1
    assert made.client(west, "ec2").meta.region_name == "eu-west-1"
    for session in (east, west):
        assert made.client(session, "sts").get_caller_identity()["Account"] == "222222222222"
    # Credentials within ten minutes of expiry are not handed out again: a new AssumeRole.
    key = ("arn:aws:iam::222222222222:role/Audit", None)
    made._assumed[key] = replace(made._assumed[key], expiration=datetime.now(UTC) + timedelta(minutes=5))
    made.account_session("aws:222222222222/us-east-1", target, "us-east-1")
    assert len(assumed) == 2
    assert "secret" not in repr(made._assumed[key]).lower() and made._assumed[
        key
    ].secret_access_key not in repr(made._assumed[key])
