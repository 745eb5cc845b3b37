"""Custody records: HSM clusters, signing keys, wallets and their balances, transfer policies."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from vaultward.contract.records.base import Record, record_kind
from vaultward.contract.records.network import PortRange

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
