"""Prepared statements per connection (complaints_project/postgresql/prepared.py)."""

from typing import cast

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError, DataError

from complaints_project.postgresql import prepared
from complaints_project.postgresql.base import DatabaseWrapper
from complaints_project.postgresql.prepared import execute_prepared

pytestmark = pytest.mark.django_db

SQL = "SELECT %s::int + 1, '100%%'"


def _registry() -> dict[str, str]:
    return cast(DatabaseWrapper, connection).prepared_statements


def _server_statements() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        return {name for (name,) in cursor.fetchall()}


def _run(sql, params):
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, params)
        return cursor.fetchall()


def test_a_statement_is_prepared_once_then_executed_with_each_call_s_values():
    assert _run(SQL, [1]) == [(2, "100%")]
    name = _registry()[SQL]
    assert name in _server_statements()
    assert _run(SQL, [41]) == [(42, "100%")]  # the same statement, other values
    assert _registry()[SQL] == name


def test_one_round_trip_each_time(django_assert_num_queries):
    with django_assert_num_queries(1):  # PREPARE and EXECUTE together
        _run("SELECT %s::int * 3", [2])
    with django_assert_num_queries(1):
        assert _run("SELECT %s::int * 3", [3]) == [(9,)]


def test_a_failed_execution_is_prepared_again_under_a_new_name():
    sql = "SELECT 10 / %s::int"
    with pytest.raises(DataError), transaction.atomic():
        _run(sql, [0])  # prepared, then division by zero: not recorded
    assert sql not in _registry()
    assert _run(sql, [5]) == [(2,)]  # a new PREPARE does not clash with the first
    assert _run(sql, [2]) == [(5,)]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_starts_with_none():
    _run(SQL, [1])
    connection.close()
    connection.connect()
    assert _registry() == {}
    assert _server_statements() == set()
    assert _run(SQL, [1]) == [(2, "100%")]


def test_past_the_limit_the_connection_drops_them_and_starts_again(monkeypatch):
    with connection.cursor() as cursor:  # from none, whatever earlier tests prepared
        cursor.execute("DEALLOCATE ALL")
    _registry().clear()
    monkeypatch.setattr(prepared, "MAX_PREPARED", 3)
    for n in range(3):
        _run(f"SELECT %s::int + {n}", [1])
    assert len(_registry()) == 3
    assert _run("SELECT %s::int + 100", [1]) == [(101,)]
    assert list(_registry()) == ["SELECT %s::int + 100"]
    assert _server_statements() == set(_registry().values())


def test_a_statement_that_fails_to_execute_is_prepared_again_next_time():
    _run(SQL, [1])
    with connection.cursor() as cursor:  # gone behind the registry's back
        cursor.execute(f"DEALLOCATE {_registry()[SQL]}")
    with pytest.raises(DatabaseError), transaction.atomic():
        _run(SQL, [1])
    assert SQL not in _registry()
    assert _run(SQL, [2]) == [(3, "100%")]
