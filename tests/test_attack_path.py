"""The attack path: which checks stop which stage, and each stage's score from its checks."""

from __future__ import annotations

import pytest

from tests.factories import ScoredCheck
from vaultward.contract.sdk import CheckDefinitionError
from vaultward.pipeline.registry import discover
from vaultward.read.attack_path import STAGES, score_stages, stages_stopped, technique_title


def by_stage(checks: list[ScoredCheck]) -> dict:
    return {stage.stage.id: stage for stage in score_stages(checks)}


def test_the_stages_run_in_attack_order_with_named_techniques():
    assert [stage.id for stage in STAGES] == [
        "lure",
        "malicious_content",
        "workstation",
        "lateral_movement",
        "signing",
    ]
    assert STAGES[0].techniques == ("T1566.003",)
    for stage in STAGES:
        for technique in stage.techniques:
            assert technique_title(technique), technique  # every shown id has its ATT&CK name
    assert technique_title("T1204.002") == "User Execution: Malicious File"


def test_a_check_stops_the_stages_of_the_techniques_it_cites_in_either_direction_of_the_family():
    # A sub-technique of a stage's technique: T1078.004 under T1078.
    assert stages_stopped("access", ["attack:T1078.004", "cis-v8:6.5"]) == {"workstation": ("T1078",)}
    # A parent technique covers every stage listing one of its sub-techniques.
    assert stages_stopped("training", ["attack:T1566"]) == {
        "lure": ("T1566.003",),
        "malicious_content": ("T1566.001", "T1566.002"),
    }
    # Siblings are not one family: T1566.002 is the link, not the lure.
    assert stages_stopped("custody", ["attack:T1566.002", "attack:T1657"]) == {
        "malicious_content": ("T1566.002",),
        "signing": ("T1657",),
    }


def test_a_check_citing_no_stage_technique_falls_back_to_its_mitigation_stage():
    assert stages_stopped("detection", ["attack-mitigation:M1047"]) == {"lateral_movement": ()}
    assert stages_stopped("training", ["attack:T1486"]) == {"lure": ()}
    assert stages_stopped("custody", []) == {"signing": ()}
    assert stages_stopped("not_a_mitigation", ["attack:T1486"]) == {}


def test_a_reference_that_does_not_parse_is_an_error():
    with pytest.raises(CheckDefinitionError, match="not a attack id"):
        stages_stopped("access", ["attack:phishing"])


def test_stage_scores_are_the_weighted_mean_of_their_checks():
    stages = by_stage(
        [
            ScoredCheck("access.root_mfa", 3.0, 60.0, passed=3, failed=2, references=["attack:T1078.004"]),
            ScoredCheck(
                "access.privileged_phishing_resistant",
                2.0,
                20.0,
                passed=1,
                failed=1,
                unknown=3,
                references=["attack:T1566.002", "attack:T1621"],
            ),  # fmt: skip
            ScoredCheck(
                "training.awareness_recent", 1.0, 50.0, passed=2, failed=2, references=["attack:T1566"]
            ),
            ScoredCheck(
                "custody.multisig_threshold",
                5.0,
                80.0,
                passed=4,
                failed=1,
                waived=1,
                references=["attack:T1657"],
            ),  # fmt: skip
            ScoredCheck("custody.hsm_cluster_redundant", 1.0, 0.0, failed=2),  # by mitigation
            ScoredCheck("custody.all_waived", 4.0, None, waived=3, references=["attack:T1657"]),
            ScoredCheck("segmentation.production_accounts_own_ou", 1.0, 0.0, unknown=4),
        ]
    )
    workstation = stages["workstation"]
    assert [c.check_id for c in workstation.controls] == [
        "access.privileged_phishing_resistant",
        "access.root_mfa",
    ]
    assert workstation.score == pytest.approx((60.0 * 3 + 20.0 * 2) / 5)  # 44.0
    assert (workstation.passed, workstation.failed, workstation.unknown) == (4, 3, 3)
    assert workstation.band == "weak"

    malicious = stages["malicious_content"]
    assert malicious.score == pytest.approx((20.0 * 2 + 50.0 * 1) / 3)  # 30.0
    assert malicious.band == "critical"
    assert dict((c.check_id, c.cites) for c in malicious.controls) == {
        "access.privileged_phishing_resistant": ("T1566.002",),
        "training.awareness_recent": ("T1566.001", "T1566.002"),
    }

    assert stages["lure"].score == pytest.approx(50.0)  # awareness_recent via T1566

    signing = stages["signing"]
    # The all-waived check has no score and drops out of the mean; its waivers still count.
    assert signing.score == pytest.approx((80.0 * 5 + 0.0 * 1) / 6)  # 66.67
    assert (signing.passed, signing.failed, signing.waived) == (4, 3, 4)
    assert signing.band == "fair"
    hsm = next(c for c in signing.controls if c.check_id == "custody.hsm_cluster_redundant")
    assert hsm.cites == ()


def test_a_stage_with_only_unknowns_or_no_checks_is_unmeasured_never_green():
    stages = by_stage([ScoredCheck("segmentation.production_accounts_own_ou", 1.0, 0.0, unknown=4)])
    lateral = stages["lateral_movement"]
    assert lateral.score == 0.0 and not lateral.measured
    assert lateral.band == "unmeasured"
    lure = stages["lure"]
    assert lure.controls == () and lure.score is None and lure.band == "unmeasured"


def test_every_built_in_check_stops_at_least_one_stage():
    registry = discover(entry_point_groups=False)
    placed = {
        spec.id: stages_stopped(spec.mitigation, spec.references)
        for spec in registry.checks.values()
        if spec.origin == "builtin"
    }
    assert placed and all(placed.values()), [check for check, stages in placed.items() if not stages]
    # Each stage is stopped by at least one built-in check.
    assert {stage for stages in placed.values() for stage in stages} == {stage.id for stage in STAGES}
