#!/bin/bash
# Starts one havoc MariaDB node: a single server (GALERA=off) or a Galera node. See ../README.md.
#
# Environment:
#   NODE_NAME            name in logs and in wsrep_node_name (default: the host name)
#   DB_NAME, DB_USER, DB_PASSWORD   the application's database and user, created on first start
#   GALERA               "on" (default) or "off"
#   INNODB_FLUSH_LOG_AT_TRX_COMMIT  0, 1 or 2 (default: my.cnf's 1): when the redo log is fsynced (2: once a second)
# Galera only:
#   CLUSTER_ADDRESS      gcomm://host:port,... of the other nodes, as this node reaches them
#   GCOMM_PORT           port of group communication (gmcast) on this node; IST listens on GCOMM_PORT+1
#   IST_ADDRESS          host:port donors send incremental state transfers to (may be a toxiproxy link)
#   SST_ADDRESS          host:port donors rsync full state transfers to (may be a toxiproxy link)
#   BOOTSTRAP            "1" on the node that creates the cluster at its very first start, and that bootstraps a
#                        cluster restored from a backup (a data directory with .havoc-restored in it)
#   BACKUP_AGENT_PORT    if set, streams a mariabackup of this node to whoever connects there (galera-backup-stream.sh)
set -euo pipefail

node="${NODE_NAME:-$(hostname)}"
datadir=/var/lib/mysql
galera="${GALERA:-on}"
log() { echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) [$node entrypoint] $*"; }

# An empty data directory (first start, or a freshly mounted volume) gets the template made at build time.
if [ ! -d "$datadir/mysql" ]; then
  log "empty data directory: copying the template"
  cp -a /usr/share/havoc/mysql-template/. "$datadir/"
fi
# A data directory restored from the off-site backup (../backup/galera-backup-export) arrives owned by whoever
# unpacked it, with .havoc-restored naming the backup: hand it to mysql. Every node of the cluster gets the same
# backup; the node with BOOTSTRAP=1 forms a new cluster from it and the others join it (below).
restored=""
if [ -e "$datadir/.havoc-restored" ]; then
  restored=$(head -c 200 "$datadir/.havoc-restored")
  chown -R mysql:mysql "$datadir"
  rm -f "$datadir/.havoc-restored" "$datadir/gvwstate.dat"
  log "data directory restored from backup $restored"
fi
chown mysql:mysql "$datadir"
mkdir -p /run/mysqld && chown mysql:mysql /run/mysqld

# First start of the node that holds the data first (the single server, or the Galera node that bootstraps): create
# the application's database and user with a private server (no network, no replication), then stop it.
# Joiners get all of this with their first state transfer.
marker="$datadir/.havoc-initialized"
if [ ! -e "$marker" ] && { [ "$galera" = off ] || [ "${BOOTSTRAP:-0}" = 1 ]; }; then
  : "${DB_NAME:?DB_NAME is required}" "${DB_USER:?DB_USER is required}" "${DB_PASSWORD:?DB_PASSWORD is required}"
  log "first start: creating database $DB_NAME and user $DB_USER"
  mariadbd --user=mysql --skip-networking --wsrep-on=OFF --socket=/run/mysqld/init.sock &
  init_pid=$!
  for _ in $(seq 1 300); do
    mariadb --socket=/run/mysqld/init.sock -e 'SELECT 1' >/dev/null 2>&1 && break
    sleep 0.1
  done
  # The password never appears on a command line (ps); it is read from the environment by the shell only.
  mariadb --socket=/run/mysqld/init.sock <<SQL
CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`;
CREATE USER IF NOT EXISTS '$DB_USER'@'%' IDENTIFIED BY '$DB_PASSWORD';
GRANT ALL PRIVILEGES ON \`$DB_NAME\`.* TO '$DB_USER'@'%';
SQL
  kill "$init_pid"
  wait "$init_pid" || true
  touch "$marker"
  log "first start: done"
fi

node_cnf=/etc/mysql/mariadb.conf.d/99-node.cnf
extra_args=()
flush="${INNODB_FLUSH_LOG_AT_TRX_COMMIT:-}"
if [ -n "$flush" ] && ! [[ "$flush" =~ ^[012]$ ]]; then
  log "INNODB_FLUSH_LOG_AT_TRX_COMMIT must be 0, 1 or 2, got '$flush'"
  exit 1
fi
if [ "$galera" = off ]; then
  printf '[mariadbd]\nwsrep_on = OFF\n' > "$node_cnf"
else
  : "${CLUSTER_ADDRESS:?CLUSTER_ADDRESS is required}" "${GCOMM_PORT:?GCOMM_PORT is required}" "${IST_ADDRESS:?IST_ADDRESS is required}" "${SST_ADDRESS:?SST_ADDRESS is required}"
  ist_port="${IST_ADDRESS##*:}"
  cat > "$node_cnf" <<CNF
[mariadbd]
wsrep_on = ON
wsrep_provider = /usr/lib/galera/libgalera_smm.so
wsrep_cluster_name = havoc
wsrep_cluster_address = $CLUSTER_ADDRESS
wsrep_node_name = $node
wsrep_sst_method = rsync
# Donors rsync to this address; not a local address, so the joiner's rsync daemon listens on all of them.
wsrep_sst_receive_address = $SST_ADDRESS
# gmcast listens on every address and tells peers only its port: each peer takes the host from the connection it
# sees, so a peer behind the WAN link (toxiproxy) records the link's address. IST is advertised as IST_ADDRESS but
# bound on every address (ist.recv_bind), like a node behind NAT. pc.recovery (the default, made explicit) lets a
# cluster that crashed as a whole re-form its primary component from gvwstate.dat once every member is back.
# The send windows are Galera's advice for a cluster over a WAN (defaults 4 and 2): with 2 write sets in flight per
# node, commits queue behind each other for a round trip each (measured: +164 ms median for a 100 ms round trip).
wsrep_provider_options = "base_port=$GCOMM_PORT; gmcast.listen_addr=tcp://0.0.0.0:$GCOMM_PORT; ist.recv_addr=$IST_ADDRESS; ist.recv_bind=0.0.0.0:$ist_port; gcache.size=32M; pc.recovery=TRUE; evs.send_window=512; evs.user_send_window=512"
CNF
  grastate="$datadir/grastate.dat"
  if [ -n "$restored" ] && [ "${BOOTSTRAP:-0}" = 1 ]; then
    # Every node lost its data and got the same backup: nobody holds a newer state, so this node may bootstrap. Its
    # position is the backup's (read from InnoDB below); the others join with the same one and need no transfer.
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$grastate"
    log "restored from a backup and BOOTSTRAP=1: creating a new cluster from it"
    extra_args+=(--wsrep-new-cluster)
  elif [ ! -e "$grastate" ] && [ "${BOOTSTRAP:-0}" = 1 ]; then
    # The very first start of the cluster. Never again: a node that always bootstraps refuses after a full crash.
    log "no grastate.dat and BOOTSTRAP=1: creating a new cluster"
    extra_args+=(--wsrep-new-cluster)
  elif [ -e "$grastate" ] && grep -q '^safe_to_bootstrap: 1' "$grastate" && [ ! -e "$datadir/gvwstate.dat" ]; then
    # Galera marks the last node to leave a cleanly stopped cluster safe_to_bootstrap (it holds the highest seqno).
    # After a crash gvwstate.dat is left behind and pc.recovery re-forms the cluster instead, with no bootstrap.
    log "grastate.dat says safe_to_bootstrap: 1 and there is no gvwstate.dat (the last node of a clean stop): bootstrapping"
    extra_args+=(--wsrep-new-cluster)
  elif [ -e "$grastate" ]; then
    log "joining: $(grep -E '^(seqno|safe_to_bootstrap):' "$grastate" | tr '\n' ' ')gvwstate.dat $([ -e "$datadir/gvwstate.dat" ] && echo present || echo absent)"
  fi
  # After a crash grastate.dat says seqno -1: the position is only in InnoDB. Without it the node would announce no
  # state and get a full copy (SST) instead of the missed writes (IST), and after a full-cluster crash the quorum could
  # not tell which node is ahead. Read it as Debian's galera_recovery (what its systemd unit runs) does.
  if [ -e "$grastate" ] && grep -q '^seqno: *-1' "$grastate"; then
    started=$(date +%s%N)
    recovery_log=$(mktemp)
    mariadbd --user=mysql --wsrep-recover --disable-log-error 2>"$recovery_log" || { cat "$recovery_log"; log "position recovery failed"; exit 1; }
    position=$(sed -n 's/.*WSREP: Recovered position: *//p' "$recovery_log" | tail -n 1)
    rm -f "$recovery_log"
    log "crash recovery: position ${position:-not found} in $(( ($(date +%s%N) - started) / 1000000 )) ms"
    [ -n "$position" ] && extra_args+=("--wsrep-start-position=$position")
  fi
fi

if [ -n "$flush" ]; then
  printf '[mariadbd]\ninnodb_flush_log_at_trx_commit = %s\n' "$flush" >> "$node_cnf"
  log "innodb_flush_log_at_trx_commit = $flush"
fi

# Health check for routers (HTTP 200 only while this node can serve: galera-check.sh), one process per connection.
socat -T 3 TCP-LISTEN:9200,reuseaddr,fork SYSTEM:/usr/local/bin/galera-check.sh &
if [ -n "${BACKUP_AGENT_PORT:-}" ]; then
  [[ "$BACKUP_AGENT_PORT" =~ ^[0-9]+$ ]] || { log "BACKUP_AGENT_PORT must be a port number, got '$BACKUP_AGENT_PORT'"; exit 1; }
  # One backup at a time (no fork): a second connection waits in the listen queue instead of running a second
  # mariabackup beside the first. Not published; reachable on the run's private networks only.
  (while true; do socat -U TCP-LISTEN:"$BACKUP_AGENT_PORT",reuseaddr EXEC:/usr/local/bin/galera-backup-stream.sh; sleep 0.2; done) &
  log "backup agent listening on :$BACKUP_AGENT_PORT"
fi

log "starting mariadbd ${extra_args[*]:-}"
exec mariadbd --user=mysql "${extra_args[@]}"
