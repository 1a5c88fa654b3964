"""Recompute every complaint's search tokens (complaints/search.py) from its texts.

Run it once after migrating to the search index, and after a blind index key rotation
(docs/security.md): with BLIND_INDEX_KEY the new key and BLIND_INDEX_KEY_PREVIOUS the old one
on every process, searches match either key's tokens while this rewrites them under the new
one. Online (one short transaction per batch), resumable and idempotent: rows already right
are read but not written. A row changed by a service while its batch ran is left to a next
pass; passes repeat until one finds nothing changed under it. At the end it refreshes the
planner's per-token statistics (``ANALYZE``), which pick the plan of every search.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from complaints.search import search_reindex_batch, search_statistics_refresh

MAX_PASSES = 5


class Command(BaseCommand):
    help = "Recompute every complaint's search tokens (resumable, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=2000)
        parser.add_argument(
            "--pause", type=float, default=0.0, help="Seconds to sleep between batches."
        )

    def handle(self, *args, batch_size: int, pause: float, **options):
        for number in range(1, MAX_PASSES + 1):
            started, rows, written, raced, after_id = time.monotonic(), 0, 0, 0, None
            while True:
                batch = search_reindex_batch(after_id=after_id, batch_size=batch_size)
                if batch.last_id is None:
                    break
                after_id = batch.last_id
                rows += batch.rows
                written += batch.written
                raced += batch.stale - batch.written
                self.stdout.write(f"pass {number}: {rows} complaints checked, {written} rewritten")
                if pause:
                    time.sleep(pause)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"pass {number} done: {rows} complaints checked, {written} rewritten in "
                f"{elapsed:.1f} s ({rows / elapsed if elapsed else 0:.0f} rows/s)"
            )
            if raced == 0:
                self.stdout.write("clean: every complaint's tokens match its texts")
                search_statistics_refresh(analyze=True)
                return
        raise CommandError(f"complaints still changing under the rebuild after {MAX_PASSES} passes")
