"""The second estate running: Northwind's AWS organisation seeded into moto, its vendors served
by the loopback fakes of demo/fakes, and the Settings that point the real collectors
at them (credentials through variables the configuration names, as a deployment does).

    with northwind_estate(moto_endpoint, tmp_path) as estate:
        collect(estate.settings, engine, registry)
        estate.fakes["entra"].inject(...)   # fault tests

The Prowler import is not part of this estate (no check reads its records).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from demo.fakes import bitgo, entra, fireblocks, google_workspace, internal_hr, knowbe4, okta, safe
from demo.fakes.server import FakeApi
from tests.estates.second import custody_data, identity_data, roster_data, training_data
from tests.estates.second.aws_org import NorthwindAws, seed_northwind
from vaultward.config.settings import Settings, parse_settings

# The fakes' own dummy credentials (never real secrets), under variables of this estate's own.
OKTA_TOKEN = "00northwind-okta-token"  # noqa: S105
ENTRA_CLIENT_ID = "c3f1a2b4-5d6e-4f70-8a9b-northwind0002"
ENTRA_SECRET = "northwind-entra-secret"  # noqa: S105
KNOWBE4_TOKEN = "northwind-knowbe4-token"  # noqa: S105
SAFE_KEY = "northwind-safe-key"
BITGO_TOKEN = "v2xnorthwind-bitgo-token"  # noqa: S105
FIREBLOCKS_KEY = "northwind-fireblocks-key"

# Page sizes other than the demo's: every listing spans pages.
OKTA_PAGE, ENTRA_PAGE, KNOWBE4_PAGE, BITGO_PAGE, FIREBLOCKS_PAGE, GOOGLE_PAGE = 3, 2, 2, 1, 2, 2
# The app registration was granted only what the report needs (no Policy.Read.All).
ENTRA_PERMISSIONS = ("AuditLog.Read.All", "GroupMember.Read.All")


@dataclass
class NorthwindEstate:
    aws: NorthwindAws
    settings: Settings
    settings_dict: dict[str, Any]
    fakes: dict[str, FakeApi] = field(default_factory=dict)  # source name -> its fake
    environment: dict[str, str] = field(default_factory=dict)
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def signers() -> dict[str, str]:
    """policy.people.signers: whose key or vendor user id each is. It maps ids to people only;
    sam's old address owns no Safe, so it makes nobody a signer."""
    c = custody_data
    return {
        c.NADIA_KEY: "nadia@northwind.example",
        c.PRIYA_KEY: "priya@northwind.example",
        c.ROSA_KEY: "rosa@northwind.example",
        c.OMAR_KEY: "omar@northwind.example",
        c.SAM_OLD_KEY: "sam@northwind.example",
        c.BG_NADIA: "nadia@northwind.example",
        c.BG_OMAR: "omar@northwind.example",
    }


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """The variables set while the estate runs, the environment as it was after."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in values.items():
            patch.setenv(name, value)
        yield


@contextmanager
def northwind_estate(moto_endpoint: str, data_dir: Path) -> Iterator[NorthwindEstate]:
    """Seed moto (emptied by the caller, e.g. the `moto_endpoint` fixture) and start the fakes."""
    now = datetime.now(UTC)
    aws = seed_northwind(moto_endpoint)
    fakes: dict[str, FakeApi] = {}
    sources: dict[str, dict[str, Any]] = {}
    environment: dict[str, str] = {}
    with ExitStack() as stack:
        fakes["okta"] = stack.enter_context(okta.make_okta_fake(identity_data.okta_data(), token=OKTA_TOKEN))
        sources["okta"] = {
            "base_url": fakes["okta"].base_url,
            "page_size": OKTA_PAGE,
            "credentials_env": {"token": "NORTHWIND_OKTA_TOKEN"},
        }
        environment["NORTHWIND_OKTA_TOKEN"] = OKTA_TOKEN

        fakes["entra"] = stack.enter_context(
            entra.make_entra_fake(
                identity_data.entra_data(),
                client_secret=ENTRA_SECRET,
                client_id=ENTRA_CLIENT_ID,
                page_size=ENTRA_PAGE,
                permissions=ENTRA_PERMISSIONS,
            )
        )
        sources["entra"] = {
            "tenant_id": identity_data.TENANT_ID,
            "graph_url": fakes["entra"].base_url,
            "login_url": fakes["entra"].base_url,
            "credentials_env": {"client_id": "NORTHWIND_ENTRA_ID", "client_secret": "NORTHWIND_ENTRA_SECRET"},
        }
        environment.update(NORTHWIND_ENTRA_ID=ENTRA_CLIENT_ID, NORTHWIND_ENTRA_SECRET=ENTRA_SECRET)

        fakes["knowbe4"] = stack.enter_context(
            knowbe4.make_knowbe4_fake(training_data.knowbe4_data(now), token=KNOWBE4_TOKEN)
        )
        sources["knowbe4"] = {
            "base_url": fakes["knowbe4"].base_url,
            "page_size": KNOWBE4_PAGE,
            "credentials_env": {"token": "NORTHWIND_KNOWBE4_TOKEN"},
        }
        environment["NORTHWIND_KNOWBE4_TOKEN"] = KNOWBE4_TOKEN

        fakes["safe"] = stack.enter_context(
            safe.make_safe_fake(
                custody_data.safe_data(), api_key=SAFE_KEY, balances=custody_data.safe_balances()
            )
        )
        sources["safe"] = {
            "base_url": fakes["safe"].base_url,
            "wallets": custody_data.safe_wallets(),
            "credentials_env": {"api_key": "NORTHWIND_SAFE_KEY"},
        }
        environment["NORTHWIND_SAFE_KEY"] = SAFE_KEY

        fakes["bitgo"] = stack.enter_context(
            bitgo.make_bitgo_fake(custody_data.bitgo_data(), token=BITGO_TOKEN)
        )
        sources["bitgo"] = {
            "base_url": fakes["bitgo"].base_url,
            "coins": ["eth", "btc"],
            "page_size": BITGO_PAGE,
            "credentials_env": {"token": "NORTHWIND_BITGO_TOKEN"},
        }
        environment["NORTHWIND_BITGO_TOKEN"] = BITGO_TOKEN

        private_pem, public_pem = fireblocks.generate_key_pair()
        key_file = data_dir / "northwind-fireblocks.key"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(private_pem)
        key_file.chmod(0o600)
        fakes["fireblocks"] = stack.enter_context(
            fireblocks.make_fireblocks_fake(
                custody_data.fireblocks_data(), public_pem, api_key=FIREBLOCKS_KEY
            )
        )
        sources["fireblocks"] = {
            "base_url": fakes["fireblocks"].base_url,
            "page_size": FIREBLOCKS_PAGE,
            "credentials_env": {
                "api_key": "NORTHWIND_FIREBLOCKS_KEY",
                "secret_key_file": "NORTHWIND_FIREBLOCKS_FILE",
            },
        }
        environment.update(NORTHWIND_FIREBLOCKS_KEY=FIREBLOCKS_KEY, NORTHWIND_FIREBLOCKS_FILE=str(key_file))

        key, google_public = google_workspace.make_service_account_key(
            "vaultward@northwind-security.iam.gserviceaccount.com"
        )
        google_key = data_dir / "northwind-google.json"
        google_key.write_text(json.dumps(key))
        google_key.chmod(0o600)
        google = roster_data.google_data()
        fakes["google_workspace"] = stack.enter_context(
            google_workspace.make_google_workspace_fake(
                google, google_public, client_email=key["client_email"], page_size=GOOGLE_PAGE
            )
        )
        sources["google_workspace"] = {
            "customer": google["customer_id"],
            "admin_subject": "nadia@northwind.example",
            "directory_url": fakes["google_workspace"].base_url,
            "token_url": fakes["google_workspace"].base_url + google_workspace.TOKEN_PATH,
            "credentials_env": {"service_account_file": "NORTHWIND_GOOGLE_KEY_FILE"},
        }
        environment["NORTHWIND_GOOGLE_KEY_FILE"] = str(google_key)

        fakes["internal_http"] = stack.enter_context(
            internal_hr.make_internal_hr_fake(roster_data.hr_data(), token=roster_data.HR_TOKEN)
        )
        sources["internal_http"] = {"endpoints": [roster_data.hr_endpoint(fakes["internal_http"].base_url)]}
        environment[roster_data.HR_TOKEN_VARIABLE] = f"Bearer {roster_data.HR_TOKEN}"

        csv_path = roster_data.write_training_csv(data_dir / "northwind-lms.csv", now)
        sources["training_csv"] = {"path": str(csv_path), "source_label": roster_data.CSV_LABEL}

        for options in sources.values():
            options["rate_limit_per_minute"] = 0  # no steady pace: the fakes answer at once
        settings_dict: dict[str, Any] = {
            "aws": aws.aws_settings(),
            "sources": sources,
            "policy": {
                "zones": aws.zones(),
                "people": {"signers": signers(), "aliases": aws.aliases()},
                "custody": {
                    "allowed_safe_modules": [custody_data.ALLOWED_MODULE.lower()],
                    "prices": custody_data.PRICES,
                },
            },
        }
        stack.enter_context(_environment(environment))
        yield NorthwindEstate(
            aws=aws,
            settings=parse_settings(settings_dict),
            settings_dict=settings_dict,
            fakes=fakes,
            environment=environment,
            now=now,
        )
