"""Loads the BitGo API v2 payloads in payloads/ (wallets as `GET /api/v2/{coin}/wallet`
lists them, approvals as `GET /api/v2/pendingapprovals` does)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())
