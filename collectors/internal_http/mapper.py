"""Pure mapping of one configured endpoint's items to records of its kind."""

from __future__ import annotations

from typing import Any

import jmespath
from pydantic import ValidationError

from collectors.internal_http.options import Endpoint
from vaultward.contract.records import OTHER_FACTORS, PHISHING_RESISTANT_FACTORS, RECORD_KINDS, Record

KNOWN_FACTORS = PHISHING_RESISTANT_FACTORS | OTHER_FACTORS


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(record)"


def map_item(endpoint: Endpoint, item: Any, index: int) -> tuple[Record | None, list[str]]:
    """The record for item number `index` (0-based across pages), or the problems that kept
    it out, each naming the endpoint, the index and the record field."""
    where = f"internal_http:{endpoint.name} item {index}"
    if not isinstance(item, dict):
        return None, [f"{where}: expected an object, got {type(item).__name__}"]
    data: dict[str, Any] = dict(endpoint.constants)
    for field, expression in endpoint.fields.items():
        value = jmespath.search(expression, item)
        if value is not None:  # absent: the record's default applies (or 'required' is reported)
            data[field] = value
    if "key" in data:
        data["key"] = f"internal_http:{endpoint.name}:{data['key']}"
    model = RECORD_KINDS[endpoint.kind]
    anomalies: list[str] = []
    if isinstance(data.get("factor_kinds"), list) and "factor_kinds" in model.model_fields:
        factors = []
        for factor in data["factor_kinds"]:
            text = str(factor).strip().lower()
            if text not in KNOWN_FACTORS:
                anomalies.append(f"unknown factor {factor!r}")
                text = f"other:{factor}"
            factors.append(text)
        data["factor_kinds"] = factors
    if anomalies and "anomalies" in model.model_fields:
        data["anomalies"] = [*data.get("anomalies", []), *anomalies]
    try:
        return model.model_validate(data), []
    except ValidationError as error:
        problems = []
        for problem in error.errors():
            field = _location(problem["loc"])
            source = endpoint.fields.get(field.split(".")[0])
            mapped = f" (from {source!r})" if source else ""
            problems.append(f"{where}: {field}{mapped}: {problem['msg']}")
        return None, problems
