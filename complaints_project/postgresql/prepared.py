"""Server-side prepared statements, per database connection, for statements of a fixed shape.

PostgreSQL parses, analyses and plans every statement it is sent. For the reads every request
makes by primary key (the authenticated user, a complaint's detail), that work costs more than
running them: the detail statement (joins, a dozen subqueries) took ~0.8 ms of PostgreSQL's
time to parse and plan and ~0.1 ms to run, measured at 1M complaints; a list page ~0.6 ms to
parse and plan and ~0.6 ms to run. ``execute_prepared`` prepares such a statement once per
connection (``PREPARE``, in the same round trip as its first ``EXECUTE``) and afterwards only
executes it: PostgreSQL plans it for the first executions, then keeps a generic plan, which for
a lookup by primary key is the plan it would choose anyway.

Only for statements whose best plan does not depend on their parameters' values: lookups by
key, and lists whose filters each have an index walk that serves any value (a list searched by
a word or bounded by dates needs a plan for the values asked, and is sent as plain SQL:
``complaints.filters.VALUE_SENSITIVE_FILTERS``). Every text is its own statement: LIMIT and
OFFSET are part of Django's SQL text, so each page depth and each combination of filters is
prepared separately, up to ``MAX_PREPARED`` per connection.

The statements live in the PostgreSQL session, so this needs session-level connections
(Django's persistent connections, as here; not a transaction-mode pooler).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError
from django.db.backends.utils import CursorWrapper

# The statements a connection keeps at most; past it, it drops them all and starts again.
MAX_PREPARED = 200
_PLACEHOLDER = re.compile(r"%(%|s)")


def execute_prepared(cursor: CursorWrapper, sql: str, params: Sequence[Any]) -> None:
    """Execute ``sql`` (Django's ``%s`` placeholders) on ``cursor`` as a prepared statement of
    the cursor's connection, preparing it on first use; read the result from ``cursor``.

    Each statement gets a name used once: a ``PREPARE`` that failed (or whose ``EXECUTE`` did)
    is never assumed to exist, and is prepared again under a new name the next time.
    """
    db = cursor.db
    registry: dict[str, str] = db.prepared_statements
    name = registry.get(sql)
    arguments = f"({', '.join(['%s'] * len(params))})" if params else ""
    if name is not None:
        try:
            cursor.execute(f"EXECUTE {name}{arguments}", params)
        except DatabaseError:
            # Whatever failed (a value, or the statement itself: dropped, or its plan no longer
            # fits a table a migration changed), the next call prepares it again.
            del registry[sql]
            raise
        return
    if len(registry) >= MAX_PREPARED:
        cursor.execute("DEALLOCATE ALL")
        registry.clear()
    db.prepared_count += 1
    name = f"django_prepared_{db.prepared_count}"
    numbers = iter(range(1, len(params) + 1))
    # %s becomes $1, $2, ...; an escaped %% stays escaped for the EXECUTE's own parameters.
    body = _PLACEHOLDER.sub(lambda m: "%%" if m.group(1) == "%" else f"${next(numbers)}", sql)
    cursor.execute(f"PREPARE {name} AS {body}; EXECUTE {name}{arguments}", params)
    registry[sql] = name
