"""Bulk loading for the demo seed: streamed ``COPY`` and index rebuilds around a big load.

* ``copy_lines`` streams rows into ``COPY … FROM STDIN`` while Python is still producing
  them, so PostgreSQL parses and inserts on one core while Python builds rows on the other.
* ``indexes_rebuilt`` drops a model's ``Meta.indexes`` and creates them again afterwards, with
  the SQL its migrations use: building an index once over a million rows is many times cheaper
  than maintaining it row by row. Run it inside the load's transaction, so a failed load leaves
  the table and its indexes as they were.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db import connection
from django.db.models import Model

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


@contextmanager
def indexes_rebuilt(model: type[Model]) -> Iterator[None]:
    """Drop the model's ``Meta.indexes`` for the block, then create them again as migrations do.

    Indexes that back a constraint (primary key, unique) stay: the load needs them.
    """
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.remove_index(model, index)
    yield
    with connection.cursor() as cursor:
        # CREATE INDEX refuses to run while deferred foreign-key checks are queued: run them
        # now, then give Django's constraints back their deferred mode.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET LOCAL maintenance_work_mem = %s", [INDEX_BUILD_MEMORY])
    with connection.schema_editor() as editor:
        for index in model._meta.indexes:
            editor.add_index(model, index)
