"""Rewrap every attachment's file key under the current master key of ATTACHMENT_MASTER_KEYS.

Procedure (docs/security.md): put the new key first in ATTACHMENT_MASTER_KEYS, keep the old
one after it, restart; run this (online, resumable, idempotent: rows already under the current
key are skipped); when it reports nothing left under other keys, drop the old key and restart.
Only the 60-byte wrapped keys change; files are not rewritten.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from complaints import attachment_crypto
from complaints.attachment_keys import attachment_keys_rewrap_batch, attachments_by_master_key


class Command(BaseCommand):
    help = "Rewrap attachment file keys under the current master key (resumable, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument(
            "--pause", type=float, default=0.0, help="Seconds to sleep between batches."
        )

    def handle(self, *args, batch_size: int, pause: float, **options):
        current = attachment_crypto.current_master_key_id()
        self.stdout.write(
            f"current master key: {current}; files per key before: {attachments_by_master_key()}"
        )
        after_id, total, started = None, 0, time.monotonic()
        while True:
            try:
                batch = attachment_keys_rewrap_batch(after_id=after_id, batch_size=batch_size)
            except attachment_crypto.AttachmentDecryptionError as exc:
                raise CommandError(
                    f"{exc}: add it to ATTACHMENT_MASTER_KEYS and run again"
                ) from exc
            if batch.last_id is None:
                break
            total += batch.rewrapped
            after_id = batch.last_id
            self.stdout.write(f"rewrapped {total}")
            if pause:
                time.sleep(pause)
        elapsed = time.monotonic() - started
        remaining = {k: n for k, n in attachments_by_master_key().items() if k not in ("", current)}
        self.stdout.write(
            f"done: {total} rewrapped in {elapsed:.1f} s; files per key now: "
            f"{attachments_by_master_key()}"
        )
        if remaining:
            raise CommandError(
                f"files still under other keys (written meanwhile?): {remaining}; run again"
            )
