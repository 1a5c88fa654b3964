#!/bin/sh
# Backups of the database and the attachments (docs/deploy.md, "Backups").
#
#   backup.sh once    one pg_dump (custom format) and one tarball of the attachments
#   backup.sh loop    `once` now, then every BACKUP_INTERVAL_SECONDS (the backup service)
#   backup.sh check   exit 0 if the newest dump is younger than twice the interval
#
# Connection: the libpq variables (PGHOST, PGUSER, PGDATABASE) and DATABASE_PASSWORD.
# Files: BACKUP_DIR (/backups) gets db-<UTC stamp>.dump and media-<stamp>.tar.gz (from
# MEDIA_DIR, /media); those older than BACKUP_KEEP_DAYS are deleted. A file appears only once
# complete. The encryption keys are not in here, by design: a dump alone reveals no
# encrypted column.
set -eu
BACKUP_DIR=${BACKUP_DIR:-/backups}
MEDIA_DIR=${MEDIA_DIR:-/media}
BACKUP_INTERVAL_SECONDS=${BACKUP_INTERVAL_SECONDS:-86400}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
export PGPASSWORD="${DATABASE_PASSWORD:-}"

once() {
    stamp=$(date -u +%Y%m%dT%H%M%SZ)
    mkdir -p "$BACKUP_DIR"
    pg_dump --format=custom --no-owner --no-privileges --file="$BACKUP_DIR/.db-$stamp.partial"
    mv "$BACKUP_DIR/.db-$stamp.partial" "$BACKUP_DIR/db-$stamp.dump"
    if [ -d "$MEDIA_DIR" ]; then
        tar -C "$MEDIA_DIR" -czf "$BACKUP_DIR/.media-$stamp.partial" .
        mv "$BACKUP_DIR/.media-$stamp.partial" "$BACKUP_DIR/media-$stamp.tar.gz"
    fi
    find "$BACKUP_DIR" -maxdepth 1 \( -name 'db-*.dump' -o -name 'media-*.tar.gz' \) \
        -mtime +"$BACKUP_KEEP_DAYS" -delete
    echo "backup $stamp written to $BACKUP_DIR"
}

check() {
    max_age_minutes=$((BACKUP_INTERVAL_SECONDS * 2 / 60 + 1))
    recent=$(find "$BACKUP_DIR" -maxdepth 1 -name 'db-*.dump' -mmin -"$max_age_minutes" | head -n 1)
    [ -n "$recent" ]
}

case "${1:-}" in
    once) once ;;
    loop)
        while true; do
            once || echo "backup failed; next try in $BACKUP_INTERVAL_SECONDS s" >&2
            sleep "$BACKUP_INTERVAL_SECONDS"
        done
        ;;
    check) check ;;
    *) echo "usage: $0 once|loop|check" >&2; exit 2 ;;
esac
