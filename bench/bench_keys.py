"""Costs of the encryption and key-rotation machinery (docs/security.md quotes these numbers).

1. pgcrypto decryption per value, PostgreSQL time only (best of ``--repeat`` full scans of
   ``--values`` values, minus the same scan without decryption): the key as a literal in the
   SQL (how django-pgcrypto-fields does it), the key from ``current_setting()`` (this project),
   and the rotation-time fallback function for values under the current and the previous key.
2. Rotation throughput on ``seed_demo --complaints N`` data: ``rotate_pgcrypto_key`` (rows/s
   over users and complaints, first pass and the verifying pass), ``rotate_blind_index_key``,
   ``rotate_attachment_master_key`` over as many attachment rows (no files: it never reads them).
3. Attachment files: AES-256-GCM chunked encryption and decryption of a 10 MB file (MB/s) and
   the peak Python memory while streaming it.

Run: uv run python bench/bench_keys.py [--complaints 20000] [--values 20000] [--repeat 5]
Uses its own database (dropped and re-created), Redis db 8.
"""

import argparse
import base64
import io
import os
import secrets
import sys
import tempfile
import time
import tracemalloc
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB_NAME = "complaints_bench_keys"
os.environ.update(
    {
        "DJANGO_SETTINGS_MODULE": "complaints_project.settings_test",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        "REDIS_URL": "redis://127.0.0.1:6379/8",
        "LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("TEST_DB_NAME", None)

import django  # noqa: E402
import psycopg2  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from complaints_project.encrypted_fields import PGP_SYM_OPTIONS  # noqa: E402

OLD_KEY = settings.PGCRYPTO_KEY


def recreate_database() -> None:
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    admin.close()
    call_command("migrate", verbosity=0)


def scan_ms(expression: str, params=(), repeat: int = 5) -> float:
    best = float("inf")
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(f"SELECT sum(length({expression})) FROM bench_values", params)  # noqa: S608
            cursor.fetchone()
            best = min(best, time.perf_counter() - started)
    return best * 1000


def bench_decryption(values: int, repeat: int) -> None:
    previous = "previous-" + secrets.token_hex(16)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_values AS SELECT pgp_sym_encrypt("
            "'A complaint description of ordinary length, about a parcel ' || g, "
            "current_setting('app.pgcrypto_key'), %s) AS v, "
            "pgp_sym_encrypt('the same under the previous key ' || g, %s, %s) AS old "
            "FROM generate_series(1, %s) g",
            [PGP_SYM_OPTIONS, previous, PGP_SYM_OPTIONS, values],
        )
    settings.PGCRYPTO_KEY_PREVIOUS = previous
    connections.close_all()
    base = scan_ms("v", repeat=repeat)
    variants = {
        "key as a SQL literal (the library's form)": scan_ms(
            "pgp_sym_decrypt(v, %s)", [settings.PGCRYPTO_KEY], repeat
        ),
        "key from current_setting() (this project)": scan_ms(
            "pgp_sym_decrypt(v, current_setting('app.pgcrypto_key'))", repeat=repeat
        ),
        "rotating: value under the current key": scan_ms(
            "pgcrypto_decrypt_rotating(v)", repeat=repeat
        ),
        "rotating: value under the previous key": scan_ms(
            "pgcrypto_decrypt_rotating(old)", repeat=repeat
        ),
    }
    print(f"\n1. pgcrypto decryption, {values} values, best of {repeat} scans")
    print(f"   plain scan: {base:.1f} ms")
    for name, ms in variants.items():
        print(f"   {name:<44} {(ms - base) * 1000 / values:6.2f} µs/value")
    settings.PGCRYPTO_KEY_PREVIOUS = ""
    connections.close_all()


def timed_command(name: str, **options) -> float:
    started = time.perf_counter()
    call_command(name, stdout=io.StringIO(), **options)
    return time.perf_counter() - started


def bench_rotations(complaints: int) -> None:
    from accounts.models import User
    from complaints import attachment_crypto
    from complaints.models import Attachment, Complaint

    call_command("seed_demo", complaints=complaints, stdout=io.StringIO())
    users, rows = User.objects.count(), Complaint.objects.count()
    print(f"\n2. rotations on {users} users and {rows} complaints (3 encrypted columns each)")

    settings.PGCRYPTO_KEY, settings.PGCRYPTO_KEY_PREVIOUS = secrets.token_hex(32), OLD_KEY
    connections.close_all()
    total = timed_command("rotate_pgcrypto_key", batch_size=1000)
    started = time.perf_counter()
    call_command("rotate_pgcrypto_key", batch_size=1000, stdout=io.StringIO())
    verify = time.perf_counter() - started
    print(
        f"   rotate_pgcrypto_key: {(users + rows) / (total - verify):,.0f} rows/s re-encrypted "
        f"(whole run {total:.1f} s incl. its verifying pass); a clean pass alone "
        f"{(users + rows) / verify:,.0f} rows/s"
    )

    settings.BLIND_INDEX_KEY_PREVIOUS = settings.BLIND_INDEX_KEY
    settings.BLIND_INDEX_KEY = secrets.token_hex(32)
    elapsed = timed_command("rotate_blind_index_key", batch_size=1000)
    print(f"   rotate_blind_index_key: {users} users in {elapsed:.2f} s (both passes)")

    old = f"a:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"
    new = f"b:{base64.urlsafe_b64encode(os.urandom(32)).decode()}"
    settings.ATTACHMENT_MASTER_KEYS = old
    complaint_ids = list(Complaint.objects.values_list("id", flat=True)[:rows])
    uploader = User.objects.first()
    batch = []
    for complaint_id in complaint_ids:
        attachment_id = uuid.uuid4()
        wrapped = attachment_crypto.wrap_data_key(
            data_key=attachment_crypto.new_data_key(), attachment_id=attachment_id
        )
        batch.append(
            Attachment(
                id=attachment_id,
                complaint_id=complaint_id,
                uploaded_by=uploader,
                file=f"attachments/bench/{attachment_id.hex}",
                original_name="x.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                key_id=wrapped.key_id,
                wrapped_key=wrapped.wrapped,
            )
        )
    Attachment.objects.bulk_create(batch, batch_size=5000)
    settings.ATTACHMENT_MASTER_KEYS = f"{new},{old}"
    elapsed = timed_command("rotate_attachment_master_key", batch_size=500)
    print(f"   rotate_attachment_master_key: {len(batch) / elapsed:,.0f} file keys/s")


def bench_files() -> None:
    from complaints import attachment_crypto

    size = 10 * 1024 * 1024
    key = attachment_crypto.new_data_key()
    with tempfile.TemporaryDirectory() as tmp:
        plain, sealed = Path(tmp) / "plain", Path(tmp) / "sealed"
        plain.write_bytes(os.urandom(size))
        tracemalloc.start()
        started = time.perf_counter()
        with plain.open("rb") as source, sealed.open("wb") as sink:
            pieces = iter(lambda: source.read(64 * 1024), b"")
            for piece in attachment_crypto.encrypt_chunks(data_key=key, plaintext=pieces):
                sink.write(piece)
        encrypt = time.perf_counter() - started
        _, encrypt_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        started = time.perf_counter()
        with sealed.open("rb") as stream:
            out = sum(len(c) for c in attachment_crypto.decrypt_chunks(data_key=key, stream=stream))
        decrypt = time.perf_counter() - started
        _, decrypt_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert out == size
        overhead = sealed.stat().st_size - size
    print("\n3. attachment file, 10 MiB, file to file")
    print(f"   encrypt {10 / encrypt:,.0f} MiB/s, decrypt {10 / decrypt:,.0f} MiB/s")
    print(f"   stored size overhead {overhead} bytes ({overhead / size:.2%})")
    print(
        f"   peak Python memory: encrypting {encrypt_peak / 1024:,.0f} KiB, "
        f"decrypting {decrypt_peak / 1024:,.0f} KiB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--complaints", type=int, default=20000)
    parser.add_argument("--values", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    recreate_database()
    bench_decryption(args.values, args.repeat)
    bench_rotations(args.complaints)
    bench_files()


if __name__ == "__main__":
    main()
