#!/bin/sh
# First boot only (the postgres image runs /docker-entrypoint-initdb.d on an empty data volume):
# the application's role and database. The role owns its database but is not a superuser and
# cannot create roles or databases; pgcrypto is created here by the superuser, so neither the
# app nor its migrations need more rights. APP_DB_NAME / APP_DB_USER default to "complaints".
set -eu
app_db=${APP_DB_NAME:-complaints}
app_user=${APP_DB_USER:-complaints}
: "${DATABASE_PASSWORD:?DATABASE_PASSWORD must be set}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    --set app_db="$app_db" --set app_user="$app_user" --set app_password="$DATABASE_PASSWORD" <<'SQL'
CREATE ROLE :"app_user" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'app_password';
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"app_user";
\connect :"app_db"
CREATE EXTENSION IF NOT EXISTS pgcrypto;
ALTER SCHEMA public OWNER TO :"app_user";
SQL
