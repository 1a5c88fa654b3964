"""Recompute every email blind index under BLIND_INDEX_KEY.

Procedure (docs/security.md): set BLIND_INDEX_KEY to the new key and BLIND_INDEX_KEY_PREVIOUS
to the old one on every process and restart them (logins and uniqueness checks then match
either index); run this (online, resumable, idempotent); when a pass recomputes nothing,
unset BLIND_INDEX_KEY_PREVIOUS and restart.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.blind_index_rotation import blind_index_recompute_batch

MAX_PASSES = 5


class Command(BaseCommand):
    help = "Recompute email blind indexes under BLIND_INDEX_KEY (resumable, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--pause", type=float, default=0.0, help="Seconds to sleep between batches."
        )

    def handle(self, *args, batch_size: int, pause: float, **options):
        if not settings.BLIND_INDEX_KEY_PREVIOUS:
            raise CommandError("Set BLIND_INDEX_KEY_PREVIOUS to the old key (and restart) first.")
        for number in range(1, MAX_PASSES + 1):
            started, rows, recomputed, after_id = time.monotonic(), 0, 0, None
            while True:
                batch = blind_index_recompute_batch(after_id=after_id, batch_size=batch_size)
                if batch.last_id is None:
                    break
                after_id = batch.last_id
                rows += batch.rows
                recomputed += batch.recomputed
                self.stdout.write(f"pass {number}: {rows} users checked, {recomputed} recomputed")
                if pause:
                    time.sleep(pause)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"pass {number} done: {rows} users checked, {recomputed} recomputed in "
                f"{elapsed:.1f} s ({rows / elapsed if elapsed else 0:.0f} rows/s)"
            )
            if recomputed == 0:
                self.stdout.write("clean: every index is under the current key")
                return
        raise CommandError(
            f"still recomputing after {MAX_PASSES} passes: is a process running with the "
            "old BLIND_INDEX_KEY?"
        )
