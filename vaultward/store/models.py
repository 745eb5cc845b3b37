"""The store's tables (SQLModel). Schema changes go through Alembic migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, TypeDecorator, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on every backend (SQLite hands back naive datetimes)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; use UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Run(SQLModel, table=True):
    """One collector execution for one scope."""

    id: int | None = Field(default=None, primary_key=True)
    collector: str = Field(index=True, max_length=100)
    scope: str = Field(max_length=300)
    status: str = Field(default="running", max_length=20)  # running | ok | partial | failed
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    error: str | None = Field(default=None, sa_column=Column(Text))
    item_count: int = 0
    counts: dict[str, int] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # What a partial Run left out: vaultward.pipeline.gaps.Gap.to_json() of each.
    gaps: list[dict] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )
    # The process running it and its heartbeat (vaultward/store/run_owner.py); None on Runs
    # stored before they were.
    owner_host: str | None = Field(default=None, max_length=255)
    owner_pid: int | None = None
    owner_started: str | None = Field(default=None, max_length=200)
    heartbeat_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))

    __table_args__ = (
        Index("ix_run_collector_scope_started", "collector", "scope", "started_at"),
        # A source's last N runs across its scopes (the dashboard's Sources page).
        Index("ix_run_collector_started", "collector", "started_at"),
        # The Runs still running (vaultward/pipeline/orphans.py), without reading the history.
        Index("ix_run_status", "status"),
    )


class Fact(SQLModel, table=True):
    """One observed thing of one Run; `data` is validated by the record class of `kind`."""

    id: int | None = Field(default=None, primary_key=True)
    run_id: int = Field(foreign_key="run.id", index=True)
    kind: str = Field(max_length=100)
    key: str = Field(sa_column=Column(Text, nullable=False))  # resource ids (ARNs) can be long
    scope: str = Field(max_length=300)
    data: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))

    __table_args__ = (Index("ix_fact_run_kind", "run_id", "kind"),)


class Evaluation(SQLModel, table=True):
    """One scoring pass over the latest facts."""

    id: int | None = Field(default=None, primary_key=True)
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    finished_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    overall_score: float | None = None
    band: str = Field(default="", max_length=40)
    check_count: int = 0
    finding_count: int = 0
    runs: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Plugins that failed to load and checks that raised: reported here, skipped in scores.
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # The people it saw by identity class, and the guests (vaultward.derived.people.Census); {} when
    # stored before the census was.
    people: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default="{}")
    )


class Finding(SQLModel, table=True):
    """What one check said about one resource in one evaluation."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id")
    check_id: str = Field(max_length=120)
    mitigation: str = Field(max_length=40)
    severity: str = Field(max_length=20)
    resource: str = Field(sa_column=Column(Text, nullable=False))
    resource_name: str = Field(default="", sa_column=Column(Text, nullable=False))
    scope: str = Field(default="", max_length=300)
    status: str = Field(max_length=20)  # pass | fail | unknown | skipped | waived
    message: str = Field(sa_column=Column(Text, nullable=False))
    evidence: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    waiver_id: int | None = Field(default=None, foreign_key="waiver.id")

    __table_args__ = (
        # The mitigation page filters, counts and orders findings by these (its facets by scope).
        Index(
            "ix_finding_evaluation_mitigation_order",
            "evaluation_id",
            "mitigation",
            "status",
            "severity",
            "check_id",
        ),
        Index("ix_finding_evaluation_mitigation_scope", "evaluation_id", "mitigation", "scope"),
        Index("ix_finding_evaluation_check", "evaluation_id", "check_id"),
    )


class CheckScore(SQLModel, table=True):
    """One check's score in one evaluation: pre-computed so views never aggregate findings."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    check_id: str = Field(max_length=120)
    mitigation: str = Field(max_length=40)
    title: str = Field(max_length=300)
    severity: str = Field(max_length=20)
    weight: float
    score: float | None = None  # None: nothing to score (everything waived or skipped)
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0
    skipped: int = 0
    # The check's standard references when it ran: framework views of past evaluations
    # stay true to what the check cited then.
    references: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    # Who must act on its open findings ([policy.owners], vaultward.derived.owners), most named first.
    owners: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )


class MitigationScore(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    mitigation: str = Field(max_length=40)
    score: float | None = None  # None: no check of this mitigation is registered
    weight: float = 1.0
    check_count: int = 0
    passed: int = 0
    failed: int = 0
    unknown: int = 0
    waived: int = 0
    measured: bool = True  # False: every finding unknown (no data from any source)

    __table_args__ = (UniqueConstraint("evaluation_id", "mitigation"),)


WAIVER_EXPIRES_SOON = timedelta(days=14)


class Waiver(SQLModel, table=True):
    """An accepted risk: findings of `check_id` on resources matching `resource_pattern`."""

    id: int | None = Field(default=None, primary_key=True)
    check_id: str = Field(max_length=120, index=True)
    resource_pattern: str = Field(
        sa_column=Column(Text, nullable=False)
    )  # fnmatch pattern over the resource key
    reason: str = Field(sa_column=Column(Text, nullable=False))
    owner: str = Field(max_length=200)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))

    def state(self, now: datetime) -> str:
        """expired (no longer counts), expires soon (within two weeks) or active."""
        if self.expires_at <= now:
            return "expired"
        return "expires soon" if self.expires_at - now < WAIVER_EXPIRES_SOON else "active"


class AuditEvent(SQLModel, table=True):
    """An admin action on the dashboard or the CLI: who did what, when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    actor: str = Field(max_length=200)  # e-mail, "password admin", "local user", "cli:<user>"
    action: str = Field(max_length=60)  # e.g. waiver.create, waiver.revoke, report.generate
    target: str = Field(default="", sa_column=Column(Text, nullable=False))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Report(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    iso_week: str = Field(max_length=10, index=True)
    evaluation_id: int | None = Field(default=None, foreign_key="evaluation.id")
    generated_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    files: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    checksums: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    delivered_to: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class ReportDelivery(SQLModel, table=True):
    """One attempt to hand a report to one target (a folder, an S3 prefix, e-mail
    recipients): what was sent, with which checksums, and how it went. Failed deliveries stay
    as history; the target is tried again on the next run until one is `delivered`."""

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    target: str = Field(sa_column=Column(Text, nullable=False))  # folder:/x, s3://b/p/W/, email:a,b
    status: str = Field(max_length=20)  # delivered | failed
    attempts: int = 1
    error: str | None = Field(default=None, sa_column=Column(Text))  # redacted
    attempted_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    delivered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    checksums: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # S3 only: format -> {"key": ..., "version_id": ...} (version_id null without versioning)
    objects: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AlertState(SQLModel, table=True):
    """One alert condition (`check_failing:<check>`, `score_drop:<mitigation>`,
    `stale:<collector>:<scope>`): open until it recovers. One row per key, reused when the
    condition comes back, so each change alerts once."""

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=500)
    kind: str = Field(max_length=40)  # check_failing | score_drop | stale
    subject: str = Field(sa_column=Column(Text, nullable=False))  # check id, mitigation, "collector scope"
    opened_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    opened_evaluation_id: int = Field(foreign_key="evaluation.id")
    # What the alert says (title, message, severity, mitigation, evidence, link path, baseline).
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # Channels that accepted the opening notice; notified_at is set once all of them have.
    delivered_to: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    notified_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    delivery_error: str | None = Field(default=None, sa_column=Column(Text))  # redacted
    recovered_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))

    __table_args__ = (UniqueConstraint("key", name="uq_alertstate_key"),)


class JobLease(SQLModel, table=True):
    """Which worker runs a scheduled job: held while it runs and, once done, until the job's
    next firing, so workers sharing one store run each firing once (vaultward/store/job_lease.py)."""

    job_id: str = Field(primary_key=True, max_length=200)  # collect:<source>, evaluate, report:weekly
    owner: str = Field(max_length=300)  # host:pid:uuid of the worker
    acquired_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CollectionRound(SQLModel, table=True):
    """One scheduled firing of a source when collection is spread over a task queue: its
    scopes are collected once each (RoundTask), then it is evaluated once (task_queue.py)."""

    id: int | None = Field(default=None, primary_key=True)
    collector: str = Field(max_length=100)
    scheduled_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    scope_count: int | None = None  # None until the scopes are listed
    discovery_run_id: int | None = None
    completed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    evaluation_id: int | None = None
    evaluated_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))

    __table_args__ = (
        UniqueConstraint("collector", "scheduled_at", name="uq_collectionround_collector_scheduled"),
    )


class RoundTask(SQLModel, table=True):
    """One scope of one round: pending, running (under the claim lease
    `collect:<round>:<scope>`), done once a Run of it finished."""

    round_id: int = Field(foreign_key="collectionround.id", primary_key=True)
    scope: str = Field(max_length=300, primary_key=True)
    # The scope's params when they are plain JSON; None: the worker lists the scopes again.
    params: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON))
    status: str = Field(default="pending", max_length=20)  # pending | running | done
    run_id: int | None = None  # the Run collecting it (the latest attempt's)
    attempts: int = 0


class InventoryPerson(SQLModel, table=True):
    """One person (or machine identity) as an evaluation resolved them under its policy
    (vaultward.derived.inventory.PersonView), stored with its findings for the People page."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    person_id: str = Field(sa_column=Column(Text, nullable=False))  # e-mail, identity:<key>, machine:<key>
    name: str = Field(sa_column=Column(Text, nullable=False))
    identity_class: str = Field(max_length=20)  # employee | guest | machine
    why: str = Field(default="", sa_column=Column(Text, nullable=False))
    active: bool = True
    identities: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sources: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mfa: bool | None = None
    factor_kinds: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phishing_resistant: bool | None = None
    awareness_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    lure_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    training_measured: bool = False
    privileged: bool | None = None
    roles: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    signer_for: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))

    # the People page's joins of findings to people (migration 0014)
    __table_args__ = (Index("ix_inventoryperson_evaluation_person", "evaluation_id", "person_id"),)


class InventoryCustody(SQLModel, table=True):
    """One wallet, signing key or HSM cluster as an evaluation judged it under its policy
    (vaultward.derived.inventory.CustodyView), stored with its findings for the Wallets page."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id", index=True)
    kind: str = Field(max_length=20)  # wallet | signing key | HSM cluster
    key: str = Field(sa_column=Column(Text, nullable=False))
    name: str = Field(sa_column=Column(Text, nullable=False))
    provider: str = Field(max_length=100)
    scope: str = Field(max_length=300)
    threshold: str = Field(default="", sa_column=Column(Text, nullable=False))
    hsm_backing: str = Field(default="", sa_column=Column(Text, nullable=False))
    # [{id, person, roles, why_not}]: each signer tied to a person (e-mail) or why not.
    signers: list[dict] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    policy: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    value_tier: str = Field(default="", max_length=20)
    value_usd: str = Field(default="", sa_column=Column(Text, nullable=False))


class InventoryIssue(SQLModel, table=True):
    """One open finding about one person or custody object of an evaluation's inventories, a
    row of its own (worst first per subject, in id order): at 100,000 identities the People
    page reads 160,000 of them, which as JSON lists per person took seconds to decode."""

    id: int | None = Field(default=None, primary_key=True)
    evaluation_id: int = Field(foreign_key="evaluation.id")
    inventory: str = Field(max_length=20)  # person | custody
    subject_id: str = Field(sa_column=Column(Text, nullable=False))  # person_id or custody key
    check_id: str = Field(max_length=120)
    status: str = Field(max_length=20)
    severity: str = Field(max_length=20)
    message: str = Field(sa_column=Column(Text, nullable=False))

    __table_args__ = (
        Index("ix_inventoryissue_evaluation_inventory", "evaluation_id", "inventory"),
        Index("ix_inventoryissue_evaluation_subject", "evaluation_id", "inventory", "subject_id"),
    )
