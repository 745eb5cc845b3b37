"""A Run's collected facts until they are written: each as it will be stored (kind, key and
its data as compact JSON), appended to a temporary file that stays in memory up to
`IN_MEMORY` bytes and moves to disk beyond, then read back a batch at a time while the Run's
facts are written in one transaction.

Holding them in a list instead cost a 100,000-event sign-in log some 65 MiB of Python
objects for the whole Run, and kept the process's memory that much higher afterwards
(benchmarks/signin_logs.py). The file is the operating system's anonymous temporary file
(mode 0600, unlinked at once on POSIX) and holds only what the store will hold.
"""

from __future__ import annotations

import struct
import tempfile
from collections import Counter
from collections.abc import Iterator
from typing import NamedTuple

from vaultward.contract.records import Record

IN_MEMORY = 4 * 1024 * 1024  # bytes kept in memory before the spool moves to disk
_HEADER = struct.Struct("<III")  # the lengths of kind, key and data, in bytes


class FactRow(NamedTuple):
    """A collected record as its fact is stored: its data as compact JSON, without its
    scope (a Run's facts are stored under the Run's scope whatever a record says)."""

    kind: str
    key: str
    data: bytes  # `Record.data()` as JSON

    @classmethod
    def of(cls, record: Record) -> FactRow:
        return cls(record.kind, record.key, record.model_dump_json(exclude={"scope"}).encode())


class FactSpool:
    """The facts a Run collected, in the order collected; `counts` per kind as they come."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=IN_MEMORY, mode="w+b")  # noqa: SIM115 - closed by close()
        self.counts: Counter[str] = Counter()

    def __len__(self) -> int:
        return self.counts.total()

    def add(self, record: Record) -> None:
        row = FactRow.of(record)
        kind, key = row.kind.encode(), row.key.encode()
        self._file.seek(0, 2)  # at the end, wherever a read (whole or abandoned) left it
        self._file.write(_HEADER.pack(len(kind), len(key), len(row.data)) + kind + key + row.data)
        self.counts[row.kind] += 1

    def rows(self) -> Iterator[FactRow]:
        """The facts added before it began, in order, read back from the start (each read
        from its own offset: an `add` between two rows moves the file's position)."""
        file, position = self._file, 0
        for _ in range(len(self)):
            file.seek(position)
            kind_length, key_length, data_length = _HEADER.unpack(file.read(_HEADER.size))
            kind, key = file.read(kind_length).decode(), file.read(key_length).decode()
            data = file.read(data_length)
            position = file.tell()
            yield FactRow(kind, key, data)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> FactSpool:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
