"""Machines from device records (vaultward/derived/devices.py): joined across sources, merged
never better than the worst source, tied to people through the alias table."""

from datetime import timedelta

from tests.factories import NOW, make_device, make_edr_device
from vaultward.config.policy import PeopleRules, Policy
from vaultward.derived.devices import Devices, below, version_tuple
from vaultward.derived.people import Directory

EDR = ("crowdstrike",)


def view(records, aliases=None, gaps=None) -> Devices:
    gaps = gaps or {}
    return Devices(
        records,
        Directory(PeopleRules(aliases=aliases or {})),
        EDR,
        lambda record, name: gaps.get((record.key, name)),
    )


def test_one_serial_is_one_machine_across_sources_and_the_edr_alone_says_running():
    jamf = make_device(serial_number="c02abc ", user="Alice@Acme.example", edr_running=True)
    falcon = make_edr_device("C02ABC", hostname="alice-mbp")
    devices = view([jamf, falcon])
    [machine] = devices.machines
    assert machine.id == "device:serial:C02ABC" and machine.keys == sorted([jamf.key, falcon.key])
    assert machine.owners == ("alice@acme.example",) and devices.of("alice@acme.example") == [machine]
    assert machine.managed is True and machine.encrypted is True  # the EDR not saying takes nothing away
    assert machine.edr_running is True and machine.edr_seen and devices.edr_collected
    # A device manager saying a sensor runs is not the EDR saying so.
    [alone] = view([make_device(edr_running=True)]).machines
    assert alone.edr_running is None and not alone.edr_seen


def test_contradictions_lower_and_are_reported():
    jamf = make_device(serial_number="S1", encrypted=True, os_version="15.1")
    intune = make_device(
        serial_number="S1", source="intune", key="intune:device:1", encrypted=False, os_version="14.2"
    )
    [machine] = view([jamf, intune]).machines
    assert machine.encrypted is False and machine.os_version == "14.2"
    assert any("disagree on disk encryption" in c for c in machine.conflicts)
    # managed: any device manager saying so is enough
    unmanaged = make_device(serial_number="S2", managed=False)
    managed = make_device(serial_number="S2", source="fleet", key="fleet:device:2", managed=True)
    assert view([unmanaged, managed]).machines[0].managed is True
    # two EDR records, one unhealthy: not running
    sick = [make_edr_device("S3"), make_edr_device("S3", edr_running=False)]
    assert view(sick).machines[0].edr_running is False


def test_a_field_a_failed_request_lost_leaves_a_merged_true_unknown():
    jamf = make_device(serial_number="S1", encrypted=True)
    intune = make_device(serial_number="S1", source="intune", key="intune:device:9", encrypted=None)
    [machine] = view(
        [jamf, intune], gaps={(intune.key, "encrypted"): "encryption report refused (403)"}
    ).machines
    assert machine.encrypted is None and machine.gaps == {"encrypted": "encryption report refused (403)"}
    [silent] = view([jamf, intune]).machines  # a source that simply does not say takes nothing away
    assert silent.encrypted is True and not silent.gaps


def test_hostname_joins_only_without_serial_and_only_when_unambiguous():
    jamf = make_device(serial_number="S1", hostname="Alice-MBP")
    falcon = make_edr_device("", hostname="alice-mbp.corp.example")
    assert [m.id for m in view([jamf, falcon]).machines] == ["device:serial:S1"]
    # no serial anywhere: one record per source under one hostname is one machine
    a = make_device(serial_number="", hostname="build-01")
    b = make_edr_device("", hostname="BUILD-01")
    assert [m.id for m in view([a, b]).machines] == ["device:host:build-01"]
    # one source with two "iPhone"s: two devices, reported
    phones = [make_device(serial_number="", hostname="iPhone", platform="ios") for _ in range(2)]
    devices = view(phones)
    assert len(devices.machines) == 2 and devices.ambiguous
    # a placeholder serial joins nothing
    vms = [make_device(serial_number="0", hostname=f"vm-{n}") for n in range(2)]
    assert len(view(vms).machines) == 2


def test_people_through_the_alias_table_and_unmatched_machines_apart():
    corp = make_device(user="CORP\\bob")
    nobody = make_device(user="CORP\\carol")
    none = make_device(user="")
    devices = view([corp, nobody, none], aliases={"CORP\\bob": "bob@acme.example"})
    assert [m.keys for m in devices.of("bob@acme.example")] == [[corp.key]]
    assert {m.keys[0] for m in devices.unmatched} == {nobody.key, none.key}
    # two sources naming two people: the machine is both's, and the disagreement is reported
    shared = [
        make_device(serial_number="S9", user="a@acme.example"),
        make_edr_device("S9", user="b@acme.example"),
    ]
    [machine] = view(shared).machines
    assert machine.owners == ("a@acme.example", "b@acme.example") and machine.conflicts


def test_retired_records_count_only_when_every_record_is_retired():
    wiped = make_device(serial_number="S1", retired=True, encrypted=False)
    falcon = make_edr_device("S1")
    [machine] = view([wiped, falcon]).machines
    assert not machine.retired and machine.encrypted is None  # the wiped record's word is void
    assert any("retired" in c for c in machine.conflicts)
    assert view([make_device(retired=True)]).machines[0].retired


def test_latest_contact_and_versions():
    old = make_device(serial_number="S1", last_seen_at=NOW - timedelta(days=20))
    new = make_edr_device("S1", last_seen_at=NOW - timedelta(days=1))
    [machine] = view([old, new]).machines
    assert machine.last_seen_at == NOW - timedelta(days=1)
    assert version_tuple("10.0.22631.4037") == (10, 0, 22631, 4037) and version_tuple("macOS 14.6") == (14, 6)
    assert version_tuple("unknown") is None
    assert below((13, 6), (14,)) and not below((14,), (14, 0, 0)) and below((10, 0, 19044), (10, 0, 19045))


def test_the_context_builds_the_view_under_the_policy():
    from vaultward.contract.sdk import CheckContext

    policy = Policy(people=PeopleRules(aliases={"corp\\dave": "dave@acme.example"}))
    ctx = CheckContext({"device": [make_device(user="CORP\\Dave")]}, policy, NOW)
    assert ctx.devices is ctx.devices and list(ctx.devices.by_person) == ["dave@acme.example"]


def test_a_coarser_version_a_finer_one_extends_gives_way_to_it():
    # CrowdStrike names a Mac's version to its major ("Sonoma (14)": 14) and a Windows build
    # without its update revision; a device manager's finer version of the same release stands
    falcon = make_edr_device("S1", os_version="14", os_name="Sonoma (14)")
    jamf = make_device(serial_number="S1", os_version="14.6.1")
    assert view([falcon, jamf]).machines[0].os_version == "14.6.1"
    falcon = make_edr_device("W1", platform="windows", os_version="10.0.19045")
    intune = make_device(serial_number="W1", source="intune", key="intune:device:W1", platform="windows",
                         os_version="10.0.19045.5131")  # fmt: skip
    assert view([falcon, intune]).machines[0].os_version == "10.0.19045.5131"
    # versions that disagree still give the lowest, coarse or not
    older = make_device(serial_number="S2", os_version="13.6.9")
    assert view([make_edr_device("S2", os_version="14"), older]).machines[0].os_version == "13.6.9"
    newer = make_device(serial_number="S3", os_version="15.1")
    assert view([make_edr_device("S3", os_version="14"), newer]).machines[0].os_version == "14"
