"""EDR runs on every device the organisation's device sources list, one result per device,
naming whose it is and whether its user signs or administers."""

from collections.abc import Iterator

from vaultward.contract.records import Device
from vaultward.contract.sdk import CheckContext, Result, check, failed, not_applicable, passed, unknown
from vaultward.derived.posture import edr_verdict, expects_edr


@check(
    id="detection.edr_coverage",
    title="Every employee's computer runs a healthy EDR sensor",
    mitigation="detection",
    severity="high",
    weight=2,
    # Who signs or administers only labels a finding (as account names do), never judges it:
    # an incomplete identity listing must not turn EDR coverage unknown.
    reads=[Device],
    references=[
        "attack:T1204.002",
        "attack:T1566.001",
        "attack-mitigation:M1049",
        "attack-mitigation:M1040",
        "cis-v8:10.1",
        "cis-v8:13.2",
        "nist-csf:DE.CM-09",
    ],
    remediation=(
        "Install the EDR sensor on every device the device manager lists (deploy it as a managed "
        "package), in prevention mode, and find out why a sensor stopped reporting while its device "
        "kept checking in; remove from the EDR console only devices that are retired."
    ),
)
def edr_coverage(ctx: CheckContext) -> Iterator[Result]:
    """Behavioural detection on the workstation is what catches a lure's payload and the
    lateral movement after it; a laptop without a working sensor is where the intruder stays
    unseen, above all a signer's or an administrator's."""
    devices = ctx.devices
    policy = ctx.policy.endpoints
    chosen = ctx.signers_and_admins
    roles = {email: "signer or administrator" for email in (p.email for p in chosen.values()) if email}
    for machine in devices.machines:
        evidence = machine.evidence()
        if machine.retired:
            yield not_applicable(machine.id, "retired or wiped in every source", **evidence)
            continue
        users = [f"{owner} ({roles[owner]})" if owner in roles else owner for owner in machine.owners]
        whose = f"used by {', '.join(users)}" if users else "tied to no person"
        if not expects_edr(machine, policy):
            yield not_applicable(
                machine.id,
                f"{machine.label}, {whose}: a {machine.platform} device, not one of the platforms an EDR "
                f"sensor is expected on (policy.endpoints.edr_platforms)",
                **evidence,
            )
            continue
        evidence["signer_or_admin"] = any(owner in roles for owner in machine.owners)
        verdict = edr_verdict(machine, devices.edr_collected, policy, ctx.now)
        if verdict.problems:
            yield failed(machine.id, f"{machine.label}, {whose}: {'; '.join(verdict.problems)}", **evidence)
        elif verdict.doubts:
            yield unknown(machine.id, f"{machine.label}, {whose}: {'; '.join(verdict.doubts)}", **evidence)
        else:
            sensors = ", ".join(r.source for r in machine.records if r.source in policy.edr_sources)
            yield passed(machine.id, f"{machine.label}, {whose}: EDR sensor healthy ({sensors})", **evidence)
