#!/bin/bash
# trackr postgres: on first start, set up the data dir from the template baked into the image (password from
# POSTGRES_PASSWORD, database named POSTGRES_DB), then exec postgres in the foreground. Setup runs postgres in
# single-user mode (no socket, no TCP), so `pg_isready -h 127.0.0.1` answers only once the database and the password
# exist.
# With REPLICA_OF=<host>:<port> the node is instead a read-only hot standby of that primary: on first start it copies
# the primary with pg_basebackup (which brings the primary's config, password and pg_hba) and streams from it after.
set -euo pipefail

PGDATA="${PGDATA:-/var/lib/postgresql/data}"
template=/var/lib/postgresql/template
marker="$PGDATA/.havoc-initialised"

if [ "$(id -u)" = 0 ]; then
  # A bind-mounted data dir (e.g. a size-limited disk for disk-full faults) arrives owned by root; so does a data
  # dir restored from a backup node's tar (its files owned by whoever took the backup there).
  install -d -o postgres -g postgres -m 700 "$PGDATA"
  find "$PGDATA" ! -user postgres -exec chown -h postgres:postgres {} +
  install -d -o postgres -g postgres -m 2775 /var/run/postgresql
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

if [ -n "${REPLICA_OF:-}" ] && [ ! -e "$marker" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required to copy the primary}"
  primary_host="${REPLICA_OF%:*}"
  primary_port="${REPLICA_OF##*:}"
  if ! [[ "$primary_host" =~ ^[A-Za-z0-9._-]+$ && "$primary_port" =~ ^[0-9]+$ ]]; then
    echo "trackr-postgres: REPLICA_OF must be <host>:<port>, got '$REPLICA_OF'" >&2
    exit 1
  fi
  started_ms=$(date +%s%3N)
  # The password goes to libpq through a passfile, never through the command line or a config file it could be
  # printed from. In .pgpass, ':' and '\' are escaped with '\'.
  passfile=/var/lib/postgresql/.pgpass
  escaped=${POSTGRES_PASSWORD//\\/\\\\}
  printf '*:*:*:postgres:%s\n' "${escaped//:/\\:}" >"$passfile"
  chmod 600 "$passfile"
  find "$PGDATA" -mindepth 1 -delete
  # The primary may still be starting: retry for up to 60 s.
  for attempt in $(seq 1 120); do
    if pg_basebackup -h "$primary_host" -p "$primary_port" -U postgres -D "$PGDATA" -X stream --no-password \
        -d "passfile=$passfile application_name=${NODE_NAME:-replica}" -R 2>/tmp/basebackup.err; then
      break
    fi
    if [ "$attempt" = 120 ]; then
      cat /tmp/basebackup.err >&2
      echo "trackr-postgres: no base backup from $REPLICA_OF after 60 s" >&2
      exit 1
    fi
    find "$PGDATA" -mindepth 1 -delete
    sleep 0.5
  done
  touch "$marker"
  echo "trackr-postgres: copied the primary at $REPLICA_OF in $(( $(date +%s%3N) - started_ms )) ms; streaming from it"
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
