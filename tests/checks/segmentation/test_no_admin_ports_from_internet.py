from checks.segmentation.no_admin_ports_from_internet import no_admin_ports_from_internet
from tests.checks.run import run, statuses
from tests.factories import make_path, make_vpc
from vaultward.records import PortRange


def test_admin_ports_open_to_internet_fail_https_passes():
    records = [
        make_vpc(key="vpc-a", zone="production"),
        make_vpc(key="vpc-b", zone="production"),
        make_vpc(key="vpc-c", zone="production"),
        make_path(
            key="sg-1/ssh",
            to_ref="sg-1",
            vpcs=["vpc-a"],
            ports=[PortRange(protocol="tcp", from_port=22, to_port=22)],
        ),
        make_path(
            key="sg-2/https",
            to_ref="sg-2",
            vpcs=["vpc-b"],
            ports=[PortRange(protocol="tcp", from_port=443, to_port=443)],
        ),
        make_path(key="sg-3/all", to_ref="sg-3", vpcs=["vpc-c"], ports=[]),
    ]
    assert statuses(no_admin_ports_from_internet, records) == {
        "vpc-a": "fail",
        "vpc-b": "pass",
        "vpc-c": "fail",
    }
    by_vpc = {r.resource: r for r in run(no_admin_ports_from_internet, records)}
    assert by_vpc["vpc-a"].evidence["exposures"] == [
        {"rule": "sg-1/ssh", "source": "0.0.0.0/0", "group": "sg-1", "ports": [22]}
    ]
    assert by_vpc["vpc-a"].reason == "open to the internet: sg-1 port(s) 22 from 0.0.0.0/0"
