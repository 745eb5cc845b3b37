"""People, not accounts: identities from every source resolved to one person.

A person is keyed by a normalised e-mail: the identity's e-mail, or what the alias table in
`policy.people.aliases` maps its key, login or e-mail to. Identities that match a machine
pattern (or that their source marks as non-human) are machine accounts, kept apart.
Identities nothing ties to an e-mail stay a person of their own (`identity:<key>`).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass

from vaultward.config import PeopleRules
from vaultward.records import Identity


def normalise_email(value: str) -> str:
    value = value.strip().lower()
    return value.removeprefix("mailto:")


@dataclass(frozen=True)
class Person:
    id: str  # normalised e-mail; "identity:<key>" when nothing ties it to one; "machine:<key>"
    identities: tuple[Identity, ...]
    machine: bool

    @property
    def email(self) -> str:
        return "" if self.id.startswith(("identity:", "machine:")) else self.id

    @property
    def label(self) -> str:
        return self.email or self.identities[0].label

    @property
    def sources(self) -> list[str]:
        return sorted({identity.source for identity in self.identities})

    @property
    def privileged(self) -> bool | None:
        flags = [identity.privileged for identity in self.identities if not identity.suspended]
        if any(flag is True for flag in flags):
            return True
        return None if any(flag is None for flag in flags) else False

    @property
    def active_identities(self) -> list[Identity]:
        return [identity for identity in self.identities if not identity.suspended]


def not_a_person(person: Person) -> str:
    """Why a person-level check passes over this person, as its not-applicable finding says:
    a machine account, or someone whose every identity is suspended or deprovisioned."""
    if person.machine:
        account = person.identities[0]
        return f"machine account ({account.source} {account.email or account.label}): people are judged"
    return f"no active identity ({', '.join(person.sources)}: every one suspended or deprovisioned)"


class Directory:
    """Resolves identities, training records and wallet signers to people."""

    def __init__(self, rules: PeopleRules) -> None:
        self.rules = rules
        self.aliases = {normalise_email(k): normalise_email(v) for k, v in rules.aliases.items()}
        self.signers = {k.strip().lower(): normalise_email(v) for k, v in rules.signers.items()}
        # The machine patterns as one expression: fnmatchcase per pattern per identity is a
        # tenth of an evaluation at 100,000 identities.
        patterns = "|".join(fnmatch.translate(p.lower()) for p in rules.machine_patterns)
        self._machine = re.compile(patterns) if patterns else None

    def person_id(self, identity: Identity) -> str:
        for candidate in (identity.key, identity.email, identity.name):
            if candidate and normalise_email(candidate) in self.aliases:
                return self.aliases[normalise_email(candidate)]
        for candidate in (identity.email, identity.name):
            if candidate and "@" in candidate:
                return normalise_email(candidate)
        return f"identity:{identity.key}"

    def email_of(self, value: str) -> str:
        """A training platform's or an import's e-mail, through the alias table."""
        email = normalise_email(value)
        return self.aliases.get(email, email)

    def signer(self, signer: str) -> str | None:
        """The person behind a wallet signer (owner address, user id), if configured."""
        return self.signers.get(signer.strip().lower())

    def is_machine(self, identity: Identity) -> bool:
        if not identity.person:
            return True
        matches = self._machine
        return matches is not None and any(
            matches.match(name.lower()) for name in (identity.email, identity.name) if name
        )

    def resolve(self, identities: Iterable[Identity]) -> list[Person]:
        """Every person and machine account, each with all of its identities."""
        grouped: dict[str, list[Identity]] = {}
        machine_ids: set[str] = set()
        for identity in identities:
            if self.is_machine(identity):
                key = f"machine:{identity.key}"
                machine_ids.add(key)
            else:
                key = self.person_id(identity)
            grouped.setdefault(key, []).append(identity)
        return [
            Person(id=key, identities=tuple(found), machine=key in machine_ids)
            for key, found in sorted(grouped.items())
        ]
