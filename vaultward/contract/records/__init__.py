"""Typed fact kinds: the records collectors produce and checks read.

A `Fact` row stores a record's `data` as JSON under its `kind`; the record class defines and
validates that data. New kinds (from plugins too) register with `@record_kind` and need no
database migration.

One module per domain; this package re-exports every record, so
`from vaultward.contract.records import Identity` is the one import checks need.
"""

from __future__ import annotations

from vaultward.contract.records.base import (
    OTHER_FACTORS,
    PHISHING_RESISTANT_FACTORS,
    RECORD_KINDS,
    CollectionScope,
    Record,
    Unreadable,
    Zone,
    record_class,
    record_kind,
)
from vaultward.contract.records.custody import (
    AssetBalance,
    HsmCluster,
    IngressKind,
    IngressSource,
    SigningKey,
    TransferPolicy,
    Wallet,
)
from vaultward.contract.records.detection import (
    ExternalFinding,
    ThreatDetector,
    Trail,
)
from vaultward.contract.records.endpoint import (
    PLATFORMS,
    Device,
    SigninEvent,
    SigninLog,
)
from vaultward.contract.records.identity import (
    AccessKey,
    CloudAccount,
    Identity,
    MfaPolicy,
    OrgAccount,
)
from vaultward.contract.records.network import (
    AclEntry,
    NetworkAcl,
    NetworkPath,
    PortRange,
    Vpc,
    ZoneClassification,
)
from vaultward.contract.records.training import (
    PHISHING_FAILURES,
    PhishingResult,
    PhishingTest,
    PhishProne,
    TrainingRecord,
)

__all__ = [
    "AccessKey",
    "AclEntry",
    "AssetBalance",
    "CloudAccount",
    "CollectionScope",
    "Device",
    "ExternalFinding",
    "HsmCluster",
    "Identity",
    "IngressKind",
    "IngressSource",
    "MfaPolicy",
    "NetworkAcl",
    "NetworkPath",
    "OTHER_FACTORS",
    "OrgAccount",
    "PHISHING_FAILURES",
    "PHISHING_RESISTANT_FACTORS",
    "PLATFORMS",
    "RECORD_KINDS",
    "PhishProne",
    "PhishingResult",
    "PhishingTest",
    "PortRange",
    "Record",
    "SigninEvent",
    "SigninLog",
    "SigningKey",
    "ThreatDetector",
    "Trail",
    "TrainingRecord",
    "TransferPolicy",
    "Unreadable",
    "Vpc",
    "Wallet",
    "Zone",
    "ZoneClassification",
    "record_class",
    "record_kind",
]
