from datetime import datetime

import pytest
from pydantic import ValidationError

from tests.factories import make_identity
from vaultward.contract.records import RECORD_KINDS, Identity, record_class, record_kind


def test_naive_datetimes_are_refused():
    with pytest.raises(ValidationError, match="timezone"):
        make_identity(last_used_at=datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test


def test_round_trip_through_fact_data():
    identity = make_identity(factor_kinds=["u2f"], scope="aws:1")
    stored = identity.data()
    assert "scope" not in stored
    again = record_class("identity").model_validate({**stored, "scope": "aws:1"})
    assert again == identity and again.phishing_resistant is True


def test_a_kind_registers_once():
    assert RECORD_KINDS["identity"] is Identity
    with pytest.raises(ValueError, match="already registered"):
        record_kind("identity")(type("Other", (Identity,), {}))
