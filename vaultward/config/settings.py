"""The configuration file (TOML), validated with pydantic.

Lookup: `--config PATH`, else `$VAULTWARD_CONFIG`, else `./vaultward.toml`; a missing default
file means built-in defaults. Every error names the file, the key and what was expected.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from vaultward.config.notification import AlertsConfig, ReportConfig, SmtpConfig
from vaultward.config.queue import QueueConfig
from vaultward.config.types import Schedule, Strict, _schedule
from vaultward.derived.prices import price_table, read_price_file

DEFAULT_CONFIG = Path("vaultward.toml")
OptionsT = TypeVar("OptionsT", bound=BaseModel)
ACCOUNT_ID = re.compile(r"^\d{12}$")
ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/[\w+=,.@/-]+$")
SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8}([0-9a-f]{9})?$")


class ConfigError(Exception):
    """The configuration cannot be used; the message says where and why."""


class SourceConfig(Strict):
    """Keys every source has; the rest of a `[sources.<name>]` table belongs to the
    collector, which validates it with its own `options_model`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True
    schedule: Annotated[Schedule, Field(default_factory=lambda: Schedule(every="6h"))]
    # Names of environment variables that hold this source's credentials. Values never
    # appear in the file, the store or the logs.
    credentials_env: dict[str, str] = Field(default_factory=dict)
    regions: list[str] | None = None  # AWS sources: overrides [aws].regions
    # SaaS sources: requests per minute the source's collection keeps under (shared by its
    # scopes); unset: the collector's documented vendor default; 0: no steady pace.
    rate_limit_per_minute: int | None = Field(default=None, ge=0)

    _normalise_schedule = field_validator("schedule", mode="before")(_schedule)

    @field_validator("credentials_env")
    @classmethod
    def _env_names(cls, value: dict[str, str]) -> dict[str, str]:
        for name, variable in value.items():
            if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", variable):
                raise ValueError(f"{name}={variable!r} is not an environment variable name")
        return value


class AwsAccount(Strict):
    """An account to collect from: its id, or the role to assume into it."""

    role_arn: str | None = None
    account_id: str | None = None
    name: str = ""
    external_id_env: str | None = None

    @model_validator(mode="after")
    def _role_or_id(self) -> AwsAccount:
        if self.role_arn is None and self.account_id is None:
            raise ValueError("give 'role_arn' (to assume) or 'account_id' (the caller's own account)")
        if self.role_arn is not None:
            match = ROLE_ARN.match(self.role_arn)
            if not match:
                raise ValueError(
                    f"role_arn={self.role_arn!r}: expected arn:aws:iam::<12-digit account>:role/<name>"
                )
            if self.account_id is not None and self.account_id != match.group(1):
                raise ValueError(f"account_id {self.account_id} does not match role_arn {self.role_arn}")
        if self.account_id is not None and not ACCOUNT_ID.match(self.account_id):
            raise ValueError(f"account_id={self.account_id!r}: expected 12 digits")
        return self

    @property
    def id(self) -> str:
        if self.account_id is not None:
            return self.account_id
        match = ROLE_ARN.match(self.role_arn or "")
        assert match is not None
        return match.group(1)


class AwsOrganizations(Strict):
    """Discover member accounts through AWS Organizations and assume `role_name` in each."""

    enabled: bool = False
    role_name: str = "OrganizationAccountAccessRole"
    exclude_accounts: list[str] = Field(default_factory=list)


class AwsConfig(Strict):
    regions: list[str] = Field(default_factory=lambda: ["us-east-1"])
    accounts: list[AwsAccount] = Field(default_factory=list)
    organizations: AwsOrganizations = Field(default_factory=AwsOrganizations)
    endpoint_url: str | None = None  # for testing against a moto server
    profile: str | None = None
    retry_mode: Literal["standard", "adaptive"] = "adaptive"
    max_attempts: int = Field(default=8, ge=1, le=20)
    max_workers: int = Field(default=32, ge=1, le=128)


def _cidr_ranges(value: list[str]) -> list[str]:
    for cidr in value:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise ValueError(f"{cidr!r} is not a CIDR range like 10.0.0.0/16") from None
    return value


class ZoneRules(Strict):
    """How to tell production from corporate: account ids, VPC tags, CIDR ranges."""

    production_accounts: list[str] = Field(default_factory=list)
    corporate_accounts: list[str] = Field(default_factory=list)
    production_tags: dict[str, list[str]] = Field(
        default_factory=lambda: {"Environment": ["prod", "production"], "Zone": ["production"]}
    )
    corporate_tags: dict[str, list[str]] = Field(
        default_factory=lambda: {"Environment": ["corp", "corporate", "office"], "Zone": ["corporate"]}
    )
    production_cidrs: list[str] = Field(default_factory=list)
    corporate_cidrs: list[str] = Field(default_factory=list)
    admin_ports: list[int] = Field(
        default_factory=lambda: [22, 3389, 5432, 3306, 1433, 27017, 6379, 9200, 2379, 5985, 5986]
    )

    _cidrs = field_validator("production_cidrs", "corporate_cidrs")(_cidr_ranges)

    @field_validator("production_accounts", "corporate_accounts")
    @classmethod
    def _accounts(cls, value: list[str]) -> list[str]:
        for account in value:
            if not ACCOUNT_ID.match(account):
                raise ValueError(f"{account!r} is not a 12-digit AWS account id")
        return value


class CustodyPolicy(Strict):
    """What counts as high-value, and what a safe signing setup is."""

    high_value_usd: float = Field(default=100_000, ge=0)
    high_value_tags: dict[str, list[str]] = Field(
        default_factory=lambda: {"ValueTier": ["high", "hot"], "Purpose": ["signing", "hot-wallet"]}
    )
    min_signers: int = Field(default=3, ge=1)
    min_threshold_ratio: float = Field(default=0.5, gt=0, le=1)
    min_hsms: int = Field(default=2, ge=1)
    # Safe modules and guards that are expected (lower-case addresses); any other is flagged.
    allowed_safe_modules: list[str] = Field(default_factory=list)
    allowed_safe_guards: list[str] = Field(default_factory=list)
    # Where signing runs: the only sources an HSM cluster's security group may admit (besides
    # itself). Empty: the HSM reachability check cannot judge.
    signing_cidrs: list[str] = Field(default_factory=list)
    signing_security_groups: list[str] = Field(default_factory=list)
    # USD per unit of an asset (`BTC = 97000`), to value the balances custody vendors report
    # (see vaultward/derived/wallet_value.py); `price_file` (CSV or TOML, relative to the configuration
    # file) adds more, and a price written here wins over the file's. No live feed.
    prices: dict[str, Decimal] = Field(default_factory=dict)
    price_file: Path | None = None

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
        path = Path(data["price_file"])
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
            if not SECURITY_GROUP_ID.match(group):
                raise ValueError(f"{group!r} is not a security group id like sg-0123456789abcdef0")
        return value


class TrainingPolicy(Strict):
    awareness_max_age_days: int = Field(default=365, ge=1)
    lure_training_max_age_days: int = Field(default=180, ge=1)
    max_phish_prone_percent: float = Field(default=5.0, ge=0, le=100)
    # The phishing programme: the organisation's phish-prone percentage per test, the tests
    # the trend judges, and the recent tests repeat and privileged clickers are counted over.
    org_max_phish_prone_percent: float = Field(default=5.0, ge=0, le=100)
    phish_trend_tests: int = Field(default=4, ge=1, le=52)
    recent_phishing_tests: int = Field(default=6, ge=1, le=52)
    repeat_clicker_failures: int = Field(default=2, ge=2)

    @model_validator(mode="after")
    def _repeat_within_recent(self) -> TrainingPolicy:
        if self.repeat_clicker_failures > self.recent_phishing_tests:
            raise ValueError(
                f"repeat_clicker_failures ({self.repeat_clicker_failures}) cannot exceed "
                f"recent_phishing_tests ({self.recent_phishing_tests}): nobody could fail that often"
            )
        return self


class AccessPolicy(Strict):
    access_key_max_age_days: int = Field(default=90, ge=1)
    access_key_max_unused_days: int = Field(default=90, ge=1)


class PeopleRules(Strict):
    """How identities from different sources resolve to one person."""

    # Any identity key, login or e-mail -> the person's canonical e-mail (case-insensitive).
    aliases: dict[str, str] = Field(default_factory=dict)
    # Shell-style patterns over logins / e-mails of machine and service accounts.
    machine_patterns: list[str] = Field(
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
    signers: dict[str, str] = Field(default_factory=dict)

    @field_validator("aliases", "signers")
    @classmethod
    def _emails(cls, value: dict[str, str]) -> dict[str, str]:
        for name, email in value.items():
            if "@" not in email:
                raise ValueError(f"{name!r} maps to {email!r}, which is not an e-mail address")
        return value


class Policy(Strict):
    zones: ZoneRules = Field(default_factory=ZoneRules)
    people: PeopleRules = Field(default_factory=PeopleRules)
    custody: CustodyPolicy = Field(default_factory=CustodyPolicy)
    training: TrainingPolicy = Field(default_factory=TrainingPolicy)
    access: AccessPolicy = Field(default_factory=AccessPolicy)


class StoreConfig(Strict):
    database_url: str | None = None  # $VAULTWARD_DATABASE_URL wins; default: SQLite in data_dir
    data_dir: Path = Path(".vaultward")


class ScoringConfig(Strict):
    mitigation_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "custody": 1.0,
            "training": 1.0,
            "access": 1.0,
            "segmentation": 1.0,
            "detection": 1.0,
        }
    )

    @field_validator("mitigation_weights")
    @classmethod
    def _known(cls, value: dict[str, float]) -> dict[str, float]:
        from vaultward.contract.vocabulary import MITIGATIONS

        for name, weight in value.items():
            if name not in MITIGATIONS:
                raise ValueError(f"{name!r} is not a mitigation (expected one of {', '.join(MITIGATIONS)})")
            if weight < 0:
                raise ValueError(f"{name}: weight must be >= 0")
        return value


class DashboardConfig(Strict):
    """Where the dashboard binds and who may do what on it (see vaultward/config/access.py)."""

    address: str = "127.0.0.1"
    port: int = Field(default=8501, ge=1, le=65535)
    # How people reach it (behind a proxy, say); links in alerts and reports start here.
    # Default: http://<address>:<port>.
    public_url: str | None = None
    # OIDC (an [auth] section in .streamlit/secrets.toml): who is an admin.
    admins: list[str] = Field(default_factory=list)  # e-mail addresses
    admin_group_claim: str = "groups"  # the ID-token claim listing the user's groups
    admin_groups: list[str] = Field(default_factory=list)
    # Without OIDC: passwords from these environment variables gate the dashboard.
    password_env: str = "VAULTWARD_DASHBOARD_PASSWORD"  # noqa: S105 - a variable's name, viewers
    admin_password_env: str = "VAULTWARD_DASHBOARD_ADMIN_PASSWORD"  # noqa: S105 - admins
    max_login_attempts: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=1440)
    # A signed-in session ends this long after its login, and after this long without use.
    session_minutes: int = Field(default=480, ge=1, le=10080)
    idle_minutes: int = Field(default=60, ge=1, le=1440)

    @field_validator("admins")
    @classmethod
    def _emails(cls, value: list[str]) -> list[str]:
        bad = [v for v in value if "@" not in v]
        if bad:
            raise ValueError(f"not e-mail addresses: {', '.join(map(repr, bad))}")
        return [v.strip().lower() for v in value]


class RetentionConfig(Strict):
    """`[retention]`: how long what no view shows any more stays in the store (0 keeps it)."""

    findings_days: int = Field(default=30, ge=0)  # findings of evaluations other than a week's last
    facts_days: int = Field(default=30, ge=0)  # facts of Runs a later usable Run superseded
    schedule: Schedule = Field(default_factory=lambda: Schedule(cron="30 3 * * *"))

    _normalise_schedule = field_validator("schedule", mode="before")(_schedule)


class Settings(Strict):
    store: StoreConfig = Field(default_factory=StoreConfig)
    aws: AwsConfig = Field(default_factory=AwsConfig)
    sources: dict[str, SourceConfig] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=Policy)
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    smtp: SmtpConfig | None = None
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    queue: QueueConfig = Field(default_factory=QueueConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    plugin_dir: Path | None = None
    source_file: Path | None = Field(default=None, exclude=True)

    @property
    def database_url(self) -> str:
        env = os.environ.get("VAULTWARD_DATABASE_URL")
        if env:
            return env
        if self.store.database_url:
            return self.store.database_url
        return f"sqlite:///{(self.store.data_dir / 'vaultward.db').resolve()}"

    def dashboard_url(self, path: str = "") -> str:
        """A link to a dashboard page (`path` like "access?check=access.root_mfa")."""
        base = self.dashboard.public_url or f"http://{self.dashboard.address}:{self.dashboard.port}"
        return base.rstrip("/") + "/" + path.lstrip("/")

    @model_validator(mode="after")
    def _mail_server(self) -> Settings:
        if self.smtp is None and (self.report.email is not None or self.alerts.email is not None):
            raise ValueError("e-mail delivery is configured but there is no [smtp] section")
        return self

    def source(self, name: str) -> SourceConfig:
        return self.sources.get(name) or SourceConfig.model_validate({})

    def enabled_sources(self, collectors: Mapping[str, Any]) -> list[str]:
        """Names of the enabled sources, after checking every configured source exists and
        its collector-specific keys validate (`collectors`: name -> collector class)."""
        where = str(self.source_file or "configuration")
        unknown = sorted(set(self.sources) - set(collectors))
        if unknown:
            raise ConfigError(
                f"{where}: sources.{unknown[0]}: unknown source (expected one of {', '.join(sorted(collectors))})"
            )
        for name in self.sources:
            self.source_options(name, getattr(collectors[name], "options_model", None))
        return [
            name
            for name in sorted(collectors)
            if (
                self.sources[name].enabled
                if name in self.sources
                else getattr(collectors[name], "enabled_by_default", True)
            )
        ]

    def credential_variables(self, collectors: Mapping[str, Any]) -> list[str]:
        """Every environment variable that may hold a credential: each enabled source's
        defaults and the names its `credentials_env` gives, ExternalId variables, the
        notification secrets and the dashboard passwords. Lenient on purpose, so secrets are
        masked before plugins load: a source no collector knows yet still gives its
        `credentials_env`, and options that do not validate (reported by `enabled_sources`)
        name nothing."""
        names = {account.external_id_env for account in self.aws.accounts if account.external_id_env}
        names.update(self.notification_secret_variables())
        names.update({self.dashboard.password_env, self.dashboard.admin_password_env})
        for source in self.sources.values():
            names.update(source.credentials_env.values())
        for name, cls in collectors.items():
            configured = self.sources.get(name)
            if not (configured.enabled if configured else getattr(cls, "enabled_by_default", True)):
                continue
            names.update(getattr(cls, "credentials", {}).values())
            hook = getattr(cls, "credential_variables", None)  # variables named in the options
            if callable(hook):
                try:
                    names.update(hook(self.source_options(name, getattr(cls, "options_model", None))))
                except ConfigError:
                    continue
        return sorted(names)

    def notification_secret_variables(self) -> set[str]:
        """Variables holding the SMTP password, webhook URLs and webhook header secrets."""
        names = {self.smtp.password_env} if self.smtp and self.smtp.password_env else set()
        if self.alerts.slack:
            names.add(self.alerts.slack.webhook_url_env)
        if self.alerts.webhook:
            names.add(self.alerts.webhook.url_env)
            names.update(self.alerts.webhook.headers_env.values())
        return names

    def source_options(self, name: str, model: type[OptionsT] | None) -> OptionsT | None:
        """The collector-specific keys of `[sources.<name>]`, validated by `model`."""
        extra = dict(self.source(name).model_extra or {})
        where = str(self.source_file or "configuration")
        if model is None:
            if extra:
                key = sorted(extra)[0]
                raise ConfigError(
                    f"{where}: sources.{name}.{key}: unknown key (check its spelling and the example configuration)"
                )
            return None
        try:
            return model.model_validate(extra)
        except ValidationError as error:
            raise ConfigError(format_validation_error(error, where, prefix=f"sources.{name}")) from None


def _location(loc: tuple[Any, ...]) -> str:
    parts: list[str] = []
    for part in loc:
        if isinstance(part, int):
            parts[-1:] = [f"{parts[-1]}[{part}]"] if parts else [f"[{part}]"]
        elif part in ("function-after", "function-before") or str(part).startswith("function-"):
            continue
        else:
            parts.append(str(part))
    return ".".join(parts) or "(top level)"


def format_validation_error(error: ValidationError, where: str, prefix: str = "") -> str:
    lines = []
    for problem in error.errors():
        key = _location(problem["loc"])
        if prefix:
            key = prefix if key == "(top level)" else f"{prefix}.{key}"
        if problem["type"] == "extra_forbidden":
            message = "unknown key (check its spelling and the example configuration)"
        else:
            message = problem["msg"].removeprefix("Value error, ")
            if (
                "input" in problem
                and problem["type"] not in ("missing",)
                and not isinstance(problem["input"], dict)
            ):
                message += f" (got {problem['input']!r})"
        lines.append(f"{where}: {key}: {message}")
    return "\n".join(lines)


def parse_settings(
    data: dict[str, Any], where: str = "configuration", config_dir: Path | None = None
) -> Settings:
    """`config_dir`: where relative file paths in the data (the price file) start."""
    try:
        return Settings.model_validate(data, context={"config_dir": config_dir})
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, where)) from None


def load_settings(path: Path | str | None = None) -> Settings:
    """Read and validate the configuration file (see the module docstring for lookup)."""
    explicit = path is not None or bool(os.environ.get("VAULTWARD_CONFIG"))
    config_path = Path(path or os.environ.get("VAULTWARD_CONFIG") or DEFAULT_CONFIG)
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"{config_path}: configuration file not found")
        return Settings()
    try:
        data = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{config_path}: not valid TOML: {error}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{config_path}: cannot read: {error}") from None
    settings = parse_settings(data, str(config_path), config_path.parent)
    settings = settings.model_copy(update={"source_file": config_path})
    if settings.plugin_dir is not None and not settings.plugin_dir.is_absolute():
        settings = settings.model_copy(update={"plugin_dir": config_path.parent / settings.plugin_dir})
    return settings
