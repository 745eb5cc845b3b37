"""Loads the Fireblocks API payloads in payloads/ (shaped like the API reference's models:
PolicyAndValidationResponse of Policy Engine v2, VaultAccount, GetConsoleUsersResponse)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PAYLOADS = Path(__file__).parent / "payloads"


def load(name: str) -> Any:
    return json.loads((PAYLOADS / name).read_text())
