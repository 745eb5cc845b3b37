"""Alembic environment: runs on the engine handed over by `vaultward.store.db.upgrade`."""

from alembic import context
from sqlmodel import SQLModel

import vaultward.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    context.run_migrations()
