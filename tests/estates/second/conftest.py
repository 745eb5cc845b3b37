"""The `northwind` fixture: the second estate running (moto seeded, vendor fakes started)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.estates.second.estate import NorthwindEstate, northwind_estate


@pytest.fixture
def northwind(moto_endpoint: str, tmp_path: Path) -> Iterator[NorthwindEstate]:
    """Northwind's AWS organisation in the (emptied) moto server and its vendor fakes; yields
    the Settings, the fakes (`estate.fakes[source].inject(...)` for faults) and what was seeded."""
    with northwind_estate(moto_endpoint, tmp_path / "northwind") as estate:
        yield estate
