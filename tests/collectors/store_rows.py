"""What the SaaS collector tests read back from the store: every Run and Fact, and a check
that no secret reached either."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from vaultward.store.models import Fact, Run


def stored(engine) -> tuple[list[Run], list[Fact]]:
    with Session(engine) as session:
        return (
            list(session.exec(select(Run).order_by(Run.id)).all()),  # type: ignore[arg-type]
            list(session.exec(select(Fact).order_by(Fact.id)).all()),  # type: ignore[arg-type]
        )


def assert_no_secret(engine, outcome, *secrets: str) -> None:
    runs, facts = stored(engine)
    dump = json.dumps([row.model_dump(mode="json") for row in [*runs, *facts]]) + str(outcome)
    for secret in secrets:
        assert secret not in dump
