"""evaluation inventories: the people and the custody objects (wallets, signing keys, HSM
clusters) each evaluation resolved under its policy, stored with its findings, so the People
and Wallets pages read what the checks judged instead of resolving the facts again

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

import vaultward.store.models

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inventoryperson",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("identity_class", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("why", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("identities", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("mfa", sa.Boolean(), nullable=True),
        sa.Column("factor_kinds", sa.JSON(), nullable=False),
        sa.Column("phishing_resistant", sa.Boolean(), nullable=True),
        sa.Column("awareness_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("lure_at", vaultward.store.models.UtcDateTime(timezone=True), nullable=True),
        sa.Column("training_measured", sa.Boolean(), nullable=False),
        sa.Column("privileged", sa.Boolean(), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("signer_for", sa.JSON(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inventoryperson", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventoryperson_evaluation_id"), ["evaluation_id"], unique=False)

    op.create_table(
        "inventorycustody",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("provider", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("threshold", sa.Text(), nullable=False),
        sa.Column("hsm_backing", sa.Text(), nullable=False),
        sa.Column("signers", sa.JSON(), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("value_tier", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value_usd", sa.Text(), nullable=False),
        sa.Column("issues", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inventorycustody", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_inventorycustody_evaluation_id"), ["evaluation_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("inventorycustody", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventorycustody_evaluation_id"))
    op.drop_table("inventorycustody")
    with op.batch_alter_table("inventoryperson", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_inventoryperson_evaluation_id"))
    op.drop_table("inventoryperson")
