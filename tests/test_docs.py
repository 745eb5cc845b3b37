"""The "Writing a check" guide stays true: its check and its test run as written."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

GUIDE = Path(__file__).parents[1] / "docs" / "writing-a-check.md"


def test_the_guides_check_and_test_pass_as_written(tmp_path):
    check, test = re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)[:2]
    (tmp_path / "signer_has_mfa.py").write_text(check)
    (tmp_path / "test_signer_has_mfa.py").write_text(test)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_signer_has_mfa.py"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
