"""inventory issues: the open findings of each person and custody object of an evaluation's
inventories as rows of their own, instead of a JSON list per person (at 100,000 identities the
People page spent seconds decoding 160,000 of them); the stored lists are moved over

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

import json
from collections import defaultdict

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# inventory name, its table, the column naming each subject
SUBJECTS = (("person", "inventoryperson", "person_id"), ("custody", "inventorycustody", "key"))
ISSUE_FIELDS = ("check_id", "status", "severity", "message")


def _issue_table() -> sa.Table:
    return sa.table(
        "inventoryissue",
        *(sa.column(name) for name in ("evaluation_id", "inventory", "subject_id", *ISSUE_FIELDS)),
    )


def _decoded(value: object) -> list[dict]:
    return json.loads(value) if isinstance(value, str) else list(value or [])  # type: ignore[call-overload]


def upgrade() -> None:
    op.create_table(
        "inventoryissue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("evaluation_id", sa.Integer(), nullable=False),
        sa.Column("inventory", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("subject_id", sa.Text(), nullable=False),
        sa.Column("check_id", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("severity", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["evaluation_id"], ["evaluation.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("inventoryissue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inventoryissue_evaluation_inventory", ["evaluation_id", "inventory"], unique=False
        )
    bind = op.get_bind()
    issues = _issue_table()
    for inventory, table, subject in SUBJECTS:
        stored = bind.execute(
            sa.text(f"SELECT evaluation_id, {subject}, issues FROM {table} ORDER BY id")  # noqa: S608
        )
        rows = [
            {"evaluation_id": evaluation_id, "inventory": inventory, "subject_id": subject_id,
             **{name: issue[name] for name in ISSUE_FIELDS}}
            for evaluation_id, subject_id, listed in stored
            for issue in _decoded(listed)
        ]  # fmt: skip
        if rows:
            bind.execute(sa.insert(issues), rows)
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("issues")


def downgrade() -> None:
    bind = op.get_bind()
    for inventory, table, subject in SUBJECTS:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("issues", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        listed: dict[tuple[int, str], list[dict]] = defaultdict(list)
        stored = bind.execute(
            sa.text(
                "SELECT evaluation_id, subject_id, check_id, status, severity, message "
                "FROM inventoryissue WHERE inventory = :inventory ORDER BY id"
            ),
            {"inventory": inventory},
        )
        for evaluation_id, subject_id, *fields in stored:
            listed[evaluation_id, subject_id].append(dict(zip(ISSUE_FIELDS, fields, strict=True)))
        update = sa.text(
            f"UPDATE {table} SET issues = :issues "  # noqa: S608
            f"WHERE evaluation_id = :evaluation_id AND {subject} = :subject_id"
        )
        for (evaluation_id, subject_id), issues in listed.items():
            bind.execute(
                update, {"issues": json.dumps(issues), "evaluation_id": evaluation_id, "subject_id": subject_id}
            )
    with op.batch_alter_table("inventoryissue", schema=None) as batch_op:
        batch_op.drop_index("ix_inventoryissue_evaluation_inventory")
    op.drop_table("inventoryissue")
