"""Django's PostgreSQL backend, handing the pgcrypto keys to every connection when it opens.

The keys travel in the connection's startup packet (libpq ``options``: ``-c app.pgcrypto_key=…``),
so no SQL statement contains them: not ``pg_stat_activity``, not the statement log, not Django's
query log. The encrypted fields read them with ``current_setting()``
(``complaints_project/encrypted_fields.py``). A connection opened any other way (``psql``,
``manage.py dbshell``) has no key and cannot read or write encrypted columns.
"""

from django.conf import settings
from django.db.backends.postgresql import base

from complaints_project.encrypted_fields import pgcrypto_connection_options


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The session's prepared statements by SQL text (``prepared.execute_prepared``).
        self.prepared_statements: dict[str, str] = {}
        self.prepared_count = 0

    def get_new_connection(self, conn_params):
        # A new session has none of the old one's prepared statements.
        self.prepared_statements = {}
        return super().get_new_connection(conn_params)

    def get_connection_params(self):
        params = super().get_connection_params()
        keys = pgcrypto_connection_options(
            current=settings.PGCRYPTO_KEY, previous=settings.PGCRYPTO_KEY_PREVIOUS
        )
        params["options"] = " ".join(filter(None, [params.get("options"), keys]))
        return params
