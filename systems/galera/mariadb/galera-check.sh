#!/bin/bash
# The classic Galera "clustercheck" for haproxy's `option httpchk`, run by socat once per connection on :9200.
# 200 only while this node can serve clients: for a Galera node wsrep_local_state is 4 (Synced) and wsrep_ready is
# ON (it is in the primary component); for a single server (wsrep off) while it answers a query at all.
# With --exit (the harness's ready probe), prints the reason and exits 0 (serving) or 1 instead of speaking HTTP.
# One client call per check: the routers check every node twice a second on a shared 2-core machine.
set -u
query="SELECT @@wsrep_on,
  (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE'),
  (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_LOCAL_STATE_COMMENT'),
  (SELECT VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME = 'WSREP_READY')"
if ! row=$(timeout 2 mariadb -N -B -e "$query" 2>&1); then
  ok=0; why="mariadb does not answer: ${row//$'\n'/ }"
else
  read -r wsrep_on state comment ready <<<"$row"
  if [ "$wsrep_on" != 1 ]; then
    ok=1; why="single server answers"
  elif [ "$state" = 4 ] && [ "$ready" = ON ]; then
    ok=1; why="Synced, wsrep_ready ON"
  else
    ok=0; why="not serving: state $state ($comment), wsrep_ready $ready"
  fi
fi
if [ "${1:-}" = --exit ]; then
  echo "$why"
  [ $ok = 1 ]; exit
fi
body="$why"$'\n'
if [ $ok = 1 ]; then line="HTTP/1.1 200 OK"; else line="HTTP/1.1 503 Service Unavailable"; fi
# Read the request up to its blank line before answering: closing a socket with unread data sends a reset, which can
# make the checker lose the answer.
for _ in $(seq 1 32); do IFS= read -r -t 1 header || break; [ -z "${header%$'\r'}" ] && break; done
printf '%s\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s' "$line" "${#body}" "$body"
