"""evaluation people: the census of identity classes (employees, guests, machines) each
evaluation saw, and who the guests are, for the weekly report and the People page

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        # The default stays, as Run.gaps' does: rows written without the column (older
        # writers, bulk seeding) read as "no census", never fail the insert.
        batch_op.add_column(sa.Column("people", sa.JSON(), nullable=False, server_default="{}"))


def downgrade() -> None:
    with op.batch_alter_table("evaluation", schema=None) as batch_op:
        batch_op.drop_column("people")
