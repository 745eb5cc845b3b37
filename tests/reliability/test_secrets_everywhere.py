"""No credential value reaches any output, end to end.

A distinctive value sits in every credential variable Vaultward reads (AWS keys, each SaaS
source's token or secret, the Google and Fireblocks key files, the SMTP password, the Slack
webhook URL, the webhook's header token, the dashboard passwords, the PostgreSQL password).
Then the real commands run against loopback fakes, several of which fail in ways that echo
the credential back: a 401 with the token in its body and headers, a 400 quoting it, a
failing SMTP login, webhooks that answer errors quoting their URL and token, a plugin whose
import error and whose check's exception carry a token. Every output is then searched: the
CLI's stdout/stderr (logging at debug), every row of every table, every report file (the PDF
through pdftotext) and what the dashboard renders on every page.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import boto3
import streamlit as st
import tomli_w
from streamlit.testing.v1 import AppTest

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
from tests.loopback_webhook import Answer
from tests.test_secrets import dump_store
from vaultward.config.access import Viewer
from vaultward.reporting.files import iso_week_of
from vaultward.store.models import utcnow

VAULTWARD = str(Path(sys.executable).parent / "vaultward")
ROOT = Path(__file__).resolve().parents[2]
SECRETS = {
    "AWS_ACCESS_KEY_ID": "AKIAVWLEAKBASE000042",
    "AWS_SECRET_ACCESS_KEY": "vwleakBaseAwsSecret/+K7MDENG00000000042",
    "VW_AWS_KEY_ID": "AKIAVWLEAKIAM0000042",
    "VW_AWS_SECRET": "vwleakIamAwsSecret/+K7MDENG000000000042",
    "OKTA_API_TOKEN": "00vwleak-okta-token-4242",
    "KNOWBE4_API_TOKEN": "vwleak-knowbe4-token-4242",
    "BITGO_ACCESS_TOKEN": "v2xvwleak-bitgo-token-4242",
    "SAFE_API_KEY": "vwleak-safe-api-key-4242",
    "ENTRA_CLIENT_ID": "vwleak-entra-client-id-4242",
    "ENTRA_CLIENT_SECRET": "vwleak-entra-client-secret-4242",
    "FIREBLOCKS_API_KEY": "vwleak-fireblocks-api-key-4242",
    "FLEET_API_TOKEN": "vwleak-fleet-api-token-4242",
    "CROWDSTRIKE_CLIENT_ID": "vwleak-crowdstrike-client-id-4242",
    "CROWDSTRIKE_CLIENT_SECRET": "vwleak-crowdstrike-client-secret-4242",
    "VW_HR_TOKEN": "Bearer vwleak-internal-hr-token-4242",
    "VAULTWARD_SMTP_PASSWORD": "vwleak-smtp-password-4242",
    "VW_WEBHOOK_TOKEN": "Bearer vwleak-webhook-token-4242",
    "VAULTWARD_DASHBOARD_PASSWORD": "vwleak-dashboard-viewer-4242",
    "VAULTWARD_DASHBOARD_ADMIN_PASSWORD": "vwleak-dashboard-admin-4242",
    "JAMF_CLIENT_ID": "vwleak-jamf-client-id-4242",
    "JAMF_CLIENT_SECRET": "vwleak-jamf-client-secret-4242",
}
SLACK_PATH = "/services/T0VWLEAK/B0VWLEAK/vwleakSlackHookSecret4242"
WEBHOOK_PATH = "/hooks/vwleak-webhook-url-secret-4242"
DB_PASSWORD = "vwleakDbPassword4242"
# A plugin folder: one file fails to import, one check raises; both messages carry a token.
BROKEN_PLUGIN = 'import os\nraise ImportError("vault login refused for " + os.environ["OKTA_API_TOKEN"])\n'
RAISING_PLUGIN = '''"""A check that raises with a credential in its message."""

import os

from vaultward.contract.records import Identity
from vaultward.contract.sdk import check


@check(
    id="access.leaky_plugin_check",
    title="A plugin check that raises",
    mitigation="access",
    severity="low",
    weight=1,
    reads=[Identity],
    references=["attack-mitigation:M1032"],
    remediation="None.",
)
def leaky_plugin_check(ctx):
    """Raises, quoting the token it was given."""
    raise RuntimeError("upstream said: bad token " + os.environ["KNOWBE4_API_TOKEN"])
'''


def echo_401(token: str) -> dict:
    """A vendor answer that quotes the credential in its body and its headers."""
    return {
        "status": 401,
        "headers": {"WWW-Authenticate": f'Bearer error="invalid_token" token="{token}"'},
        "body": {"error": f"invalid token {token}", "token": token},
    }


def start_fakes(stack: ExitStack, data_dir: Path) -> tuple[dict, dict[str, str], list[str]]:
    """The SaaS fakes: okta, google, safe, internal_http answer; knowbe4, bitgo, entra,
    fireblocks and jamf refuse, quoting the credential. Returns the sources, the environment and
    fireblocks and crowdstrike refuse, quoting the credential. Returns the sources, the environment and
    extra secret texts (lines of the key files)."""
    sources: dict = {}
    environment: dict[str, str] = {}
    okta_fake = stack.enter_context(
        okta.make_okta_fake(okta.demo_okta_data(), token=SECRETS["OKTA_API_TOKEN"])
    )
    sources["okta"] = {"base_url": okta_fake.base_url}

    key, public_pem = google_workspace.make_service_account_key()
    key_file = data_dir / "google-key.json"
    key_file.write_text(json.dumps(key))
    google_data = google_workspace.demo_google_workspace_data()
    google_fake = stack.enter_context(google_workspace.make_google_workspace_fake(google_data, public_pem))
    sources["google_workspace"] = {
        "customer": google_data["customer_id"],
        "admin_subject": "alice@acme.example",
        "directory_url": google_fake.base_url,
        "token_url": google_fake.base_url + google_workspace.TOKEN_PATH,
        "credentials_env": {"service_account_file": "VW_GOOGLE_KEY_FILE"},
    }
    environment["VW_GOOGLE_KEY_FILE"] = str(key_file)

    safe_fake = stack.enter_context(
        safe.make_safe_fake(safe.demo_safe_data(), api_key=SECRETS["SAFE_API_KEY"])
    )
    sources["safe"] = {"base_url": safe_fake.base_url, "wallets": safe.demo_safe_wallets()}

    hr_token = SECRETS["VW_HR_TOKEN"].removeprefix("Bearer ")
    hr_fake = stack.enter_context(
        internal_hr.make_internal_hr_fake(internal_hr.demo_internal_hr_data(), token=hr_token)
    )
    endpoint = internal_hr.demo_internal_hr_endpoint(hr_fake.base_url)
    sources["internal_http"] = {"endpoints": [{**endpoint, "auth_env": "VW_HR_TOKEN"}]}

    knowbe4_fake = stack.enter_context(knowbe4.make_knowbe4_fake(knowbe4.demo_knowbe4_data()))
    knowbe4_fake.inject("/", times=100, **echo_401(SECRETS["KNOWBE4_API_TOKEN"]))
    sources["knowbe4"] = {"base_url": knowbe4_fake.base_url}

    bitgo_fake = stack.enter_context(bitgo.make_bitgo_fake(bitgo.demo_bitgo_data()))
    quoted = {"error": f"token {SECRETS['BITGO_ACCESS_TOKEN']} is not valid here", "name": "BadRequest"}
    bitgo_fake.inject("/", 400, body=quoted, times=100)
    sources["bitgo"] = {"base_url": bitgo_fake.base_url, "coins": ["eth"]}

    entra_data = entra.demo_entra_data()
    entra_fake = stack.enter_context(entra.make_entra_fake(entra_data, client_secret="another-secret"))
    token_error = {
        "error": "invalid_client",
        "error_description": f"AADSTS7000215: Invalid client secret {SECRETS['ENTRA_CLIENT_SECRET']} "
        f"for {SECRETS['ENTRA_CLIENT_ID']}",
    }
    entra_fake.inject(f"/{entra_data['tenant_id']}/", 401, body=token_error, times=100)
    sources["entra"] = {
        "tenant_id": entra_data["tenant_id"],
        "graph_url": entra_fake.base_url,
        "login_url": entra_fake.base_url,
    }

    # Intune through the same app registration: the token is issued, then Graph quotes it back.
    intune_data = intune.demo_intune_data()
    intune_fake = stack.enter_context(
        intune.make_intune_fake(
            intune_data, SECRETS["ENTRA_CLIENT_SECRET"], client_id=SECRETS["ENTRA_CLIENT_ID"]
        )
    )
    quoted = entra.graph_error(
        400, "BadRequest", f"Invalid client {SECRETS['ENTRA_CLIENT_ID']}:{SECRETS['ENTRA_CLIENT_SECRET']}"
    ).body
    intune_fake.inject("/v1.0/", 400, body=quoted, times=100)
    intune_fake.inject("/beta/", 400, body=quoted, times=100)
    sources["intune"] = {
        "tenant_id": intune_data["tenant_id"],
        "graph_url": intune_fake.base_url,
        "login_url": intune_fake.base_url,
    }

    private_pem, fireblocks_public = fireblocks.generate_key_pair()
    fireblocks_key = data_dir / "fireblocks.key"
    fireblocks_key.write_text(private_pem)
    fireblocks_fake = stack.enter_context(
        fireblocks.make_fireblocks_fake(fireblocks.demo_fireblocks_data(), fireblocks_public)
    )
    fireblocks_fake.inject("/", times=100, **echo_401(SECRETS["FIREBLOCKS_API_KEY"]))
    sources["fireblocks"] = {"base_url": fireblocks_fake.base_url}
    environment["FIREBLOCKS_SECRET_KEY_FILE"] = str(fireblocks_key)

    jamf_fake = stack.enter_context(
        jamf.make_jamf_fake(jamf.demo_jamf_data(), client_secret="another-secret")
    )
    refused = {
        "error": "invalid_client",
        "client": SECRETS["JAMF_CLIENT_ID"],
        "secret": SECRETS["JAMF_CLIENT_SECRET"],
    }
    jamf_fake.inject(
        jamf.TOKEN_PATH, times=100, **{**echo_401(SECRETS["JAMF_CLIENT_SECRET"]), "body": refused}
    )
    sources["jamf"] = {"base_url": jamf_fake.base_url}
    # Fleet answers, except one host's details: a 404 that quotes the token (a side request's
    # Problem carries the body).
    fleet_fake = stack.enter_context(
        fleet.make_fleet_fake(fleet.demo_fleet_data(), token=SECRETS["FLEET_API_TOKEN"])
    )
    quoting = {
        "message": "Resource Not Found",
        "errors": [{"name": "base", "reason": SECRETS["FLEET_API_TOKEN"]}],
    }
    fleet_fake.inject("/api/v1/fleet/hosts/102", 404, body=quoting, times=100)
    sources["fleet"] = {"base_url": fleet_fake.base_url}
    crowdstrike_fake = stack.enter_context(
        crowdstrike.make_crowdstrike_fake(crowdstrike.demo_crowdstrike_data())
    )
    quoting = f"access denied, invalid client {SECRETS['CROWDSTRIKE_CLIENT_ID']} / {SECRETS['CROWDSTRIKE_CLIENT_SECRET']}"
    refusal = crowdstrike.envelope([], [{"code": 403, "message": quoting}])
    crowdstrike_fake.inject("/oauth2/token", 403, body=refusal, times=100)
    sources["crowdstrike"] = {"base_url": crowdstrike_fake.base_url}

    key_lines = [key["private_key"].splitlines()[1], private_pem.splitlines()[1]]
    return sources, environment, key_lines


def write_config(tmp_path: Path, moto_endpoint: str, sources: dict, smtp: dict, plugins: Path) -> Path:
    aws_credentials = {"access_key_id": "VW_AWS_KEY_ID", "secret_access_key": "VW_AWS_SECRET"}
    config = {
        "store": {"data_dir": str(tmp_path / "data")},
        "plugin_dir": str(plugins),
        "aws": {"endpoint_url": moto_endpoint, "max_attempts": 1, "regions": ["us-east-1"]},
        "sources": {
            "aws_iam": {"credentials_env": aws_credentials},
            **{name: {"enabled": False} for name in ("aws_network", "aws_custody", "aws_detection")},
            "aws_organization": {"enabled": False},
            **sources,
        },
        "smtp": smtp,
        "report": {"max_attempts": 1, "email": {"to": ["ciso@acme.example"]}},
        "alerts": {
            "max_attempts": 1,
            "slack": {},
            "webhook": {"headers_env": {"Authorization": "VW_WEBHOOK_TOKEN"}},
        },
    }
    path = tmp_path / "vaultward.toml"
    path.write_text(tomli_w.dumps(config))
    return path


def run_cli(config: Path, env: dict[str, str], cwd: Path, *command: str) -> str:
    result = subprocess.run(
        [VAULTWARD, "--verbose", "--config", str(config), *command],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
    )
    return f"$ vaultward {' '.join(command)} (exit {result.returncode})\n{result.stdout}{result.stderr}"


def element_text(node) -> list[str]:
    """Everything an AppTest element tree holds: each element's protobuf (labels, markdown,
    exception messages and tracebacks) and each table's cells."""
    texts = []
    if type(node).__name__ == "Dataframe":
        texts.append(node.value.to_csv())
    proto = getattr(node, "proto", None)
    if proto is not None:
        texts.append(str(proto))
    for child in getattr(node, "children", {}).values():
        texts.extend(element_text(child))
    return texts


PAGES = [
    ("overview", ""),
    ("attack_path", ""),
    ("trends", ""),
    ("mitigation", "'access'"),
    ("mitigation", "'training'"),
    ("mitigation", "'custody'"),
    ("people", ""),
    ("wallets", ""),
    ("catalog", ""),
    ("waivers", ""),
    ("reports", ""),
    ("sources", ""),
]


def dashboard_text(monkeypatch, capsys, env: dict[str, str]) -> str:
    """The password login screen (with a wrong then the right password), then every page
    rendered for an admin, and what the dashboard logged meanwhile."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    st.cache_data.clear()
    st.cache_resource.clear()
    shown = []
    at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=60).run()
    for password in ("wrong-password", SECRETS["VAULTWARD_DASHBOARD_ADMIN_PASSWORD"]):
        at.radio(key="login_role").set_value("admin")
        at.text_input(key="login_password").input(password)
        at.button[0].click().run()
        shown += element_text(at._tree)
    assert "Readiness overview" in [t.value for t in at.title]
    for module, argument in PAGES:
        at = AppTest.from_string(
            f"from dashboard.app_pages.{module} import render\nrender({argument})\n", default_timeout=60
        )
        at.session_state["vaultward_viewer"] = Viewer("password admin", "admin", "password")
        at.run()
        shown += element_text(at._tree)
    st.cache_data.clear()
    st.cache_resource.clear()
    logged = capsys.readouterr().err
    assert "broken_vault.py failed to load" in logged
    return "\n".join(shown) + logged


def test_no_secret_anywhere(
    tmp_path, database_url, moto_endpoint, smtp_server, webhook_receiver, monkeypatch, capsys
):
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name="us-east-1")
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1!")  # noqa: S106 - moto's
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "broken_vault.py").write_text(BROKEN_PLUGIN)
    (plugins / "leaky_check.py").write_text(RAISING_PLUGIN)
    if database_url.startswith("postgresql"):  # trust auth ignores the password; we only carry it
        database_url = database_url.replace("postgres@", f"postgres:{DB_PASSWORD}@", 1)
    # The Slack URL and webhook answer errors quoting their secrets.
    webhook_receiver.answers = [
        Answer(404, f"no_service: {SLACK_PATH}"),
        Answer(401, f"bad token {SECRETS['VW_WEBHOOK_TOKEN']}", {"X-Echo": SECRETS["VW_WEBHOOK_TOKEN"]}),
    ] * 20
    with ExitStack() as stack:
        sources, fake_env, key_lines = start_fakes(stack, tmp_path)
        config = write_config(tmp_path, moto_endpoint, sources, smtp_server.settings(), plugins)
        env = {
            **os.environ,
            **SECRETS,
            **fake_env,
            "VAULTWARD_DATABASE_URL": database_url,
            "VAULTWARD_SLACK_WEBHOOK_URL": webhook_receiver.url(SLACK_PATH),
            "VAULTWARD_ALERT_WEBHOOK_URL": webhook_receiver.url(WEBHOOK_PATH),
        }
        env.pop("VAULTWARD_CONFIG", None)
        week = iso_week_of(utcnow())
        reports = tmp_path / "reports"
        outputs = [
            run_cli(config, env, tmp_path, "collect"),
            run_cli(config, env, tmp_path, "evaluate"),
            run_cli(config, env, tmp_path, "report", "--week", week, "--format", "html,pdf,csv,json",
                    "--out", str(reports), "--deliver"),
            run_cli(config, env, tmp_path, "status"),
        ]  # fmt: skip
        dashboard = dashboard_text(monkeypatch, capsys, {**fake_env, **SECRETS, "VAULTWARD_CONFIG": str(config),
                                                 "VAULTWARD_DATABASE_URL": database_url})  # fmt: skip
    cli = "\n".join(outputs)

    # the failures happened, each as the fake made it
    assert "knowbe4" in cli and "HTTP 401, credentials refused" in cli, cli
    assert "bitgo" in cli and "HTTP 400" in cli, cli
    assert "fleet" in cli and "/api/v1/fleet/hosts/102: HTTP 404" in cli, cli
    assert "entra" in cli and "fireblocks" in cli
    assert "intune" in cli and "HTTP 400" in cli, cli
    assert "jamf: POST /api/oauth/token: HTTP 401, credentials refused" in cli, cli
    assert "crowdstrike: POST /oauth2/token: HTTP 403, credentials refused" in cli, cli
    assert "check access.leaky_plugin_check" in cli and "raised RuntimeError" in cli, cli
    assert "broken_vault.py" in cli, cli
    assert "email:" in cli and "FAILED after 1 attempt(s)" in cli, cli
    assert webhook_receiver.to(SLACK_PATH) and webhook_receiver.to(WEBHOOK_PATH), "no alert was sent"
    assert "Sources" in dashboard and "credentials refused" in dashboard

    store = dump_store(database_url)
    if database_url.startswith("sqlite"):
        store += Path(database_url.split("///", 1)[1]).read_bytes().decode("utf-8", "replace")
    files = sorted(reports.rglob("*.*"))
    assert {f.suffix for f in files} >= {".html", ".pdf", ".csv", ".json"}
    report_text = ""
    for file in files:
        if file.suffix == ".pdf":
            pdf = subprocess.run(["pdftotext", str(file), "-"], capture_output=True, text=True, check=True)
            report_text += pdf.stdout
        else:
            report_text += file.read_text(encoding="utf-8", errors="replace")

    secrets = {
        **SECRETS,
        "HR token": SECRETS["VW_HR_TOKEN"].removeprefix("Bearer "),
        "webhook token": SECRETS["VW_WEBHOOK_TOKEN"].removeprefix("Bearer "),
        "Slack webhook path": SLACK_PATH.rsplit("/", 1)[1],
        "webhook URL path": WEBHOOK_PATH.rsplit("/", 1)[1],
        "database password": DB_PASSWORD,
        "Google private key": key_lines[0],
        "Fireblocks private key": key_lines[1],
    }
    outputs_by_name = {"CLI": cli, "store": store, "reports": report_text, "dashboard": dashboard}
    leaks = [
        f"{name} in the {where}: ...{text[max(0, text.index(secret) - 80) : text.index(secret)]}"
        for name, secret in secrets.items()
        for where, text in outputs_by_name.items()
        if secret in text
    ]
    assert not leaks, leaks
