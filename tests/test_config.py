from pathlib import Path

import pytest

from collectors.aws.options import AwsOptions
from vaultward.config.settings import ConfigError, load_settings

EXAMPLE = Path(__file__).parents[1] / "vaultward.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "vaultward.toml"
    path.write_text(text)
    return path


def test_shipped_example_is_valid():
    settings = load_settings(EXAMPLE)
    assert settings.source("aws_iam").schedule.every == "6h"
    assert AwsOptions.of(settings).accounts[0].id == "111122223333"


def test_missing_default_file_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VAULTWARD_CONFIG", raising=False)
    assert AwsOptions.of(load_settings()).regions == ["us-east-1"]


def test_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="nope.toml: configuration file not found"):
        load_settings(tmp_path / "nope.toml")


def test_malformed_toml_names_file_and_line(tmp_path):
    path = write(tmp_path, "[aws]\nregions = eu-west-1\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert (
        str(path) in str(error.value)
        and "not valid TOML" in str(error.value)
        and "line 2" in str(error.value)
    )


def test_unknown_key_is_named(tmp_path):
    path = write(tmp_path, '[policy.zones]\nprodution_cidrs = ["10.0.0.0/16"]\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert (
        str(error.value)
        == f"{path}: policy.zones.prodution_cidrs: unknown key (check its spelling and the example configuration)"
    )


def test_wrong_value_names_key_and_expectation(tmp_path):
    path = write(tmp_path, '[sources.aws_iam]\nschedule = "sometimes"\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    message = str(error.value)
    assert message.startswith(f"{path}: sources.aws_iam.schedule: ")
    assert "expected a positive number and a unit" in message


def test_bad_role_arn_and_cidr(tmp_path):
    # [aws] belongs to the AWS collectors: their own model (collectors/aws/options.py) names its errors.
    path = write(tmp_path, '[[aws.accounts]]\nrole_arn = "arn:aws:iam::12:role/x"\n')
    with pytest.raises(ConfigError) as error:
        AwsOptions.of(load_settings(path))
    lines = str(error.value).splitlines()
    assert lines[0].startswith(f"{path}: aws.accounts[0]: role_arn='arn:aws:iam::12:role/x': expected")
    path = write(tmp_path, '[policy.zones]\nproduction_cidrs = ["10.0.0.0/33"]\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    lines = str(error.value).splitlines()
    assert lines[0].startswith(f"{path}: policy.zones.production_cidrs: '10.0.0.0/33' is not a CIDR range")


def test_signing_subnets_and_groups_are_validated(tmp_path):
    path = write(
        tmp_path,
        '[policy.custody]\nsigning_cidrs = ["10.40.8.0/24", "10.40.300.0/24"]\n'
        'signing_security_groups = ["sg-0123456789abcdef0", "signers"]\n',
    )
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).splitlines() == [
        f"{path}: policy.custody.signing_cidrs: '10.40.300.0/24' is not a CIDR range like 10.0.0.0/16 "
        "(got ['10.40.8.0/24', '10.40.300.0/24'])",
        f"{path}: policy.custody.signing_security_groups: 'signers' is not a security group id like "
        "sg-0123456789abcdef0 (got ['sg-0123456789abcdef0', 'signers'])",
    ]
    good = write(tmp_path, '[policy.custody]\nsigning_cidrs = ["10.40.8.0/24", "fd00:40::/48"]\n')
    assert load_settings(good).policy.custody.signing_cidrs == ["10.40.8.0/24", "fd00:40::/48"]


def test_cron_schedule_and_interval(tmp_path):
    path = write(tmp_path, '[sources.aws_iam]\nschedule = "cron: 0 */4 * * *"\n')
    schedule = load_settings(path).source("aws_iam").schedule
    assert schedule.cron == "0 */4 * * *" and schedule.interval().total_seconds() == 4 * 3600


def test_database_url_from_environment_wins(tmp_path, monkeypatch):
    path = write(tmp_path, '[store]\ndatabase_url = "sqlite:///x.db"\n')
    monkeypatch.setenv("VAULTWARD_DATABASE_URL", "postgresql+psycopg://u@h/db")
    assert load_settings(path).database_url == "postgresql+psycopg://u@h/db"


def test_weekday_cron_tolerates_the_weekend_whatever_the_day(tmp_path):
    path = write(tmp_path, '[sources.aws_iam]\nschedule = "cron: 0 7 * * 1-5"\n')
    # the longest gap is Friday 07:00 -> Monday 07:00, independent of today
    assert load_settings(path).source("aws_iam").schedule.interval().total_seconds() == 3 * 86400


@pytest.mark.parametrize(
    ("schedule", "expected"),
    [
        ('"0h"', "expected a positive number and a unit"),
        (
            '{ cron = "0 7 * * *", timezone = "Mars/Olympus" }',
            "timezone='Mars/Olympus': not an IANA time zone",
        ),
        ('{ every = "1h", timezone = "Nowhere" }', "timezone='Nowhere': not an IANA time zone"),
        ('{ every = "1h", cron = "0 * * * *" }', "give exactly one of"),
    ],
)
def test_bad_schedules_are_named(tmp_path, schedule, expected):
    path = write(tmp_path, f"[sources.aws_iam]\nschedule = {schedule}\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}: sources.aws_iam.schedule: ")
    assert expected in str(error.value)


def test_the_examples_commented_source_tables_validate_when_uncommented():
    import re
    import tomllib

    from vaultward.config.settings import parse_settings
    from vaultward.pipeline.registry import discover

    text = EXAMPLE.read_text()
    start, end = text.index("# [sources.okta]"), text.index("# How to tell production")
    block = "\n".join(re.sub(r"^# ?", "", line) for line in text[start:end].splitlines())
    block = re.sub(r"\s+#[^\"\n]*$", "", block, flags=re.M)  # trailing comments
    settings = parse_settings(tomllib.loads(text[:start] + block + text[end:]))
    collectors = discover(entry_point_groups=False).collectors
    assert set(settings.enabled_sources(collectors)) == set(collectors)
    assert "SIGNING_API_AUTH" in settings.credential_variables(collectors)


@pytest.mark.parametrize(
    ("timezone", "expected"),
    [
        ("America", "report.schedule: timezone='America': not an IANA time zone"),
        # Refused for its length before ZoneInfo reads it (and not echoed whole).
        ("Europe/" + "x" * 300, "report.schedule.timezone: String should have at most 100 characters"),
    ],
)
def test_a_zone_folder_or_an_overlong_timezone_is_named(tmp_path, timezone, expected):
    # Regression (property tests): ZoneInfo raised IsADirectoryError / OSError for these.
    path = write(tmp_path, f'[report]\nschedule = {{ cron = "0 7 * * mon", timezone = "{timezone}" }}\n')
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert str(error.value).startswith(f"{path}: {expected}")
    assert "x" * 100 not in str(error.value)


def test_prices_inline_and_from_a_file_relative_to_the_configuration(tmp_path):
    from decimal import Decimal

    (tmp_path / "prices").mkdir()
    (tmp_path / "prices" / "usd.csv").write_text("asset,usd\nBTC,97000\neth,3000.25\nUSDC,1\n")
    config = tmp_path / "vaultward.toml"
    config.write_text(
        '[policy.custody]\nprice_file = "prices/usd.csv"\nprices = { ETH = 3100, NWT = "0.5" }\n'
    )
    custody = load_settings(config).policy.custody
    # Inline prices win over the file's; symbols compare upper-case; decimals stay exact.
    assert custody.prices == {
        "BTC": Decimal("97000"),
        "ETH": Decimal("3100"),
        "USDC": Decimal("1"),
        "NWT": Decimal("0.5"),
    }
    assert custody.price_file == tmp_path / "prices" / "usd.csv"
    (tmp_path / "prices.toml").write_text("[prices]\nBTC = 96500.5\n")
    config.write_text('[policy.custody]\nprice_file = "prices.toml"\n')
    assert load_settings(config).policy.custody.prices == {"BTC": Decimal("96500.5")}


@pytest.mark.parametrize(
    ("custody", "file", "expected"),
    [
        ("prices = { BTC = -1 }", None, "policy.custody.prices: BTC: -1 is negative"),
        ('prices = { BTC = "lots" }', None, "policy.custody.prices: BTC: 'lots' is not a number"),
        ("prices = { btc = 1, BTC = 2 }", None, "policy.custody.prices: BTC: listed twice"),
        (
            'price_file = "missing.csv"',
            None,
            "policy.custody: price_file: price file {dir}/missing.csv not found",
        ),
        (
            'price_file = "p.csv"',
            "asset,usd\nBTC,97000\nETH,abc\n",
            "policy.custody: price_file: price file {dir}/p.csv line 3: ETH: 'abc' is not a number",
        ),
        (
            'price_file = "p.csv"',
            "asset,usd\nBTC,-3\n",
            "price file {dir}/p.csv line 2: BTC: '-3' is negative",
        ),
        ('price_file = "p.csv"', "symbol,value\nBTC,1\n", "expected a header row with columns asset and usd"),
        ('price_file = "p.json"', "{}", "expected a .csv or .toml file"),
    ],
)
def test_bad_prices_name_the_key_and_the_file(tmp_path, custody, file, expected):
    if file is not None:
        name = custody.split('"')[1]
        (tmp_path / name).write_text(file)
    config = tmp_path / "vaultward.toml"
    config.write_text(f"[policy.custody]\n{custody}\n")
    with pytest.raises(ConfigError) as raised:
        load_settings(config)
    message = str(raised.value)
    assert message.startswith(f"{config}: ")
    assert expected.format(dir=tmp_path) in message


def test_the_phishing_programme_keys_are_validated(tmp_path):
    path = write(tmp_path, "[policy.training]\nrecent_phishing_tests = 3\nrepeat_clicker_failures = 4\n")
    with pytest.raises(ConfigError) as error:
        load_settings(path)
    assert "repeat_clicker_failures (4) cannot exceed recent_phishing_tests (3)" in str(error.value)
    for line in ("phish_trend_tests = 0", "org_max_phish_prone_percent = -1", "repeat_clicker_failures = 1"):
        with pytest.raises(ConfigError, match=line.split(" ")[0]):
            load_settings(write(tmp_path, f"[policy.training]\n{line}\n"))
    training = load_settings(write(tmp_path, "[policy.training]\nphish_trend_tests = 6\n")).policy.training
    assert (
        training.org_max_phish_prone_percent,
        training.phish_trend_tests,
        training.recent_phishing_tests,
    ) == (
        5.0,
        6,
        6,
    )


def test_the_endpoint_policy_is_bounded_and_keeps_the_default_os_floors(tmp_path):
    from typing import get_args

    from vaultward.config.policy import DevicePlatform, EndpointPolicy
    from vaultward.contract.records import PLATFORMS

    assert set(get_args(DevicePlatform)) == set(PLATFORMS)  # spelled twice, kept equal
    default = EndpointPolicy()
    assert (default.max_days_unseen, default.signal_days, default.impossible_travel_kmh) == (7, 14, 1000)
    assert default.min_os_versions == {
        "macos": "14", "windows": "10.0.19045", "ios": "17", "ipados": "17", "android": "13"
    }  # fmt: skip
    assert default.denied_countries == [] and default.edr_sources == ["crowdstrike"]
    assert default.edr_platforms == ["macos", "windows", "linux"]
    text = (
        '[policy.endpoints]\nmin_os_versions = { linux = "22.04", macos = "15" }\ndenied_countries = ["kp"]\n'
    )
    endpoints = load_settings(write(tmp_path, text)).policy.endpoints
    assert endpoints.min_os_versions["linux"] == "22.04" and endpoints.min_os_versions["macos"] == "15"
    assert endpoints.min_os_versions["windows"] == "10.0.19045"  # a platform not given keeps its floor
    assert endpoints.denied_countries == ["KP"]
    for line, key in (
        ("max_days_unseen = 0", "max_days_unseen"),
        ("signal_days = 400", "signal_days"),
        ("impossible_travel_kmh = 0", "impossible_travel_kmh"),
        ('denied_countries = ["North Korea"]', "denied_countries"),
        ('min_os_versions = { beos = "5" }', "min_os_versions"),
        ('min_os_versions = { macos = "fourteen" }', "min_os_versions"),
        ("trusted = 1", "trusted"),
    ):
        with pytest.raises(ConfigError, match=f"policy.endpoints.{key}"):
            load_settings(write(tmp_path, f"[policy.endpoints]\n{line}\n"))
