"""Encrypt, in place, the attachment files stored before attachments were encrypted.

Online, resumable and idempotent: each file is converted on its own (write the encrypted copy,
point the row at it, delete the plaintext), already-encrypted rows are skipped, and a run
first deletes plaintext left behind by an interrupted one. docs/security.md.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from complaints.attachment_keys import (
    StoredChecksumMismatch,
    attachment_delete_plaintext_leftovers,
    attachment_encrypt_stored,
)
from complaints.models import Attachment


class Command(BaseCommand):
    help = "Encrypt attachment files that are still plaintext (resumable, idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="Seconds to sleep after each file, to spare a busy server.",
        )

    def handle(self, *args, pause: float, **options):
        leftovers = attachment_delete_plaintext_leftovers()
        if leftovers:
            self.stdout.write(f"deleted {leftovers} plaintext leftover(s) of an earlier run")
        pending = list(
            Attachment.objects.filter(key_id="").order_by("id").values_list("id", flat=True)
        )
        self.stdout.write(f"{len(pending)} plaintext file(s) to encrypt")
        encrypted, failed = 0, []
        for attachment_id in pending:
            try:
                if attachment_encrypt_stored(attachment_id=attachment_id):
                    encrypted += 1
                    self.stdout.write(f"encrypted {attachment_id} ({encrypted}/{len(pending)})")
            except (StoredChecksumMismatch, FileNotFoundError) as exc:
                failed.append(attachment_id)
                self.stderr.write(f"{attachment_id}: {exc.__class__.__name__}, left as it is")
            if pause:
                time.sleep(pause)
        self.stdout.write(f"done: {encrypted} encrypted, {len(failed)} failed")
        if failed:
            raise CommandError(f"{len(failed)} file(s) could not be encrypted (see above)")
