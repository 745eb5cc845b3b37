"""What a check may read: the latest records of its kinds, the configured policy, and the
views derived from them under the policy (people, signers, transfer rules, training
completions, phishing outcomes, wallet values, zones). Each view is computed by `vaultward.derived`
the first time a check asks, then kept for the rest of the evaluation: several checks read
the same view, and records never change during an evaluation. Callers must not mutate what
they get.

`vaultward.contract.sdk` re-exports `CheckContext`; checks import it from there.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property
from typing import TYPE_CHECKING, TypeVar

from vaultward.contract.records import (
    CloudAccount,
    Device,
    Identity,
    OrgAccount,
    PhishingResult,
    PhishingTest,
    Record,
    TrainingRecord,
    TransferPolicy,
    Vpc,
    Wallet,
)

if TYPE_CHECKING:
    from vaultward.config.policy import Policy
    from vaultward.derived.devices import Devices
    from vaultward.derived.names import AccountNames
    from vaultward.derived.people import Classification, Directory, Person
    from vaultward.derived.phishing import SimulationOutcome
    from vaultward.derived.signers import ScopeSigners, SignerDirectory, TransferRules
    from vaultward.derived.wallet_value import WalletValue
    from vaultward.derived.zones import Zones

RecordT = TypeVar("RecordT", bound=Record)


class CheckContext:
    """What a check may read: the latest records of its kinds, the configured policy, and the
    derived views (see the module docstring)."""

    def __init__(
        self,
        records: Mapping[str, list[Record]],
        policy: Policy,
        now: datetime | None = None,
        field_gaps: Mapping[tuple[str, str], Mapping[str, str]] | None = None,
    ) -> None:
        self._records = records
        self.policy = policy
        self.now = now or datetime.now(UTC)  # the evaluation's reference time
        self._field_gaps = field_gaps or {}  # (scope, kind) -> field -> why it is unknown
        self._identity_classes: dict[str, Classification] = {}

    def field_gap(self, record: Record, field: str) -> str | None:
        """Why `field` of `record` is unknown because a request for it failed, or None. A
        check that takes a missing value to mean "the source does not say" and passes over
        the record must say `unknown` instead when this gives a reason."""
        return self._field_gaps.get((record.scope, record.kind), {}).get(field)

    def records(self, kind: type[RecordT]) -> list[RecordT]:
        return list(self._records.get(kind.kind, ()))  # type: ignore[arg-type]

    def has(self, kind: type[Record]) -> bool:
        return bool(self._records.get(kind.kind))

    # --- people ----------------------------------------------------------------------------

    @cached_property
    def directory(self) -> Directory:
        """Resolves identities, training e-mails and wallet signers to people."""
        from vaultward.derived.people import Directory

        return Directory(self.policy.people)

    @cached_property
    def account_names(self) -> AccountNames:
        """AWS accounts by the names people know them by (Organizations name, else IAM alias),
        whichever kinds the check reads: names only label findings, never judge."""
        from vaultward.derived.names import AccountNames

        return AccountNames.of(self.records(OrgAccount), self.records(CloudAccount))

    @cached_property
    def _people(self) -> list[Person]:
        return self.directory.resolve(self.records(Identity))

    def people(self) -> list[Person]:
        """Every person (and machine account) across sources, with all their identities."""
        return list(self._people)

    def identity_class(self, identity: Identity) -> Classification:
        """The identity's class (employee, guest or machine) and why, as vaultward.derived.people
        derives it from the source's facts and policy.people; worked out once per identity."""
        found = self._identity_classes.get(identity.key)
        if found is None:
            found = self._identity_classes[identity.key] = self.directory.classify(identity)
        return found

    @cached_property
    def training_completions(self) -> dict[tuple[str, str], datetime]:
        """The latest passed training per (person's e-mail, category)
        (`vaultward.derived.training.latest_completions`)."""
        from vaultward.derived.training import latest_completions

        return latest_completions(self.records(TrainingRecord), self.directory)

    @cached_property
    def phishing_outcomes(self) -> list[SimulationOutcome]:
        """Every phishing test with its outcome, oldest first, undated ones last
        (`vaultward.derived.phishing`)."""
        from vaultward.derived.phishing import phishing_outcomes

        return phishing_outcomes(self.records(PhishingTest), self.records(PhishingResult), self.directory)

    @cached_property
    def signers_and_admins(self) -> dict[str, Person]:
        """Staff a source marks privileged and every person who can sign or approve custody
        transfers, by person id (`vaultward.derived.training.privileged_and_signers`)."""
        from vaultward.derived.training import privileged_and_signers

        return privileged_and_signers(self)

    # --- endpoints -------------------------------------------------------------------------

    @cached_property
    def devices(self) -> Devices:
        """The device records joined into machines across sources, merged, and tied to people
        through the alias table (`vaultward.derived.devices`)."""
        from vaultward.derived.devices import Devices

        return Devices(
            self.records(Device), self.directory, self.policy.endpoints.edr_sources, self.field_gap
        )

    # --- zones -----------------------------------------------------------------------------

    @cached_property
    def zones(self) -> Zones:
        """The zones of accounts, VPCs, ACLs and network paths under the evaluation's
        `policy.zones` (`vaultward.derived.zones`)."""
        from vaultward.derived.zones import Zones

        return Zones(self.policy.zones, self.records(Vpc))

    # --- custody ---------------------------------------------------------------------------

    @cached_property
    def signers(self) -> SignerDirectory:
        """Resolves wallet signers to people (`vaultward.derived.signers`)."""
        from vaultward.derived.signers import SignerDirectory

        return SignerDirectory(self.directory, self._people)

    @cached_property
    def transfer_rules(self) -> TransferRules:
        """The active transfer rules, indexed by wallet: `.applying(wallet)`."""
        from vaultward.derived.signers import TransferRules

        return TransferRules(self.records(TransferPolicy))

    @cached_property
    def scope_signers(self) -> ScopeSigners:
        """(provider, scope) -> vendor user id -> role, for the users whose role signs for
        every wallet of their scope (Fireblocks OWNER, ADMIN, SIGNER)."""
        from vaultward.derived.signers import scope_signers

        return scope_signers(self.records(Identity))

    def wallet_signers(self, wallet: Wallet) -> dict[str, list[str]]:
        """Each signer of the wallet with what they may do: its own roles, the scope's
        signing users, then `approver in <rule>` for the transfer rules applying to it."""
        from vaultward.derived.signers import wallet_signer_roles

        return wallet_signer_roles(wallet, self.scope_signers, self.transfer_rules)

    @cached_property
    def custody_people(self) -> dict[str, list[str]]:
        """Every person who can sign or approve custody transfers, by e-mail, with what they
        do where ("spender of ETH hot", "approver in TAP rule 1")."""
        from vaultward.derived.signers import custody_people

        return custody_people(
            self.records(Wallet), self.records(TransferPolicy), self.signers, self.wallet_signers
        )

    def value_of(self, wallet: Wallet) -> WalletValue:
        """The wallet's value and tier under the policy and the evaluation's gaps (a refused
        balance request leaves it unknown)."""
        from vaultward.derived.wallet_value import BALANCES_FIELD, wallet_value

        return wallet_value(wallet, self.policy.custody, self.field_gap(wallet, BALANCES_FIELD))
