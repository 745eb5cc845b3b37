"""Shared by the checks that need a phishing-resistant factor: what one identity's factors
are, and what a person shows across every identity source."""

from collections.abc import Iterable
from dataclasses import dataclass

from vaultward.contract.records import Identity

SILENT = ": does not say"


def factor_list(identity: Identity) -> str:
    """The identity's factor kinds as a reason names them."""
    return ", ".join(identity.factor_kinds) or "none"


@dataclass(frozen=True)
class PersonFactors:
    """A person's phishing resistance across sources (see `person_factors`)."""

    resistant: bool | None
    reported: tuple[str, ...]  # "okta: push, webauthn", "google_workspace: does not say", ...

    @property
    def summary(self) -> str:
        """The sources that report factors; the silent ones only when none reports."""
        told = [entry for entry in self.reported if not entry.endswith(SILENT)]
        return " / ".join(told or self.reported)


def person_factors(identities: Iterable[Identity]) -> PersonFactors:
    """True when any identity shows a phishing-resistant factor; False when the identities that
    report their factors show only phishable ones (a source that does not say cannot turn a
    reported SMS into a security key); None when no identity reports its factors.

    Each identity is judged as `Identity.phishing_resistant` decides, the same rule
    `access.privileged_phishing_resistant` applies account by account."""
    verdicts = [(identity, identity.phishing_resistant) for identity in identities]
    reported = tuple(
        dict.fromkeys(
            f"{identity.source}{SILENT}"
            if resistant is None
            else f"{identity.source}: {factor_list(identity)}"
            for identity, resistant in sorted(verdicts, key=lambda pair: pair[0].source)
        )
    )
    if any(resistant for _, resistant in verdicts):
        return PersonFactors(True, reported)
    if any(resistant is False for _, resistant in verdicts):
        return PersonFactors(False, reported)
    return PersonFactors(None, reported)
