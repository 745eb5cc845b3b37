"""The Lazarus / Bluenoroff / TraderTraitor attack path, stage by stage, scored by the
checks that stop each stage (pure functions, no I/O).

Which checks stop a stage is derived from what each check cites, so a new check (a plugin's
too) lands on the path without editing a table here:

- a check stops every stage whose ATT&CK techniques it cites, a technique matching its own
  family either way (a check citing `T1078.004` stops the stage of `T1078`; one citing
  `T1566` stops both the lure, `T1566.003`, and the malicious link, `T1566.002`);
- a check that cites none of the stages' techniques stops the stage its mitigation defends
  (`MITIGATION_STAGE`: detection, for one, watches the move into production).

A stage's score is the weighted mean of its checks' scores, the same roll-up as a
mitigation's (`rollup.Rollup`). A stage whose checks judged no resource (nothing
passed or failed: all unknown, or no check at all) is unmeasured, never green.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from typing import Protocol

from vaultward.contract.sdk import parse_reference
from vaultward.pipeline.rollup import Rollup
from vaultward.pipeline.scoring import band
from vaultward.read import frameworks
from vaultward.read.frameworks import CONTROL_TITLES


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    description: str
    techniques: tuple[str, ...]  # ATT&CK technique ids, e.g. "T1566.003"


STAGES: tuple[Stage, ...] = (
    Stage(
        "lure",
        "Lure",
        'A fake recruiter or "collaborator" builds rapport on LinkedIn or Telegram.',
        ("T1566.003",),
    ),
    Stage(
        "malicious_content",
        "Malicious document or link",
        "The target opens a coding test, a PDF or a link that runs the attacker's code.",
        ("T1566.001", "T1566.002", "T1204.001", "T1204.002"),
    ),
    Stage(
        "workstation",
        "Compromised workstation and credentials",
        "The attacker holds the workstation and signs in with the person's accounts.",
        ("T1078", "T1621"),
    ),
    Stage(
        "lateral_movement",
        "Lateral movement to production",
        "From the corporate network or the internet into the production environment.",
        ("T1021", "T1133"),
    ),
    Stage(
        "signing",
        "Signing path and hot wallets",
        "Keys, signers and transfer policies stand between the attacker and the funds.",
        ("T1657", "T1552.004"),
    ),
)

# Where a check that cites none of the stages' techniques belongs, by its mitigation.
MITIGATION_STAGE: dict[str, str] = {
    "training": "lure",
    "access": "workstation",
    "segmentation": "lateral_movement",
    "detection": "lateral_movement",
    "custody": "signing",
}


def technique_title(technique: str) -> str:
    """The technique's ATT&CK name ("" when the catalog does not name it)."""
    return CONTROL_TITLES.get(f"attack:{technique}", "")


class ScoredCheck(frameworks.ScoredCheck, Protocol):
    """What a stage is scored from (a framework control's inputs, with the check's title and
    mitigation): a stored `CheckScore` fits."""

    title: str
    mitigation: str


@dataclass(frozen=True)
class StageControl:
    """One check that stops a stage, with its latest score."""

    check_id: str
    title: str
    mitigation: str
    weight: float
    score: float | None
    passed: int
    failed: int
    unknown: int
    waived: int
    cites: tuple[str, ...]  # the stage's techniques it cites; empty when placed by mitigation

    @property
    def measured(self) -> bool:
        return self.passed + self.failed > 0


@dataclass(frozen=True)
class StageScore:
    stage: Stage
    controls: tuple[StageControl, ...]

    @cached_property
    def rollup(self) -> Rollup:
        return Rollup.of(self.controls)

    @property
    def score(self) -> float | None:
        """Weighted mean of the controls' scores; None when no control has one."""
        return self.rollup.score

    @property
    def passed(self) -> int:
        return self.rollup.passed

    @property
    def failed(self) -> int:
        return self.rollup.failed

    @property
    def unknown(self) -> int:
        return self.rollup.unknown

    @property
    def waived(self) -> int:
        return self.rollup.waived

    @property
    def measured(self) -> bool:
        """False when no control judged a resource: the stage is unknown, not safe."""
        return self.rollup.measured

    @property
    def band(self) -> str:
        return band(self.score if self.measured else None)[0]


def _same_family(cited: str, technique: str) -> bool:
    """`T1078` and `T1078.004` are one family; `T1566.002` and `T1566.003` are not."""
    return cited == technique or cited.startswith(f"{technique}.") or technique.startswith(f"{cited}.")


def techniques_cited(references: Iterable[str]) -> list[str]:
    """The ATT&CK technique ids among a check's references."""
    cited = []
    for reference in references:
        namespace, ident = parse_reference(reference)
        if namespace == "attack":
            cited.append(ident)
    return cited


def stages_stopped(mitigation: str, references: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """{stage id: the stage's techniques the check cites} for every stage a check stops."""
    cited = techniques_cited(references)
    matched = {
        stage.id: tuple(t for t in stage.techniques if any(_same_family(c, t) for c in cited))
        for stage in STAGES
    }
    stopped = {stage: techniques for stage, techniques in matched.items() if techniques}
    if not stopped and mitigation in MITIGATION_STAGE:
        stopped[MITIGATION_STAGE[mitigation]] = ()
    return stopped


def score_stages(checks: Iterable[ScoredCheck]) -> list[StageScore]:
    """Every stage in attack order with the checks that stop it (sorted by id), scored."""
    controls: dict[str, list[StageControl]] = {stage.id: [] for stage in STAGES}
    for check in checks:
        for stage_id, cites in stages_stopped(check.mitigation, check.references).items():
            controls[stage_id].append(
                StageControl(
                    check_id=check.check_id,
                    title=check.title,
                    mitigation=check.mitigation,
                    weight=check.weight,
                    score=check.score,
                    passed=check.passed,
                    failed=check.failed,
                    unknown=check.unknown,
                    waived=check.waived,
                    cites=cites,
                )
            )
    return [
        StageScore(stage, tuple(sorted(controls[stage.id], key=lambda control: control.check_id)))
        for stage in STAGES
    ]
