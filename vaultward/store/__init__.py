"""The store: engines, the SQLModel tables, Alembic migrations, the unit of work (callers own
transactions), bulk finding writes, waivers and retention."""
