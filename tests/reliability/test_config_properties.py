"""Property tests of the configuration loader: any TOML document gives Settings or a
ConfigError naming the file and the key, never another exception."""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from tests.reliability.strategies import PROPERTY, hostile_text, mutated
from vaultward.config.settings import ConfigError, Settings, load_settings, parse_settings
from vaultward.pipeline.registry import discover

EXAMPLE = Path(__file__).parents[2] / "vaultward.example.toml"
COLLECTORS = discover(entry_point_groups=False).collectors


def _full_example() -> dict[str, Any]:
    """The shipped example with its commented source tables uncommented, plus delivery."""
    text = EXAMPLE.read_text()
    start, end = text.index("# [sources.okta]"), text.index("# How to tell production")
    block = "\n".join(re.sub(r"^# ?", "", line) for line in text[start:end].splitlines())
    block = re.sub(r"\s+#[^\"\n]*$", "", block, flags=re.M)
    data = tomllib.loads(text[:start] + block + text[end:])
    data["report"] = {
        "formats": ["html", "csv"],
        "schedule": {"cron": "0 7 * * mon", "timezone": "Europe/Zurich"},
        "s3": {"bucket": "acme-reports", "server_side_encryption": "aws:kms"},
        "email": {"to": ["ciso@acme.example"]},
    }
    data["smtp"] = {"host": "smtp.acme.example", "sender": "vaultward@acme.example"}
    data["alerts"] = {
        "severities": ["critical"],
        "slack": {},
        "webhook": {"headers_env": {"X-Token": "TOKEN"}},
    }
    return data


BASE = _full_example()


def _tomlable(value: Any) -> Any:
    """TOML has no null and files are UTF-8: nulls become "", lone surrogates are replaced."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, dict):
        return {_tomlable(str(k)): _tomlable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tomlable(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -(2**63) <= value < 2**63:
        return str(value)
    if isinstance(value, float) and math.isnan(value):
        return value
    return value


def _check(load, where: str, expected_key: str | None = None) -> None:
    """`load()` gives Settings, or a ConfigError that names the file and a key."""
    try:
        settings = load()
        assert isinstance(settings, Settings)
        settings.enabled_sources(COLLECTORS)  # each source's own keys validate here
    except ConfigError as error:
        message = str(error)
        assert message.startswith(f"{where}: "), message[:300]
        key = message.removeprefix(f"{where}: ").split(":", 1)[0]
        assert key, message[:300]
        if expected_key is not None:
            assert expected_key in message, message[:300]


@PROPERTY
@given(mutated(BASE).map(_tomlable))
def test_a_mutated_configuration_loads_or_names_the_key(document):
    _check(lambda: parse_settings(document, "vaultward.toml"), "vaultward.toml")


@PROPERTY
@given(mutated(BASE).map(_tomlable))
def test_a_mutated_configuration_file_loads_or_names_the_file_and_key(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("config") / "vaultward.toml"
    path.write_text(tomli_w.dumps(document), encoding="utf-8")
    _check(lambda: load_settings(path), str(path))


def _cron() -> st.SearchStrategy[str]:
    field = st.one_of(
        st.sampled_from(["*", "*/0", "*/5", "60", "-1", "1-0", "L", "mon", "1,2,,3", "٣", "9" * 30]),
        hostile_text(),
    )
    return st.one_of(st.lists(field, min_size=0, max_size=7).map(" ".join), hostile_text())


def _timezone() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(
            ["America", "Europe/", "Etc", "UTC", "../../etc/passwd", "/etc/localtime", "Europe/Zurich"]
        ),
        st.integers(min_value=200, max_value=5_000).map(lambda n: "Europe/" + "a" * n),
        hostile_text(),
    )


@PROPERTY
@given(cron=_cron(), timezone=_timezone(), every=st.one_of(st.none(), hostile_text()))
def test_bad_schedules_are_named(cron, timezone, every):
    schedule = (
        {"cron": cron, "timezone": timezone} if every is None else {"every": every, "timezone": timezone}
    )
    _check(
        lambda: parse_settings({"sources": {"aws_iam": {"schedule": schedule}}}, "f.toml"),
        "f.toml",
        "sources.aws_iam.schedule",
    )
    _check(lambda: parse_settings({"report": {"schedule": schedule}}, "f.toml"), "f.toml", "report.schedule")


def _cidr() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["10.0.0.0/33", "10.0.0.0/-1", "::/129", "10.0.0.256/8", "10/8", "fe80::1%eth0/64"]),
        st.ip_addresses().map(str),
        hostile_text(),
    )


@PROPERTY
@given(cidr=_cidr(), account=hostile_text(), group=hostile_text(), role=hostile_text())
def test_bad_cidrs_accounts_and_groups_are_named(cidr, account, group, role):
    _check(
        lambda: parse_settings({"policy": {"zones": {"production_cidrs": [cidr]}}}, "f.toml"),
        "f.toml",
        "policy.zones.production_cidrs",
    )
    _check(
        lambda: parse_settings({"policy": {"custody": {"signing_cidrs": [cidr]}}}, "f.toml"),
        "f.toml",
        "policy.custody.signing_cidrs",
    )
    _check(
        lambda: parse_settings({"policy": {"zones": {"corporate_accounts": [account]}}}, "f.toml"),
        "f.toml",
        "policy.zones.corporate_accounts",
    )
    _check(
        lambda: parse_settings({"policy": {"custody": {"signing_security_groups": [group]}}}, "f.toml"),
        "f.toml",
        "policy.custody.signing_security_groups",
    )
    _check(
        lambda: parse_settings({"aws": {"accounts": [{"role_arn": role, "account_id": account}]}}, "f.toml"),
        "f.toml",
        "aws.accounts[0]",
    )
