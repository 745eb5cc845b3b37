"""Who is running a Run, and its heartbeat: a Run records its owner process (host, pid and
the process's start, so a reused pid is not mistaken for it) and `heartbeat_at`, renewed
while the Run is running by one thread per process, each beat its own unit of work.

A Run whose owner is gone, or whose heartbeat is older than STALE_SECONDS, was left behind
by a killed process (vaultward/pipeline/orphans.py marks it failed).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, update

from vaultward.store.models import Run, utcnow
from vaultward.store.unit_of_work import unit_of_work

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 20.0  # how often a running Run's heartbeat is renewed
STALE_SECONDS = 3 * HEARTBEAT_SECONDS  # a heartbeat older than this: nothing is running the Run


@dataclass(frozen=True)
class Owner:
    """A process: `started` is "<boot id>/<pid namespace>/<start time>" on Linux, None where
    /proc cannot tell (then host and pid alone name it)."""

    host: str
    pid: int
    started: str | None


def process_started(pid: int) -> str | None:
    """The start of process `pid` as this kernel tells it (None when it cannot): a pid reused
    after a restart or reboot gives another value. Only comparable between processes of the
    same boot and pid namespace, which is why both are part of it."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        namespace = os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None
    # Fields after the command name (in parentheses, which may hold spaces): the 22nd
    # field of the line, starttime, is the 20th after it.
    fields = stat.rpartition(")")[2].split()
    if len(fields) < 20:
        return None
    return f"{_boot_id()}/{namespace.removeprefix('pid:').strip('[]')}/{fields[19]}"


@cache
def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return "-"


def this_process() -> Owner:
    pid = os.getpid()
    return Owner(socket.gethostname(), pid, process_started(pid))


def _space(started: str) -> str:
    """The boot and pid namespace of a `started` value: pids mean something only within one."""
    return started.rpartition("/")[0]


def owner_alive(owner: Owner, here: Owner | None = None) -> bool | None:
    """Whether `owner` still runs: None when this process cannot tell (another host, boot or
    pid namespace: its heartbeat tells), else True or False."""
    here = here or this_process()
    if owner.host != here.host:
        return None
    if (
        owner.started is not None
        and here.started is not None
        and _space(owner.started) != _space(here.started)
    ):
        return None  # a container sharing the host name, or before a reboot: pids mean nothing here
    try:
        os.kill(owner.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        pass
    if owner.started is None:
        return True  # host and pid alone
    current = process_started(owner.pid)
    return current is None or current == owner.started


def heartbeat_stale(heartbeat_at: datetime, now: datetime) -> bool:
    return now - heartbeat_at > timedelta(seconds=STALE_SECONDS)


class _Heartbeat:
    """The process's heartbeat thread: renews the Runs tracked (per engine) every
    HEARTBEAT_SECONDS, and stops when none is left."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[Engine, set[int]] = {}
        self._thread: threading.Thread | None = None
        self.seconds = HEARTBEAT_SECONDS

    def track(self, engine: Engine, run_id: int) -> None:
        with self._lock:
            self._runs.setdefault(engine, set()).add(run_id)
            if self._thread is None:
                self._thread = threading.Thread(target=self._beat, name="run heartbeat", daemon=True)
                self._thread.start()

    def tracks(self, run_id: int) -> bool:
        """Whether this process is running Run `run_id` (of any store: an id of another store
        can only keep a Run from being judged left behind, never the reverse)."""
        with self._lock:
            return any(run_id in runs for runs in self._runs.values())

    def untrack(self, engine: Engine, run_id: int) -> None:
        with self._lock:
            runs = self._runs.get(engine, set())
            runs.discard(run_id)
            if not runs:
                self._runs.pop(engine, None)

    def _beat(self) -> None:
        stop = threading.Event()
        while not stop.wait(self.seconds):
            with self._lock:
                if not self._runs:
                    self._thread = None
                    return
                tracked = {engine: sorted(ids) for engine, ids in self._runs.items()}
            for engine, ids in tracked.items():
                try:
                    with unit_of_work(engine) as session:
                        session.execute(
                            update(Run)
                            .where(Run.id.in_(ids), Run.status == "running")  # type: ignore[union-attr,attr-defined,arg-type]
                            .values(heartbeat_at=utcnow())
                        )
                except Exception as error:  # the store is away; try again on the next beat
                    log.warning("could not renew the heartbeat of run(s) %s: %s", ids, type(error).__name__)


HEARTBEAT = _Heartbeat()
