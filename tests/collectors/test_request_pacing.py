"""The request pacer: a source's requests stay under its per-minute rate, shared by the
threads collecting its scopes; the vendor's "window spent" headers hold every thread until
the reset; the configuration and the collector's default choose the rate. Real time is the
thing under test here, so the timing assertions are lower bounds only (a loaded machine
only makes things slower), with generous margins."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from collectors.google_workspace.client import google_rate_limited
from collectors.knowbe4 import KnowBe4Collector
from collectors.okta import OktaCollector
from collectors.request_pacing import RequestPacer, source_pacer
from demo.fakes.google_workspace import directory_rate_limit
from demo.fakes.okta import okta_rate_limit
from demo.fakes.server import FakeApi, RateLimit, Reply
from vaultward.config.settings import ConfigError, parse_settings

# 120 a minute: at most 20 in any 10 s, so 30 requests cannot finish before 10 s.
PER_MINUTE, BURST, REQUESTS = 120, 20, 30


@pytest.mark.slow
def test_requests_beyond_the_burst_wait_for_the_pace():
    pacer = RequestPacer(PER_MINUTE)
    started = time.monotonic()
    for _ in range(BURST):
        pacer.acquire()
    assert time.monotonic() - started < 5  # the burst itself does not wait
    for _ in range(REQUESTS - BURST):
        pacer.acquire()
    assert time.monotonic() - started >= 9.5


@pytest.mark.slow
def test_the_pace_is_shared_by_the_threads_of_a_source():
    pacer = RequestPacer(PER_MINUTE)
    sent: list[float] = []
    lock = threading.Lock()

    def send(_: int) -> None:
        pacer.acquire()
        with lock:
            sent.append(time.monotonic())

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(send, range(REQUESTS)))
    assert len(sent) == REQUESTS
    # Six threads together still send no more than 20 in the first ten seconds.
    assert sum(1 for moment in sent if moment - started < 9.5) <= BURST
    assert max(sent) - started >= 9.5


def test_no_rate_means_no_wait():
    pacer = RequestPacer(None)
    started = time.monotonic()
    for _ in range(500):
        pacer.acquire()
    assert time.monotonic() - started < 5


def test_a_spent_window_holds_every_thread_until_its_reset():
    now = [1_800_000_000.0]
    slept: list[float] = []
    pacer = RequestPacer(None)
    spent = httpx.Response(
        200, headers={"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(now[0] + 42)}
    )
    pacer.observe(spent, clock=lambda: now[0])
    pacer.acquire(sleep=slept.append, clock=lambda: now[0])
    pacer.acquire(sleep=slept.append, clock=lambda: now[0] + 40)  # another thread, later
    assert slept == [42.0, 2.0]
    # Budget left, an absurd reset or no headers: no hold.
    for headers in (
        {"X-Rate-Limit-Remaining": "5", "X-Rate-Limit-Reset": str(now[0] + 42)},
        {"X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": str(now[0] + 86_400)},
        {},
    ):
        fresh = RequestPacer(None)
        fresh.observe(httpx.Response(200, headers=headers), clock=lambda: now[0])
        fresh.acquire(sleep=slept.append, clock=lambda: now[0])
    assert slept == [42.0, 2.0]


def test_the_source_configuration_and_the_collector_default_choose_the_rate():
    def pacer_for(collector_class, source: dict) -> RequestPacer:
        return source_pacer(collector_class(parse_settings({"sources": {collector_class.name: source}})))

    assert pacer_for(OktaCollector, {"base_url": "https://acme.okta.com"}).per_minute == 600
    assert pacer_for(KnowBe4Collector, {}).per_minute == 50
    assert pacer_for(KnowBe4Collector, {"rate_limit_per_minute": 900}).per_minute == 900
    off = pacer_for(KnowBe4Collector, {"rate_limit_per_minute": 0})
    assert off.per_minute is None and off.limiter is None
    with pytest.raises(ConfigError, match="rate_limit_per_minute"):
        parse_settings({"sources": {"knowbe4": {"rate_limit_per_minute": -1}}})


def test_one_pacer_per_collector_shared_by_its_scopes():
    collector = KnowBe4Collector(parse_settings({"sources": {"knowbe4": {}}}))
    with ThreadPoolExecutor(max_workers=4) as pool:
        pacers = set(map(id, pool.map(lambda _: source_pacer(collector), range(8))))
    assert len(pacers) == 1
    assert source_pacer(KnowBe4Collector(parse_settings({}))) is not source_pacer(collector)


def test_the_fake_enforces_its_limit_per_token_and_counts_refusals():
    fake = FakeApi(lambda _request: True, rate_limit=RateLimit(3), latency=0.05)
    fake.route("GET", "/items", lambda _request: Reply(200, []))
    with fake:
        answers = {
            token: [httpx.get(fake.base_url + "/items", headers={"Authorization": token}) for _ in range(4)]
            for token in ("a", "b")
        }
        started = time.monotonic()
        httpx.get(fake.base_url + "/items", headers={"Authorization": "c"})
        assert time.monotonic() - started >= 0.05  # every answer waits the latency
    for token, replies in answers.items():
        assert [reply.status_code for reply in replies] == [200, 200, 200, 429], token
        assert 1 <= int(replies[3].headers["Retry-After"]) <= 60  # the rest of the window
    assert fake.counts == {"requests": 9, "rate_limited": 2}


@pytest.mark.parametrize("per_minute", [1, 6, 7, 50, 100_000])
def test_any_positive_rate_lets_its_first_request_through_at_once(per_minute: int):
    pacer = RequestPacer(per_minute)
    started = time.monotonic()
    pacer.acquire()
    assert time.monotonic() - started < 2


def test_each_vendor_fake_refuses_as_its_vendor_documents():
    okta_fake = FakeApi(lambda _request: True, rate_limit=okta_rate_limit(1))
    google_fake = FakeApi(lambda _request: True, rate_limit=directory_rate_limit(1))
    for fake in (okta_fake, google_fake):
        fake.route("GET", "/items", lambda _request: Reply(200, []))
    with okta_fake, google_fake:
        okta_answers = [httpx.get(okta_fake.base_url + "/items") for _ in range(2)]
        google_answers = [httpx.get(google_fake.base_url + "/items") for _ in range(2)]
    assert [answer.status_code for answer in okta_answers] == [200, 429]
    assert okta_answers[1].json()["errorCode"] == "E0000047"
    assert [a.headers["X-Rate-Limit-Remaining"] for a in okta_answers] == ["0", "0"]  # on every answer
    assert int(okta_answers[1].headers["X-Rate-Limit-Reset"]) > time.time()  # epoch seconds
    assert [answer.status_code for answer in google_answers] == [200, 403]
    assert google_rate_limited(google_answers[1])  # the client retries it as a rate limit
