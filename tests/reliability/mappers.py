"""What every mapper's output must be, and the captured payloads the property tests mutate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from vaultward.contract.records import Record
from vaultward.contract.sdk import Problem

COLLECTOR_TESTS = Path(__file__).parents[1] / "collectors"


def payload(collector: str, name: str) -> Any:
    return json.loads((COLLECTOR_TESTS / collector / "payloads" / name).read_text())


def valid_records(items: Any) -> list[Record]:
    """Each item is a record that validates again from its own stored data (what the store
    keeps and checks read back), or a located Problem; returns the records."""
    records = []
    for item in items if isinstance(items, list | tuple) else [items]:
        if isinstance(item, Problem):
            assert item.reason, item
            continue
        assert isinstance(item, Record), item
        assert isinstance(item.key, str) and item.key, item
        data = item.data()
        json.dumps(data)
        assert type(item).model_validate(data).data() == data
        records.append(item)
    return records


def objects(items: Any) -> list[dict[str, Any]]:
    """The dicts of a list, as the vendor clients hand them to mappers (`VendorClient.objects`)."""
    return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []


def with_id(item: dict[str, Any], field: str = "id") -> dict[str, Any]:
    """Collectors skip items without an id (with a Problem) before mapping them."""
    return item if item.get(field) not in (None, "") else {**item, field: "restored-id"}
