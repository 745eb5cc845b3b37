"""checks/ holds only checks: every module under it (its packages' __init__ aside) registers
exactly one check; what several checks share is a derived view in vaultward.derived."""

import ast
import importlib
import pkgutil
from pathlib import Path

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


# What a check may import of the project: the contract, the derived views and the policy's types.
ALLOWED = ("vaultward.contract", "vaultward.derived", "vaultward.config")


def test_checks_import_only_the_contract_and_derived_views():
    for path in sorted(Path(checks.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
                if isinstance(node, ast.ImportFrom) and not node.level
                else []
            )
            for name in names:
                project = name.split(".")[0] in ("vaultward", "checks", "collectors", "dashboard", "demo")
                assert not project or name.startswith(ALLOWED), f"{path}: imports {name}"
