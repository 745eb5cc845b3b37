"""The dashboard process never loads boto3: it reads the store, and lists the collectors (for
the Sources page and the credentials to mask) without importing any cloud SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.dashboard.test_people_wallets import inventory_url  # noqa: F401  (the fixture: a store the checks judged)

ROOT = Path(__file__).resolve().parents[2]
PAGES = [
    ("overview", ()), ("attack_path", ()), ("trends", ()), ("mitigation", ("access",)),
    ("mitigation", ("custody",)), ("mitigation", ("training",)), ("people", ()), ("wallets", ()),
    ("catalog", ()), ("waivers", ()), ("reports", ()), ("sources", ()),
]  # fmt: skip
# Run in a fresh interpreter, so nothing the test process imported counts.
SCRIPT = f"""
import json, sys
from streamlit.testing.v1 import AppTest

failures = []
at = AppTest.from_file({str(ROOT / "dashboard" / "app.py")!r}, default_timeout=120).run()
failures += [e.value for e in at.exception]
for module, args in {PAGES!r}:
    call = ", ".join(repr(a) for a in args)
    page = AppTest.from_string(
        f"from dashboard.app_pages.{{module}} import render\\nrender({{call}})\\n", default_timeout=120
    ).run()
    failures += [e.value for e in page.exception]
print(json.dumps({{"failures": failures, "loaded": sorted(m for m in ("boto3", "botocore") if m in sys.modules)}}))
"""


def test_the_dashboard_renders_every_page_without_importing_boto3(inventory_url):  # noqa: F811
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH")))),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["failures"] == []
    assert outcome["loaded"] == []  # neither boto3 nor botocore
