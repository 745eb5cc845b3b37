"""The shared SaaS HTTP client against a loopback fake: retries, rate limits, credentials,
malformed bodies, and every paging style, bounded."""

from __future__ import annotations

import pytest

from collectors.http_api import ApiError, Credential, HttpApi
from vaultward.demo.fakes.server import FakeApi, Reply
from vaultward.sdk import IncompleteListing


@pytest.fixture
def fake():
    api = FakeApi(lambda request: request.headers.get("authorization") == "Bearer good")
    items = [{"id": n} for n in range(7)]

    def linked(request):
        start = int(request.query.get("after") or 0)
        page = items[start : start + 3]
        headers = {}
        if start + 3 < len(items):
            headers["Link"] = f'<{api.base_url}/linked?after={start + 3}>; rel="next"'
        return Reply(200, page, headers)

    def tokens(request):
        start = int(request.query.get("pageToken") or 0)
        body = {"users": items[start : start + 3]}
        if start + 3 < len(items):
            body["nextPageToken"] = str(start + 3)
        return Reply(200, body)

    def numbered(request):
        page, size = int(request.query["page"]), int(request.query["per_page"])
        return Reply(200, items[(page - 1) * size : page * size])

    api.route("GET", "/linked", linked)
    api.route("GET", "/tokens", tokens)
    api.route("GET", "/numbered", numbered)
    api.route("GET", "/loop", lambda r: Reply(200, {"value": [1], "@odata.nextLink": f"{api.base_url}/loop"}))
    with api:
        yield api


def client(fake, token="good", sleeps=None, **kwargs) -> HttpApi:
    sleeps = sleeps if sleeps is not None else []
    return HttpApi(
        "vendor",
        fake.base_url,
        headers=lambda: {"Authorization": f"Bearer {token}"},
        credential=Credential("vendor", "token", "VENDOR_TOKEN"),
        sleep=sleeps.append,
        **kwargs,
    )


def test_three_paging_styles_read_every_item(fake):
    api = client(fake)
    assert [i["id"] for page in api.pages_by_link("/linked") for i in page] == list(range(7))
    assert [len(p) for p in api.pages_by_token("/tokens", "users", "nextPageToken", "pageToken")] == [3, 3, 1]
    assert [len(p) for p in api.pages_by_number("/numbered", size=3)] == [3, 3, 1]


def test_429_waits_as_the_headers_say_then_succeeds(fake):
    sleeps: list[float] = []
    fake.inject("/linked", 429, {"Retry-After": "2"}, {"error": "slow down"})
    pages = list(client(fake, sleeps=sleeps).pages_by_link("/linked"))
    assert sum(len(p) for p in pages) == 7 and sleeps == [2.0]


def test_5xx_is_retried_with_backoff_then_gives_up(fake):
    sleeps: list[float] = []
    fake.inject("/numbered", 503, times=2)
    assert sum(len(p) for p in client(fake, sleeps=sleeps).pages_by_number("/numbered", size=3)) == 7
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] * 0.6  # exponential, with jitter
    fake.inject("/numbered", 500, times=5)
    with pytest.raises(ApiError, match=r"vendor: GET /numbered: HTTP 500 after 5 attempts"):
        list(client(fake).pages_by_number("/numbered", size=3))


def test_401_names_the_variable_not_the_value(fake):
    with pytest.raises(ApiError) as error:
        list(client(fake, token="s3cret-wrong-token").pages_by_link("/linked"))
    assert (
        str(error.value)
        == "vendor: GET /linked: HTTP 401, credentials refused (check the credential in VENDOR_TOKEN)"
    )


def test_malformed_body_is_a_clear_error(fake):
    fake.inject("/tokens", 200, body=b"<html>oops")
    with pytest.raises(ApiError, match=r"vendor: GET /tokens: malformed JSON in the response"):
        list(client(fake).pages_by_token("/tokens", "users", "nextPageToken", "pageToken"))


def test_a_next_link_that_loops_is_bounded(fake):
    with pytest.raises(
        IncompleteListing,
        match=r"vendor: GET /loop: next link repeats page 1 \(http://127.0.0.1:\d+/loop\); the listing is incomplete",
    ):
        list(client(fake).pages_by_next_url("/loop", "value", "@odata.nextLink"))


def test_missing_credential_variable(monkeypatch):
    monkeypatch.delenv("VENDOR_TOKEN", raising=False)
    with pytest.raises(
        ApiError, match=r"vendor: environment variable VENDOR_TOKEN \(credentials_env.token\) is not set"
    ):
        _ = Credential("vendor", "token", "VENDOR_TOKEN").value
