"""Plain factory functions for records and store rows: `make_identity(mfa_enrolled=False)`."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from vaultward.contract.records import (
    PHISHING_FAILURES,
    AccessKey,
    AclEntry,
    CloudAccount,
    Device,
    HsmCluster,
    Identity,
    IngressSource,
    NetworkAcl,
    NetworkPath,
    OrgAccount,
    PhishingResult,
    PhishingTest,
    PortRange,
    SigninEvent,
    SigningKey,
    SigninLog,
    TrainingRecord,
    TransferPolicy,
    Vpc,
    Wallet,
    ZoneClassification,
)

_counter = itertools.count(1)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _n() -> int:
    return next(_counter)


def make_identity(**overrides: Any) -> Identity:
    n = _n()
    values: dict[str, Any] = {
        "key": f"arn:aws:iam::111111111111:user/person{n}",
        "name": f"person{n}",
        "scope": "aws:111111111111",
        "source": "aws_iam",
        "account": "111111111111",
        "person": True,
        "privileged": False,
        "console_access": True,
        "mfa_enrolled": True,
        "factor_kinds": ["virtual"],
        "created_at": NOW - timedelta(days=400),
    }
    values.update(overrides)
    return Identity(**values)


def make_access_key(**overrides: Any) -> AccessKey:
    n = _n()
    values: dict[str, Any] = {
        "key": f"arn:aws:iam::111111111111:user/person{n}#access_key_1",
        "scope": "aws:111111111111",
        "source": "aws_iam",
        "account": "111111111111",
        "identity": f"arn:aws:iam::111111111111:user/person{n}",
        "active": True,
        "created_at": NOW - timedelta(days=10),
        "last_used_at": NOW - timedelta(days=1),
    }
    values.update(overrides)
    return AccessKey(**values)


def make_account(**overrides: Any) -> CloudAccount:
    n = _n()
    account_id = overrides.pop("account_id", f"{n:012d}")
    values: dict[str, Any] = {
        "key": f"aws:{account_id}",
        "name": f"account-{n}",
        "scope": f"aws:{account_id}",
        "account_id": account_id,
        "root_mfa_enabled": True,
        "root_access_keys_present": False,
    }
    values.update(overrides)
    return CloudAccount(**values)


def make_org_account(ou_path: str = "Root/Prod", **overrides: Any) -> OrgAccount:
    """An account in the OU at `ou_path` (names from the root); OU ids follow from the names,
    so accounts given the same path share an OU and a longer path is a child OU."""
    n = _n()
    account_id = overrides.pop("account_id", f"{n:012d}")
    names = ou_path.split("/")
    ou_ids = ["r-root"] + ["ou-" + "-".join(names[1 : i + 1]).lower() for i in range(1, len(names))]
    values: dict[str, Any] = {
        "key": f"aws:{account_id}",
        "name": f"account-{n}",
        "scope": "aws:999999999999",
        "account_id": account_id,
        "status": "ACTIVE",
        "parent_id": ou_ids[-1],
        "ou_ids": ou_ids,
        "ou_path": ou_path,
        "zone": "production",
    }
    values.update(overrides)
    return OrgAccount(**values)


def make_hsm_cluster(**overrides: Any) -> HsmCluster:
    n = _n()
    values: dict[str, Any] = {
        "key": f"cluster-{n:08x}",
        "scope": "aws:111111111111/us-east-1",
        "account": "111111111111",
        "region": "us-east-1",
        "state": "ACTIVE",
        "mode": "FIPS",
        "hsm_count": 2,
        "active_hsm_count": 2,
        "availability_zones": ["us-east-1a", "us-east-1b"],
    }
    values.update(overrides)
    return HsmCluster(**values)


def make_signing_key(**overrides: Any) -> SigningKey:
    n = _n()
    values: dict[str, Any] = {
        "key": f"arn:aws:kms:us-east-1:111111111111:key/{n:08d}-0000-0000-0000-000000000000",
        "name": f"signer-{n}",
        "scope": "aws:111111111111/us-east-1",
        "account": "111111111111",
        "region": "us-east-1",
        "enabled": True,
        "state": "Enabled",
        "manager": "CUSTOMER",
        "origin": "AWS_KMS",
        "key_usage": "SIGN_VERIFY",
        "key_spec": "ECC_SECG_P256K1",
    }
    values.update(overrides)
    return SigningKey(**values)


def make_vpc(**overrides: Any) -> Vpc:
    n = _n()
    values: dict[str, Any] = {
        "key": f"vpc-{n:08x}",
        "scope": "aws:111111111111/us-east-1",
        "account": "111111111111",
        "region": "us-east-1",
        "cidrs": ["10.0.0.0/16"],
        "zone": "production",
        "ingress_recorded": True,  # every security-group rule into it recorded, as collectors now do
    }
    values.update(overrides)
    return Vpc(**values)


def zone_rule(rule: str, zone: str, matched: str) -> ZoneClassification:
    """One matching rule of policy.zones: `zone_rule("tag", "corporate", "tag env=corp")`."""
    return ZoneClassification(rule=rule, zone=zone, matched=matched)  # type: ignore[arg-type]


def make_conflicted_vpc(**overrides: Any) -> Vpc:
    """A VPC of a production account tagged env=corp: the account rule comes first."""
    account = overrides.get("account", "111111111111")
    overrides.setdefault(
        "classifications",
        [
            zone_rule("account", "production", f"account {account}"),
            zone_rule("tag", "corporate", "tag env=corp"),
        ],
    )
    overrides.setdefault("zone_reason", f"account {account} is a production account")
    return make_vpc(**{"zone": "production", "tags": {"env": "corp"}, **overrides})


def make_path(**overrides: Any) -> NetworkPath:
    n = _n()
    ports = overrides.pop("ports", [PortRange(protocol="tcp", from_port=443, to_port=443)])
    values: dict[str, Any] = {
        "key": f"sg-{n:08x}/ingress/{n}",
        "scope": "aws:111111111111/us-east-1",
        "account": "111111111111",
        "region": "us-east-1",
        "path_kind": "security_group",
        "from_zone": "internet",
        "to_zone": "production",
        "from_ref": "0.0.0.0/0",
        "to_ref": f"sg-{n:08x}",
        "ports": ports,
    }
    values.update(overrides)
    return NetworkPath(**values)


def acl_entry(
    rule: int,
    action: str,
    cidr: str,
    protocol: str = "-1",
    ports: tuple[int, int] | None = None,
    egress=False,
) -> AclEntry:
    """`acl_entry(100, "allow", "0.0.0.0/0")`; `ports` (from, to) for tcp / udp."""
    low, high = ports or (None, None)
    return AclEntry(
        rule_number=rule,
        egress=egress,
        action=action,  # type: ignore[arg-type]
        cidr=cidr,
        ports=PortRange(protocol=protocol, from_port=low, to_port=high),
    )


def make_network_acl(**overrides: Any) -> NetworkAcl:
    """A production VPC's default ACL as AWS creates it: rule 100 allows all, * denies."""
    n = _n()
    values: dict[str, Any] = {
        "key": f"acl-{n:08x}",
        "scope": "aws:111111111111/us-east-1",
        "account": "111111111111",
        "region": "us-east-1",
        "vpc_id": f"vpc-{n:08x}",
        "zone": "production",
        "default": True,
        "subnets": [f"subnet-{n:08x}"],
        "entries": [
            acl_entry(100, "allow", "0.0.0.0/0"),
            acl_entry(32767, "deny", "0.0.0.0/0"),
            acl_entry(100, "allow", "0.0.0.0/0", egress=True),
            acl_entry(32767, "deny", "0.0.0.0/0", egress=True),
        ],
    }
    values.update(overrides)
    return NetworkAcl(**values)


def ingress(source: str, kind: str = "cidr", ports: tuple[int, int] = (2223, 2225)) -> IngressSource:
    """One source an HSM cluster's security group admits (tcp 2223-2225, CloudHSM's ports)."""
    return IngressSource(
        source=source,
        source_kind=kind,  # type: ignore[arg-type]
        ports=PortRange(protocol="tcp", from_port=ports[0], to_port=ports[1]),
    )


# --- store rows ------------------------------------------------------------------------------
# These add rows to a session and flush (so ids exist) but never commit: several factory
# calls can share one transaction, and the test decides when to commit.


def add_run(
    session: Any,
    collector: str = "aws_iam",
    scope: str = "aws:111111111111",
    status: str = "ok",
    started_at: datetime | None = None,
    finished_at: datetime | None = None,
    item_count: int = 0,
    error: str | None = None,
    counts: dict[str, int] | None = None,
) -> Any:
    """One collector Run; `finished_at` defaults to a minute after `started_at`."""
    from vaultward.store.models import Run

    started = started_at or NOW
    if finished_at is None and status != "running":
        finished_at = started + timedelta(minutes=1)
    run = Run(
        collector=collector,
        scope=scope,
        status=status,
        started_at=started,
        finished_at=finished_at,
        item_count=item_count,
        error=error,
        counts=counts or {},
    )
    session.add(run)
    session.flush()
    return run


def add_evaluation(
    session: Any,
    started_at: datetime,
    overall: float | None,
    band: str = "",
    mitigation_scores: dict[str, float | None | dict[str, Any]] | None = None,
    check_scores: list[dict[str, Any]] | None = None,
    findings: list[dict[str, Any]] | None = None,
    finished_at: datetime | None = None,
    problems: list[str] | None = None,
) -> Any:
    """One Evaluation with its scores and findings, as the scorer would have stored them.

    `mitigation_scores` maps a mitigation to its score, or to a dict of MitigationScore
    fields (`{"score": 0.0, "measured": False}`). `check_scores` and `findings` are dicts of
    CheckScore / Finding fields; the mitigation defaults to the check id's prefix.
    """
    from vaultward.store.models import CheckScore, Evaluation, Finding, MitigationScore

    findings = findings or []
    check_scores = check_scores or []
    evaluation = Evaluation(
        started_at=started_at,
        finished_at=finished_at or started_at + timedelta(seconds=5),
        overall_score=overall,
        band=band,
        check_count=len(check_scores),
        finding_count=len(findings),
        problems=problems or [],
    )
    session.add(evaluation)
    session.flush()
    assert evaluation.id is not None
    for mitigation, value in (mitigation_scores or {}).items():
        fields: dict[str, Any] = value if isinstance(value, dict) else {"score": value}
        session.add(MitigationScore(evaluation_id=evaluation.id, mitigation=mitigation, **fields))
    for row in check_scores:
        values: dict[str, Any] = {
            "mitigation": row["check_id"].split(".", 1)[0],
            "title": row["check_id"].split(".", 1)[1].replace("_", " ").capitalize(),
            "severity": "high",
            "weight": 1.0,
        }
        values.update(row)
        session.add(CheckScore(evaluation_id=evaluation.id, **values))
    for row in findings:
        values = {
            "mitigation": row["check_id"].split(".", 1)[0],
            "severity": "high",
            "resource": f"resource-{_n()}",
            "status": "fail",
            "message": "",
        }
        values.update(row)
        values.setdefault("resource_name", values["resource"])
        session.add(Finding(evaluation_id=evaluation.id, **values))
    session.flush()
    return evaluation


def make_wallet(**overrides: Any) -> Wallet:
    n = _n()
    values: dict[str, Any] = {
        "key": f"safe:eth:0x{n:040x}",
        "name": f"wallet-{n}",
        "scope": "safe:eth",
        "provider": "safe",
        "chain": "eth",
        "address": f"0x{n:040x}",
        "threshold": 2,
        "signers": ["0xa", "0xb", "0xc"],
        "multisig_type": "safe",
        "tags": {"ValueTier": "high"},
    }
    values.update(overrides)
    return Wallet(**values)


def make_transfer_rule(**overrides: Any) -> TransferPolicy:
    n = _n()
    values: dict[str, Any] = {
        "key": f"fireblocks:tap:{n}",
        "scope": "fireblocks:api.fireblocks.io",
        "provider": "fireblocks",
        "rule_kind": "TRANSFER",
        "approvals_required": 2,
        "initiator_can_approve": False,
        "destinations_allowlisted": True,
    }
    values.update(overrides)
    return TransferPolicy(**values)


def make_bitgo_wallet(**overrides: Any) -> Wallet:
    """A high-value BitGo wallet as the bitgo mapper writes it: 2 approvals, 2 policy rules,
    two spenders. `tags` are merged into those (None leaves a tag out)."""
    n = _n()
    tags = {
        "wallet_type": "hot",
        "n": "3",
        "approvals_required": "2",
        "policy_rules": "2",
        "ValueTier": "high",
    }
    tags.update(overrides.pop("tags", {}))  # a tag given as None is left out
    tags = {key: value for key, value in tags.items() if value is not None}
    values: dict[str, Any] = {
        "key": f"bitgo:eth:{n:032x}",
        "name": f"bitgo-wallet-{n}",
        "scope": "bitgo:62a1b2c3d4e5f60718293a4b5c6d7e8f",
        "provider": "bitgo",
        "chain": "eth",
        "threshold": 2,
        "signers": [f"{n:024x}a", f"{n:024x}b"],
        "multisig_type": "onchain",
        "tags": tags,
    }
    values.update(overrides)
    return Wallet(**values)


def make_device(**overrides: Any) -> Device:
    """A healthy managed laptop in Jamf Pro: encrypted, macOS 15, seen an hour ago."""
    n = _n()
    values: dict[str, Any] = {
        "key": f"jamf:device:{n}",
        "scope": "jamf:acme",
        "source": "jamf",
        "device_id": str(n),
        "serial_number": f"C02SERIAL{n:04d}",
        "hostname": f"laptop-{n}",
        "platform": "macos",
        "os_version": "15.1",
        "managed": True,
        "encrypted": True,
        "last_seen_at": NOW - timedelta(hours=1),
    }
    values.update(overrides)
    return Device(**values)


def make_edr_device(serial_number: str, **overrides: Any) -> Device:
    """CrowdStrike Falcon's view of a machine: a healthy sensor, seen an hour ago; it says
    nothing about enrolment or encryption."""
    n = _n()
    values: dict[str, Any] = {
        "key": f"crowdstrike:device:{n:032x}",
        "scope": "crowdstrike:us-1",
        "source": "crowdstrike",
        "device_id": f"{n:032x}",
        "serial_number": serial_number,
        "platform": "macos",
        "os_version": "15.1",
        "edr_running": True,
        "edr_product": "crowdstrike",
        "last_seen_at": NOW - timedelta(hours=1),
    }
    values.update(overrides)
    return Device(**values)


def make_signin_event(
    user: str, event_type: str = "signin", hours_ago: float = 24, **overrides: Any
) -> SigninEvent:
    """One Okta System Log entry `hours_ago` hours before NOW."""
    n = _n()
    values: dict[str, Any] = {
        "key": f"okta:event:{n}",
        "scope": "okta:acme",
        "source": "okta",
        "event_type": event_type,
        "vendor_event": {"signin": "user.session.start"}.get(event_type, "user.mfa.factor.activate"),
        "user": user,
        "at": NOW - timedelta(hours=hours_ago),
        "outcome": "SUCCESS",
        "country": "CH",
        "city": "Zurich",
        "latitude": 47.37,
        "longitude": 8.54,
    }
    values.update(overrides)
    return SigninEvent(**values)


def make_signin_log(days: int = 30, **overrides: Any) -> SigninLog:
    """A complete Okta System Log read over the last `days` days up to NOW."""
    values: dict[str, Any] = {
        "key": "okta:signin_log:acme.okta.com",
        "scope": "okta:acme",
        "source": "okta",
        "covers_from": NOW - timedelta(days=days),
        "covers_to": NOW,
        "events_read": 100,
    }
    values.update(overrides)
    return SigninLog(**values)


def make_training_record(
    person: str, category: str = "lure", days_ago: int = 30, **overrides: Any
) -> TrainingRecord:
    """A passed module `days_ago` days before NOW."""
    values: dict[str, Any] = {
        "key": f"{person}/{category}/{_n()}",
        "scope": "knowbe4:acme",
        "source": "knowbe4",
        "person": person,
        "module": f"{category} module",
        "category": category,
        "status": "passed",
        "completed_at": NOW - timedelta(days=days_ago),
    }
    values.update(overrides)
    return TrainingRecord(**values)


def make_phishing_test(pst_id: int, days_ago: int, **overrides: Any) -> PhishingTest:
    """A closed phishing test that started `days_ago` days before NOW (set `scheduled` to
    its number of recipients to have it cross-checked)."""
    values: dict[str, Any] = {
        "key": f"knowbe4:pst:{pst_id}",
        "name": f"test {pst_id}",
        "scope": "knowbe4:acme",
        "source": "knowbe4",
        "campaign": f"campaign {pst_id}",
        "status": "Closed",
        "final": True,
        "started_at": NOW - timedelta(days=days_ago),
    }
    values.update(overrides)
    return PhishingTest(**values)


def make_phishing_result(
    test: PhishingTest, person: str, *failures: str, delivered: bool = True, **overrides: Any
) -> PhishingResult:
    """`person`'s result in `test`: the named failures (`clicked`, `replied` ...), none if
    none are named; every flag None when the message never reached them."""
    unknown = set(failures) - set(PHISHING_FAILURES)
    assert not unknown, f"not failures: {unknown}"
    flags: dict[str, Any] = {
        name: (name in failures) if delivered else None
        for name in (
            "clicked",
            "data_entered",
            "attachment_opened",
            "macro_enabled",
            "replied",
            "qr_code_scanned",
        )
    }
    values: dict[str, Any] = {
        "key": f"{test.key}:{person}",
        "scope": test.scope,
        "source": test.source,
        "person": person,
        "campaign": test.name,
        "test": test.key,
        "delivered": delivered,
        "reported": False if delivered else None,
        **flags,
    }
    values.update(overrides)
    return PhishingResult(**values)


@dataclass
class ScoredCheck:
    """A stored CheckScore's fields, as the framework and attack-path views read them."""

    check_id: str
    weight: float
    score: float | None
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0
    references: list[str] = field(default_factory=list)

    @property
    def mitigation(self) -> str:
        return self.check_id.split(".", 1)[0]

    @property
    def title(self) -> str:
        return self.check_id


def make_phishing_programme(scope: str = "knowbe4:acme") -> list:
    """A small organisation's phishing programme: an admin and three others, three finished
    tests (50 %, 25 %, 75 %: rising again) and one still open. dev1 fails all three finished
    tests; the admin fell for the latest."""
    admin = make_identity(
        key="okta:admin", source="okta", email="admin@acme.example", privileged=True, scope="okta:acme"
    )
    others = [
        make_identity(key=f"okta:dev{n}", source="okta", email=f"dev{n}@acme.example", scope="okta:acme")
        for n in (1, 2, 3)
    ]
    tests = [
        make_phishing_test(n, days, scope=scope, campaign="Monthly baseline", name=name, **extra)
        for n, days, name, extra in (
            (1, 90, "Fake invoice", {}),
            (2, 60, "Parcel held at customs", {}),
            (3, 30, "Recruiter InMail", {}),
            (4, 5, "Collaborator's whitepaper", {"status": "Open", "final": False}),
        )
    ]
    failures: dict[int, dict[str, tuple[str, ...]]] = {
        1: {"dev1": ("clicked",), "dev2": ("clicked",)},
        2: {"dev1": ("clicked",)},
        3: {"admin": ("clicked", "data_entered"), "dev1": ("attachment_opened",)},
        4: {"dev2": ("clicked",)},
    }
    results = [
        make_phishing_result(test, f"{person}@acme.example", *failures[n].get(person, ()))
        for n, test in enumerate(tests, start=1)
        for person in ("admin", "dev1", "dev2", "dev3")
    ]
    return [admin, *others, *tests, *results]
