"""An in-memory collector for runner and evaluation tests: records per scope, or an error."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from vaultward.contract.records import RECORD_KINDS, Record
from vaultward.contract.sdk import Collector, Problem, Scope
from vaultward.pipeline.registry import Registry, discover


class StaticCollector(Collector):
    """Yields `plan[scope]`: a list of records/Problems, or an exception to raise midway."""

    name: ClassVar[str] = "static"
    title: ClassVar[str] = "Static test source"
    produces: ClassVar[tuple[type[Record], ...]] = tuple(RECORD_KINDS.values())
    permissions: ClassVar[tuple[str, ...]] = ()
    plan: ClassVar[dict[str, list]] = {}

    def scopes(self) -> list[Scope]:
        return [Scope(self.name, scope) for scope in self.plan]

    def collect(self, scope: Scope) -> Iterator[Record | Problem]:
        for item in self.plan[scope.id]:
            if isinstance(item, Exception):
                raise item
            yield item


def registry_with(plan: dict[str, list]) -> Registry:
    """The built-in checks, and only the static collector serving `plan`."""
    registry = discover(entry_point_groups=False)
    collector = type("PlannedCollector", (StaticCollector,), {"plan": plan, "name": "static"})
    registry.collectors = {"static": collector}
    return registry
