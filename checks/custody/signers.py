"""Shared by the checks about the people behind wallets: who can sign or approve for each
wallet, and which person each signer is.

A signer (Safe owner address, BitGo or Fireblocks user id) is a person when
`policy.people.signers` names one for it, or when an identity source knows the vendor user
(the Fireblocks collector's `fireblocks:user:<id>` identities carry the user's e-mail).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from vaultward.people import Person
from vaultward.records import TransferPolicy, Wallet
from vaultward.sdk import CheckContext


@dataclass(frozen=True)
class Signer:
    id: str  # as the vendor names it
    email: str | None  # the person behind it; None when nothing ties it to one
    why_not: str = ""  # why there is no person

    @property
    def label(self) -> str:
        return f"signer {self.id} ({self.email})" if self.email else f"signer {self.id}"


class SignerDirectory:
    """Resolves signers to people, and people to their identities, for one evaluation."""

    def __init__(self, ctx: CheckContext) -> None:
        self.directory = ctx.directory
        self.people = {person.id: person for person in ctx.people()}
        self.by_identity = {
            identity.key: person for person in self.people.values() for identity in person.identities
        }

    def resolve(self, provider: str, signer: str) -> Signer:
        configured = self.directory.signer(signer)
        if configured:
            return Signer(signer, configured)
        person = self.by_identity.get(f"{provider}:user:{signer}") or self.by_identity.get(signer)
        if person is None:
            return Signer(signer, None, "not tied to a person: add it to policy.people.signers")
        if person.machine:
            account = person.identities[0]
            return Signer(signer, None, f"the machine account {account.email or account.label}, not a person")
        if not person.email:
            return Signer(signer, None, f"{person.label} has no e-mail: add it to policy.people.signers")
        return Signer(signer, person.email)

    def person(self, email: str) -> Person | None:
        return self.people.get(email)


RuleIndex = dict[tuple[str, str], list[tuple[int, TransferPolicy]]]


def rule_index(ctx: CheckContext) -> RuleIndex:
    """Active transfer rules by (provider, wallet key; "" for every wallet) with their place
    in the listing, built once per evaluation: scanning every rule per wallet costs wallets x
    rules."""

    def build() -> RuleIndex:
        index: RuleIndex = {}
        for position, rule in enumerate(ctx.records(TransferPolicy)):
            if rule.active:
                index.setdefault((rule.provider, rule.wallet), []).append((position, rule))
        return index

    return ctx.shared("custody.rule_index", build)


def rules_applying(wallet: Wallet, index: RuleIndex) -> list[TransferPolicy]:
    """The active rules of the wallet's provider that name it or no wallet, in listing order."""
    found = index.get((wallet.provider, wallet.key), [])
    if wallet.key:
        found = found + index.get((wallet.provider, ""), [])
    return [rule for _, rule in sorted(found, key=lambda pair: pair[0])]


def signer_directory(ctx: CheckContext) -> SignerDirectory:
    """The evaluation's `SignerDirectory`, built once."""
    return ctx.shared("custody.signer_directory", lambda: SignerDirectory(ctx))


def wallet_signers(wallet: Wallet, rules: Iterable[TransferPolicy]) -> list[str]:
    """The wallet's own signers, then the approvers of the active transfer rules of its
    provider that apply to it (rules naming no wallet apply to every wallet)."""
    approvers = [
        approver
        for rule in rules
        if rule.active and rule.provider == wallet.provider and rule.wallet in (wallet.key, "")
        for approver in rule.approvers
    ]
    return list(dict.fromkeys([*wallet.signers, *approvers]))


def custody_people(ctx: CheckContext) -> dict[str, list[str]]:
    """Every person who can sign or approve custody transfers, by e-mail, with the wallets and
    rules they sign or approve for: those `policy.people.signers` names, and the wallet signers
    and transfer-rule approvers that resolve to a person. Built once per evaluation: callers
    must not change it."""
    return ctx.shared("custody.people", lambda: _custody_people(ctx))


def _custody_people(ctx: CheckContext) -> dict[str, list[str]]:
    signers = signer_directory(ctx)
    people: dict[str, list[str]] = {email: [] for email in ctx.directory.signers.values()}

    def add(provider: str, signer: str, where: str) -> None:
        email = signers.resolve(provider, signer).email
        if email and where not in people.setdefault(email, []):
            people[email].append(where)

    for wallet in ctx.records(Wallet):
        for signer in wallet.signers:
            add(wallet.provider, signer, f"signer of {wallet.label}")
    for rule in ctx.records(TransferPolicy):
        if rule.active:
            for approver in rule.approvers:
                add(rule.provider, approver, f"approver in {rule.label}")
    return dict(sorted(people.items()))
