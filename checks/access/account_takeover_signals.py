"""No account-takeover signal in the identity providers' logs for signers and administrators
over the last `policy.endpoints.signal_days`. One result per person; everyone else is not
applicable."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from vaultward.contract.records import Identity, SigninEvent, SigninLog, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, passed, unknown
from vaultward.derived.posture import role_of
from vaultward.derived.takeover import (
    EVIDENCE_SIGNALS,
    country_doubts,
    events_by_person,
    log_doubts,
    signals,
    summary,
)
from vaultward.derived.training import not_privileged


@check(
    id="access.account_takeover_signals",
    title=(
        "No signer or administrator shows an account-takeover signal (factor change, anonymising proxy, "
        "denied country, impossible travel, unmanaged device) in the identity providers' logs"
    ),
    mitigation="access",
    severity="critical",
    weight=3,
    reads=[Identity, SigninEvent, SigninLog, Wallet, TransferPolicy],
    references=[
        "attack:T1078",
        "attack:T1556.006",
        "attack:T1090.003",
        "attack-mitigation:M1047",
        "attack-mitigation:M1036",
        "cis-v8:8.11",
        "cis-v8:8.2",
        "nist-csf:DE.CM-03",
    ],
    remediation=(
        "Confirm each signal with the person out of band (a call, not the account's e-mail). Unless they "
        "made the change themselves: revoke the account's sessions and tokens, remove the factors enrolled "
        "in the window and re-enrol a security key in person, reset the password, and review what the "
        "account signed, approved or changed since. Block sign-ins from anonymising proxies and denied "
        "countries, and from unmanaged devices, by conditional access."
    ),
)
def account_takeover_signals(ctx: CheckContext) -> Iterator[Result]:
    """An attacker holding a signer's or administrator's session enrols their own factor, signs
    in from infrastructure the person never uses, or from a device nobody manages; the identity
    provider logs each of these, and they are the last warning before the signing path."""
    # Access, not detection: a signal says this privileged identity cannot be trusted until
    # the person confirms it (reset factors, revoke sessions), which is identity verification;
    # detection scores whether the sensors and logs are there at all.
    policy = ctx.policy.endpoints
    since = ctx.now - timedelta(days=policy.signal_days)
    logs = ctx.records(SigninLog)
    by_person = events_by_person(ctx.records(SigninEvent), ctx.directory, ctx.people())
    chosen = ctx.signers_and_admins
    for person_id in sorted(chosen):
        person = chosen[person_id]
        sources, doubts = log_doubts(person, logs, since, ctx.now)
        mine = by_person.get(person.email, []) if person.email else []
        found = signals(mine, policy, since)
        doubts += country_doubts(mine, policy, since)
        evidence: dict[str, Any] = {
            "role": role_of(ctx, person),
            "log_sources": sources,
            "window_from": since.isoformat(),
            "signal_count": len(found),
            "signals": [  # the latest, when there are very many
                {"at": s.at.isoformat(), "source": s.source, "signal": s.what, "event": s.event}
                for s in found[-EVIDENCE_SIGNALS:]
            ],
        }
        if found:
            yield failed(person_id, summary(found), **evidence)
        elif not person.email:
            yield unknown(person_id, "no e-mail ties them to the identity providers' log entries", **evidence)
        elif not sources:
            yield unknown(
                person_id,
                "no identity provider whose sign-in log is read (Okta, Entra, Google Workspace) lists them",
                **evidence,
            )
        elif doubts:
            yield unknown(person_id, f"no signal seen, but {'; '.join(doubts)}", **evidence)
        else:
            yield passed(
                person_id,
                f"no takeover signal in the last {policy.signal_days} days of the complete "
                f"{', '.join(sources)} sign-in logs",
                **evidence,
            )
    yield from not_privileged(ctx, chosen.values())
