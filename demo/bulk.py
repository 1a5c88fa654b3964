"""Bulk loading for the demo seed: streamed ``COPY`` and index rebuilds around a big load.

* ``copy_lines`` streams rows into ``COPY … FROM STDIN`` while Python is still producing
  them, so PostgreSQL parses and inserts on one core while Python builds rows on the other.
* ``secondary_indexes_rebuilt`` drops a table's indexes that back no constraint and creates
  them again from their own definitions afterwards: building an index once over a million rows
  is many times cheaper than maintaining it row by row. Run it inside the load's transaction,
  so a failed load leaves the table and its indexes as they were.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection

# Passed to COPY in text format: NULL is \N; tab, newline and backslash are escaped.
NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
# Memory for each index build of the rebuild (a session setting, reset afterwards).
INDEX_BUILD_MEMORY = "256MB"


def text(value: str) -> str:
    return value.translate(_ESCAPES)


def timestamp(value: datetime | None) -> str:
    return NULL if value is None else value.isoformat()


def bytea(value: bytes) -> str:
    return "\\\\x" + value.hex()


class _LineReader:
    """A file-like object over an iterator of COPY lines; psycopg2 reads it in chunks."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines: Iterator[str] = iter(lines)
        self._buffer = ""

    def read(self, size: int = -1) -> str:
        parts = [self._buffer]
        length = len(self._buffer)
        for line in self._lines:
            parts.append(line)
            length += len(line)
            if 0 <= size <= length:
                break
        data = "".join(parts)
        if size < 0:
            self._buffer = ""
            return data
        self._buffer = data[size:]
        return data[:size]

    def readline(self, size: int = -1) -> str:
        return self.read(size)


def copy_lines(table: str, columns: list[str], lines: Iterable[str]) -> None:
    """``COPY table (columns) FROM STDIN``, each line tab-separated and newline-terminated."""
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(
            f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT text)",
            _LineReader(lines),
            size=1 << 16,
        )


def _secondary_indexes(table: str) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of the indexes of ``table`` that back no constraint."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            WHERE x.indrelid = %s::regclass
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
            ORDER BY i.relname
            """,
            [table],
        )
        return [(row[0], row[1]) for row in cursor.fetchall()]


@contextmanager
def secondary_indexes_rebuilt(table: str) -> Iterator[None]:
    """Drop the table's non-constraint indexes for the block, then build them again."""
    indexes = _secondary_indexes(table)
    with connection.cursor() as cursor:
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with connection.cursor() as cursor:
        # CREATE INDEX refuses to run while deferred foreign-key checks are queued: run them
        # now, then give Django's constraints back their deferred mode.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [INDEX_BUILD_MEMORY])
        for _, definition in indexes:
            cursor.execute(definition)
