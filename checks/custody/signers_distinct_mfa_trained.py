"""Wallet signers are distinct people, each with a phishing-resistant factor and recent lure
training. One result per wallet, naming each signer and what is wrong with them."""

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from vaultward.contract.records import Identity, TrainingRecord, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown
from vaultward.derived.access import person_factors
from vaultward.derived.signers import Signer, SignerDirectory
from vaultward.derived.training import training_verdict


@check(
    id="custody.signers_distinct_mfa_trained",
    title=(
        "Wallet signers are distinct people, each with a phishing-resistant factor and recent lure training"
    ),
    mitigation="custody",
    severity="critical",
    weight=3,
    reads=[Wallet, TransferPolicy, Identity, TrainingRecord],
    references=[
        "attack:T1566.002",
        "attack:T1657",
        "attack-mitigation:M1032",
        "attack-mitigation:M1017",
        "seal:ms-3.1.5",
        "cis-v8:6.5",
    ],
    remediation=(
        "Give every signing key and approver seat to a different person; enrol a FIDO2 security "
        "key or passkey for each of them, and have each pass the lure training (fake recruiters, "
        "'collaborator' documents and meeting links) at least every six months. Tie every signer "
        "to a person in policy.people.signers."
    ),
)
def signers_distinct_mfa_trained(ctx: CheckContext) -> Iterator[Result]:
    """A 2-of-3 whose keys sit with one person, or with people whose sessions a phishing proxy
    can steal, is one lure away from the attacker signing twice: the path of the largest
    multisig thefts."""
    # Per wallet: the CISO's question is which wallet one lure can empty. Signers are the
    # wallet's own as the vendor defines them (Safe owners, BitGo spend and admin users,
    # Fireblocks users whose role holds an MPC key share) and the approvers of transfer rules
    # applying to it (Fireblocks policy, BitGo policy rules).
    signers = ctx.signers
    training = ctx.records(TrainingRecord)
    max_age = ctx.policy.training.lure_training_max_age_days
    judged: dict[Signer, tuple[list[str], list[str], dict[str, Any]]] = {}
    for wallet in ctx.records(Wallet):
        roles = ctx.wallet_signers(wallet)
        ids = list(roles)
        if not ids:
            yield unknown(wallet, f"{wallet.provider} reported no signers or approvers for this wallet")
            continue
        problems: list[str] = []
        doubts: list[str] = []
        per_signer: dict[str, Any] = {}
        resolved = [signers.resolve(wallet.provider, signer) for signer in ids]
        by_person: dict[str, list[str]] = {}
        for signer in resolved:
            if signer.email:
                by_person.setdefault(signer.email, []).append(signer.id)
        for email, same in by_person.items():
            if len(same) > 1:
                problems.append(f"signers {', '.join(same)} are one person ({email})")
        for signer in resolved:
            if signer not in judged:  # a signer of many wallets is judged once
                judged[signer] = _judge(ctx, signers, signer, training, max_age)
            found, unsure, about = judged[signer]
            problems += [f"{signer.label}: {' and '.join(found)}"] if found else []
            doubts += [f"{signer.label}: {' and '.join(unsure)}"] if unsure else []
            per_signer[signer.id] = {**about, "roles": roles[signer.id]}
        evidence = {"signers": per_signer, "people": len(by_person)}
        if problems:
            result = failed(wallet, "; ".join(problems + doubts), **evidence)
        elif doubts:
            result = unknown(wallet, "; ".join(doubts), **evidence)
        else:
            result = passed(
                wallet,
                f"{len(ids)} signers, {len(by_person)} distinct people, each with a phishing-resistant "
                f"factor and lure training within {max_age} days",
                **evidence,
            )
        # The finding rests on identity and training sources too: it names no single scope, so
        # every source's staleness applies to it.
        yield replace(result, scope="")


def _judge(
    ctx: CheckContext, signers: SignerDirectory, signer: Signer, training: list[TrainingRecord], max_age: int
) -> tuple[list[str], list[str], dict[str, Any]]:
    """(problems, doubts, evidence) for one signer."""
    if not signer.email:
        return [], [signer.why_not], {"person": None}
    problems, doubts = [], []
    about: dict[str, Any] = {"person": signer.email}
    person = signers.person(signer.email)
    if person is None or not person.active_identities:
        doubts.append("no active identity in any source: their factors cannot be judged")
    else:
        shown = person_factors(person.active_identities)
        about["factors"] = list(shown.reported)
        if shown.resistant is False:
            problems.append(f"no phishing-resistant factor ({shown.summary})")
        elif shown.resistant is None:
            doubts.append(f"no source says which factors they use ({shown.summary})")
    if not training:
        doubts.append("no training source is connected: lure training cannot be measured")
    else:
        status, reason, completed = training_verdict(ctx, signer.email, "lure", max_age)
        about["lure_training"] = completed
        if status == "fail":
            problems.append(reason)
    return problems, doubts, about
