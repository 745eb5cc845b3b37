"""The shared SaaS HTTP client against a loopback fake: retries, rate limits, credentials,
malformed bodies, and every paging style, bounded."""

from __future__ import annotations

import logging

import httpx
import pytest

from collectors.http_api import ApiError, Credential, HttpApi
from demo.fakes.server import FakeApi, Reply
from vaultward.contract.sdk import IncompleteListing


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


def _bearer(request: httpx.Request, token: str) -> httpx.Request:
    request.headers["Authorization"] = f"Bearer {token}"
    return request


def client(fake, token="good", sleeps=None, **kwargs) -> HttpApi:
    sleeps = sleeps if sleeps is not None else []
    return HttpApi(
        "vendor",
        fake.base_url,
        auth=httpx.FunctionAuth(lambda request: _bearer(request, token)),
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


def test_a_refusal_keeps_the_vendors_error_body_apart_from_the_message(fake):
    # A collector may tell a licence refused from a permission refused by the vendor's code
    body = {"error": {"code": "Authentication_RequestFromNonPremiumTenantOrB2CTenant", "message": "No P1."}}
    fake.inject("/linked", 403, body=body)
    with pytest.raises(ApiError) as error:
        list(client(fake).pages_by_link("/linked"))
    assert (error.value.status, str(error.value)) == (
        403,
        "vendor: GET /linked: HTTP 403, credentials refused (check the credential in VENDOR_TOKEN)",
    )
    assert "Authentication_RequestFromNonPremiumTenantOrB2CTenant" in error.value.detail


def retries_logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if "; retry " in r.getMessage()]


def test_a_truncated_body_is_retried_once_then_the_listing_completes(fake, caplog):
    sleeps: list[float] = []
    fake.inject("/linked", 200, body=b'[{"id": 0}, {"id"')
    with caplog.at_level(logging.WARNING, logger="collectors.http_api"):
        pages = list(client(fake, sleeps=sleeps).pages_by_link("/linked"))
    assert [i["id"] for page in pages for i in page] == list(range(7))
    assert len(sleeps) == 1 and 0.25 <= sleeps[0] < 0.75  # the module's backoff, first step
    assert retries_logged(caplog) == [
        "vendor: GET /linked: malformed body (application/json, 17 bytes): Expecting ':' delimiter: "
        f"line 1 column 18 (char 17); retry 1 of 4 in {sleeps[0]:.1f}s"
    ]
    assert [status for _, path, status in fake.log if path == "/linked"] == [200, 200]


def test_an_html_page_answered_with_200_is_retried_and_never_logged(fake, caplog):
    sleeps: list[float] = []
    page = b"<html><body>Maintenance. Sign in: <input value='s3cret-session-cookie'></body></html>"
    fake.inject("/tokens", 200, {"Content-Type": "text/html; charset=utf-8"}, page)
    with caplog.at_level(logging.WARNING, logger="collectors.http_api"):
        pages = list(
            client(fake, sleeps=sleeps).pages_by_token("/tokens", "users", "nextPageToken", "pageToken")
        )
    assert [len(p) for p in pages] == [3, 3, 1] and len(sleeps) == 1
    [message] = retries_logged(caplog)
    assert message == (
        f"vendor: GET /tokens: malformed body (text/html, {len(page)} bytes): Expecting value: "
        f"line 1 column 1 (char 0); retry 1 of 4 in {sleeps[0]:.1f}s"
    )
    assert "s3cret" not in caplog.text and "Maintenance" not in caplog.text


def test_a_body_malformed_on_every_attempt_fails_after_the_budget(fake):
    sleeps: list[float] = []
    fake.inject("/numbered", 200, body=b"", times=5)
    with pytest.raises(ApiError) as error:
        list(client(fake, sleeps=sleeps).pages_by_number("/numbered", size=3))
    assert str(error.value) == (
        "vendor: GET /numbered?page=1&per_page=3: malformed JSON in the response (application/json, 0 bytes) "
        "after 5 attempts: Expecting value: line 1 column 1 (char 0)"
    )
    assert [status for _, _, status in fake.log] == [200] * 5
    assert len(sleeps) == 4 and all(
        0.5 * 2**n * 0.5 <= wait < 0.5 * 2**n * 1.5 for n, wait in enumerate(sleeps)
    )


def test_malformed_bodies_and_5xx_share_one_budget(fake):
    fake.inject("/numbered", 503, times=2)
    fake.inject("/numbered", 200, body=b"<html>", times=2)
    sleeps: list[float] = []
    assert sum(len(p) for p in client(fake, sleeps=sleeps).pages_by_number("/numbered", size=3)) == 7
    assert len(sleeps) == 4  # five attempts for the first page, the last one good
    fake.inject("/numbered", 502, times=3)
    fake.inject("/numbered", 200, body=b"<html>", times=2)
    with pytest.raises(
        ApiError, match=r"malformed JSON in the response \(application/json, 6 bytes\) after 5 attempts"
    ):
        list(client(fake).pages_by_number("/numbered", size=3))


def test_a_later_page_malformed_on_every_attempt_leaves_the_listing_incomplete(fake):
    read: list[list] = []
    fake.inject("/tokens", 200, body={"users": [{"id": 0}, {"id": 1}, {"id": 2}], "nextPageToken": "3"})
    fake.inject("/tokens", 200, body=b'{"users": [{"id": 3}', times=5)
    with pytest.raises(IncompleteListing) as error:
        for page in client(fake).pages_by_token("/tokens", "users", "nextPageToken", "pageToken"):
            read.append(page)
    assert read == [[{"id": 0}, {"id": 1}, {"id": 2}]]  # page 1 stands
    assert str(error.value) == (
        "vendor: GET /tokens?pageToken=3: malformed JSON in the response (application/json, 20 bytes) after 5 "
        "attempts: Expecting ',' delimiter: line 1 column 21 (char 20) (page 2; the listing is incomplete)"
    )


def test_a_redirect_to_a_login_page_is_not_retried(fake):
    sleeps: list[float] = []
    fake.inject(
        "/linked", 302, {"Location": "/sso/login", "Content-Type": "text/html"}, b"<html>Sign in</html>"
    )
    with pytest.raises(ApiError) as error:
        list(client(fake, sleeps=sleeps).pages_by_link("/linked"))
    assert (str(error.value), error.value.status, sleeps, len(fake.log)) == (
        "vendor: GET /linked: HTTP 302, malformed JSON in the response (text/html, 20 bytes): "
        "Expecting value: line 1 column 1 (char 0)",
        302,
        [],
        1,
    )


def test_a_body_that_is_not_json_is_left_alone_where_none_is_expected(fake):
    fake.route(
        "GET", "/export.csv", lambda r: Reply(200, b"id,name\n1,alice\n", {"Content-Type": "text/csv"})
    )
    sleeps: list[float] = []
    response = client(fake, sleeps=sleeps).request("GET", "/export.csv")
    assert (response.text, sleeps) == ("id,name\n1,alice\n", [])


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
