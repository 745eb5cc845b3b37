"""The Alembic migrations build exactly the schema the models describe, on both stores."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel

from vaultward.store.db import current_revision, head_revision


def test_migrations_match_models(engine):
    assert current_revision(engine) == head_revision(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_0013_moves_the_stored_open_findings_to_rows_and_back(engine):
    """Inventories stored before 0013 keep their open findings: the JSON lists become
    InventoryIssue rows, in order, and a downgrade puts them back."""
    import json
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import text
    from sqlmodel import Session

    from tests.factories import add_evaluation
    from vaultward.store.db import alembic_config

    with Session(engine) as session:
        evaluation_id = add_evaluation(session, datetime(2026, 12, 1, tzinfo=UTC), overall=50.0).id
        session.commit()
    config = alembic_config(engine)
    command.downgrade(config, "0012")
    issues = [
        {"check_id": "access.root_mfa", "status": "fail", "severity": "critical", "message": "no MFA"},
        {"check_id": "training.awareness_recent", "status": "unknown", "severity": "low", "message": "?"},
    ]
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO inventoryperson (evaluation_id, person_id, name, identity_class, why, active, "
                "identities, sources, factor_kinds, training_measured, roles, signer_for, issues) VALUES "
                "(:e, 'a@x.io', 'A', 'employee', '', true, '[]', '[]', '[]', false, '[]', '[]', :issues)"
            ),
            {"e": evaluation_id, "issues": json.dumps(issues)},
        )
        connection.execute(
            text(
                "INSERT INTO inventorycustody (evaluation_id, kind, key, name, provider, scope, threshold, "
                "hsm_backing, signers, policy, value_tier, value_usd, issues) VALUES "
                "(:e, 'wallet', 'safe:1', 'cold', 'safe', 'safe:eth', '', '', '[]', '[]', '', '', :issues)"
            ),
            {"e": evaluation_id, "issues": json.dumps(issues[:1])},
        )
    command.upgrade(config, "head")
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT inventory, subject_id, check_id, status, severity, message FROM inventoryissue ORDER BY id"
            )
        ).all()
    assert [tuple(row) for row in rows] == [
        ("person", "a@x.io", *issues[0].values()),
        ("person", "a@x.io", *issues[1].values()),
        ("custody", "safe:1", *issues[0].values()),
    ]
    command.downgrade(config, "0012")
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT issues FROM inventoryperson")).scalar_one()
    assert (json.loads(stored) if isinstance(stored, str) else stored) == issues
    command.upgrade(config, "head")
