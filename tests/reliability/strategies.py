"""Hypothesis strategies shared by the property tests: hostile text and mutations of a
captured payload (keys dropped, unknown keys added, values of the wrong type)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# CI-friendly and stable: the same examples on every run, no timing flakiness.
PROPERTY = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Text an attacker or a broken export can put in a field.
SPECIAL_TEXT = (
    "",
    " ",
    "\u202eevil\u202c",  # right-to-left override
    "a\u200bb\u200d",  # zero-width space / joiner
    "🦊💸👩‍💻",
    "\x1b[31mred\x1b[0m",  # ANSI escape
    "\x00\x07\x08\r\n\t",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "<script>alert(1)</script>",
    "\ud800",  # a lone surrogate (JSON can carry it)
    "NaN",
    "2026-13-45T99:99:99Z",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-01:00",
)


def huge_text() -> st.SearchStrategy[str]:
    """Strings up to ~100k characters, built by repetition so generation stays cheap."""
    return st.builds(
        lambda unit, times: unit * times,
        st.sampled_from(["A", "é", "🦊", "\u202e", 'a,b;"c\n']),
        st.sampled_from([1_000, 20_000, 100_000]),
    )


def hostile_text() -> st.SearchStrategy[str]:
    # Huge strings are one draw in five: each costs milliseconds to validate and serialise.
    short = st.one_of(st.sampled_from(SPECIAL_TEXT), st.text(max_size=40))
    return st.one_of(short, short, short, short, huge_text())


def junk() -> st.SearchStrategy[Any]:
    """A JSON-like value of any type, to put where a payload expects something else."""
    leaf = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=True, allow_infinity=True),
        hostile_text(),
    )
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=10), inner, max_size=3)
        ),
        max_leaves=6,
    )


def same_type(value: Any) -> st.SearchStrategy[Any]:
    """Another value of the type `value` has (what a typed client such as boto3 can return)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(min_value=-(2**63), max_value=2**63)
    if isinstance(value, float):
        return st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(value, str):
        return hostile_text()
    if isinstance(value, datetime):
        return st.datetimes(timezones=st.just(UTC))
    return st.just(value)


# AWS always returns a resource's identifiers, CIDRs, timestamps and enums in their documented form
# (the credential report too: its user, arn and time columns); typed mutations keep them.
IDENTIFIER = re.compile(
    r"(Id|Arn|VpcInfo|RuleAction|RuleNumber|^arn|^user|Cidr|AliasName|Date|Time|Timestamp|_time|last_used|last_rotated|last_changed)"
)

# Members AWS always sends though the model calls them optional (a tag's Key and Value, a
# policy's name): typed mutations change their text but never drop them.
ALWAYS_THERE = re.compile(r"^(Key|Value|TagKey|TagValue)$|Name$")


@st.composite
def mutated(draw: st.DrawFn, value: Any, typed: bool = False, depth: int = 0) -> Any:
    """`value` with random parts dropped, added or replaced. `typed`: replacements keep the
    original's type and containers keep their kind (boto3 parses by the service model, so
    only optional members can be missing and strings can hold anything; our own maps of
    them, such as tags by key id, get no unknown keys)."""
    if isinstance(value, dict):
        result: dict[Any, Any] = {}
        for key, item in value.items():
            action = draw(st.integers(min_value=0, max_value=9))
            if typed and IDENTIFIER.search(str(key)):
                result[key] = item
                continue
            if action == 0 and not (typed and ALWAYS_THERE.search(str(key))):
                continue  # dropped
            if action == 1 and not typed:
                result[key] = draw(junk())
            else:
                result[key] = draw(mutated(item, typed, depth + 1))
        if not typed and draw(st.integers(min_value=0, max_value=4)) == 0:
            result[draw(hostile_text())] = draw(junk())  # an unknown key
        return result
    if isinstance(value, list):
        items = [draw(mutated(item, typed, depth + 1)) for item in value]
        if items and draw(st.integers(min_value=0, max_value=5)) == 0:
            del items[draw(st.integers(min_value=0, max_value=len(items) - 1))]
        if not typed and draw(st.integers(min_value=0, max_value=5)) == 0:
            items.append(draw(junk()))
        return items
    action = draw(st.integers(min_value=0, max_value=5))
    if action == 0:
        return draw(same_type(value) if typed else junk())
    if action == 1 and not typed:
        return draw(hostile_text())
    return value
