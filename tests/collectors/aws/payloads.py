"""Loads the captured API payloads in tests/collectors/aws/payloads/ (see capture_payloads.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    path = PAYLOADS / name
    if path.suffix == ".json":
        return json.loads(path.read_text())
    return path.read_text()
