"""run owners: the process running each Run (host, pid, process start) and its heartbeat, so
a Run left `running` by a killed process is recognised and marked failed; an index on status
finds the running ones

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

import vaultward.store.models

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        # Older Runs have no owner: their start stands in for a heartbeat.
        batch_op.add_column(sa.Column("owner_host", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("owner_pid", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("owner_started", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("heartbeat_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_run_status", ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("run", schema=None) as batch_op:
        batch_op.drop_index("ix_run_status")
        batch_op.drop_column("heartbeat_at")
        batch_op.drop_column("owner_started")
        batch_op.drop_column("owner_pid")
        batch_op.drop_column("owner_host")
