"""Processes killed mid-run (kill -9 of collect, evaluate and the worker) and two workers on
one store. After each, the commands a user would run next; then what the store kept."""

from __future__ import annotations

import itertools

from benchmarks.fault_campaign.bench import DISCOVERY, Bench, wait_for
from benchmarks.fault_campaign.outcome import Outcome, Step
from tests.reliability.worker_process import WorkerProcess


def collect_killed(bench: Bench) -> Outcome:
    outcome = Outcome(bench.store, "kill -9 of `collect` mid-run, then `collect`, `status`")
    before = bench.snapshot()
    started = bench.start("collect", "collect", "--source", "counted", config=bench.slow)
    outcome.check("a Run was running when killed", wait_for(lambda: bench.scope_running(before.max_run), 90))
    outcome.steps.append(bench.kill(started))
    outcome.steps.append(bench.run("collect", "collect", "--source", "counted", config=bench.fast))
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    outcome.main = 1
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def evaluate_killed(bench: Bench) -> Outcome:
    outcome = Outcome(bench.store, "kill -9 of `evaluate` mid-run, then `evaluate`, `status`")
    before = bench.snapshot()
    marker = bench.folder / "slow-check-started"
    marker.unlink(missing_ok=True)
    slow = bench.env(SLOW_CHECK_SECONDS="120", SLOW_CHECK_MARKER=str(marker))  # the plugin check waits
    started = bench.start("evaluate", "evaluate", config=bench.fast, env=slow)
    outcome.check("it was evaluating when killed", wait_for(marker.exists, 120))
    outcome.steps.append(bench.kill(started))
    killed_left = bench.evaluations_since(before.max_evaluation)
    outcome.steps.append(bench.run("evaluate", "evaluate", config=bench.fast))
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    outcome.check("the killed evaluation left no evaluation behind", killed_left == 0)
    outcome.main = 1
    outcome.kept = bench.kept(before)
    return bench.record(outcome)


def stopped(label: str, worker: WorkerProcess) -> Step:
    """A worker stopped as a service manager does (SIGTERM): it should exit 0."""
    code = worker.stop()
    return Step(label, code, (0,), stderr=worker.log())


def worker_killed(bench: Bench) -> Outcome:
    outcome = Outcome(bench.store, "kill -9 of `worker` mid-collection, restarted, then `status`")
    before = bench.snapshot()
    first = bench.worker(bench.worker_slow, "worker-killed.log")
    outcome.check("a Run was running when killed", wait_for(lambda: bench.scope_running(before.max_run), 90))
    first.kill()
    outcome.steps.append(Step("worker", -9, None, stderr=first.log()))
    killed = {run.id or 0 for run in bench.runs_since(before.max_run) if run.status == "running"}
    second = bench.worker(bench.worker_fast, "worker-restarted.log")

    def recovered() -> bool:
        runs = bench.runs_since(before.max_run)
        left = any(run.id in killed and run.status == "running" for run in runs)
        newer_ok = any(run.status == "ok" and (run.id or 0) > max(killed, default=0) for run in runs)
        return not left and newer_ok and bench.evaluations_since(before.max_evaluation) > 0

    outcome.check(
        "the restarted worker recovered, collected and evaluated within 90 s", wait_for(recovered, 90)
    )
    outcome.steps.append(stopped("worker (restarted, then SIGTERM)", second))
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    outcome.main = 1
    outcome.kept = bench.kept(before)
    return bench.record(outcome, first.log(), second.log())


def overlapping(bench: Bench, since: int) -> int:
    """Pairs of Runs of one scope that ran at the same time: a firing collected twice."""
    runs = sorted(bench.runs_since(since), key=lambda run: (run.scope, run.started_at))
    pairs = 0
    for _scope, group in itertools.groupby(runs, key=lambda run: run.scope):
        ordered = list(group)
        for earlier, later in itertools.pairwise(ordered):
            pairs += earlier.finished_at is None or later.started_at < earlier.finished_at
    return pairs


def two_workers(bench: Bench) -> Outcome:
    outcome = Outcome(bench.store, "two `worker`s on one store, then SIGTERM to both, `status`")
    before = bench.snapshot()
    workers = [bench.worker(bench.worker_fast, f"pair-{n}.log") for n in (1, 2)]
    outcome.check(
        "two evaluations within 60 s",
        wait_for(lambda: bench.evaluations_since(before.max_evaluation) >= 2, 60),
    )
    outcome.steps += [stopped(f"worker {n}", worker) for n, worker in enumerate(workers, 1)]
    outcome.steps.append(bench.run("status", "status", config=bench.fast))
    collected = [run for run in bench.runs_since(before.max_run) if run.scope != DISCOVERY]
    outcome.check("the workers collected", bool(collected))
    outcome.check("no scope collected twice at once", overlapping(bench, before.max_run) == 0)
    outcome.kept = bench.kept(before)
    return bench.record(outcome, *(worker.log() for worker in workers))
