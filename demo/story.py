"""Acme Exchange's last twelve weeks: what changed in its estate, week by week.

Today's organisation (demo/organisation.py, demo/saas.py) is where the story ends. Each
`Change` says in which week it happened (weeks before the current one) and how to undo it
(to build the estate as it was before) and do it again (in its week), through the AWS API
on the emulator or by changing a vendor fake's data in place. A CISO would recognise it:
people enrol MFA (an administrator registers a security key), an old peering from the office into the custody account is removed, the
treasury Safe's threshold is raised, and two weeks ago an administrator was added to
production's Admins group without MFA (a regression). Dated vendor records (training
completions, phishing tests, the weekly Prowler run) follow the clock through `show_week`.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from demo.fakes import fleet, safe
from demo.fakes.crowdstrike import demo_crowdstrike_data
from demo.fakes.jamf import demo_jamf_data
from demo.fakes.knowbe4_as_of import knowbe4_as_of
from demo.fakes.okta_demo import user_id
from demo.fakes.prowler import demo_prowler_output
from demo.fakes.training_csv import demo_training_csv
from demo.organisation import DemoOrganisation
from demo.saas import DemoSaaS
from demo.seeder import Seeder


@dataclass
class Estate:
    """What the story changes: the seeded AWS organisation and the running vendor fakes."""

    organisation: DemoOrganisation
    saas: DemoSaaS
    data_dir: Path
    now: datetime  # the current week's moment: the dated vendor records count back from it
    moment: datetime = field(init=False)  # the simulated week's, while it is shown
    knowbe4: dict[str, Any] = field(default_factory=dict)  # the account as of `now`
    put_aside: dict[str, Any] = field(default_factory=dict)  # what an undo took away

    def __post_init__(self) -> None:
        self.seeder = Seeder(self.organisation.endpoint_url)
        self.moment = self.now
        self.knowbe4 = copy.deepcopy(self.saas.data["knowbe4"])

    def iam(self, role: str) -> Any:
        return self.seeder.client("iam", self.organisation.accounts[role])


@dataclass(frozen=True)
class Change:
    weeks_ago: int  # happened before that week's collection (0: the current week)
    title: str
    undo: Callable[[Estate], None]
    redo: Callable[[Estate], None]


def _without_mfa(role: str, user: str) -> Callable[[Estate], None]:
    def undo(estate: Estate) -> None:
        iam = estate.iam(role)
        for device in iam.list_mfa_devices(UserName=user)["MFADevices"]:
            iam.deactivate_mfa_device(UserName=user, SerialNumber=device["SerialNumber"])
            iam.delete_virtual_mfa_device(SerialNumber=device["SerialNumber"])

    return undo


def _enrol_virtual_mfa(role: str, user: str) -> Callable[[Estate], None]:
    def redo(estate: Estate) -> None:
        iam = estate.iam(role)
        device = iam.create_virtual_mfa_device(VirtualMFADeviceName=user)["VirtualMFADevice"]
        iam.enable_mfa_device(
            UserName=user,
            SerialNumber=device["SerialNumber"],
            AuthenticationCode1="123456",
            AuthenticationCode2="654321",
        )

    return redo


def _okta_security_key(login: str, registered: bool) -> Callable[[Estate], None]:
    """A person's WebAuthn factor in Okta taken away (before they registered it) or
    registered (dated the week it happens)."""

    def change(estate: Estate) -> None:
        factors = estate.saas.data["okta"].factors
        if registered:
            key = estate.put_aside.pop(f"okta:{login}")
            stamp = estate.moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
            factors[user_id(login)].insert(0, {**key, "created": stamp, "lastUpdated": stamp})
        else:
            [key] = [f for f in factors[user_id(login)] if f["factorType"] == "webauthn"]
            factors[user_id(login)].remove(key)
            estate.put_aside[f"okta:{login}"] = key

    return change


def _treasury_threshold(threshold: int) -> Callable[[Estate], None]:
    def change(estate: Estate) -> None:
        estate.saas.data["safe"]["eth"][safe.TREASURY]["threshold"] = threshold

    return change


def _office_custody_peering(estate: Estate) -> None:
    """The office VPC peered into the custody account's default VPC, left over from moving
    the signing service into its own VPC."""
    res, accounts = estate.organisation.resources, estate.organisation.accounts
    corporate = estate.seeder.client("ec2", accounts["corporate"])
    peering = corporate.create_vpc_peering_connection(
        VpcId=res["vpc:office"], PeerVpcId=res["vpc:default:custody"], PeerOwnerId=accounts["custody"]
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    estate.seeder.client("ec2", accounts["custody"]).accept_vpc_peering_connection(
        VpcPeeringConnectionId=peering
    )
    estate.put_aside["pcx:office-custody"] = peering


def _remove_office_custody_peering(estate: Estate) -> None:
    corporate = estate.seeder.client("ec2", estate.organisation.accounts["corporate"])
    corporate.delete_vpc_peering_connection(VpcPeeringConnectionId=estate.put_aside.pop("pcx:office-custody"))


def _admins(user: str, member: bool) -> Callable[[Estate], None]:
    def change(estate: Estate) -> None:
        iam = estate.iam("production")
        if member:
            iam.add_user_to_group(GroupName="Admins", UserName=user)
        else:
            iam.remove_user_from_group(GroupName="Admins", UserName=user)

    return change


STORY = (
    Change(10, "ivan enrols an MFA device (AWS, corporate)", _without_mfa("corporate", "ivan"),
           _enrol_virtual_mfa("corporate", "ivan")),
    Change(9, "the treasury Safe's threshold raised from 1-of-3 to 2-of-3", _treasury_threshold(1),
           _treasury_threshold(2)),
    Change(8, "alice registers a YubiKey in Okta (phishing-resistant)",
           _okta_security_key("alice@acme.example", False), _okta_security_key("alice@acme.example", True)),
    Change(7, "judy enrols an MFA device (AWS, corporate)", _without_mfa("corporate", "judy"),
           _enrol_virtual_mfa("corporate", "judy")),
    Change(6, "the office VPC's peering into custody's default VPC removed", _office_custody_peering,
           _remove_office_custody_peering),
    Change(0, "heidi enrols an MFA device (AWS, production)", _without_mfa("production", "heidi"),
           _enrol_virtual_mfa("production", "heidi")),
    Change(0, "grace joins production's Admins without MFA", _admins("grace", False), _admins("grace", True)),
)  # fmt: skip


def rewind(estate: Estate, weeks_ago: int) -> None:
    """Undo, newest first, every change made after the week `weeks_ago` was collected."""
    for change in sorted(STORY, key=lambda c: c.weeks_ago):
        if change.weeks_ago < weeks_ago:
            change.undo(estate)


def changes_of(weeks_ago: int) -> list[Change]:
    return [change for change in STORY if change.weeks_ago == weeks_ago]


def show_week(estate: Estate, weeks_ago: int, moment: datetime, first: bool = False) -> list[str]:
    """Make this week's changes (none in the `first` week: the estate starts there) and date
    the vendor records as of `moment`; returns the changes' titles."""
    estate.moment = moment
    made = [] if first else changes_of(weeks_ago)
    for change in made:
        change.redo(estate)
    estate.saas.data["knowbe4"].update(knowbe4_as_of(estate.knowbe4, moment))
    estate.saas.data["jamf"].update(demo_jamf_data(moment))  # Macs check in as of the week
    estate.saas.data["fleet"].update(fleet.demo_fleet_data(moment))  # hosts seen that week
    estate.saas.data["crowdstrike"].update(demo_crowdstrike_data(moment))  # sensors seen that week
    demo_training_csv(estate.saas.sources["training_csv"]["path"], estate.now, as_of=moment)
    demo_prowler_output(Path(estate.saas.sources["prowler_import"]["path"]), _production(estate), moment)
    return [change.title for change in made]


def _production(estate: Estate) -> str:
    return estate.organisation.accounts["production"]
