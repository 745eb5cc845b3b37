"""The cached OAuth access token: fetched once, fetched again shortly before it expires."""

from __future__ import annotations

import pytest

from collectors.bearer_token import REFRESH_MARGIN, BearerToken
from collectors.http_api import ApiError


def test_token_is_reused_then_refreshed_before_expiry():
    now = [1000.0]
    answers = iter(
        [{"access_token": "first", "expires_in": 3599}, {"access_token": "second", "expires_in": "3599"}]
    )
    token = BearerToken("vendor", lambda: next(answers), clock=lambda: now[0])
    assert token.headers() == {"Authorization": "Bearer first"}
    now[0] += 3599 - REFRESH_MARGIN - 1
    assert token.value() == "first"
    now[0] += 1
    assert token.value() == "second"


def test_an_answer_without_a_token_is_an_error():
    with pytest.raises(ApiError, match="vendor: the token endpoint's answer has no access_token"):
        BearerToken("vendor", lambda: {"error": "invalid_client"}).value()
