"""Loads the KnowBe4 Reporting API payloads in payloads/ (shaped like the API's documented
examples: plain JSON arrays, `2019-04-02T15:02:38.000Z` timestamps)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())
