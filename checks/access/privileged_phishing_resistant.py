"""Privileged identities and custody approvers need a phishing-resistant factor."""

from collections.abc import Iterator

from vaultward.contract.records import Identity, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import (
    factor_list,
    home_mfa_unseen,
    machine_not_judged,
    person_factors,
    privilege_gap,
)


@check(
    id="access.privileged_phishing_resistant",
    title=(
        "Privileged identities and custody approvers have a phishing-resistant factor "
        "(FIDO2, WebAuthn, passkey)"
    ),
    mitigation="access",
    severity="high",
    weight=2,
    reads=[Identity, Wallet, TransferPolicy],
    references=[
        "attack:T1566.002",
        "attack:T1621",
        "attack-mitigation:M1032",
        "seal:ida-2.1.1",
        "cis-v8:6.5",
    ],
    remediation=(
        "Enrol a FIDO2 security key or passkey for every administrator, wallet signer and transfer "
        "approver and require it by policy; SMS, voice, push and TOTP codes can be relayed by a "
        "phishing proxy."
    ),
)
def privileged_phishing_resistant(ctx: CheckContext) -> Iterator[Result]:
    """Codes and pushes are relayed by the phishing kits and fake meeting links used against
    crypto staff; only origin-bound factors stop an administrator's or an approver's session
    being stolen."""
    # Privileged identities are judged account by account: each is a way in.
    identities = ctx.records(Identity)
    privileged_people = {
        ctx.directory.person_id(identity)
        for identity in identities
        if identity.privileged and not identity.suspended and ctx.identity_class(identity).kind != "machine"
    }
    custody = ctx.custody_people
    for identity in identities:
        found = ctx.identity_class(identity)
        if found.kind == "machine":
            yield not_applicable(identity, machine_not_judged(identity, found), source=identity.source)
            continue
        gap = privilege_gap(ctx, identity)
        if gap:
            yield unknown(
                identity, f"whether this account is privileged is unknown: {gap}", source=identity.source
            )
            continue
        if identity.suspended or not identity.privileged:
            why = "suspended or deprovisioned" if identity.suspended else "not known to be privileged"
            person = ctx.directory.person_id(identity)
            as_approver = person in custody and person not in privileged_people
            also = f"; {person} is judged as a custody approver" if as_approver else ""
            yield not_applicable(identity, f"{why} in {identity.source}{also}", source=identity.source)
            continue
        evidence = {
            "factors": identity.factor_kinds,
            "source": identity.source,
            "privileged_via": identity.privileged_via,
        }
        resistant = identity.phishing_resistant
        guest_unseen = found.kind == "guest" and not resistant and home_mfa_unseen(ctx, identity)
        if resistant is None:
            yield unknown(
                identity, f"{identity.source} does not say which factors this administrator uses", **evidence
            )
        elif resistant:
            yield passed(identity, "has a phishing-resistant factor", **evidence)
        elif guest_unseen:
            # Factors registered in the guest's home tenant are not in this tenant's report.
            yield unknown(
                identity,
                f"privileged guest with {factor_list(identity)} registered in this tenant, and {guest_unseen}",
                identity_class="guest",
                **evidence,
            )
        elif not identity.mfa_enrolled:
            yield failed(identity, "privileged with no MFA at all, phishing-resistant or not", **evidence)
        else:
            yield failed(
                identity, f"privileged with only phishable factors ({factor_list(identity)})", **evidence
            )

    # Custody approvers who hold no privileged identity are judged as people: the account they
    # approve with is the vendor's, so a phishing-resistant factor in any source counts.
    people = {person.id: person for person in ctx.people()}
    for email, roles in custody.items():
        if email in privileged_people:
            continue  # judged above, account by account
        approver = people.get(email)
        if approver is None or not approver.active_identities:
            yield unknown(
                email,
                "custody approver with no active identity in any source: their factors cannot be judged",
                custody_roles=roles,
            )
            continue
        shown = person_factors(approver.active_identities)
        about = {"custody_roles": roles, "sources": approver.sources, "factors": list(shown.reported)}
        if shown.resistant is None:
            yield unknown(
                email, f"custody approver whose sources do not say which factors ({shown.summary})", **about
            )
        elif shown.resistant:
            yield passed(
                email, f"custody approver with a phishing-resistant factor ({shown.summary})", **about
            )
        else:
            yield failed(email, f"custody approver with only phishable factors ({shown.summary})", **about)
