"""Where the CLI looks for the store and why, for the message of a read-only command that
finds none: which store, which setting chose it, how to point at another, and the demo's."""

from __future__ import annotations

from pathlib import Path

from vaultward.config.environment import environment
from vaultward.config.settings import Settings

DEMO_DIR = Path(".vaultward-demo")  # `vaultward demo`'s default --data-dir


def store_origin(settings: Settings, data_dir_option: Path | None) -> str:
    """Which setting chose the store: an environment variable, an option, the file, or the default."""
    if environment().DATABASE_URL:
        return "$VAULTWARD_DATABASE_URL"
    where = settings.source_file or "the configuration"
    if settings.store.database_url:
        return f"[store] database_url in {where}"
    if data_dir_option is not None:
        return f"--data-dir {data_dir_option}"
    if environment().DATA_DIR is not None:
        return f"$VAULTWARD_DATA_DIR={environment().DATA_DIR}"
    if settings.source_file is not None and "data_dir" in settings.store.model_fields_set:
        return f"[store] data_dir = {settings.store.data_dir} in {settings.source_file}"
    return f"the default data folder {settings.store.data_dir}"


def missing_store_message(settings: Settings, data_dir_option: Path | None) -> str:
    from vaultward.store.db import redact_url

    lines = [
        f"no store at {redact_url(settings.database_url)} (chosen by {store_origin(settings, data_dir_option)}).",
        "Point at another with --data-dir DIR, $VAULTWARD_DATA_DIR, --config FILE ([store] data_dir "
        "or database_url) or $VAULTWARD_DATABASE_URL; `vaultward collect` or `vaultward demo` create one.",
    ]
    demo_store = DEMO_DIR / "vaultward.db"
    if demo_store.exists() and settings.store.data_dir.resolve() != DEMO_DIR.resolve():
        lines.append(f"The demo's store is in ./{DEMO_DIR}: try `vaultward --data-dir {DEMO_DIR} <command>`.")
    return "\n".join(lines)
