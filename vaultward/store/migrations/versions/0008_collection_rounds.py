"""collection rounds: one per scheduled firing of a source on the task queue, one task per scope

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

import vaultward.store.models

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "collectionround",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("collector", sa.String(length=100), nullable=False),
        sa.Column("scheduled_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("scope_count", sa.Integer(), nullable=True),
        sa.Column("discovery_run_id", sa.Integer(), nullable=True),
        sa.Column("completed_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("evaluation_id", sa.Integer(), nullable=True),
        sa.Column("evaluated_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("collector", "scheduled_at", name="uq_collectionround_collector_scheduled"),
    )
    op.create_table(
        "roundtask",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=300), nullable=False),
        sa.Column("params", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["collectionround.id"]),
        sa.PrimaryKeyConstraint("round_id", "scope"),
    )


def downgrade() -> None:
    op.drop_table("roundtask")
    op.drop_table("collectionround")
