import pytest

from vaultward.pipeline.scoring import band, overall_score, score_mitigation, tally_check, weighted_mean


def test_check_score_counts_unknown_as_not_passing_and_excludes_waived():
    tally = tally_check("access.x", "access", 1, ["pass", "pass", "fail", "unknown", "waived", "skipped"])
    assert (tally.passed, tally.failed, tally.unknown, tally.waived, tally.skipped) == (2, 1, 1, 1, 1)
    assert tally.score == 50.0


def test_all_waived_check_is_not_scored():
    assert tally_check("access.x", "access", 1, ["waived"]).score is None


def test_mitigation_is_mean_over_checks_not_findings():
    many_passes = tally_check("access.a", "access", 1, ["pass"] * 1300)
    fails_everywhere = tally_check("access.b", "access", 1, ["fail"])
    mitigation = score_mitigation("access", 1, [many_passes, fails_everywhere])
    assert mitigation.score == 50.0
    assert mitigation.passed == 1300 and mitigation.failed == 1


def test_weights_and_overall():
    heavy = tally_check("custody.a", "custody", 3, ["fail"])
    light = tally_check("custody.b", "custody", 1, ["pass"])
    custody = score_mitigation("custody", 1, [heavy, light])
    assert custody.score == 25.0
    access = score_mitigation("access", 1, [tally_check("access.a", "access", 1, ["pass"])])
    assert overall_score([custody, access]) == pytest.approx(62.5)
    assert weighted_mean([(None, 1), (10, 0)]) is None


def test_unmeasured_mitigation():
    training = score_mitigation("training", 1, [tally_check("training.a", "training", 1, ["unknown"])])
    assert training.score == 0.0 and not training.measured


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (100, "strong"),
        (90, "strong"),
        (89.9, "good"),
        (75, "good"),
        (60, "fair"),
        (40, "weak"),
        (39.9, "critical"),
        (0, "critical"),
        (None, "unmeasured"),
    ],
)
def test_bands(score, name):
    assert band(score)[0] == name
