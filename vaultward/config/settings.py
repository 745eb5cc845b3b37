"""The configuration file (TOML), validated with pydantic: the runtime settings (store,
sources, dashboard, delivery, queue, retention) composing the policy (`vaultward/config/policy.py`).

Lookup: `--config PATH`, else `$VAULTWARD_CONFIG`, else `./vaultward.toml`; a missing default
file means built-in defaults. `--data-dir` / `$VAULTWARD_DATA_DIR` replace `[store] data_dir`.
Every error names the file, the key and what was expected (vaultward/config/errors.py); every
value is bounded (vaultward/config/bounded.py). The sections live in their own modules.
Environment overrides (`VAULTWARD_*`) are read in `vaultward/config/environment.py`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from vaultward.config.bounded import (
    BoundedPath,
    EnvName,
    Name,
    Regions,
    SourceName,
    WebUrl,
)
from vaultward.config.environment import environment
from vaultward.config.errors import ConfigError, format_validation_error
from vaultward.config.notification import AlertsConfig, ReportConfig, SmtpConfig
from vaultward.config.policy import Policy
from vaultward.config.queue import QueueConfig
from vaultward.config.sections import DashboardConfig, RetentionConfig, ScoringConfig, StoreConfig
from vaultward.config.types import Schedule, Strict, _schedule

DEFAULT_CONFIG = Path("vaultward.toml")
OptionsT = TypeVar("OptionsT", bound=BaseModel)


class SourceConfig(Strict):
    """Keys every source has; the rest of a `[sources.<name>]` table belongs to the
    collector, which validates it with its own `options_model`."""

    model_config = ConfigDict(extra="allow", frozen=True)

    enabled: bool = True
    schedule: Annotated[Schedule, Field(default_factory=lambda: Schedule(every="6h"))]
    # Names of environment variables that hold this source's credentials. Values never
    # appear in the file, the store or the logs.
    credentials_env: dict[Name, EnvName] = Field(default_factory=dict, max_length=50)
    # AWS sources: overrides [aws].regions
    regions: Regions | None = None
    # SaaS sources: requests per minute the source's collection keeps under (shared by its
    # scopes); unset: the collector's documented vendor default; 0: no steady pace.
    rate_limit_per_minute: int | None = Field(default=None, ge=0, le=1_000_000)

    _normalise_schedule = field_validator("schedule", mode="before")(_schedule)


class AwsSection(Strict):
    """`[aws]`: the keys the core reads itself (S3 delivery's profile and endpoint, the size of
    the collection pool); the rest of the table (accounts, regions, retries) belongs to the
    AWS collectors, which validate the whole table with their own model
    (`collectors/aws/options.py`, through `Settings.section_options`)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    endpoint_url: WebUrl | None = None  # for testing against a moto server
    profile: Name | None = None
    max_workers: int = Field(default=32, ge=1, le=128)


class Settings(Strict):
    store: StoreConfig = Field(default_factory=StoreConfig)
    aws: AwsSection = Field(default_factory=AwsSection)
    sources: dict[SourceName, SourceConfig] = Field(default_factory=dict)
    policy: Policy = Field(default_factory=Policy)
    scoring: ScoringConfig = Field(default_factory=ScoringConfig)
    dashboard: DashboardConfig = Field(default_factory=DashboardConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    smtp: SmtpConfig | None = None
    alerts: AlertsConfig = Field(default_factory=AlertsConfig)
    queue: QueueConfig = Field(default_factory=QueueConfig)
    retention: RetentionConfig = Field(default_factory=RetentionConfig)
    plugin_dir: BoundedPath | None = None
    source_file: Path | None = Field(default=None, exclude=True)
    _label: str | None = PrivateAttr(default=None)  # how errors name the file (`parse_settings`' `where`)

    @property
    def database_url(self) -> str:
        env = environment().DATABASE_URL
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
        its collector-specific keys and the shared sections collectors read (`[aws]`) validate
        (`collectors`: name -> collector class)."""
        where = self._where()
        unknown = sorted(set(self.sources) - set(collectors))
        if unknown:
            raise ConfigError(
                f"{where}: sources.{unknown[0]}: unknown source (expected one of {', '.join(sorted(collectors))})"
            )
        for name in self.sources:
            self.source_options(name, getattr(collectors[name], "options_model", None))
        enabled = [
            name
            for name in sorted(collectors)
            if (
                self.sources[name].enabled
                if name in self.sources
                else getattr(collectors[name], "enabled_by_default", True)
            )
        ]
        for name in sorted(collectors):  # the shared sections collectors read ([aws]), whole
            for section, model in getattr(collectors[name], "section_models", {}).items():
                self.section_options(section, model)
        return enabled

    def credential_variables(self, collectors: Mapping[str, Any]) -> list[str]:
        """Every environment variable that may hold a credential: each enabled source's
        defaults and the names its `credentials_env` gives, ExternalId variables, the
        notification secrets and the dashboard passwords. Lenient on purpose, so secrets are
        masked before plugins load: a source no collector knows yet still gives its
        `credentials_env`, and options that do not validate (reported by `enabled_sources`)
        name nothing."""
        accounts = (self.aws.model_extra or {}).get("accounts")
        names = {
            account["external_id_env"]
            for account in (accounts if isinstance(accounts, list) else [])
            if isinstance(account, Mapping) and isinstance(account.get("external_id_env"), str)
        }
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

    def section_options(self, section: str, model: type[OptionsT]) -> OptionsT:
        """A shared section (`[aws]`) validated whole by the model of the collectors that read it."""
        data = getattr(self, section).model_dump(exclude_unset=True)
        try:
            return model.model_validate(data)
        except ValidationError as error:
            raise ConfigError(format_validation_error(error, self._where(), prefix=section)) from None

    def _where(self) -> str:
        return str(self.source_file or self._label or "configuration")

    def source_options(self, name: str, model: type[OptionsT] | None) -> OptionsT | None:
        """The collector-specific keys of `[sources.<name>]`, validated by `model`."""
        extra = dict(self.source(name).model_extra or {})
        where = self._where()
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


def parse_settings(
    data: dict[str, Any], where: str = "configuration", config_dir: Path | None = None
) -> Settings:
    """`config_dir`: where relative file paths in the data (the price file) start."""
    try:
        settings = Settings.model_validate(data, context={"config_dir": config_dir})
    except ValidationError as error:
        raise ConfigError(format_validation_error(error, where)) from None
    settings._label = where
    return settings


def load_settings(path: Path | str | None = None, data_dir: Path | None = None) -> Settings:
    """Read and validate the configuration file (see the module docstring for lookup).
    `data_dir` (`--data-dir`), else `$VAULTWARD_DATA_DIR`, replaces `[store] data_dir`."""
    settings = _load_file(path)
    data_dir = data_dir or environment().DATA_DIR
    if data_dir is not None:
        store = settings.store.model_copy(update={"data_dir": data_dir})
        settings = settings.model_copy(update={"store": store})
    return settings


def _load_file(path: Path | str | None) -> Settings:
    from_environment = environment().CONFIG
    explicit = path is not None or from_environment is not None
    config_path = Path(path or from_environment or DEFAULT_CONFIG)
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
