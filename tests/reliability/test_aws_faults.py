"""The AWS collectors against a moto server whose calls meet throttling, 5xx, read timeouts
and dropped connections (injected with botocore `before-send` hooks, inside botocore's retry
loop): a few are retried and the Run is ok, with the retries logged; faults on every attempt
stop after [aws].max_attempts and fail the Run naming the service, operation and last
error; a failed second page of security groups makes the Run partial and the population
checks of that scope unknown."""

from __future__ import annotations

import logging
import types
from collections.abc import Iterator

import pytest
from botocore.exceptions import ConnectionClosedError, ReadTimeoutError
from moto.server import ThreadedMotoServer
from sqlmodel import Session, col, select

from collectors.aws import AwsCustodyCollector, AwsDetectionCollector, AwsIamCollector, AwsNetworkCollector
from collectors.aws.session import AwsSessions
from demo.organisation import DemoOrganisation, seed_exact_organisation
from tests.aws_faults import error_response, flaky
from tests.conftest import AWS_DUMMY_ENV
from vaultward.config.settings import parse_settings
from vaultward.pipeline.collection import run_scope
from vaultward.pipeline.evaluation import evaluate
from vaultward.pipeline.registry import discover
from vaultward.read.status import latest_status
from vaultward.store.models import Finding, Run

MAX_ATTEMPTS = 3
AWS_ENV = AWS_DUMMY_ENV


@pytest.fixture(scope="module")
def org() -> Iterator[DemoOrganisation]:
    """The exact organisation on a moto server on loopback, seeded once: faults are on the
    client side, so tests never change it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
        for name, value in AWS_ENV.items():
            monkeypatch.setenv(name, value)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            yield seed_exact_organisation(f"http://{host}:{port}")
        finally:
            server.stop()


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """botocore's backoff waits, recorded instead of slept (only botocore's endpoint module)."""
    recorded: list[float] = []
    import time

    import botocore.endpoint

    clock = types.SimpleNamespace(
        **{name: getattr(time, name) for name in dir(time) if not name.startswith("_")}
    )
    clock.sleep = recorded.append
    monkeypatch.setattr(botocore.endpoint, "time", clock)
    for name, value in AWS_ENV.items():
        monkeypatch.setenv(name, value)
    return recorded


def settings_for(org: DemoOrganisation):
    data = org.settings_dict(discovery="accounts")
    data["aws"].update({"max_attempts": MAX_ATTEMPTS, "retry_mode": "standard"})
    return parse_settings(data)


def scope_of(collector, account: str):
    return next(scope for scope in collector.scopes() if scope.params["account_id"] == account)


def _text(body: bytes | str | None) -> str:
    return body.decode() if isinstance(body, bytes) else body or ""


def raises(error_class):
    def fault():
        raise error_class(endpoint_url="http://127.0.0.1/injected")

    return fault


# (collector, service, operation, the action as errors name it, fault, the fault's last error)
CASES = {
    "iam Throttling": (
        AwsIamCollector, "iam", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails",
        lambda: error_response("iam", 400, "Throttling", "Rate exceeded"),
        f"Throttling: Rate exceeded (after {MAX_ATTEMPTS} attempts)",
    ),
    "iam 500": (
        AwsIamCollector, "iam", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails",
        lambda: error_response("iam", 500, "InternalFailure", "We encountered an internal error"),
        f"InternalFailure: We encountered an internal error (after {MAX_ATTEMPTS} attempts)",
    ),
    "iam 503": (
        AwsIamCollector, "iam", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails",
        lambda: error_response("iam", 503, "ServiceUnavailable", "Service is unavailable"),
        f"ServiceUnavailable: Service is unavailable (after {MAX_ATTEMPTS} attempts)",
    ),
    "iam read timeout": (
        AwsIamCollector, "iam", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails",
        raises(ReadTimeoutError),
        'ReadTimeoutError: Read timeout on endpoint URL: "http://127.0.0.1/injected"',
    ),
    "iam connection closed": (
        AwsIamCollector, "iam", "GetAccountAuthorizationDetails", "iam:GetAccountAuthorizationDetails",
        raises(ConnectionClosedError),
        "ConnectionClosedError: Connection was closed before we received a valid response "
        'from endpoint URL: "http://127.0.0.1/injected".',
    ),
    "ec2 RequestLimitExceeded": (
        AwsNetworkCollector, "ec2", "DescribeVpcs", "ec2:DescribeVpcs",
        lambda: error_response("ec2", 503, "RequestLimitExceeded", "Request limit exceeded."),
        f"RequestLimitExceeded: Request limit exceeded. (after {MAX_ATTEMPTS} attempts)",
    ),
    "kms ThrottlingException": (
        AwsCustodyCollector, "kms", "ListAliases", "kms:ListAliases",
        lambda: error_response("kms", 400, "ThrottlingException", "Rate exceeded"),
        f"ThrottlingException: Rate exceeded (after {MAX_ATTEMPTS} attempts)",
    ),
}  # fmt: skip
IDS = list(CASES)


@pytest.mark.parametrize("case", IDS)
def test_a_few_faults_are_retried_with_backoff_and_the_run_is_ok(
    engine, org, waits, monkeypatch, caplog, case
):
    collector_class, service, operation, _, fault, _ = CASES[case]
    attempts = flaky(monkeypatch, service, operation, fault, times=MAX_ATTEMPTS - 1)
    collector = collector_class(settings_for(org))
    with caplog.at_level(logging.WARNING, logger="collectors.aws.session"):
        outcome = run_scope(engine, collector, scope_of(collector, org.management_account))

    assert (outcome.status, outcome.error) == ("ok", None)
    assert len(attempts) == MAX_ATTEMPTS  # two faults, then moto's answer
    assert f"{service}:{operation} succeeded after {MAX_ATTEMPTS - 1} retries" in caplog.messages
    # botocore's backoff: random jitter under a doubling cap (1s base for throttling).
    assert len(waits) == MAX_ATTEMPTS - 1 and all(0 <= wait <= 2.0 for wait in waits)


@pytest.mark.parametrize("case", IDS)
def test_faults_on_every_attempt_fail_the_run_after_max_attempts(engine, org, waits, monkeypatch, case):
    collector_class, service, operation, action, fault, last_error = CASES[case]
    attempts = flaky(monkeypatch, service, operation, fault, times=100)
    settings = settings_for(org)
    collector = collector_class(settings)
    scope = scope_of(collector, org.management_account)
    outcome = run_scope(engine, collector, scope)

    error = f"CollectionError: {scope.id}: {action} failed: {last_error}"
    assert (outcome.status, outcome.items, outcome.error) == ("failed", 0, error)
    assert len(attempts) == MAX_ATTEMPTS
    assert len(waits) == MAX_ATTEMPTS - 1
    with Session(engine) as session:
        [run] = session.exec(select(Run)).all()
    assert (run.collector, run.scope, run.status, run.error) == (collector.name, scope.id, "failed", error)
    rows = latest_status(settings, engine, discover()).runs
    assert [(row[0], row[1], row[2], row[6]) for row in rows] == [(collector.name, scope.id, "failed", error)]


def test_a_failed_second_page_of_security_groups_is_partial_and_population_checks_unknown(
    engine, org, waits, monkeypatch
):
    production = org.accounts["production"]
    # moto answers in one page: the first answer is told to go on, and the second page
    # (asked for with that token) meets 503 on every attempt.
    make_client = AwsSessions.client

    def with_second_page(parsed, **_):
        parsed["NextToken"] = "injected-page-2"

    def client(self, session, name, region=None):
        made = make_client(self, session, name, region)
        if name == "ec2":
            made.meta.events.register("after-call.ec2.DescribeSecurityGroups", with_second_page)
        return made

    monkeypatch.setattr(AwsSessions, "client", client)
    attempts = flaky(
        monkeypatch,
        "ec2",
        "DescribeSecurityGroups",
        lambda: error_response("ec2", 503, "Unavailable", "The server is overloaded"),
        times=100,
        when=lambda request: "NextToken=injected-page-2" in _text(request.body),
    )
    settings = settings_for(org)
    collector = AwsNetworkCollector(settings)
    scope = scope_of(collector, production)
    outcome = run_scope(engine, collector, scope)

    error = (
        f"{scope.id}: ec2:DescribeSecurityGroups failed on page 2: Unavailable: The server is overloaded "
        f"(after {MAX_ATTEMPTS} attempts); the listing is incomplete"
    )
    assert (outcome.status, outcome.error) == ("partial", error)
    assert len(attempts) == MAX_ATTEMPTS

    evaluation = evaluate(settings, engine, discover())
    with Session(engine) as session:
        findings = session.exec(
            select(Finding)
            .where(
                Finding.evaluation_id == evaluation.evaluation_id,
                col(Finding.check_id).in_(
                    ["segmentation.no_admin_ports_from_internet", "segmentation.no_corporate_production_path"]
                ),
                Finding.scope == scope.id,
            )
            .order_by(col(Finding.check_id), col(Finding.resource))
        ).all()
    reason = (
        f"the network.path listing of {scope.id} was incomplete ({error}) and no earlier complete one "
        "is fresh enough to carry forward; this check needs every one"
    )
    assert {f.check_id for f in findings} == {
        "segmentation.no_admin_ports_from_internet",
        "segmentation.no_corporate_production_path",
    }
    # The account's untagged default VPC is unknown in the path check whatever the listing:
    # no rule of policy.zones classifies it. Every other finding is unknown for the listing.
    unclassified = [f for f in findings if f.message.startswith("classify this VPC (policy.zones")]
    assert [(f.check_id, f.resource, f.status) for f in unclassified] == [
        ("segmentation.no_corporate_production_path", org.resources["vpc:default:production"], "unknown")
    ]
    judged = [f for f in findings if f not in unclassified]
    assert {(f.status, f.message) for f in judged} == {("unknown", reason)}
    assert {f.evidence["status_if_fresh"] for f in judged} <= {"pass", "fail", "skipped"}


# A side call beside a scope's main listing, refused on every attempt, and what it leaves
# unknown: the Run is partial and keeps everything else (issue 15: one refused side request
# no longer drops a whole source).
SIDE_CALLS = {
    # The exact organisation has no trail: the (complete, empty) trail listing stands.
    "guardduty refused": (
        AwsDetectionCollector, "guardduty", "ListDetectors", set(), ("detection.threat_detector",), (),
    ),
    "iam summary refused": (
        AwsIamCollector, "iam", "GetAccountSummary", {"cloud.account", "identity"}, (),
        ("cloud.account.root_mfa_enabled", "cloud.account.root_access_keys_present"),
    ),
    "cloudhsm refused": (
        AwsCustodyCollector, "cloudhsmv2", "DescribeClusters", {"custody.key"}, ("custody.hsm_cluster",), (),
    ),
    "kms keys refused": (
        AwsCustodyCollector, "kms", "ListKeys", {"custody.hsm_cluster"}, ("custody.key",), (),
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(SIDE_CALLS))
def test_a_refused_side_call_leaves_only_what_it_feeds_unknown(engine, org, waits, monkeypatch, case):
    collector_class, service, operation, kept, kinds, fields = SIDE_CALLS[case]
    denied = lambda: error_response(service, 400, "AccessDeniedException", "not authorized")  # noqa: E731
    flaky(monkeypatch, service, operation, denied, times=100)
    collector = collector_class(settings_for(org))
    account = org.accounts["custody"] if collector_class is AwsCustodyCollector else org.management_account
    outcome = run_scope(engine, collector, scope_of(collector, account))
    assert outcome.status == "partial", outcome.error
    with Session(engine) as session:
        run = session.get(Run, outcome.run_id)
        assert run is not None
        stored = {kind for kind, count in run.counts.items() if count}
        [gap] = run.gaps
    assert kept <= stored, f"{case}: the main listing's records are kept"
    assert (tuple(gap["kinds"]), tuple(gap["fields"])) == (kinds, fields)
    assert f"{service if service != 'cloudhsmv2' else 'cloudhsm'}:{operation}" in gap["reason"]
