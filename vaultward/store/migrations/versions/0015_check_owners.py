"""check owners: who must act on each check's open findings under [policy.owners], as the
evaluation resolved them, for Fix first, the mitigation pages and the weekly report

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkscore", schema=None) as batch_op:
        # Older rows read as "no owner configured", as Evaluation.people's default does.
        batch_op.add_column(sa.Column("owners", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))


def downgrade() -> None:
    with op.batch_alter_table("checkscore", schema=None) as batch_op:
        batch_op.drop_column("owners")
