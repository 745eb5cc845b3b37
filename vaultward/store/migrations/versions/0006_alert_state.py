"""alert state: one row per alert condition, open until it recovers (alerts between reports)

Revision ID: 0006
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import vaultward.store.models

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alertstate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("opened_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("opened_evaluation_id", sa.Integer(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("delivered_to", sa.JSON(), nullable=False),
        sa.Column("notified_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("delivery_error", sa.Text(), nullable=True),
        sa.Column("recovered_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["opened_evaluation_id"], ["evaluation.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("key", name="uq_alertstate_key"),
    )


def downgrade() -> None:
    op.drop_table("alertstate")
