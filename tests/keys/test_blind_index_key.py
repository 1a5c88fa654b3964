"""BLIND_INDEX_KEY rotation: logins and uniqueness keep working while the indexes are recomputed.

Indexes written under the old key; every process "restarts" with the new key and the old one
as BLIND_INDEX_KEY_PREVIOUS; ``rotate_blind_index_key`` runs while a thread keeps logging in
through the API; afterwards every login works with the new key alone.
"""

import copy
import secrets

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

import accounts.blind_index_rotation as rotation
import accounts.management.commands.rotate_blind_index_key as command
from accounts.blind_index import email_blind_index
from accounts.models import User
from accounts.selectors import user_get_by_email
from accounts.services import EmailAlreadyRegistered, user_create
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.keys._support import BackgroundReads, expect_ok

OLD_KEY = settings.BLIND_INDEX_KEY
NEW_KEY = secrets.token_hex(32)


@pytest.fixture
def generous_login_throttles(settings):
    rest = copy.deepcopy(settings.REST_FRAMEWORK)
    rest["DEFAULT_THROTTLE_RATES"].update(login_ip="10000/min", login_email="10000/min")
    settings.REST_FRAMEWORK = rest


def under_new_key() -> int:
    return sum(
        email_blind_index(email) == index
        for email, index in User.objects.values_list("email", "email_hash")
    )


def logins(live_server, emails):
    client = httpx.Client(base_url=live_server.url, timeout=30)
    turn = iter(range(10**9))

    def read():
        email = emails[next(turn) % len(emails)]
        tokens = expect_ok(
            client.post("/api/token/", json={"email": email.upper(), "password": DEFAULT_PASSWORD})
        )
        me = expect_ok(
            client.get("/api/users/me/", headers={"Authorization": f"Bearer {tokens['access']}"})
        )
        assert me["email"] == email

    return read


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("generous_login_throttles")
def test_rotation_while_people_log_in_then_only_the_new_key(live_server, switch_keys, monkeypatch):
    emails = [UserFactory().email for _ in range(5)]
    switch_keys(BLIND_INDEX_KEY=NEW_KEY, BLIND_INDEX_KEY_PREVIOUS=OLD_KEY)
    assert under_new_key() == 0
    # Mid-rotation, an old index still makes the email taken.
    with pytest.raises(EmailAlreadyRegistered):
        user_create(email=emails[0], password=None, full_name="Twin")

    with BackgroundReads(logins(live_server, emails)) as reads:
        recompute = command.blind_index_recompute_batch

        def batch_then_login(**kwargs):
            result = recompute(**kwargs)
            reads.step()
            return result

        monkeypatch.setattr(command, "blind_index_recompute_batch", batch_then_login)
        call_command("rotate_blind_index_key", batch_size=2)

    assert reads.failures == []
    assert reads.completed > 5
    assert under_new_key() == len(emails)
    switch_keys(BLIND_INDEX_KEY=NEW_KEY)
    logins(live_server, emails)()
    assert all(user_get_by_email(email=email) for email in emails)
    switch_keys(BLIND_INDEX_KEY=OLD_KEY)
    assert not any(user_get_by_email(email=email) for email in emails)


@pytest.mark.django_db(transaction=True)
def test_rotation_stopped_after_two_batches_resumes(switch_keys, monkeypatch):
    emails = [UserFactory().email for _ in range(7)]
    switch_keys(BLIND_INDEX_KEY=NEW_KEY, BLIND_INDEX_KEY_PREVIOUS=OLD_KEY)
    recompute, calls = command.blind_index_recompute_batch, []

    def fail_on_the_third(**kwargs):
        calls.append(kwargs)
        if len(calls) == 3:
            raise RuntimeError("killed")
        return recompute(**kwargs)

    monkeypatch.setattr(command, "blind_index_recompute_batch", fail_on_the_third)
    with pytest.raises(RuntimeError, match="killed"):
        call_command("rotate_blind_index_key", batch_size=2)
    assert under_new_key() == 4
    assert all(user_get_by_email(email=email) for email in emails)

    monkeypatch.setattr(command, "blind_index_recompute_batch", recompute)
    call_command("rotate_blind_index_key", batch_size=2)
    call_command("rotate_blind_index_key", batch_size=2)  # idempotent: a clean pass
    assert under_new_key() == len(emails)
    switch_keys(BLIND_INDEX_KEY=NEW_KEY)
    assert all(user_get_by_email(email=email) for email in emails)


@pytest.mark.django_db(transaction=True)
def test_an_email_changed_during_the_batch_keeps_its_new_index(switch_keys, monkeypatch):
    user = UserFactory(email="before@example.com")
    switch_keys(BLIND_INDEX_KEY=NEW_KEY, BLIND_INDEX_KEY_PREVIOUS=OLD_KEY)
    real_index = rotation.email_blind_index

    def change_email_meanwhile(email):
        User.objects.filter(pk=user.pk).update(email_hash=real_index("after@example.com"))
        return real_index(email)

    monkeypatch.setattr(rotation, "email_blind_index", change_email_meanwhile)
    batch = rotation.blind_index_recompute_batch(after_id=None, batch_size=10)

    assert batch.recomputed == 0
    assert User.objects.get(pk=user.pk).email_hash == real_index("after@example.com")


@pytest.mark.django_db
def test_rotation_refuses_to_start_without_the_previous_key():
    with pytest.raises(CommandError, match="BLIND_INDEX_KEY_PREVIOUS"):
        call_command("rotate_blind_index_key")
