"""Shared fixtures: both stores (SQLite file, PostgreSQL throwaway database), settings, and a
fresh virtual environment with the wheel installed."""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import SQLModel

from tests.demo_store import demo_run  # noqa: F401 - the session's one demo run
from tests.fresh_venv import FreshVenv, create_fresh_venv
from tests.reliability.monotonicity import REPORT_LINES
from vaultward.store.db import make_engine, open_store

POSTGRES_ADMIN_URL = os.environ.get(
    "VAULTWARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = [b for b in os.environ.get("VAULTWARD_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]

# Session fixtures that take minutes to build (a twelve-week demo run, a served demo, a wheel in
# a fresh venv) or gather one report for the session. `./dev.sh test` runs the suite on several
# pytest-xdist workers with `--dist loadgroup`: every test using one of them goes to that
# fixture's group, so one worker builds it once, instead of each worker building its own.
SHARED_SESSION_FIXTURES = ("demo_run", "served_demo", "fresh_venv", "monotonicity_report")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        used = [name for name in SHARED_SESSION_FIXTURES if name in getattr(item, "fixturenames", ())]
        if len(used) > 1:
            raise pytest.UsageError(f"{item.nodeid} uses {used}: one worker cannot hold two groups")
        if used:
            item.add_marker(pytest.mark.xdist_group(used[0]))


@pytest.hookimpl(trylast=True, specname="pytest_collection_modifyitems")  # after pytest-xdist's
def _groups_kept(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop a worker whose groups pytest-xdist lost (its loadgroup against pytest 9.2's node ids):
    the shared fixtures would silently be built on every worker."""
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [
        item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if lost:
        raise pytest.UsageError(f"pytest-xdist did not group {len(lost)} tests, e.g. {lost[0]}")


_WORKER_LINES = pytest.StashKey[list[str]]()


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: there only when it is installed
def pytest_testnodedown(node: Any, error: object) -> None:
    """Lines a worker's session fixture left for the end of the run (the monotonicity report)."""
    lines = getattr(node, "workeroutput", {}).get(REPORT_LINES)
    if lines:
        node.config.stash.setdefault(_WORKER_LINES, []).extend(lines)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    lines = config.stash.get(_WORKER_LINES, [])
    if lines:
        terminalreporter.write_line("")
    for line in lines:
        terminalreporter.write_line(line)


@pytest.fixture(scope="session")
def fresh_venv(tmp_path_factory: pytest.TempPathFactory) -> FreshVenv:
    """Vaultward's wheel in a new virtual environment at uv.lock's versions, built once a session."""
    return create_fresh_venv(tmp_path_factory.mktemp("fresh-venv"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throwaway PostgreSQL database for this test session, dropped afterwards."""
    name = f"vaultward_test_{uuid.uuid4().hex[:10]}"
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


@pytest.fixture(scope="session")
def _postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = open_store(postgres_url)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    tables = [table.name for table in reversed(SQLModel.metadata.sorted_tables)]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))  # noqa: S608 - table names from metadata


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:
    """The URL of an empty, migrated store; every test using it runs on both backends."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'store.db'}"
        open_store(url).dispose()
        yield url
    else:
        engine = request.getfixturevalue("_postgres_engine")
        _truncate(engine)
        yield str(engine.url.render_as_string(hide_password=False))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = open_store(database_url)
    yield engine
    engine.dispose()


AWS_DUMMY_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A moto server on a random loopback port, in this process, for the whole session;
    tests reset it (`moto_endpoint`) before seeding."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The shared moto server, emptied, with dummy AWS credentials in the environment;
    emptied again after the test: the server shares this process's moto backends, so an
    organisation left there would meet a later in-process `mock_aws` test."""
    import httpx

    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    for name, value in AWS_DUMMY_ENV.items():
        monkeypatch.setenv(name, value)
    httpx.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()
    yield moto_server
    httpx.post(f"{moto_server}/moto-api/reset", timeout=10).raise_for_status()


@dataclass
class SmtpServer:
    """A loopback SMTP server requiring STARTTLS and a login; what it received."""

    host: str
    port: int
    ca_file: str
    username: str
    password: str
    messages: list[EmailMessage] = field(default_factory=list)
    refuse_next: int = 0  # answer the next N messages with a temporary failure (451)

    def settings(self, **overrides: Any) -> dict[str, Any]:
        """An `[smtp]` section for this server (the password comes from $VAULTWARD_SMTP_PASSWORD)."""
        return {
            "host": self.host,
            "port": self.port,
            "security": "starttls",
            "username": self.username,
            "sender": "vaultward@example.com",
            "ca_file": self.ca_file,
            "timeout_seconds": 10,
            **overrides,
        }


@pytest.fixture
def smtp_server(tmp_path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """aiosmtpd on a random loopback port with a trustme certificate: STARTTLS required before
    AUTH; $VAULTWARD_SMTP_PASSWORD holds the password."""
    import socket
    import ssl
    from email import message_from_bytes, policy

    import trustme
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    ca_file = tmp_path / "smtp-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    server = SmtpServer("127.0.0.1", 0, str(ca_file), "reports@example.com", "s3cret-smtp-pass")
    monkeypatch.setenv("VAULTWARD_SMTP_PASSWORD", server.password)
    # aiosmtpd logs from its own thread, after CLI tests have closed the streams they logged to.
    monkeypatch.setattr(logging.getLogger("mail.log"), "propagate", False)

    class Handler:
        async def handle_DATA(self, smtp, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            if server.refuse_next > 0:
                server.refuse_next -= 1
                return "451 4.3.0 try again later"
            server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    def authenticate(smtp, session, envelope, mechanism, auth_data):
        ok = auth_data.login == server.username.encode() and auth_data.password == server.password.encode()
        return AuthResult(success=ok, handled=False)

    with socket.socket() as probe:  # aiosmtpd's readiness probe cannot use port 0
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    controller = Controller(
        Handler(),
        hostname="127.0.0.1",
        port=free_port,
        tls_context=context,
        require_starttls=True,
        auth_require_tls=True,
        authenticator=authenticate,
    )
    controller.start()
    server.port = free_port
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture
def webhook_receiver():
    """A loopback HTTP server recording POSTs (Slack / generic webhook stand-in)."""
    from tests.loopback_webhook import WebhookReceiver

    with WebhookReceiver() as receiver:
        yield receiver
