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
