"""people page indexes: the People page pages its people and their open findings in SQL (at
100,000 identities building frames of all 65,000 people and 160,000 findings took 1.8 s); a
person is found by evaluation and person id (the findings' join) and a person's findings by
evaluation, inventory and subject (the "failing only" filter and the search in check ids)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inventoryperson", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventoryperson_evaluation_person", ["evaluation_id", "person_id"], unique=False
        )
    with op.batch_alter_table("inventoryissue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventoryissue_evaluation_subject", ["evaluation_id", "inventory", "subject_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("inventoryissue", schema=None) as batch_op:
        batch_op.drop_index("ix_inventoryissue_evaluation_subject")
    with op.batch_alter_table("inventoryperson", schema=None) as batch_op:
        batch_op.drop_index("ix_inventoryperson_evaluation_person")
