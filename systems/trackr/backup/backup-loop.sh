#!/bin/bash
# Base backups of PRIMARY (<host>:<port>) every BASE_EVERY_MS with pg_basebackup (plain format, WAL streamed
# alongside, so each backup is self-contained), kept under $BACKUP_DIR/base/<label>; with WAL=stream also
# pg_receivewal into $BACKUP_DIR/wal, continuously. Every completed backup is one line of $BACKUP_DIR/catalog.ndjson:
#   {"label":"base-<epoch ms>","kind":"base","startedAtMs":<epoch ms>,"completedAtMs":<epoch ms>}
# A backup that fails (the primary is down, the backup disk is full) is logged to stderr and skipped: nobody is
# paged, as with a cron job nobody watches. The last KEEP backups are kept.
set -uo pipefail

dir="${BACKUP_DIR:-/backups}"
every_ms="${BASE_EVERY_MS:-20000}"
keep="${KEEP:-3}"
primary="${PRIMARY:?PRIMARY=<host>:<port> is required}"
host="${primary%:*}"
port="${primary##*:}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}"
if ! [[ "$host" =~ ^[A-Za-z0-9._-]+$ && "$port" =~ ^[0-9]+$ && "$every_ms" =~ ^[0-9]+$ && "$keep" =~ ^[0-9]+$ ]]; then
  echo "havoc-backup: PRIMARY must be <host>:<port>, BASE_EVERY_MS and KEEP whole numbers" >&2
  exit 1
fi
mkdir -p "$dir/base" "$dir/wal"
# The password reaches libpq through a passfile, never the command line.
passfile=/root/.pgpass
escaped=${POSTGRES_PASSWORD//\\/\\\\}
printf '*:*:*:postgres:%s\n' "${escaped//:/\\:}" >"$passfile"
chmod 600 "$passfile"
conn="passfile=$passfile application_name=havoc-backup"

if [ "${WAL:-none}" = stream ]; then
  # pg_receivewal ends when the primary goes away; start it again every second (the loop ends with the container).
  (
    while true; do
      pg_receivewal -h "$host" -p "$port" -U postgres -D "$dir/wal" --no-password -d "$conn" --status-interval=1 --no-loop 2>>/tmp/receivewal.err
      sleep 1
    done
  ) &
fi

now_ms() { date +%s%3N; }
next=$(now_ms)
while true; do
  started=$(now_ms)
  label="base-$started"
  # -c fast: an immediate checkpoint, so the backup does not wait for a spread one (minutes by default).
  if pg_basebackup -h "$host" -p "$port" -U postgres -D "$dir/base/$label.partial" -X stream -c fast --no-password -d "$conn" 2>/tmp/basebackup.err \
      && sync -f "$dir/base/$label.partial" \
      && mv "$dir/base/$label.partial" "$dir/base/$label" \
      && printf '{"label":"%s","kind":"base","startedAtMs":%s,"completedAtMs":%s}\n' "$label" "$started" "$(now_ms)" >>"$dir/catalog.ndjson" \
      && sync -f "$dir/catalog.ndjson"; then
    echo "havoc-backup: $label done in $(( $(now_ms) - started )) ms"
    # Retention: the newest $keep backups.
    ls -1d "$dir"/base/base-* 2>/dev/null | grep -v '\.partial$' | sort -t- -k2 -n | head -n -"$keep" | xargs -r rm -rf
  else
    echo "havoc-backup: $label FAILED: $(tail -n 2 /tmp/basebackup.err | tr '\n' ' ')" >&2
    rm -rf "$dir/base/$label.partial"
  fi
  next=$(( next + every_ms ))
  wait_ms=$(( next - $(now_ms) ))
  # A backup that took longer than the interval: the next one starts at once, on the schedule's next slot.
  while [ "$wait_ms" -le 0 ]; do next=$(( next + every_ms )); wait_ms=$(( next - $(now_ms) )); done
  sleep "$(( wait_ms / 1000 )).$(printf '%03d' $(( wait_ms % 1000 )))"
done
