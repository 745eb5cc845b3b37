"""A moto server with a per-request latency, seeded with a synthetic organisation, in a child
process (so the emulator's CPU does not share the collector's interpreter lock, as real AWS
would not).

The latency is a WSGI middleware around moto's app: every request sleeps `latency` seconds
(off the interpreter lock) before moto answers, like an API round trip; it also counts the
requests, for requests per second.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from multiprocessing.connection import Connection
from typing import Any

from benchmarks.synthetic.aws import OrgShape, SyntheticOrganisation

READY_TIMEOUT = 1800.0  # seeding 500 accounts takes about a minute on a 2-core machine


class LatencyMiddleware:
    """Sleeps `latency` seconds before every request and counts them."""

    def __init__(self, app: Callable[..., Iterable[bytes]], latency: float = 0.0) -> None:
        self.app = app
        self.latency = latency
        self.requests = 0
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        with self._lock:
            self.requests += 1
        if self.latency > 0:
            time.sleep(self.latency)
        return self.app(environ, start_response)


def _serve(shape: OrgShape, latency: float, connection: Connection) -> None:
    """The child: a threaded werkzeug server around moto's app (as ThreadedMotoServer builds
    it) behind the middleware; seed with no latency, then answer the parent's commands."""
    try:
        from moto.moto_server.werkzeug_app import (
            DomainDispatcherApplication,
            MotoRequestHandler,
            create_backend_app,
        )
        from werkzeug.serving import make_server

        from benchmarks.synthetic.aws import seed

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
        middleware = LatencyMiddleware(DomainDispatcherApplication(create_backend_app))
        server = make_server("127.0.0.1", 0, middleware, threaded=True, request_handler=MotoRequestHandler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        endpoint = f"http://127.0.0.1:{server.server_address[1]}"
        started = time.monotonic()
        organisation = seed(shape, endpoint)
        middleware.latency, middleware.requests = latency, 0
        connection.send(("ready", organisation, time.monotonic() - started))
    except Exception:  # noqa: BLE001 - the parent reports it
        connection.send(("error", traceback.format_exc(), 0.0))
        return
    while True:
        command, value = connection.recv()
        if command == "requests":
            connection.send(middleware.requests)
        elif command == "cpu":
            connection.send(time.process_time())
        elif command == "latency":
            middleware.latency = float(value)
            connection.send(middleware.latency)
        else:  # stop
            server.shutdown()
            connection.send("stopped")
            return


class SyntheticAws:
    """Starts the seeded emulator in a child process; `with SyntheticAws(shape) as aws:`."""

    def __init__(self, shape: OrgShape, latency: float = 0.05) -> None:
        self.shape = shape
        self.latency = latency
        self.seconds_to_seed = 0.0
        self._connection: Connection | None = None
        self._process: Any = None

    def __enter__(self) -> SyntheticAws:
        # spawn: a forked child would inherit the parent's threads and locks.
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(self.shape, self.latency, child), daemon=True)
        self._process.start()
        self._connection = parent
        deadline = time.monotonic() + READY_TIMEOUT
        while not parent.poll(1.0):
            if not self._process.is_alive() or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError("the emulator stopped or was not seeded in time")
        status, payload, seconds = parent.recv()
        if status != "ready":
            self.__exit__()
            raise RuntimeError(f"seeding the emulator failed:\n{payload}")
        self.organisation: SyntheticOrganisation = payload
        self.seconds_to_seed = seconds
        return self

    def requests(self) -> int:
        """Requests the emulator answered since seeding."""
        return int(self._ask("requests"))

    def cpu_seconds(self) -> float:
        """CPU time the emulator process has used."""
        return float(self._ask("cpu"))

    def set_latency(self, seconds: float) -> None:
        self._ask("latency", seconds)

    def _ask(self, command: str, value: Any = None) -> Any:
        assert self._connection is not None
        self._connection.send((command, value))
        return self._connection.recv()

    def __exit__(self, *_: object) -> None:
        if self._process is None:
            return
        if self._process.is_alive() and self._connection is not None:
            with contextlib.suppress(EOFError, OSError):  # it died: nothing to stop
                self._ask("stop")
        self._process.join(timeout=10)
        if self._process.is_alive():
            self._process.terminate()  # our own child, by its handle
            self._process.join(timeout=10)
        self._process = None
