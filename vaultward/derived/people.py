"""People, not accounts: identities from every source resolved to one person, each of one
identity class (employee, guest, machine).

A person is keyed by a normalised e-mail: the identity's e-mail, or what the alias table in
`policy.people.aliases` maps its key, login or e-mail to. Identities nothing ties to an e-mail
stay a person of their own (`identity:<key>`).

The identity class is derived here, from what the sources say and the policy (mappers record
the facts, never the class):

- **machine**: the source marks it non-human (`person` False), its name matches
  `policy.people.machine_patterns`, or it cannot sign in interactively and holds only API
  keys (an IAM user with no console password, no MFA device and an active access key: a CI
  user). Each machine identity is kept apart (`machine:<key>`), never merged into a person.
- **guest**: the source marks it as someone from outside the organisation (`external`: an
  Entra B2B guest, a Google Workspace guest). A person all of whose identities are guests is a
  guest; one employee identity makes them staff.
- **employee**: everyone else.

An identity that cannot sign in and holds no credential (an HR roster entry) is a record of
employment, not a login: it ties a person to the company but says nothing about their MFA
(`Person.sign_in_identities` leaves it out).
"""

from __future__ import annotations

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from vaultward.config.policy import PeopleRules
from vaultward.contract.records import Identity

IdentityClass = Literal["employee", "guest", "machine"]
IDENTITY_CLASSES: tuple[IdentityClass, ...] = ("employee", "guest", "machine")


def normalise_email(value: str) -> str:
    value = value.strip().lower()
    return value.removeprefix("mailto:")


@dataclass(frozen=True)
class Classification:
    """An identity's class and why, as a finding says it ("" for an employee)."""

    kind: IdentityClass
    reason: str = ""


EMPLOYEE = Classification("employee")


def signs_in(identity: Identity) -> bool:
    """Active, and a way to sign in (or the source does not say it is not): a login, not a
    record of employment such as an HR roster entry."""
    return not identity.suspended and identity.console_access is not False


@dataclass(frozen=True)
class Person:
    id: str  # normalised e-mail; "identity:<key>" when nothing ties it to one; "machine:<key>"
    identities: tuple[Identity, ...]
    machine: bool
    guest: bool = False  # every identity is a guest's: someone from outside the organisation
    why: str = ""  # why a machine or a guest, as `Classification.reason` says it

    @property
    def identity_class(self) -> IdentityClass:
        return "machine" if self.machine else ("guest" if self.guest else "employee")

    @property
    def employee(self) -> bool:
        """Staff: the people checks (MFA per person, training) judge employees only."""
        return not self.machine and not self.guest

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

    @property
    def sign_in_identities(self) -> list[Identity]:
        """The active identities a person signs in with: an HR roster entry (no sign-in, no
        credential) is left out, so it is never "a source that did not say" about MFA."""
        return [identity for identity in self.identities if signs_in(identity)]


def not_a_person(person: Person) -> str:
    """Why a person-level check passes over this person, as its not-applicable finding says:
    a machine account, a guest from outside the organisation, or someone whose every identity
    is suspended or deprovisioned."""
    if person.machine:
        account = person.identities[0]
        return (
            f"machine identity ({account.source} {account.email or account.label}: {person.why}): "
            "not a person; a privileged machine's credentials are judged by "
            "access.privileged_machine_credentials"
        )
    if person.guest:
        return (
            f"guest from outside the organisation ({person.why}): staff checks do not judge "
            "guests; their accounts are judged one by one"
        )
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

    def machine_pattern(self, identity: Identity) -> str | None:
        """The first of `policy.people.machine_patterns` the identity's e-mail or name matches."""
        names = [name.lower() for name in (identity.email, identity.name) if name]
        if self._machine is None or not any(self._machine.match(name) for name in names):
            return None
        return next(
            pattern
            for pattern in self.rules.machine_patterns
            if any(fnmatch.fnmatchcase(name, pattern.lower()) for name in names)
        )

    def _aliased(self, identity: Identity) -> bool:
        return normalise_email(identity.key) in self.aliases

    def classify(self, identity: Identity) -> Classification:
        """Employee, guest or machine, and why (see the module's rules)."""
        if not identity.person:
            return Classification("machine", f"{identity.source} marks it as not a person")
        pattern = self.machine_pattern(identity)
        if pattern is not None:
            return Classification("machine", f"its name matches policy.people.machine_patterns {pattern!r}")
        if identity.external:
            told = f" (userType {identity.user_type})" if identity.user_type else ""
            return Classification("guest", f"{identity.source} says it is a guest{told}")
        if (
            identity.console_access is False
            and identity.programmatic_access is True
            and identity.mfa_enrolled is not True
            and not self._aliased(identity)  # the policy says whose key it is: a person's
        ):
            return Classification(
                "machine", "no interactive sign-in (no console password, no MFA device), only access keys"
            )
        return EMPLOYEE

    def is_machine(self, identity: Identity) -> bool:
        return self.classify(identity).kind == "machine"

    def resolve(self, identities: Iterable[Identity]) -> list[Person]:
        """Every person and machine account, each with all of its identities."""
        grouped: dict[str, list[Identity]] = {}
        classes: dict[str, list[Classification]] = {}
        for identity in identities:
            found = self.classify(identity)
            key = f"machine:{identity.key}" if found.kind == "machine" else self.person_id(identity)
            grouped.setdefault(key, []).append(identity)
            classes.setdefault(key, []).append(found)
        people = []
        for key, members in sorted(grouped.items()):
            kinds = classes[key]
            machine = kinds[0].kind == "machine"
            guest = not machine and all(c.kind == "guest" for c in kinds)
            why = kinds[0].reason if machine or guest else ""
            people.append(Person(id=key, identities=tuple(members), machine=machine, guest=guest, why=why))
        return people


@dataclass(frozen=True)
class Census:
    """How many people of each identity class an evaluation saw, and who the guests are:
    stored with the evaluation (`Evaluation.people`) for the report and the dashboard."""

    employees: int = 0
    guests: int = 0
    machines: int = 0
    departed: int = 0  # employees and guests whose every identity is suspended or deprovisioned
    guest_list: tuple[dict[str, Any], ...] = field(default_factory=tuple)  # id, name, sources, identities

    def to_json(self) -> dict[str, Any]:
        return {
            "employees": self.employees,
            "guests": self.guests,
            "machines": self.machines,
            "departed": self.departed,
            "guest_list": [dict(guest) for guest in self.guest_list],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Census | None:
        """None for an evaluation stored before the census was (an empty object)."""
        if not data:
            return None
        return cls(
            int(data.get("employees", 0)),
            int(data.get("guests", 0)),
            int(data.get("machines", 0)),
            int(data.get("departed", 0)),
            tuple(data.get("guest_list", ())),
        )


def census(people: Iterable[Person]) -> Census:
    """Active people and machine identities by class; a person every identity of whom is
    suspended or deprovisioned counts as departed."""
    counts: Counter[str] = Counter()
    guests = []
    for person in people:
        if not person.active_identities:
            if not person.machine:  # a suspended machine account is simply not counted
                counts["departed"] += 1
            continue
        counts[
            {"employee": "employees", "guest": "guests", "machine": "machines"}[person.identity_class]
        ] += 1
        if person.guest:
            guests.append(
                {
                    "id": person.id,
                    "name": person.label,
                    "sources": person.sources,
                    "identities": sorted(f"{i.source}: {i.label}" for i in person.active_identities),
                    "why": person.why,
                }
            )
    return Census(
        counts["employees"], counts["guests"], counts["machines"], counts["departed"], tuple(guests)
    )
