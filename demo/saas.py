"""The demo's SaaS side: loopback fakes of the identity, training and custody vendors, with
Acme Exchange's people, and the `[sources.*]` tables and credential variables that point the
real collectors at them.

The credentials are the fakes' own dummy values, set in this process's environment only;
the configuration names the variables, as a real deployment does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from demo.fakes import (
    bitgo,
    crowdstrike,
    entra,
    fireblocks,
    fleet,
    google_workspace,
    internal_hr,
    intune,
    jamf,
    knowbe4,
    okta,
    safe,
)
from demo.fakes.prowler import demo_prowler_output
from demo.fakes.server import FakeApi, RateLimit
from demo.fakes.training_csv import demo_training_csv

DEMO_SECRET = "demo-entra-client-secret"  # noqa: S105 - the fake's own dummy credential
# `[policy.custody.prices]` of the demo: USD per unit, as an operator would state them.
DEMO_PRICES = {"BTC": 97000, "ETH": 3000, "USDC": 1, "USDT_ERC20": 1}
# The demo's KnowBe4 account allows 300 requests a minute (an account's burst limit is its
# own: the collector's default of 50 is a conservative guess for accounts that do not say);
# the fake enforces it and the demo configures the collector to pace to it.
DEMO_KNOWBE4_PER_MINUTE = 300
# The demo's Falcon customer (CID) allows 6,000 requests a minute; the fake enforces it and
# answers with Falcon's X-RateLimit-* headers (the collector keeps its own pace of 600).
DEMO_CROWDSTRIKE_PER_MINUTE = 6000


@dataclass
class DemoSaaS:
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)  # [sources.<name>] tables
    environment: dict[str, str] = field(default_factory=dict)  # credential variables
    signers: dict[str, str] = field(default_factory=dict)  # policy.people.signers
    aliases: dict[str, str] = field(default_factory=dict)  # policy.people.aliases the sources need
    fakes: dict[str, FakeApi] = field(default_factory=dict)  # source -> its fake (tests inject faults)
    # source -> the data its fake serves, changed in place between the demo's weeks: "okta"
    # (OktaData), "safe" ({chain: {address: Safe}}), "knowbe4" (the served dict), "jamf"
    # (likewise), "fleet" ({"hosts", "device_mapping"}), "crowdstrike" ({"hosts": [...]})
    data: dict[str, Any] = field(default_factory=dict)


@contextmanager
def saas_fakes(
    data_dir: Path, aws_account: str, page_size: int = 100, now: datetime | None = None
) -> Iterator[DemoSaaS]:
    """Start every vendor fake on loopback; yields how to configure the collectors.
    `page_size` caps the pages of fakes whose page size the client does not choose (tests
    make it small, so listings span pages). `now`: the moment the dated data (training,
    phishing tests, Okta's System Log, the Prowler run) is dated from (default: the clock)."""
    demo = DemoSaaS()
    with ExitStack() as stack:
        okta_data = okta.demo_okta_data(now)  # its System Log dated from `now`
        demo.data["okta"] = okta_data
        okta_fake = stack.enter_context(okta.make_okta_fake(okta_data))
        demo.fakes["okta"] = okta_fake
        demo.sources["okta"] = {
            "base_url": okta_fake.base_url,
            "credentials_env": {"token": "OKTA_API_TOKEN"},
        }
        demo.environment["OKTA_API_TOKEN"] = okta.DEMO_TOKEN

        key, public_pem = google_workspace.make_service_account_key()
        key_file = data_dir / "google-service-account.json"
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(json.dumps(key))
        key_file.chmod(0o600)
        google_data = google_workspace.demo_google_workspace_data(now)
        google_fake = stack.enter_context(
            google_workspace.make_google_workspace_fake(google_data, public_pem, page_size=page_size)
        )
        demo.fakes["google_workspace"] = google_fake
        demo.sources["google_workspace"] = {
            "customer": google_data["customer_id"],
            "admin_subject": "alice@acme.example",
            "directory_url": google_fake.base_url,
            "token_url": google_fake.base_url + google_workspace.TOKEN_PATH,
        }
        demo.environment["GOOGLE_SERVICE_ACCOUNT_FILE"] = str(key_file)

        entra_data = entra.demo_entra_data(now)
        entra_fake = stack.enter_context(
            entra.make_entra_fake(entra_data, client_secret=DEMO_SECRET, page_size=page_size)
        )
        demo.fakes["entra"] = entra_fake
        demo.sources["entra"] = {
            "tenant_id": entra_data["tenant_id"],
            "graph_url": entra_fake.base_url,
            "login_url": entra_fake.base_url,
        }
        demo.environment["ENTRA_CLIENT_ID"] = entra.DEMO_CLIENT_ID
        demo.environment["ENTRA_CLIENT_SECRET"] = DEMO_SECRET

        knowbe4_data = demo.data["knowbe4"] = knowbe4.demo_knowbe4_data(now)
        limit = RateLimit(DEMO_KNOWBE4_PER_MINUTE)
        knowbe4_fake = stack.enter_context(knowbe4.make_knowbe4_fake(knowbe4_data, rate_limit=limit))
        demo.fakes["knowbe4"] = knowbe4_fake
        demo.sources["knowbe4"] = {
            "base_url": knowbe4_fake.base_url,
            "rate_limit_per_minute": DEMO_KNOWBE4_PER_MINUTE,
        }
        demo.environment["KNOWBE4_API_TOKEN"] = knowbe4.DEMO_TOKEN

        csv_path = demo_training_csv(data_dir / "acme-academy-training.csv", now)
        demo.sources["training_csv"] = {"path": str(csv_path), "source_label": "acme-academy"}

        safe_data = demo.data["safe"] = safe.demo_safe_data()
        safe_fake = stack.enter_context(safe.make_safe_fake(safe_data, balances=safe.demo_safe_balances()))
        demo.fakes["safe"] = safe_fake
        demo.sources["safe"] = {"base_url": safe_fake.base_url, "wallets": safe.demo_safe_wallets()}
        demo.environment["SAFE_API_KEY"] = safe.DEMO_API_KEY
        # Owner addresses are keys, not people: the configuration says whose they are.
        demo.signers.update(
            {safe.ALICE: "alice@acme.example", safe.BOB: "bob@acme.example", safe.ERIN: "erin@acme.example"}
        )

        bitgo_fake = stack.enter_context(bitgo.make_bitgo_fake(bitgo.demo_bitgo_data()))
        demo.fakes["bitgo"] = bitgo_fake
        demo.sources["bitgo"] = {"base_url": bitgo_fake.base_url, "coins": ["eth", "btc"]}
        demo.environment["BITGO_ACCESS_TOKEN"] = bitgo.DEMO_TOKEN
        # BitGo user ids, likewise; the ops bot (view only) is nobody's
        demo.signers.update(
            {
                bitgo.ALICE: "alice@acme.example",
                bitgo.BOB: "bob@acme.example",
                bitgo.ERIN: "erin@acme.example",
                bitgo.GRACE: "grace@acme.example",
            }
        )

        private_pem, public_pem = fireblocks.generate_key_pair()
        fireblocks_key = data_dir / "fireblocks-api-user.key"
        fireblocks_key.write_text(private_pem)
        fireblocks_key.chmod(0o600)
        fireblocks_fake = stack.enter_context(
            fireblocks.make_fireblocks_fake(fireblocks.demo_fireblocks_data(), public_pem)
        )
        demo.fakes["fireblocks"] = fireblocks_fake
        demo.sources["fireblocks"] = {"base_url": fireblocks_fake.base_url}
        demo.environment["FIREBLOCKS_API_KEY"] = fireblocks.DEMO_API_KEY
        demo.environment["FIREBLOCKS_SECRET_KEY_FILE"] = str(fireblocks_key)

        hr_fake = stack.enter_context(internal_hr.make_internal_hr_fake(internal_hr.demo_internal_hr_data()))
        demo.fakes["internal_http"] = hr_fake
        demo.sources["internal_http"] = {
            "endpoints": [internal_hr.demo_internal_hr_endpoint(hr_fake.base_url)]
        }
        demo.environment[internal_hr.DEMO_TOKEN_VARIABLE] = f"Bearer {internal_hr.DEMO_TOKEN}"
        jamf_data = demo.data["jamf"] = jamf.demo_jamf_data(now)
        jamf_fake = stack.enter_context(jamf.make_jamf_fake(jamf_data))
        demo.fakes["jamf"] = jamf_fake
        demo.sources["jamf"] = {"base_url": jamf_fake.base_url}
        demo.environment["JAMF_CLIENT_ID"] = jamf.DEMO_CLIENT_ID
        demo.environment["JAMF_CLIENT_SECRET"] = jamf.DEMO_CLIENT_SECRET
        prowler_folder = demo_prowler_output(data_dir / "prowler", aws_account, now)
        demo.sources["prowler_import"] = {"path": str(prowler_folder)}

        # Intune through the same app registration as entra (its ENTRA_CLIENT_* variables).
        intune_data = demo.data["intune"] = intune.demo_intune_data(now)
        intune_fake = stack.enter_context(
            intune.make_intune_fake(intune_data, client_secret=DEMO_SECRET, page_size=page_size)
        )
        demo.fakes["intune"] = intune_fake
        demo.sources["intune"] = {
            "tenant_id": intune_data["tenant_id"],
            "graph_url": intune_fake.base_url,
            "login_url": intune_fake.base_url,
        }
        fleet_data = demo.data["fleet"] = fleet.demo_fleet_data(now)
        fleet_fake = stack.enter_context(fleet.make_fleet_fake(fleet_data))
        demo.fakes["fleet"] = fleet_fake
        demo.sources["fleet"] = {"base_url": fleet_fake.base_url}
        demo.environment["FLEET_API_TOKEN"] = fleet.DEMO_TOKEN
        crowdstrike_data = demo.data["crowdstrike"] = crowdstrike.demo_crowdstrike_data(now)
        crowdstrike_fake = stack.enter_context(
            crowdstrike.make_crowdstrike_fake(
                crowdstrike_data, rate_limit=crowdstrike.falcon_rate_limit(DEMO_CROWDSTRIKE_PER_MINUTE)
            )
        )
        demo.fakes["crowdstrike"] = crowdstrike_fake
        demo.sources["crowdstrike"] = {"base_url": crowdstrike_fake.base_url}
        demo.environment["CROWDSTRIKE_CLIENT_ID"] = crowdstrike.DEMO_CLIENT_ID
        demo.environment["CROWDSTRIKE_CLIENT_SECRET"] = crowdstrike.DEMO_CLIENT_SECRET
        demo.aliases.update(crowdstrike.ALIASES)  # the sensor's ACME\carol is Carol
        yield demo
