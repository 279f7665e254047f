#!/bin/bash
# The classic Galera "clustercheck" for haproxy's `option httpchk`, run by socat once per connection on :9200.
# 200 only while this node can serve clients: for a Galera node wsrep_local_state is 4 (Synced) and wsrep_ready is
# ON (it is in the primary component); for a single server (wsrep off) while it answers a query at all.
# With --exit (the harness's ready probe), prints the reason and exits 0 (serving) or 1 instead of speaking HTTP.
set -u
status=$(timeout 2 mariadb -N -B -e "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_ON', 'WSREP_LOCAL_STATE', 'WSREP_READY', 'WSREP_LOCAL_STATE_COMMENT')" 2>&1)
rc=$?
value() { awk -v k="$1" '$1 == k { print $2 }' <<<"$status"; }
if [ $rc -ne 0 ]; then
  ok=0; why="mariadb does not answer: ${status//$'\n'/ }"
elif [ "$(timeout 2 mariadb -N -B -e 'SELECT @@wsrep_on' 2>/dev/null)" != 1 ]; then
  ok=1; why="single server answers"
elif [ "$(value WSREP_LOCAL_STATE)" = 4 ] && [ "$(value WSREP_READY)" = ON ]; then
  ok=1; why="Synced, wsrep_ready ON"
else
  ok=0; why="not serving: state $(value WSREP_LOCAL_STATE) ($(value WSREP_LOCAL_STATE_COMMENT)), wsrep_ready $(value WSREP_READY)"
fi
if [ "${1:-}" = --exit ]; then
  echo "$why"
  [ $ok = 1 ]; exit
fi
# Discard the request line (haproxy closes after the answer; HTTP/1.0 semantics).
read -r -t 1 _ || true
body="$why"$'\n'
if [ $ok = 1 ]; then line="HTTP/1.1 200 OK"; else line="HTTP/1.1 503 Service Unavailable"; fi
printf '%s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' "$line" "${#body}" "$body"
