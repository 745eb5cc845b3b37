"""`vaultward worker` as a process: scheduled runs against a moto server, clean SIGTERM stop."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlmodel import Session, select

from vaultward.db import make_engine
from vaultward.demo.organisation import seed_exact_organisation
from vaultward.models import Evaluation, Run

VAULTWARD = str(Path(sys.executable).parent / "vaultward")


def test_worker_runs_on_schedule_and_stops_on_sigterm(tmp_path, database_url, moto_endpoint):
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
            while evaluations < 2 and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.5)
                with Session(engine) as session:
                    evaluations = len(session.exec(select(Evaluation)).all())
            assert evaluations >= 2, log_path.read_text()
            worker.send_signal(signal.SIGTERM)
            assert worker.wait(timeout=60) == 0
        finally:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    output = log_path.read_text()
    assert "worker started with 1 job(s): collect aws_iam" in output
    assert "received SIGTERM: stopping after the running jobs" in output
    assert output.rstrip().endswith("worker stopped")
    with Session(engine) as session:
        runs = session.exec(select(Run)).all()
    engine.dispose()
    assert len(runs) >= 2 and {run.status for run in runs} == {"ok"}
    assert {run.scope for run in runs} == {f"aws:{org.accounts['production']}"}
