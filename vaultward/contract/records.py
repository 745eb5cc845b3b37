"""Typed fact kinds: the records collectors produce and checks read.

A `Fact` row stores a record's `data` as JSON under its `kind`; the record class defines and
validates that data. New kinds (from plugins too) register with `@record_kind` and need no
database migration.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

Zone = Literal["production", "corporate", "internet", "unknown"]

# Factor kinds that resist phishing (FIDO2/WebAuthn/U2F security keys, platform passkeys).
PHISHING_RESISTANT_FACTORS = frozenset({"u2f", "webauthn", "fido2", "passkey", "smart_card"})
# Every other factor kind a mapper may record. A vendor value outside both sets is kept as
# "other:<vendor value>" and listed in the identity's `anomalies`, never dropped.
OTHER_FACTORS = frozenset(
    {"virtual", "hardware_totp", "totp", "push", "sms", "voice", "email", "security_question", "password"}
)

RECORD_KINDS: dict[str, type[Record]] = {}

R = TypeVar("R", bound="Record")


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd") if "\x00" in value else value
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_without_nul(v) for v in value)
    return value


class Record(BaseModel):
    """One observed thing. `key` is the stable resource id; `scope` is set by the runner."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    kind: ClassVar[str]
    key: str
    name: str = ""
    scope: str = ""

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, values: Any) -> Any:
        """NUL characters become U+FFFD: PostgreSQL text cannot hold them, and one vendor
        string must not fail the storing of a whole Run."""
        # repr shows a NUL as the four characters \x00: one C-speed scan spares the walk over
        # every value of every fact when there is none (a literal "\x00" text only costs the walk).
        if "\\x00" not in repr(values):
            return values
        return _without_nul(values)

    @property
    def label(self) -> str:
        return self.name or self.key

    def data(self) -> dict:
        """The JSON stored in `Fact.data` (scope and key live in their own columns)."""
        return self.model_dump(mode="json", exclude={"scope"})


def record_kind(kind: str):
    """Register a record class under its fact kind (e.g. `identity`, `okta.policy`)."""

    def register(cls: type[R]) -> type[R]:
        existing = RECORD_KINDS.get(kind)
        if existing is not None and existing is not cls:
            raise ValueError(f"record kind {kind!r} is already registered by {existing.__name__}")
        cls.kind = kind
        RECORD_KINDS[kind] = cls
        return cls

    return register


def record_class(kind: str) -> type[Record]:
    try:
        return RECORD_KINDS[kind]
    except KeyError:
        raise KeyError(f"unknown record kind {kind!r}") from None


@record_kind("collection.scope")
class CollectionScope(Record):
    """A scope a collector listed (an account, an account x region): stored by the discovery
    Run, so scopes no longer listed stop counting."""


# --- identities ---------------------------------------------------------------------------


@record_kind("identity")
class Identity(Record):
    """A person's or machine's account in one source (AWS IAM user, Okta user, ...)."""

    source: str
    account: str = ""  # AWS account id, IdP tenant, ...
    email: str = ""
    person: bool = True
    privileged: bool | None = None
    privileged_via: list[str] = Field(default_factory=list)
    console_access: bool | None = None
    mfa_enrolled: bool | None = None
    factor_kinds: list[str] = Field(default_factory=list)
    mfa_enforced: bool | None = None  # enrolled is not enforced: None = the source does not say
    admin_roles: list[str] = Field(default_factory=list)
    # The vendor role that lets this account sign for every custody wallet of its scope (a
    # Fireblocks user whose role holds an MPC key share: OWNER, ADMIN, SIGNER); "" for none.
    signing_role: str = ""
    created_at: AwareDatetime | None = None
    last_used_at: AwareDatetime | None = None
    suspended: bool = False
    anomalies: list[str] = Field(default_factory=list)  # vendor values the mapper did not know
    # What the source says about who holds the account; vaultward.derived.people derives the identity
    # class (employee, guest, machine) from these and the policy. None: the source does not say.
    user_type: str = ""  # the source's own word for it, verbatim: Entra `userType` (member, guest)
    external: bool | None = None  # someone from outside the organisation (Entra B2B guest, Google guest)
    programmatic_access: bool | None = None  # holds an active long-lived API credential (IAM access key)
    # An external identity: the tenant accepts MFA done in the guest's home tenant (Entra
    # cross-tenant access inboundTrust), so an empty registration here does not show "no MFA".
    home_mfa_trusted: bool | None = None
    # The grant covers everything the source controls (AWS AdministratorAccess or Allow * on *,
    # Okta SUPER_ADMIN / ORG_ADMIN, Google super administrator), not a scoped administrator role.
    full_admin: bool | None = None

    @property
    def phishing_resistant(self) -> bool | None:
        """None when the source does not say which factors (Google's Directory API)."""
        if self.mfa_enrolled is None:
            return None
        if self.mfa_enrolled and not self.factor_kinds:
            return None
        return any(kind in PHISHING_RESISTANT_FACTORS for kind in self.factor_kinds)


@record_kind("identity.policy")
class MfaPolicy(Record):
    """An identity provider's sign-in or enrolment policy, as far as MFA goes."""

    source: str
    policy_kind: str  # e.g. okta ACCESS_POLICY / MFA_ENROLL, google 2sv enforcement
    active: bool = True
    applies_to: list[str] = Field(default_factory=list)  # groups, org units; ["everyone"]
    requires_mfa: bool | None = None
    phishing_resistant_required: bool | None = None
    allowed_factors: list[str] = Field(default_factory=list)
    anomalies: list[str] = Field(default_factory=list)


@record_kind("credential.access_key")
class AccessKey(Record):
    """A long-lived API credential (an IAM access key). `key` names its slot (`<user arn>#access_key_1`);
    the key id itself is not stored."""

    source: str
    account: str = ""
    identity: str  # key of the owning Identity
    active: bool
    created_at: AwareDatetime | None = None
    last_used_at: AwareDatetime | None = None


@record_kind("cloud.account")
class CloudAccount(Record):
    """A cloud account and its root / break-glass identity."""

    provider: str = "aws"
    account_id: str
    alias: str = ""
    zone: Zone = "unknown"
    root_mfa_enabled: bool | None = None
    root_access_keys_present: bool | None = None


@record_kind("org.account")
class OrgAccount(Record):
    """An account's place in its AWS organisation: the OU that holds it and the path to it."""

    account_id: str
    status: str = ""  # ACTIVE, SUSPENDED, PENDING_CLOSURE, ... as Organizations reports it
    parent_id: str  # the root (r-...) or OU (ou-...) directly holding the account
    ou_ids: list[str]  # from the root to `parent_id`
    ou_path: str  # names from the root to the parent, e.g. "Root/Workloads/Prod"
    zone: Zone = "unknown"

    @property
    def under_root(self) -> bool:
        return len(self.ou_ids) <= 1


# --- custody -------------------------------------------------------------------------------


IngressKind = Literal["cidr", "security_group", "prefix_list"]


class IngressSource(BaseModel):
    """One source a security group admits: a CIDR, another group, or a prefix list."""

    model_config = ConfigDict(frozen=True)

    source: str  # 10.40.8.0/24, ::/0, sg-..., pl-...
    source_kind: IngressKind
    ports: PortRange
    description: str = ""


@record_kind("custody.hsm_cluster")
class HsmCluster(Record):
    """A dedicated HSM cluster (AWS CloudHSM v2) and who its security group admits."""

    provider: str = "aws_cloudhsm"
    account: str = ""
    region: str = ""
    state: str
    mode: str = ""  # FIPS / NON_FIPS where the API tells
    hsm_count: int = 0
    active_hsm_count: int = 0
    availability_zones: list[str] = Field(default_factory=list)  # AZs of ACTIVE HSMs
    vpc_id: str = ""
    security_group: str = ""  # the group CloudHSM made for the HSMs' network interfaces
    security_group_name: str = ""  # its GroupName, when the group was read
    ingress: list[IngressSource] | None = None  # None: the group was not read


@record_kind("custody.key")
class SigningKey(Record):
    """A managed cryptographic key (AWS KMS) and what holds it."""

    provider: str = "aws_kms"
    account: str = ""
    region: str = ""
    arn: str = ""
    enabled: bool
    state: str = ""
    manager: str = ""  # AWS or CUSTOMER
    origin: str = ""  # AWS_KMS, AWS_CLOUDHSM, EXTERNAL, EXTERNAL_KEY_STORE
    key_usage: str = ""
    key_spec: str = ""
    custom_key_store_id: str = ""
    custom_key_store_type: str = ""
    description: str = ""
    tags: dict[str, str] = Field(default_factory=dict)

    @property
    def signing(self) -> bool:
        return self.key_usage == "SIGN_VERIFY"

    @property
    def hsm_backed(self) -> bool:
        """KMS keys live in KMS's FIPS-validated HSMs unless their material is imported or
        held outside AWS; CloudHSM key stores are HSM-backed too."""
        return self.origin in ("AWS_KMS", "AWS_CLOUDHSM")


class AssetBalance(BaseModel):
    """One asset a wallet holds, as the vendor reports it, in whole units of the asset (base
    units already divided by the asset's decimals). `amount` is None when the vendor's figure
    could not be read or converted (e.g. unknown decimals): the holding exists, its size is
    unknown."""

    model_config = ConfigDict(frozen=True)

    asset: str  # the symbol a price table names: BTC, ETH, USDC, or the vendor's asset id
    amount: Decimal | None  # stored as a decimal string: no float rounding
    vendor_id: str = ""  # the vendor's own name for it: token address, BitGo coin, Fireblocks id
    note: str = ""  # why `amount` is None, or what is odd about it


@record_kind("custody.wallet")
class Wallet(Record):
    """A multisig / MPC wallet or vault (Safe, BitGo, Fireblocks): who must sign, how many."""

    provider: str  # safe, bitgo, fireblocks
    chain: str = ""
    address: str = ""
    threshold: int | None = None  # m: signatures required of the `key_count` keys
    # n: the keys `threshold` counts as the vendor defines them (Safe owners; BitGo's user,
    # backup and BitGo keys); None where the vendor has none (MPC vaults: see the transfer policy)
    key_count: int | None = None
    # Who can sign, initiate or approve for the wallet (owner addresses / user ids as the vendor
    # names them), people or not; `signer_roles` says what each may do, in the vendor's words
    # (Safe `owner`; BitGo `spend`, `admin`; Fireblocks roles such as `SIGNER`).
    signers: list[str] = Field(default_factory=list)
    signer_roles: dict[str, list[str]] = Field(default_factory=dict)
    approvals_required: int | None = None  # people who must approve besides (BitGo approvalsRequired)
    multisig_type: str = ""  # onchain, tss, mpc, safe
    version: str = ""
    nonce: int | None = None
    modules: list[str] = Field(default_factory=list)
    guard: str = ""
    value_usd: float | None = None  # a USD value the vendor itself reports
    # What the wallet holds, per asset; None: not collected (the vendor does not offer it, or
    # the request failed: see the field gap `custody.wallet.balances`); []: holds nothing.
    balances: list[AssetBalance] | None = None
    tags: dict[str, str] = Field(default_factory=dict)
    anomalies: list[str] = Field(default_factory=list)

    @property
    def signer_count(self) -> int:
        return len(self.signers)

    @property
    def threshold_of(self) -> int | None:
        """n of the m-of-n. Safe facts stored before `key_count` was recorded count owners."""
        if self.key_count is not None:
            return self.key_count
        return len(self.signers) if self.multisig_type == "safe" else None


@record_kind("custody.policy")
class TransferPolicy(Record):
    """One rule of a custody platform's transfer policy (Fireblocks TAP, BitGo policy)."""

    provider: str
    wallet: str = ""  # the wallet it applies to, or "" for every wallet
    rule_kind: str = ""  # e.g. transfer, whitelist, velocity, approvals
    active: bool = True
    approvals_required: int | None = None
    initiator_can_approve: bool | None = None
    destinations_allowlisted: bool | None = None
    amount_from_usd: float | None = None
    amount_to_usd: float | None = None
    approvers: list[str] = Field(default_factory=list)
    details: dict[str, str] = Field(default_factory=dict)
    anomalies: list[str] = Field(default_factory=list)


# --- network -------------------------------------------------------------------------------


class ZoneClassification(BaseModel):
    """One rule of `policy.zones` that matched a VPC: its account, a tag or its CIDRs."""

    model_config = ConfigDict(frozen=True)

    rule: Literal["account", "tag", "cidr"]
    zone: Zone
    matched: str  # what matched, as a reader names it: "account 111111111111", "tag env=corp"

    def __str__(self) -> str:
        return f"{self.matched} says {self.zone}"


@record_kind("network.vpc")
class Vpc(Record):
    """A virtual network and the zone it belongs to (from its account, tags or CIDRs).

    `zone` is the first rule that matched (account, then tag, then CIDR); `classifications`
    holds every rule that matched. Where they disagree the zone is a conflict, and
    `vaultward.derived.zones` judges the VPC under each zone it could be in. Facts stored before
    classifications were recorded have none: their zone is the only candidate."""

    account: str = ""
    region: str = ""
    cidrs: list[str] = Field(default_factory=list)
    zone: Zone = "unknown"
    zone_reason: str = ""
    tags: dict[str, str] = Field(default_factory=dict)
    classifications: list[ZoneClassification] = Field(default_factory=list)


class PortRange(BaseModel):
    model_config = ConfigDict(frozen=True)

    protocol: str = "-1"  # tcp, udp, icmp, -1 (all)
    from_port: int | None = None
    to_port: int | None = None

    def covers(self, port: int) -> bool:
        if self.protocol not in ("-1", "tcp", "udp", "6", "17"):
            return False
        if self.from_port is None or self.to_port is None or self.protocol == "-1":
            return True
        return self.from_port <= port <= self.to_port

    def __str__(self) -> str:
        if self.protocol == "-1" or self.from_port is None:
            return "all traffic"
        if self.from_port == self.to_port:
            return f"{self.protocol}/{self.from_port}"
        return f"{self.protocol}/{self.from_port}-{self.to_port}"


@record_kind("network.path")
class NetworkPath(Record):
    """A way traffic can flow from one zone to another: peering, transit gateway, or a
    security-group rule that admits a source range."""

    account: str = ""
    region: str = ""
    path_kind: Literal["vpc_peering", "transit_gateway", "security_group"]
    from_zone: Zone
    to_zone: Zone
    from_ref: str = ""  # VPC id, CIDR, security group
    to_ref: str = ""
    from_account: str = ""  # the account owning each end VPC (peerings, transit gateways), if told
    to_account: str = ""
    ports: list[PortRange] = Field(default_factory=list)  # empty: all traffic
    vpcs: list[str] = Field(default_factory=list)  # ids of the VPCs the path reaches or joins
    state: str = "active"

    @property
    def open_to_internet(self) -> bool:
        return self.from_zone == "internet"

    def exposes(self, port: int) -> bool:
        return not self.ports or any(p.covers(port) for p in self.ports)


class AclEntry(BaseModel):
    """One network ACL rule. AWS applies the lowest-numbered rule that matches."""

    model_config = ConfigDict(frozen=True)

    rule_number: int
    egress: bool
    action: Literal["allow", "deny"]
    cidr: str  # IPv4 or IPv6
    ports: PortRange  # protocol and port range


@record_kind("network.acl")
class NetworkAcl(Record):
    """A VPC's network ACL: stateless rules for the subnets associated with it (the VPC's
    default ACL also takes every new subnet). Its zone is its VPC's."""

    account: str = ""
    region: str = ""
    vpc_id: str
    zone: Zone = "unknown"
    default: bool = False
    subnets: list[str] = Field(default_factory=list)
    entries: list[AclEntry] = Field(default_factory=list)


# --- detection -----------------------------------------------------------------------------


@record_kind("detection.trail")
class Trail(Record):
    """A CloudTrail trail and whether it is logging."""

    account: str = ""
    home_region: str = ""
    multi_region: bool = False
    organization_trail: bool = False
    logging: bool | None = None
    log_file_validation: bool = False


@record_kind("detection.threat_detector")
class ThreatDetector(Record):
    """GuardDuty in one account and region: enabled, or no detector at all."""

    account: str = ""
    region: str = ""
    detector_id: str = ""
    enabled: bool


# --- other tools ---------------------------------------------------------------------------


@record_kind("external.finding")
class ExternalFinding(Record):
    """A finding another posture tool already made (Prowler), kept with its provenance."""

    tool: str
    check_id: str  # the tool's own check id, e.g. iam_user_mfa_enabled_console_access
    status: str  # pass | fail | manual, or "other:<value>" (listed in anomalies)
    severity: str = ""
    resource: str = ""  # the resource's uid (an ARN)
    resource_type: str = ""
    provider: str = ""
    account: str = ""
    region: str = ""
    message: str = ""
    muted: bool = False
    observed_at: AwareDatetime | None = None
    provenance: dict[str, str] = Field(default_factory=dict)  # file, finding uid, tool version
    anomalies: list[str] = Field(default_factory=list)


# --- training ------------------------------------------------------------------------------


@record_kind("training.record")
class TrainingRecord(Record):
    """One person's enrolment in a training module (LMS, KnowBe4, CSV import)."""

    source: str
    person: str  # e-mail (lower case) or the identity key it belongs to
    module: str
    category: Literal["awareness", "lure", "other"] = "awareness"
    status: Literal["passed", "completed", "in_progress", "not_started", "past_due", "failed"]
    completed_at: AwareDatetime | None = None
    due_at: AwareDatetime | None = None
    raw_status: str = ""  # the vendor's own value, kept when it is not one the mapper knows
    anomalies: list[str] = Field(default_factory=list)


# What fails a phishing test, as KnowBe4 counts failures toward a phish-prone percentage
# (support: "Failures and Phish-prone Percentages", "Remove Failures from Phishing Test
# Results"); opening the message is not one, reporting it is the right answer.
PHISHING_FAILURES = (
    "clicked",
    "data_entered",
    "attachment_opened",
    "macro_enabled",
    "replied",
    "qr_code_scanned",
)


@record_kind("training.phishing_result")
class PhishingResult(Record):
    """One person's outcome in one phishing simulation. The flags are None when the message
    never reached them (or the source does not say)."""

    source: str
    person: str  # e-mail (lower case)
    campaign: str = ""
    test: str = ""  # the key of its PhishingTest ("" when the source lists no tests)
    sent_at: AwareDatetime | None = None
    delivered: bool | None = None
    clicked: bool | None = None
    reported: bool | None = None
    data_entered: bool | None = None
    attachment_opened: bool | None = None
    macro_enabled: bool | None = None
    replied: bool | None = None
    qr_code_scanned: bool | None = None

    @property
    def failures(self) -> tuple[str, ...] | None:
        """The ways they failed ((): none), or None when it is not known: the message never
        reached them, or a failure flag is missing."""
        flags = [getattr(self, name) for name in PHISHING_FAILURES]
        if self.delivered is not True or any(flag is None for flag in flags):
            return None
        return tuple(name for name, flag in zip(PHISHING_FAILURES, flags, strict=True) if flag)


@record_kind("training.phishing_test")
class PhishingTest(Record):
    """One phishing simulation sent to a group: one run of a campaign (a KnowBe4 phishing
    security test), with the counts the vendor reports for it."""

    source: str
    campaign: str = ""  # the campaign's name
    campaign_id: str = ""
    status: str = ""  # the vendor's own value ("Closed", "Open")
    final: bool | None = None  # its results are final (KnowBe4: Closed); None: not reported
    started_at: AwareDatetime | None = None
    scheduled: int | None = None  # recipients the vendor scheduled
    delivered: int | None = None  # messages the vendor counts as delivered
    vendor_percentage: float | None = None  # the vendor's phish-prone figure, on its own scale
    anomalies: list[str] = Field(default_factory=list)


@record_kind("training.phish_prone")
class PhishProne(Record):
    """A person's phish-prone percentage as the training platform computes it."""

    source: str
    person: str
    percentage: float | None = None
    as_of: AwareDatetime | None = None
