"""The monotonicity suite's report, shared by its SaaS and AWS modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.monotonicity import REPORT_LINES, Report


@pytest.fixture(scope="session")
def monotonicity_report(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """Per source figures for issue 15's closing note: printed at the session's end and
    written to .monotonicity-report.json (gitignored) and the session's tmp dir."""
    report = Report()

    def finish() -> None:
        if not report.sources:
            return
        workeroutput = getattr(request.config, "workeroutput", None)
        if workeroutput is not None:  # a pytest-xdist worker: the controller prints the lines
            workeroutput[REPORT_LINES] = report.lines()  # (tests/conftest.py)
        terminal = request.config.pluginmanager.get_plugin("terminalreporter")
        capture = request.config.pluginmanager.get_plugin("capturemanager")
        if workeroutput is None and terminal is not None and capture is not None:
            with capture.global_and_fixture_disabled():  # shown even when the test passed
                terminal.write_line("")
                for line in report.lines():
                    terminal.write_line(line)
        report.write(Path(request.config.rootpath) / ".monotonicity-report.json")
        report.write(tmp_path_factory.getbasetemp() / "monotonicity-report.json")

    request.addfinalizer(finish)
    return report
