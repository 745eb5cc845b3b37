"""Fault injection for the AWS collectors: moto enforces no IAM, so a denial is injected
with a botocore `before-call` event hook on every client the collectors build."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from collectors.aws.session import AwsSessions


def deny(monkeypatch: pytest.MonkeyPatch, event: str, when: Callable[[dict], bool]) -> None:
    """Make every client the collectors build answer `event` (e.g.
    `before-call.sts.AssumeRole`) with AccessDenied when `when(params)` holds."""
    original = AwsSessions.client
    operation = event.removeprefix("before-call.")

    def remember(params, context, **_: Any):
        context["api_params"] = dict(params)

    def handler(context, **_: Any):
        if not when(context.get("api_params", {})):
            return None
        response = AWSResponse("https://denied.invalid", 403, {}, None)
        message = "User is not authorized to perform this action (injected by the test)"
        return response, {"Error": {"Code": "AccessDenied", "Message": message}}

    def client(self, session, service, region=None):
        made = original(self, session, service, region)
        made.meta.events.register(f"before-parameter-build.{operation}", remember)
        made.meta.events.register(event, handler)
        return made

    monkeypatch.setattr(AwsSessions, "client", client)


class _Body:
    """The raw body botocore reads an injected response from."""

    def __init__(self, content: bytes) -> None:
        self.content = content

    def stream(self, **_: Any):
        yield self.content


def error_response(service: str, status: int, code: str, message: str) -> AWSResponse:
    """An error as the service's protocol shapes it (EC2 XML, IAM query XML, JSON for KMS)."""
    if service == "ec2":
        body = f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors><RequestID>injected</RequestID></Response>"
        headers = {"Content-Type": "text/xml"}
    elif service == "iam":
        body = f"<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>injected</RequestId></ErrorResponse>"
        headers = {"Content-Type": "text/xml"}
    else:
        body = f'{{"__type": "{code}", "message": "{message}"}}'
        headers = {"Content-Type": "application/x-amz-json-1.1"}
    return AWSResponse("https://injected.invalid", status, headers, _Body(body.encode()))


def flaky(
    monkeypatch: pytest.MonkeyPatch,
    service: str,
    operation: str,
    fault: Callable[[], AWSResponse],
    times: int,
    when: Callable[[Any], bool] = lambda request: True,
) -> list[int]:
    """Make the first `times` sends of `operation` (retries included) meet `fault`: an error
    response, or a raised botocore connection error. `before-send` runs inside botocore's
    retry loop, so its retries and backoff apply as to a real fault. Returns a list that
    grows by one per attempt of the operation."""
    original = AwsSessions.client
    attempts: list[int] = []

    def handler(request, **_: Any):
        if not when(request):
            return None
        attempts.append(1)
        return fault() if len(attempts) <= times else None

    def client(self, session, name, region=None):
        made = original(self, session, name, region)
        if name == service:
            made.meta.events.register(f"before-send.{service}.{operation}", handler)
        return made

    monkeypatch.setattr(AwsSessions, "client", client)
    return attempts
