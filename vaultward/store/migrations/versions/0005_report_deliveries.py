"""report deliveries: each hand-over of a report to a folder, S3 or e-mail, with its checksums

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""

import sqlalchemy as sa
from alembic import op

import vaultward.store.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reportdelivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("attempted_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("checksums", sa.JSON(), nullable=False),
        sa.Column("objects", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["report_id"], ["report.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("reportdelivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reportdelivery_report_id"), ["report_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reportdelivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reportdelivery_report_id"))
    op.drop_table("reportdelivery")
