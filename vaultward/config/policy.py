"""The `[policy]` section: what the checks judge against (zones, people, custody, training,
access). Read by the derived views and the checks; no I/O besides the optional price file."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from vaultward.config.bounded import (
    DAYS,
    NAME_LENGTH,
    AccountId,
    Bounded,
    BoundedPath,
    Email,
    Label,
    Name,
    path_text,
)
from vaultward.config.owners import OwnerRules
from vaultward.config.prices import price_table, read_price_file
from vaultward.config.types import Strict

SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")
Cidr = Annotated[str, Bounded(max_length=50)]
Port = Annotated[int, Field(ge=1, le=65535)]
Address = Annotated[str, Bounded(max_length=NAME_LENGTH)]  # a contract address (0x...)


def _cidr_ranges(value: list[str]) -> list[str]:
    for cidr in value:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(f"{cidr!r} is not a CIDR range like 10.0.0.0/16") from None
    return value


class ZoneRules(Strict):
    """How to tell production from corporate: account ids, VPC tags, CIDR ranges."""

    production_accounts: list[AccountId] = Field(default_factory=list)
    corporate_accounts: list[AccountId] = Field(default_factory=list)
    production_tags: dict[Name, list[Label]] = Field(
        default_factory=lambda: {"Environment": ["prod", "production"], "Zone": ["production"]}
    )
    corporate_tags: dict[Name, list[Label]] = Field(
        default_factory=lambda: {"Environment": ["corp", "corporate", "office"], "Zone": ["corporate"]}
    )
    production_cidrs: list[Cidr] = Field(default_factory=list)
    corporate_cidrs: list[Cidr] = Field(default_factory=list)
    admin_ports: list[Port] = Field(
        default_factory=lambda: [22, 3389, 5432, 3306, 1433, 27017, 6379, 9200, 2379, 5985, 5986]
    )

    _cidrs = field_validator("production_cidrs", "corporate_cidrs")(_cidr_ranges)


class CustodyPolicy(Strict):
    """What counts as high-value, and what a safe signing setup is."""

    high_value_usd: float = Field(default=100_000, ge=0, le=1e15)
    high_value_tags: dict[Name, list[Label]] = Field(
        default_factory=lambda: {"ValueTier": ["high", "hot"], "Purpose": ["signing", "hot-wallet"]}
    )
    min_signers: int = Field(default=3, ge=1, le=1000)
    min_threshold_ratio: float = Field(default=0.5, gt=0, le=1)
    min_hsms: int = Field(default=2, ge=1, le=1000)
    # Safe modules and guards that are expected (lower-case addresses); any other is flagged.
    allowed_safe_modules: list[Address] = Field(default_factory=list)
    allowed_safe_guards: list[Address] = Field(default_factory=list)
    # Where signing runs: the only sources an HSM cluster's security group may admit (besides
    # itself). Empty: the HSM reachability check cannot judge.
    signing_cidrs: list[Cidr] = Field(default_factory=list)
    signing_security_groups: list[Annotated[str, Bounded(max_length=30)]] = Field(default_factory=list)
    # USD per unit of an asset (`BTC = 97000`), to value the balances custody vendors report
    # (see vaultward/derived/wallet_value.py); `price_file` (CSV or TOML, relative to the configuration
    # file) adds more, and a price written here wins over the file's. No live feed.
    prices: dict[Annotated[str, Bounded(max_length=NAME_LENGTH)], Decimal] = Field(default_factory=dict)
    price_file: BoundedPath | None = None

    _signing_cidrs = field_validator("signing_cidrs")(_cidr_ranges)

    @field_validator("prices", mode="before")
    @classmethod
    def _prices(cls, value: Any) -> Any:
        return price_table(value) if isinstance(value, Mapping) else value

    @model_validator(mode="before")
    @classmethod
    def _price_file(cls, data: Any, info: ValidationInfo) -> Any:
        """Reads the price file (a path relative to the configuration file's folder) into
        `prices`, under the prices written inline."""
        if not isinstance(data, dict) or data.get("price_file") in (None, ""):
            return data
        if not isinstance(data["price_file"], str | Path):
            raise ValueError(f"price_file: expected a file path, got {data['price_file']!r}")
        path = Path(path_text(data["price_file"]))
        config_dir = (info.context or {}).get("config_dir")
        if config_dir is not None and not path.is_absolute():
            path = Path(config_dir) / path
        try:
            merged: dict[str, Any] = dict(read_price_file(path))
        except ValueError as error:
            raise ValueError(f"price_file: {error}") from None
        inline = data.get("prices") or {}
        if isinstance(inline, Mapping):
            merged.update(price_table(inline, "prices"))
        return {**data, "prices": merged, "price_file": path}

    @field_validator("signing_security_groups")
    @classmethod
    def _group_ids(cls, value: list[str]) -> list[str]:
        for group in value:
            if not SECURITY_GROUP_ID.fullmatch(group):
                raise ValueError(f"{group!r} is not a security group id like sg-0123456789abcdef0")
        return value


class TrainingPolicy(Strict):
    awareness_max_age_days: int = Field(default=365, ge=1, le=DAYS)
    lure_training_max_age_days: int = Field(default=180, ge=1, le=DAYS)
    max_phish_prone_percent: float = Field(default=5.0, ge=0, le=100)
    # The phishing programme: the organisation's phish-prone percentage per test, the tests
    # the trend judges, and the recent tests repeat and privileged clickers are counted over.
    org_max_phish_prone_percent: float = Field(default=5.0, ge=0, le=100)
    phish_trend_tests: int = Field(default=4, ge=1, le=52)
    recent_phishing_tests: int = Field(default=6, ge=1, le=52)
    repeat_clicker_failures: int = Field(default=2, ge=2, le=52)

    @model_validator(mode="after")
    def _repeat_within_recent(self) -> TrainingPolicy:
        if self.repeat_clicker_failures > self.recent_phishing_tests:
            raise ValueError(
                f"repeat_clicker_failures ({self.repeat_clicker_failures}) cannot exceed "
                f"recent_phishing_tests ({self.recent_phishing_tests}): nobody could fail that often"
            )
        return self


class AccessPolicy(Strict):
    access_key_max_age_days: int = Field(default=90, ge=1, le=DAYS)
    access_key_max_unused_days: int = Field(default=90, ge=1, le=DAYS)


# The platforms a device record names (vaultward/contract/records/endpoint.py PLATFORMS; the
# configuration sits below the contract, so they are spelled here too: a test keeps them equal).
DevicePlatform = Literal["macos", "windows", "linux", "ios", "ipados", "android", "chromeos"]
# A version floor as vendors report versions: "14", "10.0.19045", "17.5.1".
OsVersion = Annotated[str, Bounded(max_length=50, pattern=r"^[0-9]{1,9}(\.[0-9]{1,9}){0,4}$")]
COMPUTERS: tuple[DevicePlatform, ...] = ("macos", "windows", "linux")
CountryCode = Annotated[str, Bounded(min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$")]


def _supported_os() -> dict[DevicePlatform, str]:
    # The oldest release each vendor still ships security fixes for, late 2026: Apple patches
    # the current macOS and the two before it (26, 15, 14) and iOS / iPadOS from 17 on
    # devices that cannot move up; Windows 10 22H2 (build 19045) is the last Windows 10,
    # kept under extended security updates, every Windows 11 build is above it; Android 13
    # is the oldest release still in Google's monthly security bulletins. Linux is not
    # judged unless set: distributions number their releases each their own way ("22.04",
    # "12", "9.4"), so no one floor means "still patched".
    return {"macos": "14", "windows": "10.0.19045", "ios": "17", "ipados": "17", "android": "13"}


class EndpointPolicy(Strict):
    """What the endpoint checks ask of the devices of signers, administrators and staff, and
    which identity-provider events count as account-takeover signals."""

    # A device not seen (checked in, synced, contacted) for longer is out of sight: whatever
    # it runs now is unknown, and a lost or stolen laptop looks exactly like this.
    max_days_unseen: int = Field(default=7, ge=1, le=DAYS)
    # The oldest OS version still patched, per platform, over the defaults (a platform set
    # here replaces its default, the others keep theirs; "0" stops judging one); a platform
    # with no floor is not judged.
    min_os_versions: dict[DevicePlatform, OsVersion] = Field(default_factory=_supported_os)
    # Device sources whose word counts for "EDR running": only an EDR says its own sensor
    # is healthy (a device manager listing installed software does not).
    edr_sources: list[Name] = Field(default_factory=lambda: ["crowdstrike"])
    # The platforms an EDR sensor is expected on: computers. Phones and tablets are kept by
    # the device manager (encryption, OS, enrolment); a device of unknown platform is judged.
    edr_platforms: list[DevicePlatform] = Field(default_factory=lambda: list(COMPUTERS))
    # How far back a factor change, a risky sign-in or impossible travel counts as a signal.
    signal_days: int = Field(default=14, ge=1, le=365)
    # ISO 3166-1 alpha-2 codes; a sign-in of a signer or administrator from one is a signal.
    denied_countries: list[CountryCode] = Field(default_factory=list)
    # Two sign-ins further apart than this speed allows are impossible travel.
    impossible_travel_kmh: float = Field(default=1000, gt=0, le=100_000)

    @field_validator("min_os_versions", mode="after")
    @classmethod
    def _over_defaults(cls, value: dict[DevicePlatform, str]) -> dict[DevicePlatform, str]:
        return {**_supported_os(), **value}

    @field_validator("denied_countries")
    @classmethod
    def _upper(cls, value: list[str]) -> list[str]:
        return [code.upper() for code in value]


class PeopleRules(Strict):
    """How identities from different sources resolve to one person."""

    # Any identity key, login or e-mail -> the person's canonical e-mail (case-insensitive).
    aliases: dict[Name, Email] = Field(default_factory=dict)
    # Shell-style patterns over logins / e-mails of machine and service accounts.
    machine_patterns: list[Annotated[str, Bounded(max_length=NAME_LENGTH, min_length=1)]] = Field(
        default_factory=lambda: [
            "svc-*",
            "svc_*",
            "*-bot",
            "*-bot@*",
            "*bot@*",
            "ci-*",
            "*@*.iam.gserviceaccount.com",
        ]
    )
    # Wallet signers (Safe owner addresses, BitGo / Fireblocks user ids) -> a person's e-mail.
    signers: dict[Name, Email] = Field(default_factory=dict)


class Policy(Strict):
    zones: ZoneRules = Field(default_factory=ZoneRules)
    people: PeopleRules = Field(default_factory=PeopleRules)
    custody: CustodyPolicy = Field(default_factory=CustodyPolicy)
    training: TrainingPolicy = Field(default_factory=TrainingPolicy)
    access: AccessPolicy = Field(default_factory=AccessPolicy)
    endpoints: EndpointPolicy = Field(default_factory=EndpointPolicy)
    owners: OwnerRules = Field(default_factory=OwnerRules)
