"""The database's life in the stack, on the local PostgreSQL with the stack's own scripts:
the init script makes a non-superuser app role, the migrations and the app run as it, the
backup script dumps it, the restore script loads the dump into a new database, and the app
reads the complaint back with the same keys.
"""

import os
import secrets
import subprocess
import sys
from contextlib import closing
from pathlib import Path

import psycopg2
import pytest
from django.conf import settings

REPO = Path(__file__).resolve().parents[2]
SCRIPTS = REPO / "docker"
SUFFIX = secrets.token_hex(3)
ROLE = f"deploy_app_{SUFFIX}"
SOURCE_DB = f"deploy_source_{SUFFIX}"
RESTORED_DB = f"deploy_restored_{SUFFIX}"

pytestmark = pytest.mark.timeout(600)


def superuser_connection():
    """Autocommit (CREATE/DROP DATABASE); use with closing(), not as a context manager,
    which would open a transaction."""
    database = settings.DATABASES["default"]
    connection = psycopg2.connect(
        host=database["HOST"], port=database["PORT"], user=database["USER"], dbname="postgres"
    )
    connection.autocommit = True
    return connection


def libpq_env(dbname: str, user: str) -> dict[str, str]:
    database = settings.DATABASES["default"]
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PGHOST": database["HOST"],
        "PGPORT": str(database["PORT"]),
        "PGUSER": user,
        "PGDATABASE": dbname,
        "DATABASE_PASSWORD": "unused-locally",
    }


def run(args: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(
        args, cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.fixture
def app_database():
    """An empty data volume's first boot: the init script as the superuser."""
    env = {
        **libpq_env("postgres", settings.DATABASES["default"]["USER"]),
        "POSTGRES_USER": settings.DATABASES["default"]["USER"],
        "APP_DB_NAME": SOURCE_DB,
        "APP_DB_USER": ROLE,
    }
    run(["sh", str(SCRIPTS / "postgres" / "initdb" / "10-app-role.sh")], env)
    try:
        yield
    finally:
        with closing(superuser_connection()) as connection, connection.cursor() as cursor:
            for name in (SOURCE_DB, RESTORED_DB):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'DROP ROLE IF EXISTS "{ROLE}"')


def app_env(dbname: str) -> dict[str, str]:
    database = settings.DATABASES["default"]
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "complaints_project.settings",
        "DJANGO_ENV": "test",
        "DATABASE_URL": f"postgres://{ROLE}@{database['HOST']}:{database['PORT']}/{dbname}",
        "REDIS_URL": settings.REDIS_URL,
        "PGCRYPTO_KEY": "lifecycle-test-pgcrypto-key-0123456789abcdef",
        "BLIND_INDEX_KEY": "lifecycle-test-blind-index-key",
    }


FILE_COMPLAINT = """
from accounts.services import user_create
from complaints.selectors import category_list
from complaints.services import complaint_create
customer = user_create(email="kept@example.com", password=None, full_name="Kept Customer")
complaint = complaint_create(customer=customer, category=category_list().first(),
    title="Survives a restore", description="Encrypted details", channel="web", priority=2,
    actor=customer)
print(complaint.reference)
"""

READ_COMPLAINT = """
import os
from complaints.models import Complaint
complaint = Complaint.objects.select_related("customer").get(
    reference=os.environ["COMPLAINT_REFERENCE"])
print(complaint.title, "|", complaint.description, "|", complaint.customer.email)
"""


def test_app_role_migrations_backup_and_restore(app_database, tmp_path):
    with closing(superuser_connection()) as connection, connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s", [ROLE]
        )
        assert cursor.fetchone() == (False, False, False)

    python = sys.executable
    run([python, "manage.py", "migrate", "--noinput", "-v0"], app_env(SOURCE_DB))
    run([python, "manage.py", "bootstrap"], app_env(SOURCE_DB))
    reference = run(
        [python, "manage.py", "shell", "--no-imports", "-c", FILE_COMPLAINT], app_env(SOURCE_DB)
    ).strip()

    backups = tmp_path / "backups"
    media = tmp_path / "media"
    (media / "attachments").mkdir(parents=True)
    (media / "attachments" / "kept.txt").write_text("an attachment")
    backup_env = {
        **libpq_env(SOURCE_DB, ROLE),
        "BACKUP_DIR": str(backups),
        "MEDIA_DIR": str(media),
    }
    run(["sh", str(SCRIPTS / "backup" / "backup.sh"), "once"], backup_env)
    run(["sh", str(SCRIPTS / "backup" / "backup.sh"), "check"], backup_env)
    (dump,) = backups.glob("db-*.dump")
    (media_tarball,) = backups.glob("media-*.tar.gz")
    assert b"Encrypted details" not in dump.read_bytes(), "encrypted columns stay encrypted"

    with closing(superuser_connection()) as connection, connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{RESTORED_DB}" OWNER "{ROLE}"')
    restored_media = tmp_path / "restored-media"
    run(
        ["sh", str(SCRIPTS / "backup" / "restore.sh"), str(dump), str(media_tarball)],
        {**libpq_env(RESTORED_DB, ROLE), "MEDIA_DIR": str(restored_media)},
    )

    out = run(
        [python, "manage.py", "shell", "--no-imports", "-c", READ_COMPLAINT],
        {**app_env(RESTORED_DB), "COMPLAINT_REFERENCE": reference},
    )
    assert out.strip() == "Survives a restore | Encrypted details | kept@example.com"
    assert (restored_media / "attachments" / "kept.txt").read_text() == "an attachment"
