"""Finds checks and collectors: built-ins, the `vaultward.checks` / `vaultward.collectors`
entry points, and a plain folder of `.py` check files. Nothing is discovered at import."""

from __future__ import annotations

import importlib
import importlib.util
import logging
import pkgutil
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

from vaultward.contract.sdk import CheckSpec, Collector

log = logging.getLogger(__name__)


class DuplicateCheckError(ValueError):
    pass


@dataclass
class Registry:
    checks: dict[str, CheckSpec] = field(default_factory=dict)
    collectors: dict[str, type[Any]] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)  # plugins reported and skipped

    def add_check(self, spec: CheckSpec) -> None:
        existing = self.checks.get(spec.id)
        if existing is not None and existing.function is not spec.function:
            raise DuplicateCheckError(
                f"check id {spec.id!r} is defined twice: {existing.origin} "
                f"({existing.function.__module__}) and {spec.origin} ({spec.function.__module__})"
            )
        self.checks[spec.id] = spec

    def add_module_checks(self, module: ModuleType, origin: str) -> None:
        for value in vars(module).values():
            spec = getattr(value, "check", None)
            if isinstance(spec, CheckSpec) and getattr(value, "__module__", None) == module.__name__:
                if origin != spec.origin:
                    spec = _with_origin(spec, origin)
                self.add_check(spec)

    def checks_for(self, mitigation: str) -> list[CheckSpec]:
        return sorted(
            (spec for spec in self.checks.values() if spec.mitigation == mitigation),
            key=lambda spec: spec.id,
        )


def _with_origin(spec: CheckSpec, origin: str) -> CheckSpec:
    from dataclasses import replace

    return replace(spec, origin=origin)


def _walk_package(package_name: str) -> Iterable[ModuleType]:
    package = importlib.import_module(package_name)
    for info in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        yield importlib.import_module(info.name)


def _load_file(path: Path) -> ModuleType:
    name = f"vaultward_plugin_checks.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def builtin_collectors() -> dict[str, type[Collector]]:
    """The built-in collectors by name, without loading checks or plugins."""
    from collectors import BUILTIN_COLLECTORS

    return {collector.name: collector for collector in BUILTIN_COLLECTORS}


def discover(plugin_dir: Path | None = None, entry_point_groups: bool = True) -> Registry:
    """Build the registry: built-in checks and collectors, then plugins. A plugin that fails
    to import is logged and listed in `broken`; a duplicate check id is an error."""
    registry = Registry()
    for module in _walk_package("checks"):
        registry.add_module_checks(module, "builtin")
    registry.collectors.update(builtin_collectors())

    if entry_point_groups:
        for entry in entry_points(group="vaultward.checks"):
            try:
                loaded = entry.load()
            except Exception as error:  # a broken plugin must not stop the others
                registry.broken.append(f"entry point {entry.name}: {error}")
                log.error("check plugin %s failed to load: %s", entry.name, error)
                continue
            modules = [loaded] if isinstance(loaded, ModuleType) else [sys.modules[loaded.__module__]]
            for module in modules:
                registry.add_module_checks(module, f"entry point {entry.name}")
        for entry in entry_points(group="vaultward.collectors"):
            try:
                collector = entry.load()
            except Exception as error:
                registry.broken.append(f"collector entry point {entry.name}: {error}")
                log.error("collector plugin %s failed to load: %s", entry.name, error)
                continue
            registry.collectors[collector.name] = collector

    if plugin_dir is not None and plugin_dir.is_dir():
        for path in sorted(plugin_dir.glob("*.py")):
            try:
                module = _load_file(path)
            except Exception as error:
                registry.broken.append(f"{path}: {error}")
                log.error("check plugin file %s failed to load: %s", path, error)
                continue
            registry.add_module_checks(module, str(path))
    return registry
