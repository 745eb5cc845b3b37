"""Every built-in collector honours the contract: metadata, permissions, options, tests."""

from pathlib import Path

import pytest

from collectors import BUILTIN_COLLECTORS
from vaultward.contract.records import RECORD_KINDS

ROOT = Path(__file__).parents[1]


def test_names_are_unique():
    names = [collector.name for collector in BUILTIN_COLLECTORS]
    assert len(names) == len(set(names))


@pytest.mark.parametrize("collector", BUILTIN_COLLECTORS, ids=lambda c: c.name)
def test_collector_contract(collector):
    assert collector.title and (collector.__doc__ or "").strip(), "title and docstring (its documentation)"
    assert collector.produces and all(kind.kind in RECORD_KINDS for kind in collector.produces)
    # API actions or scopes as the vendor names them (iam:GetCredentialReport, okta.users.read,
    # AuditLog.Read.All, wallet_view_all, GET /v1/users): declared, so least privilege can be documented.
    assert collector.permissions and all(p.strip() for p in collector.permissions)
    if collector.options_model is not None:
        assert collector.options_model.model_config.get("extra") == "forbid", "unknown keys must be errors"
    package = collector.__module__.split(".")[1]
    tests = ROOT / "tests" / "collectors" / package
    if not tests.is_dir():  # AWS collectors share one folder
        tests = ROOT / "tests" / "collectors" / collector.__module__.split(".")[1].split("_")[0]
    assert tests.is_dir() and any(tests.glob("test_*.py")), f"no tests for {collector.name}"
