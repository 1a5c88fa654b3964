"""PGCRYPTO_KEY: never in SQL text, and rotated online (reads fall back to the previous key).

Rotation: data written under the old key; every process "restarts" with the new key and the
old one as PGCRYPTO_KEY_PREVIOUS; ``rotate_pgcrypto_key`` runs while a thread keeps reading
through the API; afterwards everything reads back with the new key alone. Interrupted runs
(an exception after two batches, a SIGKILL of the command's process) resume to the same end.
"""

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import psycopg2
import pytest
import yaml
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

import accounts.management.commands.rotate_pgcrypto_key as command
from accounts.models import User
from accounts.services import user_create
from complaints.models import Comment, Complaint, Feedback
from complaints_project.pgcrypto_rotation import encrypted_columns
from tests.factories import ComplaintFactory, UserFactory
from tests.keys._support import BackgroundReads, api_for, expect_ok

BASE_DIR = Path(__file__).resolve().parents[2]
OLD_KEY = settings.PGCRYPTO_KEY
NEW_KEY = secrets.token_hex(32)


def build_data() -> dict:
    """Customers with complaints, comments and feedback; what each encrypted column holds."""
    customers = [UserFactory() for _ in range(5)]
    complaints = []
    for customer in customers:
        for n in range(2):
            complaint = ComplaintFactory(customer=customer, resolution=f"fixed {n}")
            Comment.objects.create(complaint=complaint, author=customer, body=f"note {n}")
            complaints.append(complaint)
    Feedback.objects.create(complaint=complaints[0], rating=4, comment="quick, thanks")
    return {
        "customers": customers,
        "users": {u.pk: (u.email, u.full_name, u.phone) for u in customers},
        "complaints": {c.pk: (c.description, c.resolution) for c in complaints},
        "comments": dict(Comment.objects.values_list("pk", "complaint_id")),
        "bodies": {c.pk: c.body for c in Comment.objects.all()},
    }


def assert_everything_reads_back(data: dict) -> None:
    for user in User.objects.filter(pk__in=data["users"]):
        assert (user.email, user.full_name, user.phone) == data["users"][user.pk]
    for complaint in Complaint.objects.filter(pk__in=data["complaints"]):
        assert (complaint.description, complaint.resolution) == data["complaints"][complaint.pk]
    assert {c.pk: c.body for c in Comment.objects.all()} == data["bodies"]
    assert Feedback.objects.get().comment == "quick, thanks"


def rows_under_current_key() -> dict[str, tuple[int, int]]:
    """Per table: (rows whose every encrypted column is under PGCRYPTO_KEY, rows)."""
    counts = {}
    with connection.cursor() as cursor:
        for model, fields in encrypted_columns().items():
            table = connection.ops.quote_name(model._meta.db_table)
            current = " AND ".join(
                f"pgcrypto_is_current({connection.ops.quote_name(f.column)})" for f in fields
            )
            cursor.execute(f"SELECT count(*) FILTER (WHERE {current}), count(*) FROM {table}")  # noqa: S608
            counts[model._meta.db_table] = cursor.fetchone()
    return counts


def api_reads(live_server, data):
    """One customer's profile, complaint list, each complaint and its comments."""
    customer = data["customers"][0]
    client = api_for(live_server, customer)
    mine = {pk: v for pk, v in data["complaints"].items() if pk in _complaints_of(customer)}

    def read():
        me = expect_ok(client.get("/api/users/me/"))
        assert (me["email"], me["full_name"], me["phone"]) == data["users"][customer.pk]
        assert expect_ok(client.get("/api/complaints/"))["count"] == len(mine)
        for pk, (description, resolution) in mine.items():
            detail = expect_ok(client.get(f"/api/complaints/{pk}/"))
            assert (detail["description"], detail["resolution"]) == (description, resolution)
            comments = expect_ok(client.get(f"/api/complaints/{pk}/comments/"))["results"]
            assert sorted(c["body"] for c in comments) == sorted(
                data["bodies"][c] for c, owner in data["comments"].items() if owner == pk
            )

    return read


def _complaints_of(customer) -> set:
    return set(Complaint.objects.filter(customer=customer).values_list("pk", flat=True))


# --- the key stays out of SQL -----------------------------------------------------------


@pytest.mark.django_db
def test_no_statement_carries_the_key(customer_client, customer):
    with CaptureQueriesContext(connection) as queries:
        user_create(email="new@example.com", password=None, full_name="New Person")
        complaint = ComplaintFactory(customer=customer, description="secret words")
        Comment.objects.create(complaint=complaint, author=customer, body="more words")
        assert customer_client.get(f"/api/complaints/{complaint.pk}/").status_code == 200
        assert customer_client.get("/api/complaints/?q=secret").status_code == 200
        assert User.objects.get(pk=customer.pk).email == customer.email

    statements = [q["sql"] for q in queries.captured_queries]
    assert any("pgp_sym_encrypt" in sql for sql in statements)
    assert any("pgp_sym_decrypt" in sql for sql in statements)
    assert not [sql for sql in statements if settings.PGCRYPTO_KEY in sql]
    with connection.cursor() as cursor:
        # What pg_stat_activity shows for this backend, and where the key really is.
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = pg_backend_pid()")
        assert settings.PGCRYPTO_KEY not in cursor.fetchone()[0]
        cursor.execute("SELECT current_setting('app.pgcrypto_key')")
        assert cursor.fetchone()[0] == settings.PGCRYPTO_KEY


@pytest.mark.django_db(transaction=True)
def test_a_key_with_quotes_spaces_and_backslashes_works(switch_keys):
    odd = "it's a \\ key with 100% odd characters " + secrets.token_hex(16)
    switch_keys(PGCRYPTO_KEY=odd)
    user = UserFactory(full_name="O'Brien")

    assert User.objects.get(pk=user.pk).full_name == "O'Brien"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pgp_sym_decrypt(full_name, %s) FROM accounts_user", [odd])
        assert cursor.fetchone()[0] == "O'Brien"


@pytest.mark.django_db(transaction=True)
def test_a_connection_opened_without_the_key_cannot_read():
    UserFactory(full_name="Hidden Name")
    bare = connection.get_connection_params()
    bare.pop("options")
    bare.pop("cursor_factory", None)
    other = psycopg2.connect(**bare)
    try:
        with other.cursor() as cursor, pytest.raises(psycopg2.errors.UndefinedObject):
            cursor.execute(
                "SELECT pgp_sym_decrypt(full_name, current_setting('app.pgcrypto_key')) "
                "FROM accounts_user"
            )
    finally:
        other.close()


# --- rotation ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_rotation_while_the_api_serves_then_only_the_new_key(live_server, switch_keys, monkeypatch):
    data = build_data()
    switch_keys(PGCRYPTO_KEY=NEW_KEY, PGCRYPTO_KEY_PREVIOUS=OLD_KEY)
    assert all(done == 0 for done, _ in rows_under_current_key().values())

    with BackgroundReads(api_reads(live_server, data)) as reads:
        rotate_batch = command.pgcrypto_reencrypt_batch

        def batch_then_read(**kwargs):
            result = rotate_batch(**kwargs)
            reads.step()  # a whole API read against the half-rotated database
            return result

        monkeypatch.setattr(command, "pgcrypto_reencrypt_batch", batch_then_read)
        call_command("rotate_pgcrypto_key", batch_size=3)

    assert reads.failures == []
    assert reads.completed > 10
    assert all(done == total for done, total in rows_under_current_key().values())
    switch_keys(PGCRYPTO_KEY=NEW_KEY)
    assert_everything_reads_back(data)
    api_reads(live_server, data)()
    switch_keys(PGCRYPTO_KEY=OLD_KEY)
    with pytest.raises(DatabaseError, match="Wrong key"):
        User.objects.get(pk=data["customers"][0].pk)


@pytest.mark.django_db(transaction=True)
def test_rotation_stopped_after_two_batches_resumes(switch_keys, monkeypatch):
    data = build_data()
    switch_keys(PGCRYPTO_KEY=NEW_KEY, PGCRYPTO_KEY_PREVIOUS=OLD_KEY)
    rotate_batch, calls = command.pgcrypto_reencrypt_batch, []

    def fail_on_the_third(**kwargs):
        calls.append(kwargs["model"])
        if len(calls) == 3:
            raise RuntimeError("killed")
        return rotate_batch(**kwargs)

    monkeypatch.setattr(command, "pgcrypto_reencrypt_batch", fail_on_the_third)
    with pytest.raises(RuntimeError, match="killed"):
        call_command("rotate_pgcrypto_key", batch_size=2)
    counts = rows_under_current_key()
    assert counts[calls[0]._meta.db_table] == (4, 5)  # five users, two batches of two
    assert sum(done for done, _ in counts.values()) == 4
    # Until the rotation finishes, everything still reads (half with the previous key).
    assert_everything_reads_back(data)

    monkeypatch.setattr(command, "pgcrypto_reencrypt_batch", rotate_batch)
    call_command("rotate_pgcrypto_key", batch_size=2)
    call_command("rotate_pgcrypto_key", batch_size=2)  # idempotent: a clean pass
    switch_keys(PGCRYPTO_KEY=NEW_KEY)
    assert_everything_reads_back(data)


@pytest.mark.django_db(transaction=True)
def test_rotation_killed_with_sigkill_resumes(switch_keys):
    data = build_data()
    switch_keys(PGCRYPTO_KEY=NEW_KEY, PGCRYPTO_KEY_PREVIOUS=OLD_KEY)
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "complaints_project.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "PGCRYPTO_KEY": NEW_KEY,
        "PGCRYPTO_KEY_PREVIOUS": OLD_KEY,
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("TEST_DB_NAME", None)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "rotate_pgcrypto_key", "--batch-size=2", "--pause=2"],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        progress = [process.stdout.readline() for _ in range(2)]
        assert all("re-encrypted" in line for line in progress), progress
        process.send_signal(signal.SIGKILL)  # while it sleeps after its second batch
    finally:
        process.wait(timeout=60)
        process.stdout.close()

    done, total = (sum(column) for column in zip(*rows_under_current_key().values(), strict=True))
    assert 4 <= done < total
    call_command("rotate_pgcrypto_key", batch_size=5)
    assert all(done == total for done, total in rows_under_current_key().values())
    switch_keys(PGCRYPTO_KEY=NEW_KEY)
    assert_everything_reads_back(data)


@pytest.mark.django_db
def test_rotation_refuses_to_start_without_the_previous_key():
    with pytest.raises(CommandError, match="PGCRYPTO_KEY_PREVIOUS"):
        call_command("rotate_pgcrypto_key")


@pytest.mark.django_db
def test_reads_use_the_fallback_only_during_a_rotation(settings, customer):
    with CaptureQueriesContext(connection) as plain:
        User.objects.get(pk=customer.pk)
    settings.PGCRYPTO_KEY_PREVIOUS = "an-old-key"
    with CaptureQueriesContext(connection) as rotating:
        list(User.objects.filter(pk=customer.pk).values_list("email", flat=True))

    assert "pgcrypto_decrypt_rotating" not in plain.captured_queries[0]["sql"]
    assert "pgcrypto_decrypt_rotating" in rotating.captured_queries[0]["sql"]


def test_the_production_database_never_logs_statement_text():
    """Values (not keys) are in the statement text: the compose PostgreSQL must not log it."""
    command = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())["services"]["postgres"][
        "command"
    ]
    options = dict(arg.split("=", 1) for arg in command if "=" in arg)
    assert options == {
        "log_statement": "none",
        "log_min_duration_statement": "-1",
        "log_min_error_statement": "panic",
    }
