#!/bin/bash
# Writes a restorable PostgreSQL data directory as a tar stream on stdout, from the newest completed base backup:
#   havoc-backup-export last-backup       the base backup alone (what it held when it ended)
#   havoc-backup-export newest-archived   the base backup plus every WAL segment pg_receivewal kept since it began
#                                         (the partial one too): PostgreSQL replays them at start (crash recovery
#                                         from the backup's checkpoint to the end of the WAL it finds).
# What was restored goes to stderr as one line. Exit 1 (nothing on stdout) when there is no backup.
set -euo pipefail
dir="${BACKUP_DIR:-/backups}"
point="${1:-last-backup}"
case "$point" in last-backup | newest-archived) ;; *) echo "havoc-backup-export: point must be last-backup or newest-archived, got '$point'" >&2; exit 2 ;; esac
label=""
if [ -s "$dir/catalog.ndjson" ]; then
  # The newest catalogued backup whose directory is still there.
  while read -r line; do
    candidate=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$line")
    [ -n "$candidate" ] && [ -d "$dir/base/$candidate" ] && label="$candidate"
  done <"$dir/catalog.ndjson"
fi
if [ -z "$label" ]; then
  echo "havoc-backup-export: no completed base backup in $dir" >&2
  exit 1
fi
base="$dir/base/$label"
wal=()
if [ "$point" = newest-archived ]; then
  # The backup's first segment, from its backup_label: "START WAL LOCATION: 0/2000028 (file 000000010000000000000002)".
  first=$(sed -n 's/^START WAL LOCATION: .*(file \([0-9A-F]\{24\}\)).*/\1/p' "$base/backup_label")
  for f in "$dir"/wal/*; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    [[ "$name" =~ ^[0-9A-F]{24}(\.partial)?$ ]] || continue
    [[ "${name%.partial}" < "$first" ]] && continue
    wal+=("$name")
  done
  if [ "${#wal[@]}" = 0 ]; then
    echo "havoc-backup-export: no archived WAL from $first on in $dir/wal" >&2
    exit 1
  fi
  newest="${wal[-1]}"
  echo "havoc-backup-export: $label + ${#wal[@]} WAL segment(s) up to $newest (last written $(date -u -r "$dir/wal/$newest" +%H:%M:%S.%3N))" >&2
else
  echo "havoc-backup-export: $label" >&2
fi
# One tar, no staging copy: the base backup, then the archived segments into pg_wal/ (".partial" dropped). tar
# extracts in order, so an archived segment replaces the base backup's copy of it, which ends where the backup did.
args=(-c -C "$base" .)
if [ "${#wal[@]}" -gt 0 ]; then args+=(-C "$dir/wal" --transform='s|^\([0-9A-F]\{24\}\)\(\.partial\)\{0,1\}$|pg_wal/\1|' "${wal[@]}"); fi
tar "${args[@]}"
