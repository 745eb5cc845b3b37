"""Loads the Safe Transaction Service payloads in payloads/ (shaped like
`GET /api/v1/safes/{address}/`: checksummed addresses, `nonce` as a string or, from older
services, a number)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())
