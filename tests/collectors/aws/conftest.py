"""moto fixtures: dummy credentials, the exact organisation in-process and on a server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests
from moto import mock_aws
from moto.server import ThreadedMotoServer

from demo.organisation import DemoOrganisation, seed_exact_organisation
from tests.conftest import AWS_DUMMY_ENV

AWS_ENV = AWS_DUMMY_ENV


def _dummy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    _dummy_env(monkeypatch)


@pytest.fixture
def mocked_aws(aws_env) -> Iterator[None]:
    with mock_aws():
        yield


@pytest.fixture(scope="module", params=["mock_aws", "server"])
def exact_org(request: pytest.FixtureRequest) -> Iterator[DemoOrganisation]:
    """The exact organisation, seeded in-process under `mock_aws`, or on a
    ThreadedMotoServer on a random loopback port (same process, so the backend-only parts
    are seeded too)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        _dummy_env(monkeypatch)
        if request.param == "mock_aws":
            with mock_aws():
                yield seed_exact_organisation()
            return
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            endpoint = f"http://{host}:{port}"
            requests.post(f"{endpoint}/moto-api/reset", timeout=10)
            yield seed_exact_organisation(endpoint)
            requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        finally:
            server.stop()
