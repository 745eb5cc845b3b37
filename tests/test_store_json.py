"""JSON columns read back through orjson, with the standard library for what orjson refuses:
what was stored is what comes back, on both stores."""

from __future__ import annotations

import math

from sqlmodel import Session, select

from tests.factories import add_run
from vaultward.store.db import load_json
from vaultward.store.models import Fact


def test_what_orjson_refuses_falls_back_to_the_standard_library():
    assert load_json('{"a": [1, 2.5, "é"]}') == {"a": [1, 2.5, "é"]}
    assert load_json(b'{"big": 1180591620717411303424}') == {"big": 2**70}
    assert math.isnan(load_json('{"x": NaN}')["x"])


def test_fact_data_round_trips_through_the_store(engine):
    data = {"big": 2**70, "text": "zürich \u2028 \U0001f510", "nested": {"list": [None, True, 1.5]}}
    with Session(engine) as session:
        run = add_run(session)
        session.add(Fact(run_id=run.id, kind="aws.iam_user", key="k", scope="aws:1", data=data))
        session.commit()
    with Session(engine) as session:
        assert session.exec(select(Fact.data)).one() == data
