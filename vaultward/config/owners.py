"""`[policy.owners]`: who must act on a finding. A check's owner wins; else the owner of the
finding's AWS account (by id, Organizations name or an account tag `Key=Value`); else the
mitigation's owner; else `default`. Check ids are checked against the registry at evaluation
(an unknown one is reported there, with the nearest id)."""

from __future__ import annotations

from difflib import get_close_matches
from typing import Annotated

from pydantic import Field, field_validator

from vaultward.config.bounded import ACTOR_LENGTH, NAME_LENGTH, Bounded
from vaultward.config.types import Strict

# An owner is stored with waivers (Waiver.owner) and check scores: bounded by that column.
Owner = Annotated[str, Bounded(max_length=ACTOR_LENGTH)]
OwnerKey = Annotated[str, Bounded(max_length=NAME_LENGTH)]


def _owner_names(value: dict[str, str], what: str) -> dict[str, str]:
    for key, owner in value.items():
        if not key.strip():
            raise ValueError(f"an empty {what} name maps to {owner!r}")
        if not owner.strip():
            raise ValueError(f"{key!r}: the owner is empty")
    return value


class OwnerRules(Strict):
    default: Owner = ""
    mitigations: dict[OwnerKey, Owner] = Field(default_factory=dict)  # mitigation -> owner
    checks: dict[OwnerKey, Owner] = Field(default_factory=dict, max_length=10_000)  # check id -> owner
    # AWS account id, account name or tag "Key=Value" -> owner
    accounts: dict[OwnerKey, Owner] = Field(default_factory=dict, max_length=100_000)

    @field_validator("mitigations")
    @classmethod
    def _known_mitigations(cls, value: dict[str, str]) -> dict[str, str]:
        from vaultward.contract.vocabulary import MITIGATIONS

        for name in value:
            if name not in MITIGATIONS:
                near = get_close_matches(name, MITIGATIONS, n=1)
                hint = f" (did you mean {near[0]!r}?)" if near else ""
                raise ValueError(
                    f"{name!r} is not a mitigation{hint}; expected one of {', '.join(MITIGATIONS)}"
                )
        return _owner_names(value, "mitigation")

    @field_validator("checks")
    @classmethod
    def _checks(cls, value: dict[str, str]) -> dict[str, str]:
        return _owner_names(value, "check")

    @field_validator("accounts")
    @classmethod
    def _accounts(cls, value: dict[str, str]) -> dict[str, str]:
        return _owner_names(value, "account")

    def unknown_checks(self, known: set[str]) -> list[str]:
        """A line per check id the configuration names that no registered check has."""
        lines = []
        for check_id in sorted(set(self.checks) - known):
            near = get_close_matches(check_id, sorted(known), n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            lines.append(f"policy.owners.checks names no check {check_id!r}{hint}: its owner is ignored")
        return lines
