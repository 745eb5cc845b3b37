"""`vaultward worker` as a process: scheduled runs against a moto server, clean stop on
SIGTERM and SIGINT."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlmodel import Session, select

from demo.organisation import seed_exact_organisation
from vaultward.store.db import make_engine
from vaultward.store.models import Evaluation, Run

VAULTWARD = str(Path(sys.executable).parent / "vaultward")


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_worker_runs_on_schedule_and_stops_on_signal(tmp_path, database_url, moto_endpoint, stop_signal):
    org = seed_exact_organisation(moto_endpoint)
    config = tmp_path / "vaultward.toml"
    config.write_text(
        f"""
[aws]
endpoint_url = "{moto_endpoint}"
[[aws.accounts]]
role_arn = "{org.role_arn(org.accounts["production"])}"
[sources.aws_iam]
schedule = "3s"
[sources.aws_custody]
enabled = false
[sources.aws_network]
enabled = false
[sources.aws_detection]
enabled = false
[sources.aws_organization]
enabled = false
"""
    )
    env = {**os.environ, "VAULTWARD_DATABASE_URL": database_url}
    log_path = tmp_path / "worker.log"
    engine = make_engine(database_url)
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [VAULTWARD, "--config", str(config), "worker"],
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 90
            evaluations = 0
            # one run at start, then at least two on the 3-second schedule
            while evaluations < 3 and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.5)
                with Session(engine) as session:
                    evaluations = len(session.exec(select(Evaluation)).all())
            assert evaluations >= 3, log_path.read_text()
            worker.send_signal(stop_signal)
            assert worker.wait(timeout=60) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    output = log_path.read_text()
    started = re.search(r"worker started with 3 job\(s\): (.*)", output)
    assert started, output  # listed by next firing: the order depends on the day
    assert sorted(started.group(1).split(", ")) == ["collect aws_iam", "retention", "weekly report"]
    assert f"received {stop_signal.name}: stopping after the running jobs" in output
    assert output.rstrip().endswith("worker stopped")
    with Session(engine) as session:
        runs = session.exec(select(Run)).all()
    engine.dispose()
    assert {run.status for run in runs} == {"ok"}, "no run may be left running or failed"
    scope_runs = [run for run in runs if run.scope == f"aws:{org.accounts['production']}"]
    assert len(scope_runs) >= 3
    assert {run.scope for run in runs} == {f"aws:{org.accounts['production']}", "aws_iam:discovery"}
