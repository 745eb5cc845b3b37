"""index findings as the mitigation page filters and orders them: its counts, facets and pages
come from the index, not from a scan of every finding of the evaluation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_evaluation_mitigation_status")
        batch_op.create_index(
            "ix_finding_evaluation_mitigation_order",
            ["evaluation_id", "mitigation", "status", "severity", "check_id"],
            unique=False,
        )
        batch_op.create_index(
            "ix_finding_evaluation_mitigation_scope", ["evaluation_id", "mitigation", "scope"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("finding", schema=None) as batch_op:
        batch_op.drop_index("ix_finding_evaluation_mitigation_scope")
        batch_op.drop_index("ix_finding_evaluation_mitigation_order")
        batch_op.create_index(
            "ix_finding_evaluation_mitigation_status", ["evaluation_id", "mitigation", "status"], unique=False
        )
