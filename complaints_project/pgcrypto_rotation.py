"""Re-encrypting every pgcrypto column from PGCRYPTO_KEY_PREVIOUS to PGCRYPTO_KEY, in batches.

One batch is one ``UPDATE`` over a primary-key range of one table, in its own transaction, so
the API keeps serving (reads of rows not reached yet fall back to the previous key) and a
stopped run loses at most the batch in flight. The SQL functions (accounts migration 0003)
read both keys from the connection's settings; no statement text carries a key. Rows already
under the current key are recognised and left untouched, which makes a run idempotent and lets
it resume from the start after any interruption.

The ``UPDATE`` reads and writes the same row, so a concurrent write to that row is either
waited for and re-checked (PostgreSQL re-evaluates the row under read committed) or comes
after ours; a value the API writes meanwhile is under the current key already.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from pgcrypto.mixins import PGPSymmetricKeyFieldMixin

from complaints_project.encrypted_fields import PGP_SYM_OPTIONS


def encrypted_columns() -> dict[type[models.Model], list[models.Field]]:
    """Every model with pgcrypto symmetric-key columns, and those columns."""
    found = {}
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [
            field
            for field in model._meta.concrete_fields
            if isinstance(field, PGPSymmetricKeyFieldMixin)
        ]
        if fields:
            found[model] = fields
    return found


@dataclass(frozen=True)
class ReencryptBatch:
    rows: int  # rows in the range
    reencrypted: int  # rows that had a column under the previous key
    last_pk: Any  # None: nothing after the cursor


def _reencrypt_sql(model: type[models.Model], fields: Iterable[models.Field]) -> str:
    quote = connection.ops.quote_name
    columns = [quote(field.column) for field in fields]
    assignments = ", ".join(f"{c} = pgcrypto_reencrypt({c}, %s)" for c in columns)
    all_current = " AND ".join(f"coalesce(pgcrypto_is_current({c}), true)" for c in columns)
    pk = quote(model._meta.pk.column)
    return (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "  # noqa: S608 - quoted names
        f"WHERE {pk} >= %s AND {pk} <= %s AND NOT ({all_current})"
    )


def pgcrypto_reencrypt_batch(
    *, model: type[models.Model], fields: list[models.Field], after_pk: Any, batch_size: int
) -> ReencryptBatch:
    """Re-encrypt the ``batch_size`` rows of ``model`` after ``after_pk`` (None: the first)."""
    keys = model._base_manager.order_by("pk")
    if after_pk is not None:
        keys = keys.filter(pk__gt=after_pk)
    pks = list(keys.values_list("pk", flat=True)[:batch_size])
    if not pks:
        return ReencryptBatch(rows=0, reencrypted=0, last_pk=None)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _reencrypt_sql(model, fields), [PGP_SYM_OPTIONS] * len(fields) + [pks[0], pks[-1]]
        )
        reencrypted = cursor.rowcount
    return ReencryptBatch(rows=len(pks), reencrypted=reencrypted, last_pk=pks[-1])
