"""What a partial Run left out, and what that leaves unknown.

A collector says what it could not read with `Problem`s (and `Unreadable` records); the
runner stores them on the Run as gaps, one of three sorts:

- a **listing** gap: records of some kinds may be missing (a page failed, a row was skipped).
  The population of those kinds in that scope is incomplete: the evaluation carries the last
  complete one forward or turns the checks reading the kind `unknown` for the scope;
- a **field** gap: the records are all there, some of their fields are unknown (a side
  request failed). The records hold no value for the fields; only the checks that read them
  say `unknown`;
- an **unreadable** resource: a configured resource (a Safe address) could not be read; every
  check reading its kind reports it `unknown` with the reason.

The evaluation (vaultward/pipeline/evidence.py), `vaultward status` and the Sources page
(vaultward/read/gap_report.py) read gaps through here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from vaultward.contract.records import Unreadable
from vaultward.contract.sdk import Problem
from vaultward.store.models import Run


@dataclass(frozen=True)
class Gap:
    reason: str
    kinds: tuple[str, ...] = ()  # listing gap: these kinds (none, and no fields: every kind)
    fields: tuple[str, ...] = ()  # field gap: "<kind>.<field>" left unknown
    resource: str = ""  # unreadable: the key of the configured resource

    @property
    def listing(self) -> bool:
        """Whether records may be missing (of `kinds`, or of every kind when none is named)."""
        return not self.resource and (bool(self.kinds) or not self.fields)

    def incomplete(self, kind: str) -> bool:
        """Whether records of `kind` may be missing from the Run because of this gap."""
        return self.listing and (not self.kinds or kind in self.kinds)

    def unknown_fields(self) -> Iterator[tuple[str, str]]:
        """(kind, field) of each field this gap leaves unknown."""
        for name in self.fields:
            kind, _, field = name.rpartition(".")
            yield kind, field

    def to_json(self) -> dict[str, Any]:
        return {
            "reason": self.reason,
            "kinds": list(self.kinds),
            "fields": list(self.fields),
            "resource": self.resource,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Gap:
        return cls(
            str(data.get("reason", "")),
            tuple(data.get("kinds") or ()),
            tuple(data.get("fields") or ()),
            str(data.get("resource") or ""),
        )

    @classmethod
    def from_problem(cls, problem: Problem) -> Gap:
        return cls(problem.reason, tuple(problem.kinds), tuple(problem.fields))

    @classmethod
    def from_unreadable(cls, record: Unreadable) -> Gap:
        return cls(record.reason, (record.of_kind,), (), record.key)


def run_gaps(run: Run) -> tuple[Gap, ...]:
    """A Run's gaps; a partial Run stored before gaps were recorded missed every kind."""
    gaps = tuple(Gap.from_json(item) for item in run.gaps or ())
    if run.status == "partial" and not gaps:
        return (Gap(run.error or "the collection was partial"),)
    return gaps
