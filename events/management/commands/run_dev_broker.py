import signal
import subprocess
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from events.dev_broker import broker_command, wait_for_port
from events.kafka import ensure_topics

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", "[::1]", "0.0.0.0"})  # noqa: S104
# Topic creation is retried while the broker finishes starting (0.5 s apart).
TOPIC_ATTEMPTS = 20


class Command(BaseCommand):
    help = (
        "Run the local Tansu broker (memory storage) on KAFKA_BOOTSTRAP_SERVERS, in the foreground."
    )

    def handle(self, *args, **options):
        first = settings.KAFKA_BOOTSTRAP_SERVERS.split(",")[0].strip()
        host, _, port = first.rpartition(":")
        host = host or "127.0.0.1"
        if host not in LOCAL_HOSTS:
            self.idle_for_external_broker(first)
            return
        process = subprocess.Popen(broker_command(host, int(port)))  # noqa: S603
        stopping = False

        def stop(*_):
            nonlocal stopping
            stopping = True
            if process.poll() is None:
                process.terminate()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            wait_for_port(host, int(port), timeout=15)
            for attempt in range(TOPIC_ATTEMPTS):
                try:
                    for topic, created in ensure_topics().items():
                        self.stdout.write(f"{topic}: {'created' if created else 'exists'}")
                    break
                except Exception as exc:
                    if attempt == TOPIC_ATTEMPTS - 1:
                        raise CommandError(f"could not create topics: {exc!r}") from exc
                    time.sleep(0.5)
            code = process.wait()
        finally:
            if process.poll() is None:
                process.terminate()
                process.wait(10)
        if code and not stopping:
            raise CommandError(f"broker exited with {code}")

    def idle_for_external_broker(self, address: str) -> None:
        """KAFKA_BOOTSTRAP_SERVERS points elsewhere: start nothing, but stay up so that a
        process manager (honcho) does not take the whole stack down with us."""
        self.stdout.write(f"KAFKA_BOOTSTRAP_SERVERS points at {address}; no local broker started.")
        stopped = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stopped.set())
        signal.signal(signal.SIGINT, lambda *_: stopped.set())
        stopped.wait()
