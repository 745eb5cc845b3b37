"""Every registered check honours the contract: metadata, references, docstring, a test."""

from pathlib import Path

import pytest

from vaultward.contract.sdk import parse_reference
from vaultward.contract.vocabulary import MITIGATIONS
from vaultward.pipeline.registry import discover

REGISTRY = discover(entry_point_groups=False)
ROOT = Path(__file__).parents[1]


def test_catalog_covers_the_four_mitigations_with_at_least_two_checks_each():
    for mitigation in ("custody", "training", "access", "segmentation"):
        assert len(REGISTRY.checks_for(mitigation)) >= 2, mitigation


@pytest.mark.parametrize("check_id", sorted(REGISTRY.checks))
def test_check_contract(check_id):
    spec = REGISTRY.checks[check_id]
    module = spec.function.__module__
    mitigation, name = check_id.split(".", 1)
    assert spec.mitigation == mitigation and mitigation in MITIGATIONS
    assert module == f"checks.{mitigation}.{name}", "id must match checks/<mitigation>/<name>.py"
    assert spec.title and spec.remediation and len(spec.risk) > 40
    assert "\n\n" not in spec.function.__doc__.strip(), "the docstring is the risk, one paragraph"
    assert spec.references and spec.reads and spec.weight > 0
    assert any(ns in ("attack", "attack-mitigation") for ns, _ in map(parse_reference, spec.references))
    tests = ROOT / "tests" / "checks" / mitigation
    importer = f"from {module} import {spec.function.__name__}"
    assert any(importer in path.read_text() for path in tests.glob("test_*.py")), (
        f"no test imports {importer}"
    )


def test_the_readme_lists_every_built_in_check():
    readme = (ROOT / "README.md").read_text()
    for check_id, spec in REGISTRY.checks.items():
        assert f"| `{check_id}` | {spec.mitigation} |" in readme, f"README lacks {check_id}"


def test_judged_kinds_are_read_and_default_to_the_first():
    from vaultward.contract.records import Identity, TrainingRecord
    from vaultward.contract.sdk import CheckDefinitionError, check

    def body(ctx):
        """A risk."""
        return []

    spec = check(
        id="training.example",
        title="t",
        mitigation="training",
        severity="low",
        weight=1,
        reads=[Identity, TrainingRecord],
        references=[],
        remediation="r",
    )(body).check  # type: ignore[attr-defined]
    assert spec.judged_kinds == ("identity",)
    with pytest.raises(CheckDefinitionError, match="judges training.record, which reads does not name"):
        check(
            id="training.example",
            title="t",
            mitigation="training",
            severity="low",
            weight=1,
            reads=[Identity],
            references=[],
            remediation="r",
            judges=[TrainingRecord],
        )(body)
