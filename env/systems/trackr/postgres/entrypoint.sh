#!/bin/bash
# trackr postgres: on first start, set up the data dir from the template baked into the image (password from
# POSTGRES_PASSWORD, database named POSTGRES_DB), then exec postgres in the foreground. Setup runs postgres in
# single-user mode (no socket, no TCP), so `pg_isready -h 127.0.0.1` answers only once the database and the password
# exist.
set -euo pipefail

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
template=/var/lib/postgresql/template
marker="$PGDATA/.havoc-initialised"

if [ "$(id -u)" = 0 ]; then
  # A bind-mounted data dir (e.g. a size-limited disk for disk-full faults) arrives owned by root.
  install -d -o postgres -g postgres -m 700 "$PGDATA"
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ ! -e "$marker" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required to initialise the database}"
  db="${POSTGRES_DB:-postgres}"
  if ! [[ "$db" =~ ^[A-Za-z_][A-Za-z0-9_]{0,62}$ ]]; then
    echo "trackr-postgres: POSTGRES_DB must be a plain identifier, got '$db'" >&2
    exit 1
  fi
  if [[ "$POSTGRES_PASSWORD" == *$'\n'* ]]; then
    echo "trackr-postgres: POSTGRES_PASSWORD must be one line" >&2
    exit 1
  fi
  started_ms=$(date +%s%3N)
  # No marker: a fresh dir, or a setup killed half-way. Nothing acknowledged can live there (TCP was never open).
  find "$PGDATA" -mindepth 1 -delete
  # Copying the template takes ~0.1 s; running initdb here took 2.6 s.
  cp -a "$template/." "$PGDATA/"
  quoted_password="'${POSTGRES_PASSWORD//\'/\'\'}'"
  if [ "$db" = postgres ]; then rename="DROP DATABASE havoc_placeholder;"; else rename="ALTER DATABASE havoc_placeholder RENAME TO \"$db\";"; fi
  # Single-user mode reports SQL errors on stderr but still exits 0, so look at what it said. Print only the ERROR
  # lines: the STATEMENT lines would show the password.
  output=$(printf '%s\n%s\n' "ALTER ROLE postgres PASSWORD $quoted_password;" "$rename" | postgres --single -D "$PGDATA" postgres 2>&1 >/dev/null) || true
  if grep -q -E '(ERROR|FATAL|PANIC):' <<<"$output"; then
    grep -E '(ERROR|FATAL|PANIC):' <<<"$output" >&2
    echo "trackr-postgres: setup failed" >&2
    exit 1
  fi
  sync -f "$PGDATA"
  touch "$marker"
  echo "trackr-postgres: set up database '$db' in $(( $(date +%s%3N) - started_ms )) ms"
fi

exec postgres -D "$PGDATA" "$@"
