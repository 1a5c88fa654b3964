"""What the database was asked, with prepared statements shown as the SQL they run."""

import re

from django.db import connection

_EXECUTE = re.compile(r"^EXECUTE (\w+)")


def statement_texts(captured_queries) -> list[str]:
    """The captured statements' SQL; an ``EXECUTE`` of a prepared statement is replaced by the
    statement's text as the server holds it (``pg_prepared_statements``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        prepared = dict(cursor.fetchall())
    texts = []
    for query in captured_queries:
        sql = query["sql"]
        match = _EXECUTE.match(sql)
        texts.append(prepared[match.group(1)] if match else sql)
    return texts
