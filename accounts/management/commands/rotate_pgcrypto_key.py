"""Re-encrypt every pgcrypto column under PGCRYPTO_KEY, reading with PGCRYPTO_KEY_PREVIOUS.

Procedure (docs/security.md): set PGCRYPTO_KEY to the new key and PGCRYPTO_KEY_PREVIOUS to the
old one on every process and restart them; run this (online, resumable, idempotent); when it
reports a clean pass, unset PGCRYPTO_KEY_PREVIOUS and restart. It repeats passes over all
tables until one finds nothing under the old key, so rows written meanwhile by a process that
still had the old configuration are caught too.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from complaints_project.pgcrypto_rotation import encrypted_columns, pgcrypto_reencrypt_batch

MAX_PASSES = 5


class Command(BaseCommand):
    help = "Re-encrypt pgcrypto columns from PGCRYPTO_KEY_PREVIOUS to PGCRYPTO_KEY."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument(
            "--pause", type=float, default=0.0, help="Seconds to sleep between batches."
        )

    def handle(self, *args, batch_size: int, pause: float, **options):
        if not settings.PGCRYPTO_KEY_PREVIOUS:
            raise CommandError("Set PGCRYPTO_KEY_PREVIOUS to the old key (and restart) first.")
        columns = encrypted_columns()
        for number in range(1, MAX_PASSES + 1):
            started, rows, reencrypted = time.monotonic(), 0, 0
            for model, fields in columns.items():
                after_pk = None
                while True:
                    batch = pgcrypto_reencrypt_batch(
                        model=model, fields=fields, after_pk=after_pk, batch_size=batch_size
                    )
                    if batch.last_pk is None:
                        break
                    after_pk = batch.last_pk
                    rows += batch.rows
                    reencrypted += batch.reencrypted
                    self.stdout.write(
                        f"pass {number} {model._meta.db_table}: {rows} rows checked, "
                        f"{reencrypted} re-encrypted"
                    )
                    if pause:
                        time.sleep(pause)
            elapsed = time.monotonic() - started
            self.stdout.write(
                f"pass {number} done: {rows} rows checked, {reencrypted} re-encrypted in "
                f"{elapsed:.1f} s ({rows / elapsed if elapsed else 0:.0f} rows/s)"
            )
            if reencrypted == 0:
                self.stdout.write("clean: nothing is under the previous key any more")
                return
        raise CommandError(
            f"still re-encrypting after {MAX_PASSES} passes: is a process running with the "
            "old PGCRYPTO_KEY?"
        )
