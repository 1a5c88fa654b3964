"""One Celery beat at a time: beat holds a lock in the broker's Redis while it schedules.

A second beat (``--scale beat=2``, a second host, a forgotten terminal) waits for the lock
instead of sending every periodic task twice, and takes over within ``LOCK_SECONDS`` when the
holder dies. The holder renews the lock every third of that; if it ever finds the lock gone or
taken, it stops itself.

``python -m complaints_project.beat_lock`` exits 0 when this host holds the lock (the beat
container's healthcheck).
"""

import logging
import os
import signal
import socket
import sys
import threading
import time

import redis

logger = logging.getLogger(__name__)

LOCK_KEY = "complaints:celery-beat-lock"
LOCK_SECONDS = 60

# Extend the lock only while we still own it (a plain EXPIRE would extend someone else's).
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('expire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


def owner_id() -> str:
    """This process: the host name (the container id under Docker) and the pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class BeatLock:
    def __init__(self, url: str, *, owner: str | None = None, seconds: int = LOCK_SECONDS):
        self.client = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self.owner = owner or owner_id()
        self.seconds = seconds
        self._stopped = threading.Event()

    def try_acquire(self) -> bool:
        return bool(self.client.set(LOCK_KEY, self.owner, nx=True, ex=self.seconds))

    def acquire(self) -> None:
        """Block until the lock is ours."""
        announced = False
        while not self.try_acquire():
            if not announced:
                holder = self.client.get(LOCK_KEY)
                logger.warning(
                    "another celery beat holds the lock; waiting",
                    extra={"holder": holder.decode() if holder else None},
                )
                announced = True
            time.sleep(self.seconds / 6)
        logger.info("celery beat lock acquired", extra={"owner": self.owner})

    def renew(self) -> bool:
        return bool(self.client.eval(_RENEW, 1, LOCK_KEY, self.owner, self.seconds))

    def release(self) -> None:
        self._stopped.set()
        try:
            self.client.eval(_RELEASE, 1, LOCK_KEY, self.owner)
        except redis.RedisError:
            logger.warning("could not release the celery beat lock", exc_info=True)

    def keep_renewing(self, on_lost) -> threading.Thread:
        """Renew in a daemon thread; call ``on_lost()`` once if the lock is lost."""

        def run() -> None:
            failures = 0
            while not self._stopped.wait(self.seconds / 3):
                try:
                    if self.renew():
                        failures = 0
                        continue
                    logger.critical("celery beat lock lost to another beat")
                except redis.RedisError:
                    # Two failed renewals leave a third of the lifetime: stop before it runs out.
                    failures += 1
                    logger.warning("celery beat lock renewal failed", exc_info=True)
                    if failures < 2:
                        continue
                    logger.critical("celery beat lock could not be renewed")
                on_lost()
                return

        thread = threading.Thread(target=run, name="beat-lock", daemon=True)
        thread.start()
        return thread


def stop_this_process() -> None:
    os.kill(os.getpid(), signal.SIGTERM)


def held_by_this_host(url: str) -> bool:
    holder = redis.Redis.from_url(url, socket_timeout=5).get(LOCK_KEY)
    return bool(holder) and holder.decode().split(":", 1)[0] == socket.gethostname()


if __name__ == "__main__":
    broker = os.environ.get("CELERY_BROKER_URL") or os.environ.get("REDIS_URL", "")
    sys.exit(0 if broker and held_by_this_host(broker) else 1)
