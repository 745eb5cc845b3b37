"""The spool a Run's facts wait in until they are written: every fact back, in order and
byte for byte, whether it stayed in memory or moved to disk."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vaultward.contract.records import CollectionScope
from vaultward.pipeline import spool
from vaultward.pipeline.spool import FactRow, FactSpool


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=40), max_size=30))
def test_every_fact_comes_back_in_order(keys):
    records = [CollectionScope(key=key, scope="any") for key in keys]
    with FactSpool() as facts:
        for record in records:
            facts.add(record)
        assert len(facts) == len(records) and bool(facts) == bool(records)
        assert list(facts.rows()) == [FactRow.of(record) for record in records]
        assert list(facts.rows()) == [FactRow.of(record) for record in records], "read again"


def test_a_spool_past_its_memory_moves_to_disk_and_keeps_appending(monkeypatch):
    monkeypatch.setattr(spool, "IN_MEMORY", 2_000)
    with FactSpool() as facts:
        first = [CollectionScope(key=f"scope-{n:04d}-\u00e9\u2028\U0001f511", scope="s") for n in range(50)]
        for record in first:
            facts.add(record)
        assert facts._file._rolled  # on disk: past 2,000 bytes
        assert [row.key for row in facts.rows()] == [record.key for record in first]
        facts.add(CollectionScope(key="after a read", scope="s"))
        assert [row.key for row in facts.rows()][-2:] == [first[-1].key, "after a read"]
        assert facts.counts == {CollectionScope.kind: 51}
        assert list(facts.rows())[:50] == [FactRow.of(record) for record in first]


def test_an_add_while_reading_or_after_an_abandoned_read_appends():
    """A read left half-way (the writing transaction failed) or an add between two rows
    never overwrites a fact."""
    records = [CollectionScope(key=key, scope="s") for key in ("a", "b", "c")]
    with FactSpool() as facts:
        for record in records:
            facts.add(record)
        reading = facts.rows()
        assert next(reading).key == "a"
        facts.add(CollectionScope(key="d", scope="s"))  # between two rows of a read
        assert [row.key for row in reading] == ["b", "c"]  # the read goes on where it was
        abandoned = facts.rows()
        next(abandoned)
        del abandoned
        facts.add(CollectionScope(key="e", scope="s"))
        assert [row.key for row in facts.rows()] == ["a", "b", "c", "d", "e"]
