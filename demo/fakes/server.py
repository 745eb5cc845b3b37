"""A small loopback HTTP server for vendor fakes, with fault injection.

A fake is a set of routes (method, path pattern) -> handler; handlers get a `Request` and
return a `Reply`. Faults queued with `inject` answer instead of the handler: a 429 with the
vendor's headers, a 5xx, a 401, a malformed body, a stall (for read timeouts), a dropped
connection, an endless body.
"""

from __future__ import annotations

import json
import math
import re
import socket
import struct
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    match: dict[str, str] = field(default_factory=dict)  # path pattern groups
    body: bytes = b""  # the request body (token endpoints read their form fields from it)
    # every value of each query parameter, in order (`query` keeps the last): a parameter an
    # API takes repeated, like Fireblocks' `policyType=TRANSFER&policyType=MINT`
    query_lists: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-serialisable, bytes/str sent as is, or an iterable of byte chunks
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (a stalled server)
    reset: bool = False  # drop the connection (TCP reset) instead of answering


@dataclass
class Fault:
    path: str  # a prefix of the request path
    reply: Reply
    times: int = 1


Handler = Callable[[Request], Reply]


def retry_after_refusal(limit: int, reset: float, now: float) -> Reply:
    """The common documented answer over the limit: 429 with `Retry-After` in seconds
    (Microsoft Graph, Safe, BitGo, Fireblocks, KnowBe4)."""
    wait = max(1, math.ceil(reset - now))
    return Reply(429, {"error": "rate limit exceeded", "limit": limit}, {"Retry-After": str(wait)})


def by_authorization(request: Request) -> str:
    """Limits counted per credential: the API key header (Fireblocks signs each request, so
    its Authorization changes) or else the Authorization header."""
    return request.headers.get("x-api-key") or request.headers.get("authorization") or ""


@dataclass
class RateLimit:
    """A vendor's documented limit: at most `requests` per fixed `window` (seconds) per key
    (a token, a tenant), the window starting with its first request, as Okta documents its
    per-minute windows. Over the limit `refuse(limit, reset, now)` answers (the vendor's 429);
    `headers(limit, remaining, reset)`, when set, go on every answer (Okta's X-Rate-Limit-*)."""

    requests: int
    window: float = 60.0
    key: Callable[[Request], str] = by_authorization
    refuse: Callable[[int, float, float], Reply] = retry_after_refusal
    headers: Callable[[int, int, float], dict[str, str]] | None = None
    windows: dict[str, tuple[float, int]] = field(default_factory=dict)  # key -> (reset, used)

    def admit(self, request: Request, now: float) -> tuple[bool, int, float]:
        """Count `request`; returns (admitted, remaining, reset) for its key's window."""
        key = self.key(request)
        reset, used = self.windows.get(key, (0.0, 0))
        if now >= reset:
            reset, used = now + self.window, 0
        admitted = used < self.requests
        used += admitted
        self.windows[key] = (reset, used)
        return admitted, self.requests - used, reset


class FakeApi:
    """Routes plus auth plus faults, served on 127.0.0.1 on a free port; optionally a rate
    limit and a latency per request. `counts` tells the requests answered and the refusals
    the rate limit made ("requests", "rate_limited"), so a benchmark can report them."""

    def __init__(
        self,
        authorised: Callable[[Request], bool],
        rate_limit: RateLimit | None = None,
        latency: float = 0.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self.authorised = authorised
        self.faults: deque[Fault] = deque()
        self.log: list[tuple[str, str, int]] = []  # (method, path with query, status)
        self.rate_limit = rate_limit
        self.latency = latency  # seconds every answer takes (a real API is not instant)
        self.clock = clock  # the rate limit's windows (tests move time themselves)
        self.counts: Counter[str] = Counter()
        self.arrivals: list[float] = []  # time.monotonic() of every request, for burst figures
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    def inject(
        self, path: str, status: int, headers: dict[str, str] | None = None, body: Any = None, times: int = 1
    ) -> None:
        """Answer the next `times` requests under `path` with this reply instead."""
        self.inject_reply(path, Reply(status, body, headers or {}), times)

    def inject_reply(self, path: str, reply: Reply, times: int = 1) -> None:
        """Answer the next `times` requests under `path` with `reply` (a stall, a reset, ...)."""
        with self._lock:
            self.faults.append(Fault(path, reply, times))

    def _fault_for(self, path: str) -> Reply | None:
        with self._lock:
            for fault in self.faults:
                if path.startswith(fault.path):
                    fault.times -= 1
                    if fault.times <= 0:
                        self.faults.remove(fault)
                    return fault.reply
        return None

    def handle(self, request: Request) -> Reply:
        with self._lock:
            self.counts["requests"] += 1
            self.arrivals.append(time.monotonic())
        fault = self._fault_for(request.path)
        if fault is not None:
            return fault
        if not self.authorised(request):
            return Reply(401, {"error": "invalid credentials"})
        if self.rate_limit is None:
            return self._route(request)
        now = self.clock()
        limit = self.rate_limit
        with self._lock:
            admitted, remaining, reset = limit.admit(request, now)
            if not admitted:
                self.counts["rate_limited"] += 1
        reply = self._route(request) if admitted else limit.refuse(limit.requests, reset, now)
        if limit.headers is not None:
            reply.headers = {**reply.headers, **limit.headers(limit.requests, max(remaining, 0), reset)}
        return reply

    def _route(self, request: Request) -> Reply:
        for method, pattern, handler in self.routes:
            match = pattern.match(request.path)
            if method == request.method and match:
                return handler(
                    Request(
                        request.method,
                        request.path,
                        request.query,
                        request.headers,
                        match.groupdict(),
                        request.body,
                        request.query_lists,
                    )
                )
        return Reply(404, {"error": f"no route for {request.method} {request.path}"})

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> str:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._serve("POST")

            def _serve(self, method: str) -> None:
                parts = urlsplit(self.path)
                lists = parse_qs(parts.query)
                query = {key: values[-1] for key, values in lists.items()}
                length = int(self.headers.get("content-length") or 0)
                received = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Request(method, parts.path, query, headers, body=received, query_lists=lists)
                reply = fake.handle(request)
                if fake.latency:
                    time.sleep(fake.latency)
                if reply.reset:
                    with fake._lock:
                        fake.log.append((method, self.path, 0))
                    # Linger 0: close() sends a TCP reset rather than a clean end of stream.
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    self.connection.close()
                    self.close_connection = True
                    return
                body = reply.body
                if isinstance(body, Iterable) and not isinstance(body, bytes | str | dict | list):
                    self._stream(method, reply, body)
                    return
                if isinstance(body, bytes):
                    payload = body
                elif isinstance(body, str):
                    payload = body.encode()
                else:
                    payload = json.dumps(body).encode()
                with fake._lock:  # logged before the reply leaves, so a client never outruns it
                    fake.log.append((method, self.path, reply.status))
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    headers = {"Content-Type": "application/json", **reply.headers}
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:  # the client gave up first (a read-timeout test)
                    self.close_connection = True

            def _stream(self, method: str, reply: Reply, chunks: Iterable[bytes]) -> None:
                """A body of unknown length, sent until the chunks end or the client hangs up."""
                with fake._lock:
                    fake.log.append((method, self.path, reply.status))
                self.close_connection = True
                try:
                    self.send_response(reply.status)
                    for name, value in {"Content-Type": "application/json", **reply.headers}.items():
                        self.send_header(name, value)
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for chunk in chunks:
                        self.wfile.write(chunk)
                except OSError:
                    return  # the client stopped reading

            def log_message(self, *_: Any) -> None:  # quiet
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True, name="fake-api")
        self._thread.start()
        return self.base_url

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeApi:
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()


def page_of(
    items: list[Any], query: dict[str, str], size_param: str, cursor_param: str, default_size: int
) -> tuple[list[Any], int | None]:
    """One page of `items` from an offset cursor; returns the page and the next offset."""
    size = int(query.get(size_param) or default_size)
    start = int(query.get(cursor_param) or 0)
    end = start + size
    return items[start:end], (end if end < len(items) else None)
