#!/bin/bash
# The "weekly" copy to zone B: every COPY_EVERY_DAILIES-th daily base backup of SOURCE (the zone-A backup node's
# rsync daemon) is copied here with rsync, as soon as that daily backup is catalogued there; the very first one at
# start. Copying a chosen daily, not "whatever is newest at copy time", keeps the copies one copy interval apart in
# the data they hold (a weekly job that copies Sunday's daily), so a disaster loses at most one copy interval plus a
# daily backup's and a copy's duration. A copy completed is one line of $BACKUP_DIR/catalog.ndjson with the times of
# the daily backup it holds (what its data is as of) and when the copy ended:
#   {"label":"base-<epoch ms>","kind":"copy","startedAtMs":<ms>,"completedAtMs":<ms>,"copiedAtMs":<ms>}
# A copy that fails (zone A unreachable, the disk full) is logged to stderr and tried again a second later; while
# SOURCE is gone nothing new is copied and the copies already here stay (they are what a restore uses).
set -uo pipefail

dir="${BACKUP_DIR:-/backups}"
source_host="${SOURCE:?SOURCE=<host of the zone-A backup node> is required}"
every="${COPY_EVERY_DAILIES:-3}"
keep="${KEEP:-3}"
if ! [[ "$source_host" =~ ^[A-Za-z0-9._-]+$ && "$every" =~ ^[1-9][0-9]*$ && "$keep" =~ ^[1-9][0-9]*$ ]]; then
  echo "zone-copy: SOURCE must be a host name, COPY_EVERY_DAILIES and KEEP positive whole numbers" >&2
  exit 1
fi
mkdir -p "$dir/base"
now_ms() { date +%s%3N; }
# Index (line number in SOURCE's catalog) of the daily copied last; 0: none yet.
copied=0
while true; do
  if rsync -q "rsync://$source_host/backups/catalog.ndjson" /tmp/source-catalog 2>/tmp/rsync.err; then
    lines=$(wc -l </tmp/source-catalog)
    # Due: the first daily there is, then the one COPY_EVERY_DAILIES after the last copied (a copy that fell
    # behind takes the newest instead, so zone B never copies an ever older daily).
    if [ "$lines" -gt 0 ] && { [ "$copied" = 0 ] || [ "$lines" -ge $((copied + every)) ]; }; then
      if [ "$copied" = 0 ] || [ "$lines" -gt $((copied + every)) ]; then index=$lines; else index=$((copied + every)); fi
      line=$(sed -n "${index}p" /tmp/source-catalog)
      label=$(sed -n 's/.*"label":"\([^"]*\)".*/\1/p' <<<"$line")
      started=$(sed -n 's/.*"startedAtMs":\([0-9]*\).*/\1/p' <<<"$line")
      completed=$(sed -n 's/.*"completedAtMs":\([0-9]*\).*/\1/p' <<<"$line")
      if [[ "$label" =~ ^base-[0-9]+$ && -n "$started" && -n "$completed" ]]; then
        t0=$(now_ms)
        if rsync -a "rsync://$source_host/backups/base/$label/" "$dir/base/$label.partial/" 2>/tmp/rsync.err \
            && sync -f "$dir/base/$label.partial" \
            && mv "$dir/base/$label.partial" "$dir/base/$label" \
            && printf '{"label":"%s","kind":"copy","startedAtMs":%s,"completedAtMs":%s,"copiedAtMs":%s}\n' "$label" "$started" "$completed" "$(now_ms)" >>"$dir/catalog.ndjson" \
            && sync -f "$dir/catalog.ndjson"; then
          echo "zone-copy: $label (daily #$index of $source_host) copied in $(( $(now_ms) - t0 )) ms"
          copied=$index
          ls -1d "$dir"/base/base-* 2>/dev/null | grep -v '\.partial$' | sort -t- -k2 -n | head -n -"$keep" | xargs -r rm -rf
        else
          echo "zone-copy: copy of $label FAILED: $(tail -n 2 /tmp/rsync.err | tr '\n' ' ')" >&2
          rm -rf "$dir/base/$label.partial"
        fi
      else
        echo "zone-copy: line $index of $source_host's catalog unreadable: $line" >&2
        copied=$index
      fi
    fi
  else
    echo "zone-copy: $source_host's catalog unreachable: $(tail -n 1 /tmp/rsync.err)" >&2
  fi
  sleep 1
done
