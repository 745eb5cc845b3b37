"""The `VAULTWARD_*` environment variables that override the configuration file, read with
pydantic-settings. Read when asked (not once at import), so a variable set later counts;
an empty variable counts as unset."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(BaseSettings):
    """`VAULTWARD_CONFIG` (the configuration file), `VAULTWARD_DATA_DIR` (wins over
    `[store] data_dir`), `VAULTWARD_DATABASE_URL` (wins over `[store] database_url`),
    `VAULTWARD_BROKER_URL` (wins over `[queue] broker_url`)."""

    model_config = SettingsConfigDict(
        env_prefix="VAULTWARD_", case_sensitive=True, env_ignore_empty=True, extra="ignore", frozen=True
    )

    CONFIG: Path | None = None
    DATA_DIR: Path | None = None
    DATABASE_URL: str | None = None
    BROKER_URL: str | None = None


def environment() -> Environment:
    """The overrides as the environment has them now."""
    return Environment()
