"""Monotonicity (issue 15) for the AWS collectors: the exact organisation on a moto server,
collected cleanly by every AWS collector (the baseline), then with one AWS operation failing
in one account (AccessDenied, a 500 on every attempt, a read timeout on every attempt),
stored fresh and after the clean Run, and compared (tests/reliability/monotonicity.py).

The operations are those the clean collection called, per collector and account (recorded
with a botocore `before-call` hook): nothing a collector calls escapes. Each operation meets
every fault, each in another of the accounts that call it, so accounts rotate. moto answers
every listing in one page: a later page failing is tests/reliability/test_aws_faults.py's.
"""

from __future__ import annotations

import time
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from moto.server import ThreadedMotoServer

from collectors.aws import (
    AwsCustodyCollector,
    AwsDetectionCollector,
    AwsIamCollector,
    AwsNetworkCollector,
    AwsOrganizationCollector,
)
from collectors.aws.session import AwsSessions
from demo.organisation import seed_exact_organisation
from tests.aws_faults import error_response
from tests.conftest import AWS_DUMMY_ENV
from tests.reliability.monotonicity import Histories, Recorded, Report, Stores, record
from vaultward.config.settings import parse_settings
from vaultward.contract.sdk import Collector
from vaultward.pipeline.registry import discover

AWS_ENV = AWS_DUMMY_ENV
COLLECTORS: dict[str, type[Collector]] = {
    cls.name: cls
    for cls in (
        AwsIamCollector,
        AwsNetworkCollector,
        AwsCustodyCollector,
        AwsDetectionCollector,
        AwsOrganizationCollector,
    )
}
FAULTS = ["AccessDenied", "500", "read timeout"]


@dataclass
class Injector:
    """Hooks on every client the collectors build: records each call while `log` is set,
    and answers `operation` (service, name) with `fault` while armed."""

    log: list[tuple[str, str]] | None = None
    operation: tuple[str, str] | None = None
    fault: str = ""
    current: tuple[str, str] | None = None  # the call being made
    hits: int = 0  # faults answered

    def before_call(self, model, **_: Any):
        called = (model.service_model.service_name, model.name)
        self.current = called
        if self.log is not None:
            self.log.append(called)
        if self.operation == called and self.fault == "AccessDenied":
            self.hits += 1
            response = AWSResponse("https://denied.invalid", 403, {}, None)
            message = "User is not authorized to perform this action (injected by the test)"
            return response, {"Error": {"Code": "AccessDenied", "Message": message}}
        return None

    def before_send(self, request, **_: Any):
        # Sent for the last call made (collection of a scope is serial), on every attempt.
        if self.operation is None or self.current != self.operation or self.fault == "AccessDenied":
            return None
        self.hits += 1
        if self.fault == "500":
            return error_response(_protocol(self.operation[0]), 500, "InternalFailure", "injected")
        raise ReadTimeoutError(endpoint_url="http://127.0.0.1/injected")


def _protocol(service: str) -> str:
    return service if service in ("ec2", "iam") else ("iam" if service == "sts" else "json")


@dataclass(frozen=True)
class AwsCase:
    collector: str
    scope: int  # index into the collector's scopes
    operation: tuple[str, str]
    fault: str

    @property
    def description(self) -> str:
        return f"{self.operation[0]}:{self.operation[1]} in scope #{self.scope + 1}: {self.fault}"


@dataclass
class AwsEstate:
    histories: Histories
    injector: Injector
    settings: Any
    calls: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)

    def collectors(self, name: str) -> tuple[Collector, list]:
        collector = COLLECTORS[name](self.settings)
        return collector, collector.scopes()


@pytest.fixture(scope="module")
def aws_estate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwsEstate]:
    injector = Injector()
    original = AwsSessions.client

    def client(self, session, service, region=None):
        made = original(self, session, service, region)
        made.meta.events.register("before-call", injector.before_call)
        made.meta.events.register("before-send", injector.before_send)
        return made

    clock = types.SimpleNamespace(**{n: getattr(time, n) for n in dir(time) if not n.startswith("_")})
    clock.sleep = lambda _seconds: None  # botocore's backoff, not slept
    with pytest.MonkeyPatch.context() as mp:
        import botocore.endpoint

        mp.setattr(botocore.endpoint, "time", clock)
        mp.delenv("AWS_PROFILE", raising=False)
        mp.delenv("AWS_SESSION_TOKEN", raising=False)
        for name, value in AWS_ENV.items():
            mp.setenv(name, value)
        mp.setattr(AwsSessions, "client", client)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            # moto's backends are this process's: start from empty whatever ran before.
            httpx.post(f"http://{host}:{port}/moto-api/reset", timeout=10).raise_for_status()
            org = seed_exact_organisation(f"http://{host}:{port}")
            data = org.settings_dict(discovery="accounts")
            data["aws"].update({"max_attempts": 3, "retry_mode": "standard"})
            settings = parse_settings(data)
            folder = tmp_path_factory.mktemp("monotonicity-aws")
            estate = AwsEstate(Histories(settings, discover(), Stores(folder)), injector, settings)
            clean: dict[str, list[Recorded]] = {}
            for name in COLLECTORS:
                collector, scopes = estate.collectors(name)
                clean[name] = []
                for index, scope in enumerate(scopes):
                    injector.log = estate.calls.setdefault((name, index), [])
                    clean[name].append(record(collector, scope))
                    injector.log = None
            estate.histories.start(clean)
            yield estate
        finally:
            server.stop()


def cases_of(estate: AwsEstate, name: str) -> list[AwsCase]:
    where: dict[tuple[str, str], list[int]] = {}
    for (collector, index), calls in sorted(estate.calls.items()):
        if collector == name:
            for operation in dict.fromkeys(calls):
                where.setdefault(operation, []).append(index)
    return [
        AwsCase(name, scopes[number % len(scopes)], operation, fault)
        for operation, scopes in where.items()
        for number, fault in enumerate(FAULTS)
    ]


@pytest.mark.parametrize("name", list(COLLECTORS))
def test_losing_aws_data_never_raises_a_score(aws_estate: AwsEstate, monotonicity_report: Report, name: str):
    figures = monotonicity_report.sources[name]
    clean = aws_estate.histories.clean[name]
    violations = []
    for case in cases_of(aws_estate, name):
        collector, scopes = aws_estate.collectors(name)
        injector = aws_estate.injector
        injector.operation, injector.fault, injector.hits = case.operation, case.fault, 0
        try:
            faulty = record(collector, scopes[case.scope])
        finally:
            injector.operation = None
        assert injector.hits, f"{name} {case.description}: the fault was never met"
        collections = [faulty if index == case.scope else kept for index, kept in enumerate(clean)]
        violations += aws_estate.histories.judge(name, case.description, collections, figures)
    assert figures.faults > 0
    assert not violations, f"{len(violations)} violations:\n" + "\n".join(violations)
