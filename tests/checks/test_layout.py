"""checks/ holds only checks: every module under it (its packages' __init__ aside) registers
exactly one check; what several checks share is a derived view in vaultward.derived."""

import importlib
import pkgutil

import checks
from vaultward.contract.sdk import CheckSpec


def _modules() -> list[str]:
    return [info.name for info in pkgutil.walk_packages(checks.__path__, prefix="checks.") if not info.ispkg]


def test_every_module_under_checks_registers_exactly_one_check():
    assert len(_modules()) > 20  # the walk found the built-in checks
    for name in _modules():
        module = importlib.import_module(name)
        specs = [
            value.check
            for value in vars(module).values()
            if isinstance(getattr(value, "check", None), CheckSpec) and value.__module__ == name
        ]
        assert len(specs) == 1, f"{name} registers {len(specs)} checks: checks/ holds only checks"
