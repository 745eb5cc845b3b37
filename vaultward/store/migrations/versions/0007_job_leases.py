"""job leases: which worker runs a scheduled job, so two workers never run the same firing

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

import vaultward.store.models

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "joblease",
        sa.Column("job_id", sa.String(length=200), nullable=False),
        sa.Column("owner", sa.String(length=300), nullable=False),
        sa.Column("acquired_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("job_id"),
    )


def downgrade() -> None:
    op.drop_table("joblease")
