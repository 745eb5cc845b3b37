"""The cached OAuth access token: fetched once, fetched again shortly before it expires; the
client-credentials grant's form, its refused exchange, and one renewal on a 401."""

from __future__ import annotations

import httpx
import pytest

from collectors.auth import Credential
from collectors.bearer_token import REFRESH_MARGIN, BearerToken, ClientCredentialsGrant
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


class TokenEndpoint:
    """`HttpApi.request_json` of a token endpoint: each POST answers the next token, or raises."""

    source = "vendor"

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.forms: list[tuple[str, dict]] = []

    def request_json(self, method: str, path: str, data: dict) -> tuple[None, object]:
        assert method == "POST"
        self.forms.append((path, data))
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return None, answer


def grant(endpoint: TokenEndpoint, clock=lambda: 0.0, **options) -> ClientCredentialsGrant:
    client_id = Credential("vendor", "client_id", "VENDOR_ID")
    client_secret = Credential("vendor", "client_secret", "VENDOR_SECRET")
    return ClientCredentialsGrant(endpoint, client_id, client_secret, path="/token", clock=clock, **options)  # type: ignore[arg-type]


@pytest.fixture
def client_env(monkeypatch):
    monkeypatch.setenv("VENDOR_ID", "the-id")
    monkeypatch.setenv("VENDOR_SECRET", "the-secret")


def test_client_credentials_post_the_id_secret_and_the_vendors_fields(client_env):
    endpoint = TokenEndpoint({"access_token": "t1", "expires_in": 1799})
    assert grant(endpoint, fields={"grant_type": "client_credentials"}).value() == "t1"
    assert endpoint.forms == [
        ("/token", {"client_id": "the-id", "client_secret": "the-secret", "grant_type": "client_credentials"})
    ]


def test_a_short_lived_token_is_renewed_a_quarter_of_its_life_early(client_env):
    now = [0.0]
    endpoint = TokenEndpoint(
        {"access_token": "t1", "expires_in": 60}, {"access_token": "t2", "expires_in": 60}
    )
    token = grant(endpoint, clock=lambda: now[0])
    assert token.value() == "t1"
    now[0] = 44.0
    assert token.value() == "t1"
    now[0] = 45.0  # 60 - min(REFRESH_MARGIN, 60 / 4)
    assert token.value() == "t2"


def test_a_refused_exchange_names_the_variables_and_the_hint_never_the_secret(client_env):
    endpoint = TokenEndpoint(ApiError("vendor: POST /token: HTTP 400", 400))
    with pytest.raises(ApiError) as raised:
        grant(endpoint, hint="check {client_id}, {client_secret} and the cloud").value()
    assert str(raised.value) == "vendor: POST /token: HTTP 400 (check VENDOR_ID, VENDOR_SECRET and the cloud)"
    assert raised.value.status == 400


def served(token: ClientCredentialsGrant, statuses: list[int]) -> tuple[httpx.Response, list[str]]:
    """One GET through `token`, the server answering `statuses` in turn; what it was sent."""
    sent: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request.headers["Authorization"])
        return httpx.Response(statuses[len(sent) - 1])

    with httpx.Client(auth=token, transport=httpx.MockTransport(handler)) as client:
        return client.get("https://api.vendor.example/hosts"), sent


def test_a_401_is_tried_once_more_with_a_new_token(client_env):
    endpoint = TokenEndpoint(
        {"access_token": "t1", "expires_in": 1799}, {"access_token": "t2", "expires_in": 1799}
    )
    response, sent = served(grant(endpoint), [401, 200])
    assert response.status_code == 200
    assert sent == ["Bearer t1", "Bearer t2"]


def test_a_second_401_is_the_answer(client_env):
    endpoint = TokenEndpoint(
        {"access_token": "t1", "expires_in": 1799}, {"access_token": "t2", "expires_in": 1799}
    )
    response, sent = served(grant(endpoint), [401, 401, 200])
    assert response.status_code == 401
    assert sent == ["Bearer t1", "Bearer t2"]
    assert len(endpoint.forms) == 2
