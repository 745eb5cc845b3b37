"""The topology of docker-compose.yml, run as processes (no container daemon on this machine).

Each Vaultward service's `command`, with the image's ENTRYPOINT (`vaultward`, this venv's
console script) in front, runs with the environment the service declares (interpolated from
a test .env) plus that .env itself (env_file), in a working directory standing in for its
volume, in dependency order (`migrate` to completion first). The compose hosts `postgres`
and `rabbitmq` become this machine's servers: a throwaway database (POSTGRES_DB in the test
.env) and RabbitMQ's default vhost with a throwaway queue name (set in the mounted
vaultward.toml). The mounted config collects Okta from its loopback fake every 5 s: the round
fired at start and the next one, fired by the schedule, are both collected and evaluated.

One thing differs from the compose file, and only for the dashboard: it serves 127.0.0.1 on a
free port instead of 0.0.0.0:8501 (the login is the compose's: the password from .env), and
its health probe is pointed at that port. A separate check shows that without the password
the compose's own `serve --address 0.0.0.0` refuses to start.
"""

from __future__ import annotations

import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session, select

from demo.fakes import okta
from tests.conftest import POSTGRES_ADMIN_URL
from tests.dashboard.test_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.deploy.compose_file import (
    dockerfile_stages,
    image_services,
    load_compose,
    volume_parts,
)
from tests.deploy.compose_processes import (
    VENV_BIN,
    Machine,
    Service,
    free_port,
    healthcheck_command,
    logs,
    service_environment,
    start_order,
    wait_until,
)
from tests.rabbitmq import queue_name, rabbitmq_url  # noqa: F401 - fixtures
from tests.reliability.worker_process import AWS_SOURCES
from vaultward.store.db import make_engine
from vaultward.store.models import CollectionRound, Evaluation, Run

DASHBOARD_PASSWORD = "compose-test-viewer-password"
ROUND_TIMEOUT = 60.0  # seconds for the first scheduled round to be collected and evaluated


@pytest.fixture
def throwaway_database() -> Iterator[str]:
    """An empty PostgreSQL database on this machine's server, dropped afterwards."""
    admin = make_engine(POSTGRES_ADMIN_URL).execution_options(isolation_level="AUTOCOMMIT")
    name = f"vaultward_compose_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:  # pragma: no cover - depends on the machine
        admin.dispose()
        pytest.skip(f"PostgreSQL is not usable at {POSTGRES_ADMIN_URL} ({error}); ./dev.sh test starts it")
    try:
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def write_config(path: Path, okta_url: str, queue: str) -> None:
    """The vaultward.toml the services mount: Okta from its loopback fake every 5 s (the
    token comes from .env), the AWS sources off, the test's own queue."""
    lines = [
        "[sources.okta]",
        f'base_url = "{okta_url}"',
        'schedule = "5s"',
        "[queue]",
        f'queue_name = "{queue}"',
        "worker_threads = 2",
    ]
    for source in AWS_SOURCES:
        lines += [f"[sources.{source}]", "enabled = false"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")


def store_state(engine: Engine) -> tuple[list[CollectionRound], list[Run], list[Evaluation]]:
    with Session(engine) as session:
        return (
            list(session.exec(select(CollectionRound)).all()),
            list(session.exec(select(Run)).all()),
            list(session.exec(select(Evaluation)).all()),
        )


def shown_in_browser(base: str, overall: str) -> None:
    """Headless Chromium logs in with the dashboard password and sees the Overview's score."""
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.goto(base, wait_until="domcontentloaded")
            password = page.get_by_label("Password", exact=True)
            expect(password).to_be_visible(timeout=60_000)
            password.fill(DASHBOARD_PASSWORD)
            page.get_by_role("button", name="Log in").click()
            metric = page.locator('[data-testid="stMetric"]').filter(has_text="Overall readiness")
            expect(metric.locator('[data-testid="stMetricValue"]')).to_have_text(overall, timeout=60_000)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "compose-dashboard-overview.png"))
        finally:
            browser.close()


@pytest.mark.slow
def test_compose_services_as_processes_serve_schedule_collect_and_evaluate(
    tmp_path,
    throwaway_database,
    rabbitmq_url,  # noqa: F811
    queue_name,  # noqa: F811
):
    compose = load_compose()
    services_spec = image_services(compose)
    stage = dockerfile_stages()[-1]
    entrypoint = stage.exec_form("ENTRYPOINT")
    assert entrypoint == ["vaultward"]
    workdir = stage.last("WORKDIR")
    rabbit = urlsplit(rabbitmq_url)
    dotenv = {
        "POSTGRES_USER": "postgres",  # this machine's server: trust authentication
        "POSTGRES_PASSWORD": "compose-test-postgres-password",
        "POSTGRES_DB": throwaway_database,
        "RABBITMQ_USER": rabbit.username or "guest",
        "RABBITMQ_PASSWORD": rabbit.password or "guest",
        "VAULTWARD_DASHBOARD_PASSWORD": DASHBOARD_PASSWORD,
        "VAULTWARD_DASHBOARD_ADMIN_PASSWORD": "compose-test-admin-password",
        "OKTA_API_TOKEN": okta.DEMO_TOKEN,
    }
    (tmp_path / ".env").write_text("".join(f"{key}={value}\n" for key, value in dotenv.items()))
    port = free_port()

    with okta.make_okta_fake(okta.demo_okta_data()) as okta_fake:
        processes: list[Service] = []
        try:
            one_shots = {
                dependency
                for spec in services_spec.values()
                for dependency, condition in spec.get("depends_on", {}).items()
                if condition.get("condition") == "service_completed_successfully"
            }
            for name in start_order(services_spec):
                spec = services_spec[name]
                home = tmp_path / name / "home"
                home.mkdir(parents=True)
                machine = Machine(
                    hosts={
                        "postgres": ("127.0.0.1", 5432, f"/{throwaway_database}"),
                        # the rabbitmq service's vhost: here the default one, with the test's queue
                        "rabbitmq": (rabbit.hostname or "127.0.0.1", rabbit.port or 5672, "/"),
                    },
                    paths={},
                    files={"./vaultward.toml": tmp_path / "vaultward.toml"},
                )
                for source, target, mode in map(volume_parts, spec["volumes"]):
                    if source in machine.files:
                        assert mode == "ro"
                        machine.paths[target] = machine.files[source]
                    else:  # a named volume, shared by the services mounting it
                        assert source in compose["volumes"]
                        machine.paths[target] = tmp_path / "volumes" / source
                        machine.paths[target].mkdir(parents=True, exist_ok=True)
                if not (tmp_path / "vaultward.toml").exists():
                    write_config(tmp_path / "vaultward.toml", okta_fake.base_url, queue_name)
                env = service_environment(spec, dotenv, machine, home)
                command = list(spec["command"])
                if name == "dashboard":
                    address = command.index("--address") + 1
                    assert command[address] == "0.0.0.0"
                    command[address : address + 1] = ["127.0.0.1", "--port", str(port)]
                argv = [str(VENV_BIN / entrypoint[0]), *entrypoint[1:], *command]
                service = Service(name, argv, env, Path(machine.path(workdir)), tmp_path / f"{name}.log")
                service.start()
                processes.append(service)
                if name in one_shots:  # the others wait for it to complete
                    assert service.process is not None
                    code = service.process.wait(timeout=120)
                    assert code == 0, f"{name} failed ({code}):\n{service.log()}"
            running = [p for p in processes if p.name != "migrate"]
            by_name = {p.name: p for p in processes}
            assert "schema upgraded from empty" in by_name["migrate"].log()

            # The dashboard: health endpoint, its page, the compose's probe, behind the password.
            base = f"http://127.0.0.1:{port}"

            def healthy() -> bool:
                try:
                    return httpx.get(f"{base}/_stcore/health", timeout=2).status_code == 200
                except httpx.HTTPError:
                    return False

            wait_until(healthy, 60, "the dashboard's /_stcore/health", running)
            page = httpx.get(f"{base}/", timeout=10)
            assert page.status_code == 200 and '<div id="root">' in page.text
            assert "Login: dashboard password." in by_name["dashboard"].log()
            dashboard_env = by_name["dashboard"].env
            for name in ("dashboard", "worker", "queue-worker"):
                probe = subprocess.run(
                    healthcheck_command(services_spec[name], port),
                    env=dashboard_env,
                    capture_output=True,
                    text=True,
                    timeout=30,
                    check=False,
                )
                assert probe.returncode == 0, f"{name}'s healthcheck failed: {probe.stderr}\n{logs(running)}"

            # One scheduled round: enqueued by worker, collected and evaluated by queue-worker.
            engine = make_engine(env["VAULTWARD_DATABASE_URL"])
            try:

                def evaluated_rounds() -> bool:
                    rounds, _, _ = store_state(engine)
                    return sum(r.evaluation_id is not None for r in rounds) >= 2

                # the first round fires at start, the second on the 5 s schedule
                wait_until(evaluated_rounds, ROUND_TIMEOUT, "two evaluated okta rounds", running)
                rounds, runs, evaluations = store_state(engine)
            finally:
                engine.dispose()
            done = [r for r in rounds if r.evaluation_id is not None]
            assert {r.collector for r in done} == {"okta"} and {r.scope_count for r in done} == {1}
            collected = [run for run in runs if run.collector == "okta" and ":discovery" not in run.scope]
            assert sum(run.status == "ok" and run.item_count > 0 for run in collected) >= 2, collected
            assert {r.evaluation_id for r in done} <= {e.id for e in evaluations}
            worker_log, queue_log = by_name["worker"].log(), by_name["queue-worker"].log()
            assert "task queue configured" in worker_log and "queue worker started" in queue_log
            for service in processes:  # the credentials in .env never reach a log
                for secret in ("compose-test-postgres-password", DASHBOARD_PASSWORD, okta.DEMO_TOKEN):
                    assert secret not in service.log(), f"{service.name} logged a secret"

            # `vaultward status` in a worker's environment shows the round's result.
            status = subprocess.run(
                [str(VENV_BIN / "vaultward"), "status"],
                env=by_name["worker"].env,
                cwd=by_name["worker"].cwd,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert status.returncode == 0, status.stderr
            # A table row on a wide terminal, a line per scope on a narrow one: the same words.
            words = re.sub(r"[│\s]+", " ", status.stdout)
            assert re.search(r"okta okta:\S+ ok\b", words), status.stdout
            assert "Readiness" in status.stdout, status.stdout

            # The dashboard shows it: log in with the .env password, see the newest score.
            newest = max(evaluations, key=lambda e: e.id or 0)
            shown_in_browser(base, f"{newest.overall_score:.1f}")

            # Without the login, the compose's own command refuses to serve (exit 2).
            open_env = {k: v for k, v in dashboard_env.items() if "DASHBOARD" not in k}
            refused = subprocess.run(
                [
                    str(VENV_BIN / "vaultward"),
                    *services_spec["dashboard"]["command"],
                    "--port",
                    str(free_port()),
                ],
                env=open_env,
                cwd=by_name["dashboard"].cwd,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert refused.returncode == 2 and "refusing to serve on 0.0.0.0" in refused.stderr, refused
        finally:
            codes = {service.name: service.stop() for service in reversed(processes)}
    # SIGTERM (what `docker compose stop` sends) stops each one cleanly.
    assert all(code == 0 for name, code in codes.items() if name != "dashboard"), (
        f"{codes}\n{logs(processes)}"
    )
    assert (
        "worker stopped" in by_name["worker"].log()
        and "queue worker stopped" in by_name["queue-worker"].log()
    )
