"""Identity records: people and machine accounts, MFA policies, access keys, cloud accounts."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from vaultward.contract.records.base import (
    PHISHING_RESISTANT_FACTORS,
    Record,
    Zone,
    record_kind,
    recorded_zone_field,
)

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
    """A cloud account and its root / break-glass identity. Its zone is derived from
    `account_id` under `policy.zones` (`ctx.zones.account`)."""

    provider: str = "aws"
    account_id: str
    alias: str = ""
    recorded_zone: Zone | None = recorded_zone_field()  # facts stored before issue 17 only
    root_mfa_enabled: bool | None = None
    root_access_keys_present: bool | None = None


@record_kind("org.account")
class OrgAccount(Record):
    """An account's place in its AWS organisation: the OU that holds it and the path to it.
    Its zone is derived from `account_id` under `policy.zones` (`ctx.zones.account`)."""

    account_id: str
    status: str = ""  # ACTIVE, SUSPENDED, PENDING_CLOSURE, ... as Organizations reports it
    parent_id: str  # the root (r-...) or OU (ou-...) directly holding the account
    ou_ids: list[str]  # from the root to `parent_id`
    ou_path: str  # names from the root to the parent, e.g. "Root/Workloads/Prod"
    # The account's tags (Organizations ListTagsForResource); None: not read (an older fact,
    # or the request was refused), which is not the same as no tags.
    tags: dict[str, str] | None = None
    recorded_zone: Zone | None = recorded_zone_field()  # facts stored before issue 17 only

    @property
    def under_root(self) -> bool:
        return len(self.ou_ids) <= 1
