"""Signers and administrators work from managed, encrypted, patched devices that report in,
with EDR running. One result per person, naming what fails on which device; every other
device is listed as not applicable with whose it is."""

from collections.abc import Iterator
from typing import Any

from vaultward.contract.records import Device, Identity, TransferPolicy, Wallet
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.access import privilege_unknown
from vaultward.derived.devices import Machine
from vaultward.derived.posture import NO_DEVICE_SOURCE, posture_verdict, role_of
from vaultward.derived.training import humans


@check(
    id="access.signer_devices",
    title=(
        "Signers and administrators use managed devices, each encrypted, patched, seen within a week "
        "and running EDR"
    ),
    mitigation="access",
    severity="critical",
    weight=3,
    reads=[Device, Identity, Wallet, TransferPolicy],
    judges=[Device],
    references=[
        "attack:T1078",
        "attack:T1566.001",
        "attack-mitigation:M1049",
        "attack-mitigation:M1051",
        "attack-mitigation:M1041",
        "cis-v8:4.1",
        "cis-v8:3.6",
        "cis-v8:7.3",
        "cis-v8:10.1",
        "nist-csf:PR.PS-01",
    ],
    remediation=(
        "Enrol every device a signer or administrator uses in the device manager (Jamf Pro, Intune, "
        "Fleet MDM), turn on FileVault or BitLocker with an escrowed key, update it into the supported "
        "OS window, install the EDR sensor and keep it reporting; retire or wipe a device that no longer "
        "checks in. Signing and administration from any other device should be refused by conditional access."
    ),
)
def signer_devices(ctx: CheckContext) -> Iterator[Result]:
    """The largest crypto thefts ran through one signer's or engineer's laptop: a lure opened,
    the workstation compromised, then the signing path. An unmanaged, unencrypted, unpatched or
    unwatched device in those hands is the first step of that path left open."""
    chosen = ctx.signers_and_admins
    devices = ctx.devices
    policy = ctx.policy.endpoints
    judged: set[str] = set()
    for person_id in sorted(chosen):
        person = chosen[person_id]
        role = role_of(ctx, person)
        evidence: dict[str, Any] = {"role": role, "sources": person.sources}
        if not devices.sources:
            yield unknown(person_id, f"{NO_DEVICE_SOURCE}: their devices are unknown ({role})", **evidence)
            continue
        machines = [m for m in devices.of(person.email) if not m.retired] if person.email else []
        judged.update(m.id for m in devices.of(person.email))
        if not machines:
            why = "no device source lists them" if person.email else "no e-mail ties them to a device"
            yield unknown(person_id, f"{why}: their devices are unknown ({role})", **evidence)
            continue
        problems, doubts = [], []
        per_device = []
        for machine in machines:
            verdict = posture_verdict(machine, devices.edr_collected, policy, ctx.now)
            problems += [f"{machine.label}: {'; '.join(verdict.problems)}"] if verdict.problems else []
            doubts += [f"{machine.label}: {'; '.join(verdict.doubts)}"] if verdict.doubts else []
            per_device.append({**machine.evidence(), "problems": verdict.problems, "doubts": verdict.doubts})
        evidence["devices"] = per_device
        managed = [devices.managed(m) for m in machines]
        if not any(managed):
            if any(state is None for state in managed):
                doubts.insert(0, "no device manager says any of their devices is managed")
            else:
                problems.insert(0, "no managed device")
        else:  # one managed device does not vouch for another they sign from
            for machine, state in zip(machines, managed, strict=True):
                if state is False:
                    problems.append(f"{machine.label}: not enrolled in any device manager")
                elif state is None:
                    doubts.append(f"{machine.label}: no device manager says whether it is enrolled")
        if problems:
            yield failed(person_id, "; ".join(problems + doubts), **evidence)
        elif doubts:
            yield unknown(person_id, "; ".join(doubts), **evidence)
        else:
            yield passed(
                person_id,
                f"{len(machines)} device(s), at least one managed, each encrypted, within the supported OS "
                f"window, seen within {policy.max_days_unseen} days and running EDR",
                **evidence,
            )
    # Staff whose privilege a failed request left unknown may be administrators: unknown as
    # people and each of their devices too, never left out (that would raise the score, and
    # the devices' findings would vanish).
    doubtful: dict[str, str] = {}
    for person, gap in privilege_unknown(ctx, humans(ctx), chosen):
        why = doubtful[person.email] = f"whether {person.label} is an administrator is unknown: {gap}"
        mine = devices.of(person.email) if person.email else []
        yield unknown(person.id, why, devices=[m.evidence() for m in mine])
    yield from _other_devices([m for m in devices.machines if m.id not in judged], doubtful)


def _other_devices(machines: list[Machine], doubtful: dict[str, str]) -> Iterator[Result]:
    """Every device not a signer's or administrator's: not applicable, with whose it is; unknown
    when its user may be an administrator (`doubtful`: e-mail -> why)."""
    for machine in machines:
        evidence = machine.evidence()
        unsure = [doubtful[owner] for owner in machine.owners if owner in doubtful]
        if machine.retired:
            yield not_applicable(machine.id, "retired or wiped in every source", **evidence)
        elif unsure:
            yield unknown(machine.id, unsure[0], **evidence)
        elif not machine.owners and "user" in machine.gaps:
            yield unknown(
                machine.id,
                f"whose it is is unknown ({machine.gaps['user']}): it may be a signer's or administrator's",
                **evidence,
            )
        elif not machine.owners:
            users = ", ".join(machine.users) or "none"
            yield not_applicable(
                machine.id,
                f"tied to no person (its user as the sources name it: {users}); map it in "
                "policy.people.aliases so a signer's or administrator's device is judged",
                **evidence,
            )
        else:
            yield not_applicable(
                machine.id,
                f"used by {', '.join(machine.owners)}: neither a wallet signer nor an administrator",
                **evidence,
            )
