"""What the endpoint checks ask of a machine under `policy.endpoints`: its EDR sensor, disk
encryption, OS version and last contact, each as a problem (a verdict against it) or a doubt
(the sources cannot say), and the role that puts a person among the signers and administrators."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from vaultward.derived.devices import Machine, below, version_tuple

if TYPE_CHECKING:
    from vaultward.config.policy import EndpointPolicy
    from vaultward.contract.sdk import CheckContext
    from vaultward.derived.people import Person

NO_DEVICE_SOURCE = "no device source is connected (Fleet, Jamf Pro, Intune, CrowdStrike Falcon)"


@dataclass
class Verdict:
    """What is wrong with a machine (`problems`) and what its sources leave open (`doubts`)."""

    problems: list[str] = field(default_factory=list)
    doubts: list[str] = field(default_factory=list)

    def add(self, other: Verdict) -> None:
        self.problems += other.problems
        self.doubts += other.doubts


def _days(now: datetime, then: datetime) -> int:
    return (now - then).days


def _why(machine: Machine, name: str, silent: str) -> str:
    lost = machine.gaps.get(name)
    return f"{silent}: {lost}" if lost else silent


def expects_edr(machine: Machine, policy: EndpointPolicy) -> bool:
    """Whether an EDR sensor is expected on the machine (`policy.endpoints.edr_platforms`):
    one whose platform is unknown or disputed is."""
    return not machine.platform or machine.platform in policy.edr_platforms


def edr_verdict(machine: Machine, edr_collected: bool, policy: EndpointPolicy, now: datetime) -> Verdict:
    """EDR running, on the platforms it is expected on: an EDR source lists the machine, says
    its sensor is healthy, and heard from it within `max_days_unseen` of `now` and of the
    machine's last contact. A machine no EDR source lists is "no EDR sensor seen" only when an
    EDR source was collected; otherwise nobody can say."""
    verdict = Verdict()
    edr = ", ".join(sorted(policy.edr_sources))
    if not expects_edr(machine, policy):
        return verdict
    if not machine.edr_seen:
        if edr_collected:
            verdict.problems.append(f"no EDR sensor seen ({edr} does not list it)")
        else:
            verdict.doubts.append(f"no EDR source is connected ({edr}): whether a sensor runs is unknown")
        return verdict
    sensors = ", ".join(r.source for r in machine.records if r.source in policy.edr_sources)
    if machine.edr_running is False:
        verdict.problems.append(f"EDR sensor not healthy ({sensors})")
    elif machine.edr_running is None:
        verdict.doubts.append(
            _why(machine, "edr_running", f"{sensors} does not say whether its sensor is healthy")
        )
    if machine.contained:
        verdict.problems.append("network-contained by the EDR: an incident is in progress")
    if machine.edr_last_seen_at is None:
        verdict.doubts.append(f"{sensors} does not say when its sensor last reported")
    elif _days(now, machine.edr_last_seen_at) > policy.max_days_unseen:
        verdict.problems.append(f"EDR sensor last reported {_days(now, machine.edr_last_seen_at)} days ago")
    if machine.edr_last_seen_at and machine.last_seen_at:
        silent = machine.last_seen_at - machine.edr_last_seen_at
        if silent > timedelta(days=policy.max_days_unseen):
            verdict.problems.append(f"EDR sensor silent for {silent.days} days while the device was in use")
    return verdict


def os_verdict(machine: Machine, policy: EndpointPolicy) -> Verdict:
    """Within the supported OS window of `policy.endpoints.min_os_versions`."""
    verdict = Verdict()
    platform = machine.platform
    if not platform or platform.startswith("other:"):
        named = sorted({r.platform for r in machine.records if r.platform})
        said = " or ".join(named) if named else "not reported"
        verdict.doubts.append(f"platform {said}: its supported OS window is unknown")
        return verdict
    floor = policy.min_os_versions.get(platform)  # type: ignore[call-overload]
    if floor is None:
        return verdict  # a platform the policy sets no floor for is not judged
    version = version_tuple(machine.os_version)
    if version is None:
        silent = (
            f"OS version not reported ({machine.os_version!r})"
            if machine.os_version
            else "OS version not reported"
        )
        verdict.doubts.append(_why(machine, "os_version", silent))
    elif below(version, minimum := version_tuple(floor) or (0,)):
        if version == minimum[: len(version)]:
            # "14" against 14.6: a version reported only to that precision may be either side
            verdict.doubts.append(
                f"{platform} {machine.os_version} is reported too coarsely to tell against the supported {floor}"
            )
        else:
            verdict.problems.append(f"{platform} {machine.os_version} is older than the supported {floor}")
    return verdict


def posture_verdict(machine: Machine, edr_collected: bool, policy: EndpointPolicy, now: datetime) -> Verdict:
    """Everything `access.signer_devices` asks of one device of a signer or administrator:
    encrypted, within the OS window, seen within `max_days_unseen`, EDR running."""
    verdict = Verdict()
    if machine.encrypted is False:
        verdict.problems.append("disk not encrypted")
    elif machine.encrypted is None:
        verdict.doubts.append(_why(machine, "encrypted", "no source says whether its disk is encrypted"))
    verdict.add(os_verdict(machine, policy))
    if machine.last_seen_at is None:
        verdict.doubts.append(_why(machine, "last_seen_at", "no source says when it was last seen"))
    elif now - machine.last_seen_at > timedelta(days=policy.max_days_unseen):
        verdict.problems.append(f"not seen for {_days(now, machine.last_seen_at)} days")
    verdict.add(edr_verdict(machine, edr_collected, policy, now))
    return verdict


def role_of(ctx: CheckContext, person: Person) -> str:
    """Why a person is among the signers and administrators: what they sign, where they
    administer ("signer: spender of ETH hot; administrator in okta")."""
    roles = []
    signs = ctx.custody_people.get(person.email, [])
    if signs:
        roles.append(f"signer: {', '.join(signs)}")
    admin = sorted({i.source for i in person.active_identities if i.privileged})
    if admin:
        roles.append(f"administrator in {', '.join(admin)}")
    return "; ".join(roles)
