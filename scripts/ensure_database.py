"""Create the DATABASE_URL database if missing; say clearly what to do when PostgreSQL is down."""

import os
import sys

import environ
import psycopg2
from psycopg2 import sql

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/complaints"


def main() -> int:
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    config = environ.Env.db_url_config(url)
    name = config["NAME"]
    host = config.get("HOST") or "127.0.0.1"
    port = config.get("PORT") or 5432
    try:
        conn = psycopg2.connect(
            host=host,
            port=port,
            user=config.get("USER") or "postgres",
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        )
    except psycopg2.OperationalError as exc:
        print(
            f"PostgreSQL is not answering at {host}:{port} ({exc}).\n"
            "Start it (e.g. `pg_ctlcluster --skip-systemctl-redirect 15 main start`) "
            "or set DATABASE_URL to a reachable server.",
            file=sys.stderr,
        )
        return 1
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cur.fetchone() is None:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"Created database {name}.")
    conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
