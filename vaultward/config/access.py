"""Who may see the dashboard and who may change things on it.

Three modes, chosen by what is configured (`auth_mode`):

- **oidc**: an `[auth]` section in `.streamlit/secrets.toml` (in the working directory of
  `vaultward serve`, or in `~/.streamlit/`); people log in through the identity provider
  (`st.login`). Admins are the e-mails in `dashboard.admins` or members of a group in
  `dashboard.admin_groups` (read from the `dashboard.admin_group_claim` claim).
- **password**: the environment variable named by `dashboard.password_env` holds the
  viewers' password, `dashboard.admin_password_env` the admins'. The login form asks which
  role to sign in as (when both are set) and compares that role's password in constant time.
  Failures are limited per client address with a doubling wait, and per role only by a short
  slow-down that never holds back an address that has not failed itself
  (`vaultward.config.login_limits`); behind a proxy, the address is the right-most one in
  X-Forwarded-For that is not in `dashboard.trusted_proxies`. Every success, failure and
  lockout lands in the audit table with the role and address, never the password. A login
  sets a signed HttpOnly, SameSite=Lax cookie (`vaultward.config.session_cookie`), so a
  reload or a shared link keeps the session; logging out clears it.
- **local**: neither is configured. `vaultward serve` then binds to loopback only and refuses
  any other address; whoever can reach it already has the machine, so they are admin.

A signed-in session ends `dashboard.session_minutes` after its login (default 480) and after
`dashboard.idle_minutes` without interaction (default 60), in both login modes (`session_ended`).
Under OIDC the login time is the ID token's `iat`; Streamlit's own identity cookie lives 30
days and cannot be shortened, so the dashboard calls `st.logout` itself when a session ends.

Admins may create waivers and generate reports; every admin action lands in the audit table.
"""

from __future__ import annotations

import hmac
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Literal

from vaultward.config.settings import DashboardConfig

Role = Literal["admin", "viewer"]
Mode = Literal["oidc", "password", "local"]
LOOPBACK_ADDRESSES = frozenset({"127.0.0.1", "localhost", "::1"})


@dataclass(frozen=True)
class Viewer:
    """The person looking at the dashboard."""

    name: str  # e-mail (OIDC), "password user" / "password admin", or "local user"
    role: Role
    mode: Mode

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def secrets_have_auth(paths: list[Path]) -> bool:
    """Whether a Streamlit secrets file configures OIDC (`[auth]` with a `client_id` or
    named providers)."""
    for path in paths:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError):
            continue
        if isinstance(data.get("auth"), Mapping) and data["auth"]:
            return True
    return False


def secrets_paths(working_dir: Path, app_dir: Path) -> list[Path]:
    """Where Streamlit reads secrets (its `secrets.files` default) for the app in `app_dir`
    run from `working_dir`: the user's, the working directory's, then the app's own folder."""
    return [
        Path.home() / ".streamlit" / "secrets.toml",
        working_dir / ".streamlit" / "secrets.toml",
        app_dir / ".streamlit" / "secrets.toml",
    ]


def auth_mode(
    config: DashboardConfig, oidc_configured: bool, environ: Mapping[str, str] = os.environ
) -> Mode:
    if oidc_configured:
        return "oidc"
    if environ.get(config.password_env) or environ.get(config.admin_password_env):
        return "password"
    return "local"


def refuse_address(address: str, mode: Mode) -> str | None:
    """Why the dashboard may not bind to `address` in this mode, or None."""
    if mode == "local" and address not in LOOPBACK_ADDRESSES:
        return (
            f"refusing to serve on {address}: no login is configured. Configure OIDC (an [auth] "
            "section in .streamlit/secrets.toml) or set a dashboard password "
            "(VAULTWARD_DASHBOARD_PASSWORD), or bind to 127.0.0.1."
        )
    return None


def role_for_claims(claims: Mapping[str, object], config: DashboardConfig) -> Role:
    """Admin when the e-mail is listed or a listed group is in the group claim."""
    email = str(claims.get("email") or "").strip().lower()
    if email and email in config.admins:
        return "admin"
    groups = claims.get(config.admin_group_claim) or []
    if isinstance(groups, str):
        groups = [groups]
    if isinstance(groups, list) and set(map(str, groups)) & set(config.admin_groups):
        return "admin"
    return "viewer"


def session_ended(
    logged_in_at: datetime, last_seen: datetime, now: datetime, config: DashboardConfig
) -> str | None:
    """Why a signed-in session is over (too old, or idle too long), or None while it lasts."""
    if now - logged_in_at >= timedelta(minutes=config.session_minutes):
        return f"Your session ended {config.session_minutes} minutes after you logged in: log in again."
    if now - last_seen >= timedelta(minutes=config.idle_minutes):
        return f"Your session ended after {config.idle_minutes} minutes without activity: log in again."
    return None


def claims_login_time(claims: Mapping[str, object]) -> datetime | None:
    """When this login's ID token was issued (`iat`, else `auth_time`; epoch seconds); None
    when neither is there. `iat` first: after a single sign-on `auth_time` stays old, and a
    fresh login must start a fresh session."""
    for claim in ("iat", "auth_time"):
        value = claims.get(claim)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC)
    return None


def password_opens(
    given: str, role: Role, config: DashboardConfig, environ: Mapping[str, str] = os.environ
) -> bool:
    """Whether `given` is `role`'s configured password (constant time; an unset one opens nothing)."""
    variable = config.admin_password_env if role == "admin" else config.password_env
    expected = environ.get(variable, "")
    return bool(expected) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))
