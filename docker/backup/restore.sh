#!/bin/sh
# Restore a dump made by backup.sh (docs/deploy.md, "Restore"):
#
#   restore.sh DUMP [MEDIA_TARBALL]
#
# into the database named by the libpq variables (PGHOST, PGUSER, PGDATABASE; password in
# DATABASE_PASSWORD), which must exist and be empty, owned by PGUSER (the app role). Objects
# are owned by that role. The attachments tarball, if given, is unpacked into MEDIA_DIR.
# The application then needs the PGCRYPTO_KEY and BLIND_INDEX_KEY the data was written with.
set -eu
dump=${1:?usage: restore.sh DUMP [MEDIA_TARBALL]}
export PGPASSWORD="${DATABASE_PASSWORD:-}"
toc=$(mktemp)
trap 'rm -f "$toc"' EXIT
# The extension's comment belongs to the superuser; the init script made the extension.
pg_restore --list "$dump" | grep -v 'COMMENT - EXTENSION' > "$toc"
pg_restore --no-owner --no-privileges --exit-on-error --use-list="$toc" --dbname="$PGDATABASE" "$dump"
if [ -n "${2:-}" ]; then
    mkdir -p "${MEDIA_DIR:-/media}"
    tar -C "${MEDIA_DIR:-/media}" -xzf "$2"
fi
echo "restored $dump into $PGDATABASE"
