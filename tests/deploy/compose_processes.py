"""docker-compose.yml's services started as processes on this machine: where its hosts,
volumes and files are here, each service's environment as compose would build it, start order
by depends_on, health probes, and bounded waits that show every service's log on failure."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tests.deploy.compose_file import dockerfile_stages, interpolate

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Machine:
    """Where the compose file's hosts, volumes and files are on this machine."""

    hosts: dict[str, tuple[str, int, str]]  # compose host -> (host, port, URL path here)
    paths: dict[str, Path]  # container path -> path here (bind mounts and volumes)
    files: dict[str, Path]  # bind-mount source in the compose file -> the test's file

    def url(self, value: str) -> str:
        """A URL naming a compose host, pointed at this machine's server instead."""
        parts = urlsplit(value)
        if parts.hostname not in self.hosts:
            return value
        host, port, path = self.hosts[parts.hostname]
        credentials = parts.netloc.rpartition("@")[0]
        return urlunsplit((parts.scheme, f"{credentials}@{host}:{port}", path, parts.query, parts.fragment))

    def path(self, value: str) -> str:
        for inside, here in self.paths.items():
            if value == inside or value.startswith(inside + "/"):
                return str(here) + value[len(inside) :]
        return value


@dataclass
class Service:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def log(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self) -> int | None:
        """SIGTERM to its process group (the dashboard's Streamlit child too), then SIGKILL."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
        with contextlib.suppress(ProcessLookupError):  # a grandchild that outlived its parent
            os.killpg(self.process.pid, signal.SIGKILL)
        return self.process.returncode


def logs(services: list[Service]) -> str:
    return "\n".join(f"----- {s.name} ({s.log_path}) -----\n{s.log()}" for s in services)


def wait_until(condition: Callable[[], Any], timeout: float, what: str, services: list[Service]) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        for service in services:
            code = service.process.poll() if service.process else None
            assert code is None, f"{service.name} exited ({code}) while waiting for {what}:\n{logs(services)}"
        assert time.monotonic() < deadline, (
            f"timed out after {timeout:.0f} s waiting for {what}:\n{logs(services)}"
        )
        time.sleep(0.3)


def service_environment(
    service: dict[str, Any], dotenv: dict[str, str], machine: Machine, home: Path
) -> dict[str, str]:
    """What the container's process sees: the image's ENV, then env_file, then environment
    (compose's precedence), with compose hosts and container paths mapped to this machine."""
    image_env = dockerfile_stages()[-1].env()
    env = {key: value for key, value in image_env.items() if key != "PATH"}
    env.update(
        PATH=f"{VENV_BIN}{os.pathsep}/usr/local/bin{os.pathsep}/usr/bin{os.pathsep}/bin", HOME=str(home)
    )
    assert service["env_file"] == ".env"
    env.update(dotenv)
    env.update({key: str(value) for key, value in interpolate(service["environment"], dotenv).items()})
    return {key: machine.path(machine.url(value)) for key, value in env.items()}


def start_order(services: dict[str, dict[str, Any]]) -> list[str]:
    """Services in an order that honours depends_on among them (others are this machine's)."""
    ordered: list[str] = []
    while len(ordered) < len(services):
        ready = [
            name
            for name, service in services.items()
            if name not in ordered
            and all(d in ordered or d not in services for d in service.get("depends_on", {}))
        ]
        assert ready, f"a depends_on cycle among {sorted(set(services) - set(ordered))}"
        ordered += sorted(ready)
    return ordered


def healthcheck_command(service: dict[str, Any], port: int) -> list[str]:
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD"
    return [part.replace("127.0.0.1:8501", f"127.0.0.1:{port}") for part in test[1:]]
