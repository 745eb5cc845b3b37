"""A synthetic organisation written straight into the store: Runs and Facts shaped as the
collectors' records (built and validated through the record classes of vaultward/contract/records.py),
and a history of daily evaluation scores. Deterministic for a given size and seed.

Its AWS facts are shaped as a run before issue 17 stored them: zones recorded with the facts
(`recorded_zone`), none in its policy, so the evaluation judges them by the recorded zones
(`vaultward.derived.zones`), as it judged them before zones were derived at evaluation.

Sizes: `identities` accounts across okta, google_workspace, aws_iam and fireblocks (about 1.6
per person), `wallets` across Safe, BitGo and Fireblocks with KMS keys and HSM clusters beside
them, `sg_rules` security-group paths into production VPCs (one VPC per 100 rules).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, insert

from benchmarks.synthetic.history import inserted_id
from vaultward.config.policy import CustodyPolicy, PeopleRules, Policy
from vaultward.config.settings import Settings
from vaultward.contract.records import (
    AccessKey,
    AclEntry,
    CloudAccount,
    HsmCluster,
    Identity,
    IngressSource,
    NetworkAcl,
    NetworkPath,
    OrgAccount,
    PhishingResult,
    PhishProne,
    PortRange,
    Record,
    SigningKey,
    ThreatDetector,
    Trail,
    TrainingRecord,
    TransferPolicy,
    Vpc,
    Wallet,
    Zone,
)  # fmt: skip
from vaultward.contract.records.training import TrainingStatus
from vaultward.store.models import Fact, Run

DOMAIN = "acme.example"
REGIONS = ("us-east-1", "eu-west-1")
SIGNING_CIDR = "10.9.0.0/24"
BATCH = 5_000  # facts per INSERT statement


@dataclass(frozen=True)
class Organisation:
    """The sizes of one synthetic organisation."""

    identities: int = 1_000
    wallets: int = 100
    sg_rules: int = 500
    seed: int = 8

    @property
    def people(self) -> int:
        return max(1, round(self.identities / 1.6))

    @property
    def vpcs(self) -> int:
        return max(4, self.sg_rules // 100)

    @property
    def accounts(self) -> list[str]:
        return [f"{100000000000 + n:012d}" for n in range(max(2, self.vpcs // 5))]

    def email(self, person: int) -> str:
        return f"p{person:06d}@{DOMAIN}"

    def signer_address(self, n: int) -> str:
        return f"0x{n:040x}"

    @property
    def signer_pool(self) -> int:
        return max(4, self.wallets // 25)

    def settings(self) -> Settings:
        """The configuration the organisation is judged under: its Safe owners mapped to
        people (three in four of them), its signing subnet for the HSMs."""
        signers = {
            self.signer_address(n): self.email((n * 7919) % self.people)
            for n in range(self.signer_pool)
            if n % 4
        }
        return Settings(
            policy=Policy(
                people=PeopleRules(signers=signers),
                custody=CustodyPolicy(signing_cidrs=[SIGNING_CIDR]),
            )
        )


def _when(rng: random.Random, now: datetime, days: int) -> datetime:
    return now - timedelta(days=rng.randint(0, days), minutes=rng.randint(0, 1439))


def identities(org: Organisation, now: datetime) -> Iterator[tuple[str, str, Record]]:
    """(collector, scope, record) of every account: an Okta user per person, Google for 40%,
    IAM users for 15% (one in three a machine user), Fireblocks users for 5%."""
    rng = random.Random(org.seed)
    privileged_every = 33
    for p in range(org.people):
        email, privileged, roll = org.email(p), p % privileged_every == 0, rng.random()
        if roll < 0.10:
            factors: list[str] = []
        elif roll < 0.15:
            factors = ["sms"]
        elif roll < (0.45 if privileged else 0.75):
            factors = ["push", "totp"]
        else:
            factors = ["webauthn", "push"]
        suspended = rng.random() < 0.02
        yield "okta", "okta:acme", Identity(
            key=f"okta:00u{p:08d}", name=email, source="okta", account="acme.okta.com", email=email,
            privileged=privileged, privileged_via=["role:SUPER_ADMIN"] if privileged else [],
            console_access=not suspended, mfa_enrolled=bool(factors), factor_kinds=factors,
            mfa_enforced=rng.random() < 0.9, admin_roles=["SUPER_ADMIN"] if privileged else [],
            created_at=_when(rng, now, 1500), last_used_at=_when(rng, now, 60), suspended=suspended,
        )  # fmt: skip
        if p % 5 < 2:
            yield "google_workspace", "google_workspace:acme", Identity(
                key=f"google:{1_000_000 + p}", name=email, source="google_workspace", account="acme",
                email=email, privileged=p % 100 == 0, console_access=True,
                mfa_enrolled=rng.random() < 0.85, mfa_enforced=rng.random() < 0.8,
                created_at=_when(rng, now, 1500), last_used_at=_when(rng, now, 30),
            )  # fmt: skip
        if p % 20 < 3:
            account = org.accounts[p % len(org.accounts)]
            machine = p % 20 == 2
            name = f"deploy-{p}" if machine else email
            arn = f"arn:aws:iam::{account}:user/{name}"
            console = not machine and rng.random() < 0.8
            mfa = console and rng.random() < 0.85
            yield "aws_iam", account, Identity(
                key=arn, name=name, source="aws_iam", account=account, person=not machine,
                privileged=not machine and p % 10 == 0,
                privileged_via=["policy:AdministratorAccess"] if not machine and p % 10 == 0 else [],
                console_access=console, mfa_enrolled=mfa, factor_kinds=["virtual"] if mfa else [],
                created_at=_when(rng, now, 1500), last_used_at=_when(rng, now, 200),
            )  # fmt: skip
            yield "aws_iam", account, AccessKey(
                key=f"{arn}#access_key_1", name=f"{name} access key 1", source="aws_iam",
                account=account, identity=arn, active=True, created_at=_when(rng, now, 400),
                last_used_at=_when(rng, now, 120),
            )  # fmt: skip
        if p % 20 == 3:
            yield "fireblocks", "fireblocks:acme", Identity(
                key=f"fireblocks:user:fb-{p}", name=f"Person {p}", source="fireblocks",
                account="acme", email=email, privileged=p % 3 == 0,
                privileged_via=["role:ADMIN"] if p % 3 == 0 else [], console_access=True,
                mfa_enrolled=True, factor_kinds=[],
            )  # fmt: skip


def training(org: Organisation, now: datetime) -> Iterator[tuple[str, str, Record]]:
    """KnowBe4: an awareness enrolment per person (mostly passed within the year), lure
    training for one in ten, a phishing-test result and a phish-prone percentage each."""
    rng = random.Random(org.seed + 1)
    scope = "knowbe4:acme"
    for p in range(org.people):
        email, roll = org.email(p), rng.random()
        status: TrainingStatus = (
            "passed" if roll < 0.9 else rng.choice(["not_started", "past_due", "in_progress"])
        )
        yield "knowbe4", scope, TrainingRecord(
            key=f"knowbe4:enrollment:a{p}", name=f"{email}: Security Awareness 2026", source="knowbe4",
            person=email, module="Security Awareness 2026", category="awareness", status=status,
            completed_at=_when(rng, now, 500) if status == "passed" else None,
            due_at=now + timedelta(days=rng.randint(-60, 60)) if status != "passed" else None,
        )  # fmt: skip
        if p % 10 == 0 or p % 20 == 3:
            yield "knowbe4", scope, TrainingRecord(
                key=f"knowbe4:enrollment:l{p}", name=f"{email}: Fake recruiter lures", source="knowbe4",
                person=email, module="Fake recruiter lures", category="lure", status="passed",
                completed_at=_when(rng, now, 300),
            )  # fmt: skip
        clicked = rng.random() < 0.08
        yield "knowbe4", scope, PhishingResult(
            key=f"knowbe4:pst:77:{p}", name=f"{email}: Q3 lure", source="knowbe4", person=email,
            campaign="Q3 lure", sent_at=_when(rng, now, 30), clicked=clicked,
            reported=not clicked and rng.random() < 0.4, data_entered=clicked and rng.random() < 0.3,
        )  # fmt: skip
        yield "knowbe4", scope, PhishProne(
            key=f"knowbe4:user:{p}", name=email, source="knowbe4", person=email,
            percentage=round(rng.random() * 12, 1), as_of=now,
        )  # fmt: skip


def custody(org: Organisation, now: datetime) -> Iterator[tuple[str, str, Record]]:
    """Safes (40%), BitGo wallets (40%) with their policy rules, Fireblocks vaults (20%) under
    a shared transfer policy; KMS signing keys (one per ten wallets) and HSM clusters."""
    rng = random.Random(org.seed + 2)
    fireblocks_users = [p for p in range(org.people) if p % 20 == 3] or [0]
    for w in range(org.wallets):
        tier = {"ValueTier": "high"} if w % 3 == 0 else {"ValueTier": "low"} if w % 3 == 1 else {}
        if w % 5 < 2:
            n = rng.randint(2, 5)
            owners = sorted({org.signer_address(rng.randrange(org.signer_pool)) for _ in range(n)})
            yield "safe", "safe:ethereum", Wallet(
                key=f"safe:ethereum:0x{w + 1:040x}", name=f"Treasury {w}", provider="safe",
                chain="ethereum", address=f"0x{w + 1:040x}", threshold=rng.randint(1, len(owners)),
                signers=owners, multisig_type="safe", version="1.4.1", nonce=rng.randint(0, 900),
                modules=[f"0x{0xdead0000 + w:040x}"] if w % 50 == 0 else [], tags=tier,
            )  # fmt: skip
        elif w % 5 < 4:
            key = f"bitgo:btc:{w:024x}"
            rules = [
                kind
                for kind, share in (("advancedWhitelist", 0.8), ("velocityLimit", 0.7))
                if rng.random() < share
            ]
            yield "bitgo", "bitgo:acme", Wallet(
                key=key, name=f"BitGo {w}", provider="bitgo", chain="btc", threshold=2, key_count=3,
                signers=[f"bitgo-user-{rng.randrange(50)}" for _ in range(3)], multisig_type="onchain",
                tags={**tier, "wallet_type": "hot", "n": "3", "approvals_required": str(rng.randint(1, 2)),
                      "policy_rules": str(len(rules))},
            )  # fmt: skip
            for index, kind in enumerate(rules):
                yield "bitgo", "bitgo:acme", TransferPolicy(
                    key=f"{key}:rule:r{index}", name=f"r{index}", provider="bitgo", wallet=key,
                    rule_kind=kind, details={"action": "deny"},
                )  # fmt: skip
        else:
            yield "fireblocks", "fireblocks:acme", Wallet(
                key=f"fireblocks:vault:{w}", name=f"Vault {w}", provider="fireblocks", multisig_type="mpc",
                tags=tier,
            )  # fmt: skip
    for index in range(max(3, org.wallets // 500)):
        approvers = [f"fb-{rng.choice(fireblocks_users)}" for _ in range(3)]
        yield "fireblocks", "fireblocks:acme", TransferPolicy(
            key=f"fireblocks:tap:{index}", name=f"TAP rule {index + 1}", provider="fireblocks",
            wallet="" if index % 2 == 0 else f"fireblocks:vault:{(index * 5) + 4}", rule_kind="TRANSFER",
            approvals_required=2 if index % 4 else 1, initiator_can_approve=False,
            destinations_allowlisted=index % 3 != 0, amount_from_usd=float(index * 10_000),
            approvers=approvers,
        )  # fmt: skip
    for k in range(max(1, org.wallets // 10)):
        account, region = org.accounts[k % len(org.accounts)], REGIONS[k % 2]
        yield "aws_custody", f"{account}/{region}", SigningKey(
            key=f"arn:aws:kms:{region}:{account}:key/{k:08x}-0000-4000-8000-000000000000",
            account=account, region=region, enabled=True, state="Enabled", manager="CUSTOMER",
            origin="EXTERNAL" if k % 10 == 0 else "AWS_KMS", key_usage="SIGN_VERIFY",
            key_spec="ECC_SECG_P256K1",
        )  # fmt: skip
    for c in range(max(1, org.wallets // 1000)):
        account, region = org.accounts[c % len(org.accounts)], REGIONS[c % 2]
        yield "aws_custody", f"{account}/{region}", HsmCluster(
            key=f"cluster-{c:011x}", account=account, region=region, state="ACTIVE", mode="FIPS",
            hsm_count=2, active_hsm_count=2 if c % 4 else 1,
            availability_zones=[f"{region}a", f"{region}b"] if c % 4 else [f"{region}a"],
            security_group=f"sg-c{c:016x}",
            ingress=[IngressSource(source=SIGNING_CIDR, source_kind="cidr", ports=PortRange(protocol="tcp", from_port=2223, to_port=2225))]
            + ([IngressSource(source="10.20.0.0/16", source_kind="cidr", ports=PortRange())] if c % 3 == 0 else []),
        )  # fmt: skip


def network(org: Organisation, now: datetime) -> Iterator[tuple[str, str, Record]]:
    """VPCs (half production, a third corporate), a network ACL each, security-group paths into
    production (most HTTPS from the internet, some admin ports, some from corporate ranges),
    peerings; per account its root, organisation place, trail and GuardDuty detectors."""
    rng = random.Random(org.seed + 3)
    vpcs = []
    for v in range(org.vpcs):
        account, region = org.accounts[v % len(org.accounts)], REGIONS[v % 2]
        zone: Zone = "production" if v % 2 == 0 else "corporate" if v % 3 else "unknown"
        vpc = Vpc(
            key=f"vpc-{v:017x}", account=account, region=region, cidrs=[f"10.{v % 250}.0.0/16"],
            recorded_zone=zone, recorded_zone_reason="tag Environment" if zone != "unknown" else "",
        )  # fmt: skip
        vpcs.append(vpc)
        scope = f"{account}/{region}"
        yield "aws_network", scope, vpc
        allow_all = AclEntry(
            rule_number=100, egress=False, action="allow", cidr="0.0.0.0/0", ports=PortRange()
        )
        yield "aws_network", scope, NetworkAcl(
            key=f"acl-{v:017x}", account=account, region=region, vpc_id=vpc.key, recorded_zone=zone, default=True,
            entries=[allow_all] if v % 4 == 0 else [
                AclEntry(rule_number=90, egress=False, action="deny", cidr="0.0.0.0/0", ports=PortRange()), allow_all],
        )  # fmt: skip
    production = [vpc for vpc in vpcs if vpc.recorded_zone == "production"]
    for r in range(org.sg_rules):
        vpc = production[r % len(production)]
        internet = rng.random() < 0.6
        port = 443 if rng.random() < 0.95 else rng.choice([22, 3389, 5432])
        # one source range per rule, so every rule is a path of its own (as distinct rules are)
        public = f"{11 + r % 150}.{(r // 150) % 250}.{(r // 37_500) % 250}.0/24"
        cidr = public if internet else f"10.{(r % 120) * 2 + 1}.{(r // 120) % 250}.0/24"
        group = f"sg-{r // 4:017x}"
        yield "aws_network", f"{vpc.account}/{vpc.region}", NetworkPath(
            key=f"{group}/ingress/{cidr}/tcp/{port}-{port}", name=f"web-{r // 4}", account=vpc.account,
            region=vpc.region, path_kind="security_group", recorded_from_zone="internet" if internet else "corporate",
            recorded_to_zone="production", from_ref=cidr, to_ref=group,
            ports=[PortRange(protocol="tcp", from_port=port, to_port=port)], vpcs=[vpc.key],
        )  # fmt: skip
    for account in org.accounts:
        yield "aws_iam", account, CloudAccount(
            key=f"aws:{account}", account_id=account, root_mfa_enabled=account[-1] != "3",
            root_access_keys_present=False,
        )  # fmt: skip
        yield "aws_organization", "aws_organization:o-acme", OrgAccount(
            key=f"aws:{account}", account_id=account, status="ACTIVE", parent_id="ou-prod",
            ou_ids=["r-root", "ou-prod"], ou_path="Root/Prod", recorded_zone="production",
        )  # fmt: skip
        for region in REGIONS:
            yield "aws_detection", f"{account}/{region}", Trail(
                key=f"arn:aws:cloudtrail:{region}:{account}:trail/main", name="main", account=account,
                home_region=region, multi_region=True, logging=account[-1] != "5",
            )  # fmt: skip
            yield "aws_detection", f"{account}/{region}", ThreatDetector(
                key=f"guardduty:{account}:{region}", account=account, region=region,
                detector_id=f"d{account}", enabled=region == REGIONS[0],
            )  # fmt: skip


def records(org: Organisation, now: datetime) -> Iterator[tuple[str, str, Record]]:
    """Every record of the organisation with the collector and scope that produced it."""
    for part in (identities, training, custody, network):
        yield from part(org, now)


def seed_facts(engine: Engine, org: Organisation, now: datetime) -> int:
    """One ok Run per (collector, scope), finished an hour before `now`, with its facts
    bulk-inserted; the number of facts written."""
    runs: dict[tuple[str, str], int] = {}
    pending: list[dict] = []
    written = 0
    with engine.begin() as connection:

        def flush() -> None:
            nonlocal written
            if pending:
                connection.execute(insert(Fact), pending)
                written += len(pending)
                pending.clear()

        for collector, scope, record in records(org, now):
            run_id = runs.get((collector, scope))
            if run_id is None:
                run_id = inserted_id(
                    connection.execute(
                        insert(Run).values(
                            collector=collector,
                            scope=scope,
                            status="ok",
                            started_at=now - timedelta(hours=1, minutes=5),
                            finished_at=now - timedelta(hours=1),
                            item_count=0,
                            counts={},
                        )  # fmt: skip
                    )
                )
                runs[collector, scope] = run_id
            pending.append(
                {
                    "run_id": run_id,
                    "kind": record.kind,
                    "key": record.key,
                    "scope": scope,
                    "data": record.data(),
                }
            )
            if len(pending) >= BATCH:
                flush()
        flush()
    return written


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)
