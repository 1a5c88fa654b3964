from collections.abc import Iterable
from functools import cache
from typing import Any
from uuid import UUID

from django.db import connection

from accounts.blind_index import email_blind_indexes
from accounts.models import PERSONAL_FIELDS, EmailOptOut, User
from accounts.notification_kinds import notification_kinds_for
from complaints_project.postgresql.prepared import execute_prepared


def user_get_by_email(*, email: str) -> User | None:
    return User.objects.filter(email_hash__in=email_blind_indexes(email)).first()


def role_has_active_users(*, role: str) -> bool:
    return User.objects.filter(role=role, is_active=True).exists()


def notification_preferences(*, user: User) -> list[dict[str, Any]]:
    """Every kind the user can receive, with whether it is emailed to them."""
    off = set(EmailOptOut.objects.filter(user=user).values_list("kind", flat=True))
    return [
        {"kind": kind.key, "description": kind.label, "email": kind.key not in off}
        for kind in notification_kinds_for(user.role)
    ]


def users_emailed(*, user_ids: Iterable[Any], kind: str) -> set[Any]:
    """Those of ``user_ids`` who have not turned off email for ``kind`` (one query)."""
    ids = set(user_ids)
    if not ids:
        return set()
    off = EmailOptOut.objects.filter(user_id__in=ids, kind=kind).values_list("user_id", flat=True)
    return ids - set(off)


def user_get_for_authentication(*, user_id: UUID | str) -> User:
    """The user a token names, without the encrypted personal columns (nothing is decrypted).

    Roles, activity and the password digest are all that authentication, permissions and
    visibility read; a later use of the email, name or phone loads them (one query for all).
    Every authenticated request runs this, so its SQL is built once from the model (what
    ``User.objects.defer(*PERSONAL_FIELDS).get(pk=…)`` selects): building the queryset and
    compiling it cost 0.5 ms of the 0.65 ms the ORM spends here; and it runs as a prepared
    statement (``complaints_project.postgresql.prepared``). Raises ``User.DoesNotExist``.
    """
    columns, sql = _authentication_sql()
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, [user_id])
        row = cursor.fetchone()
    if row is None:
        raise User.DoesNotExist
    return User.from_db(connection.alias, columns, row)


@cache
def _authentication_sql() -> tuple[list[str], str]:
    quote = connection.ops.quote_name
    table = quote(User._meta.db_table)
    fields = [f for f in User._meta.concrete_fields if f.name not in PERSONAL_FIELDS]
    select = ", ".join(f"{table}.{quote(str(f.column))}" for f in fields)
    pk = f"{table}.{quote(str(User._meta.pk.column))}"
    sql = f"SELECT {select} FROM {table} WHERE {pk} = %s"  # noqa: S608 - the model's own names
    return [f.attname for f in fields], sql
