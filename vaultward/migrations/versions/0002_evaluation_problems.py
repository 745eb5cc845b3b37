"""evaluation problems: plugins that failed to load and checks that raised

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("problems", sa.JSON(), nullable=False, server_default="[]"))
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.alter_column("problems", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_column("problems")
