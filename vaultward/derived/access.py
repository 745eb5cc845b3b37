"""What the access checks share about identities and people: each identity's factors, a
person's phishing resistance across every identity source, why a machine is not judged by an
MFA check, why an identity is out of the sign-in checks' scope, whether a guest's MFA may be
done in their home tenant, whether a failed request left an account's privilege unknown, and
what is wrong with an access key under policy.access.

The MFA and phishing-resistance checks judge people's and guests' accounts, not machines'
(`vaultward.derived.people` derives the class), and a B2B guest's empty MFA registration in
this tenant does not show the guest has no MFA when the tenant may trust their home tenant's.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from vaultward.contract.records import AccessKey, Identity

if TYPE_CHECKING:
    from vaultward.contract.sdk import CheckContext
    from vaultward.derived.people import Classification, Person

SILENT = ": does not say"
MACHINE_CHECK = "access.privileged_machine_credentials"


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


def machine_not_judged(identity: Identity, found: Classification) -> str:
    """The not-applicable reason an MFA check gives a machine identity."""
    return (
        f"machine identity in {identity.source} ({found.reason}): MFA is for people; a machine's "
        f"credentials are judged by {MACHINE_CHECK} and access.access_key_age"
    )


def home_mfa_unseen(ctx: CheckContext, identity: Identity) -> str | None:
    """Why a guest's MFA may be done where this tenant cannot see it, or None when this tenant
    is known not to trust the guest's home tenant (its own registration then decides).

    Microsoft: the resource tenant is responsible for a B2B guest's MFA, unless its
    cross-tenant access settings trust MFA claims from the guest's home tenant
    (inboundTrust.isMfaAccepted); then the guest's MFA is done, and registered, at home, where
    this tenant's registration report cannot see it."""
    if identity.home_mfa_trusted is False:
        return None
    if identity.home_mfa_trusted:
        why = "this tenant accepts MFA done in the guest's home tenant (cross-tenant access inboundTrust)"
    elif gap := ctx.field_gap(identity, "home_mfa_trusted"):
        why = f"whether this tenant trusts the guest's home-tenant MFA could not be read: {gap}"
    else:
        why = f"{identity.source} does not say whether this tenant trusts the guest's home-tenant MFA"
    return why


def privilege_gap(ctx: CheckContext, identity: Identity) -> str | None:
    """Why `identity.privileged` is unknown (a failed request left it None), or None. Such an
    account may be an administrator: it is judged `unknown`, never left out."""
    if identity.privileged is not None or identity.suspended:
        return None
    return ctx.field_gap(identity, "privileged")


def privilege_unknown(
    ctx: CheckContext, people: Iterable[Person], judged: Collection[str]
) -> Iterator[tuple[Person, str]]:
    """Each of `people` outside `judged` (person ids) whom no source marks privileged or not,
    because a failed request left an active identity's privilege unknown, with the first such
    gap: a check about signers and administrators owes them an unknown, never silence (that
    would raise the score)."""
    for person in people:
        if person.id in judged or person.privileged is not None:
            continue
        gaps = [gap for identity in person.active_identities if (gap := privilege_gap(ctx, identity))]
        if gaps:
            yield person, gaps[0]


def signs_in_not(identity: Identity) -> str:
    """Why an identity is out of the sign-in checks' scope: it cannot sign in."""
    if identity.suspended:
        return f"suspended or deprovisioned in {identity.source}: it cannot sign in"
    return f"{identity.source} grants it no password sign-in"


def key_problems(ctx: CheckContext, key: AccessKey) -> list[str] | None:
    """What is wrong with an active key under policy.access ("not rotated for 200 days",
    "unused for 120 days", "never used"); None when the source reported neither its age nor
    its last use."""
    if key.created_at is None and key.last_used_at is None:
        return None
    policy = ctx.policy.access
    problems = []
    if key.created_at is not None and ctx.now - key.created_at > timedelta(
        days=policy.access_key_max_age_days
    ):
        problems.append(f"not rotated for {(ctx.now - key.created_at).days} days")
    last_activity = key.last_used_at or key.created_at
    if last_activity is not None and ctx.now - last_activity > timedelta(
        days=policy.access_key_max_unused_days
    ):
        never = key.last_used_at is None
        problems.append("never used" if never else f"unused for {(ctx.now - last_activity).days} days")
    return problems
