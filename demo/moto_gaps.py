"""What the demo needs from AWS that moto cannot give through its API, in one place.

Everything else is seeded through the ordinary AWS APIs and moto's documented settings. What is left writes moto's in-process backend state, so it
works under `mock_aws` and under `moto.server.ThreadedMotoServer` in this process, never
against a separate `moto_server`. Each gap says what moto lacks; every write first checks
that the object still has the shape this module was written against (moto 5.1 to 5.2) and
otherwise raises `MotoShapeChanged`, naming the installed moto version and what moved.
tests/demo/test_moto_gaps.py runs every gap and reads the result back through the AWS API.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from datetime import datetime
from importlib.metadata import version
from typing import Any

MANAGED_POLICIES_VARIABLE = "MOTO_IAM_LOAD_MANAGED_POLICIES"


class MotoShapeChanged(RuntimeError):
    """moto's internals no longer look the way demo/moto_gaps.py expects."""


def moto_version() -> str:
    return version("moto")


def _changed(what: str, detail: str) -> MotoShapeChanged:
    return MotoShapeChanged(
        f"moto {moto_version()}: {what} is not where demo/moto_gaps.py expects it "
        f"({detail}); update that module for this moto version"
    )


def _attribute(obj: Any, name: str, what: str) -> Any:
    if not hasattr(obj, name):
        raise _changed(what, f"{type(obj).__module__}.{type(obj).__name__} has no attribute {name!r}")
    return getattr(obj, name)


def backend(service: str, account: str, region: str) -> Any:
    """moto's in-process backend of `service` for one account and region."""
    from moto.backends import get_backend

    try:
        return get_backend(service)[account][region]  # type: ignore[call-overload,index]
    except (KeyError, TypeError) as error:
        raise _changed(
            f"the {service} backend", f"get_backend({service!r})[account][region]: {error!r}"
        ) from error


def runs_in_process(account: str, user: str) -> bool:
    """Whether the moto that answered the seeding runs in this process (an IAM user that the
    API just created is in this process's backend)."""
    try:
        return user in backend("iam", account, "global").users
    except Exception:  # noqa: BLE001 - moto missing, or a server in another process
        return False


@contextlib.contextmanager
def aws_managed_policies() -> Iterator[None]:
    """AWS-managed policies (AdministratorAccess …) loaded into the IAM backends that moto
    creates inside the block, through moto's documented `MOTO_IAM_LOAD_MANAGED_POLICIES`
    (read when an account's IAM backend is made; `/moto-api/config` has no IAM switch). Off
    by default because loading them costs about a third of a second per account."""
    previous = os.environ.get(MANAGED_POLICIES_VARIABLE)
    os.environ[MANAGED_POLICIES_VARIABLE] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(MANAGED_POLICIES_VARIABLE, None)
        else:
            os.environ[MANAGED_POLICIES_VARIABLE] = previous


def enable_root_mfa(account: str) -> None:
    """Gap: `GetAccountSummary` always answers `AccountMFAEnabled: 0` and nothing sets it."""
    summary = _attribute(backend("iam", account, "global"), "account_summary", "IAM's account summary")
    _attribute(summary, "_account_mfa_enabled", "AccountMFAEnabled of IAM's account summary")
    summary._account_mfa_enabled = 1


def backdate_access_key(account: str, user: str, created: datetime, last_used: datetime) -> None:
    """Gap: no API sets an access key's creation date or its last use (AWS records both)."""
    users = _attribute(backend("iam", account, "global"), "users", "IAM's users")
    keys = _attribute(users[user], "access_keys", "an IAM user's access keys")
    if not keys:
        raise _changed("an IAM user's access keys", f"user {user!r} has none after CreateAccessKey")
    key = keys[0]
    _attribute(key, "create_date", "an access key's creation date")
    _attribute(key, "last_used", "an access key's last use")
    try:
        from moto.iam.models import AccessKeyLastUsed
    except ImportError as error:
        raise _changed("moto.iam.models.AccessKeyLastUsed", repr(error)) from error
    key.create_date = created
    # What moto itself records when a request is signed with the key.
    key.last_used = AccessKeyLastUsed(timestamp=last_used, service="iam", region="us-east-1")


def restore_route_attachments(account: str, region: str, table: str) -> None:
    """Gap: moto keeps a static transit-gateway route's attachment as a dict, which its
    serializer drops from `SearchTransitGatewayRoutes`; AWS answers a list."""
    tables = _attribute(
        backend("ec2", account, region), "transit_gateways_route_tables", "EC2's transit gateway route tables"
    )
    routes = _attribute(tables[table], "routes", "a transit gateway route table's routes")
    for route in routes.values():
        target = route.get("transitGatewayAttachments")
        if isinstance(target, dict):
            route["transitGatewayAttachments"] = [target]


def place_cloudhsm_cluster(
    account: str,
    region: str,
    cluster_id: str,
    state: str,
    hsms: list[dict[str, Any]],
    vpc: str = "",
    security_group: str = "",
) -> None:
    """Gaps: CloudHSM has no `CreateHsm` (a cluster never has HSMs), a cluster is always
    ACTIVE, its VpcId is made up and it has no SecurityGroup. `hsms` are `DescribeClusters`
    Hsm entries (PascalCase, as AWS answers them)."""
    clusters = _attribute(backend("cloudhsmv2", account, region), "clusters", "CloudHSM's clusters")
    cluster = clusters[cluster_id]
    for name in ("state", "hsms", "vpc_id"):
        _attribute(cluster, name, f"a CloudHSM cluster's {name}")
    cluster.state = state
    cluster.hsms = hsms
    if not security_group:
        return
    cluster.vpc_id = vpc
    describe = getattr(cluster, "to_dict", None)
    if callable(describe):
        # moto up to 5.2.5 answers DescribeClusters from Cluster.to_dict.
        cluster.to_dict = lambda: {**describe(), "SecurityGroup": security_group}
    else:
        # moto 5.2.6 on serializes the object by the service model: SecurityGroup is read
        # from the attribute `security_group`.
        cluster.security_group = security_group
