"""Which training modules count as the specialised lure training (shared by the training
sources): a module or campaign whose name contains one of the configured substrings."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

# Case-insensitive substrings of module / campaign names that mark lure training: fake
# recruiters and job offers, "collaborators", deepfakes, the Lazarus playbook itself.
DEFAULT_LURE_MODULES: tuple[str, ...] = (
    "recruit",
    "job offer",
    "social engineering",
    "collaborat",
    "deepfake",
    "lazarus",
)


def training_category(names: Iterable[str], lure_modules: Iterable[str]) -> Literal["lure", "awareness"]:
    """ "lure" when any of `names` (module, campaign) contains a lure substring, else
    "awareness"."""
    needles = [needle.casefold() for needle in lure_modules if needle.strip()]
    for name in names:
        folded = (name or "").casefold()
        if any(needle in folded for needle in needles):
            return "lure"
    return "awareness"
