"""Loads the CrowdStrike Falcon payloads in payloads/ (shaped as the published API
specification defines them; see payloads/README.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())


def hosts() -> list[dict[str, Any]]:
    """The host details of device_details.json."""
    return load("device_details.json")["resources"]
