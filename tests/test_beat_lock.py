"""One Celery beat at a time: the lock in Redis (complaints_project/beat_lock.py)."""

import threading

import pytest
from django.conf import settings

from complaints_project.beat_lock import LOCK_KEY, BeatLock


@pytest.fixture
def lock_pair():
    first = BeatLock(settings.CELERY_BROKER_URL, owner="host-a:1", seconds=15)
    second = BeatLock(settings.CELERY_BROKER_URL, owner="host-b:2", seconds=15)
    first.client.delete(LOCK_KEY)
    yield first, second
    first.client.delete(LOCK_KEY)


def test_a_second_beat_waits_until_the_first_lets_go(lock_pair):
    first, second = lock_pair
    assert first.try_acquire()
    assert not second.try_acquire()

    acquired = threading.Event()
    waiter = threading.Thread(target=lambda: (second.acquire(), acquired.set()), daemon=True)
    waiter.start()
    assert not acquired.wait(1.0)

    first.release()
    assert acquired.wait(30.0)
    assert first.client.get(LOCK_KEY) == b"host-b:2"


def test_renewal_extends_only_our_own_lock(lock_pair):
    first, second = lock_pair
    assert first.try_acquire()

    assert first.renew()
    assert not second.renew()
    second.release()
    assert first.client.get(LOCK_KEY) == b"host-a:1"


def test_a_holder_that_lost_its_lock_stops(lock_pair):
    first, _ = lock_pair
    assert first.try_acquire()
    lost = threading.Event()
    first.keep_renewing(on_lost=lost.set)

    first.client.set(LOCK_KEY, "someone-else")

    assert lost.wait(30.0)
