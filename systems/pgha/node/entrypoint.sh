#!/bin/bash
# pgha node: writes Patroni's configuration from the environment, then runs Patroni (as postgres, PID 1: Patroni
# then acts as init, reaping PostgreSQL's children and passing signals on). Patroni initialises the cluster on the
# first node to take etcd's initialize key and clones every other node from the leader with pg_basebackup.
#
# Environment (see topology.ts):
#   NODE_NAME                 member name, also the REST API's host (required)
#   CONNECT_ADDRESS           host:port other nodes reach this PostgreSQL at: the node itself, or a toxiproxy link
#                             in front of it (replicas stream from the leader's). Default NODE_NAME:5432.
#   ETCD_HOSTS                etcd client endpoints, comma-separated host:port (required)
#   POSTGRES_PASSWORD         superuser password (the apps and the readback log in as postgres) (required)
#   REPLICATION_PASSWORD      password of the replicator and rewinder users (required)
#   PATRONI_TTL, PATRONI_LOOP_WAIT, PATRONI_RETRY_TIMEOUT, MAXIMUM_LAG_ON_FAILOVER (bytes),
#   SYNCHRONOUS_MODE, SYNCHRONOUS_MODE_STRICT (true|false): the cluster's dynamic configuration, written to etcd
#                             once, by the node that initialises the cluster (bootstrap.dcs).
#   PGHA_DATABASE             database created after initdb for the apps. Default trackr.
set -euo pipefail

: "${NODE_NAME:?NODE_NAME is required}" "${ETCD_HOSTS:?ETCD_HOSTS is required}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is required}" "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD is required}"
data_dir=/var/lib/postgresql/pgha
config=/etc/patroni/patroni.yml

# A YAML single-quoted scalar: the only escape is '' for '.
yaml_quote() { printf "'%s'" "${1//\'/\'\'}"; }
bool() {
  case "${1:-false}" in true | false) printf '%s' "$1" ;; *) echo "pgha-node: expected true or false, got '$1'" >&2; exit 1 ;; esac
}
number() {
  [[ "$1" =~ ^[0-9]+$ ]] || { echo "pgha-node: expected a whole number, got '$1'" >&2; exit 1; }
  printf '%s' "$1"
}
# Checked here, not inside the heredoc: an exit in a command substitution there would not stop the script.
ttl=$(number "${PATRONI_TTL:-10}")
loop_wait=$(number "${PATRONI_LOOP_WAIT:-2}")
retry_timeout=$(number "${PATRONI_RETRY_TIMEOUT:-3}")
maximum_lag=$(number "${MAXIMUM_LAG_ON_FAILOVER:-1048576}")
synchronous_mode=$(bool "${SYNCHRONOUS_MODE:-false}")
synchronous_mode_strict=$(bool "${SYNCHRONOUS_MODE_STRICT:-false}")
[[ "$NODE_NAME" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "pgha-node: NODE_NAME '$NODE_NAME' is not a host name" >&2; exit 1; }
connect_address="${CONNECT_ADDRESS:-$NODE_NAME:5432}"
[[ "$connect_address" =~ ^[A-Za-z0-9._-]+:[0-9]+$ ]] || { echo "pgha-node: CONNECT_ADDRESS must be host:port, got '$connect_address'" >&2; exit 1; }

install -d -o postgres -g postgres -m 700 "$data_dir"
install -d -o postgres -g postgres -m 2775 /var/run/postgresql
install -d -o postgres -g postgres -m 700 /etc/patroni

umask 077
cat >"$config" <<YAML
scope: pgha
namespace: /havoc/
name: $NODE_NAME
log:
  level: INFO
  # Timestamps in UTC with ms, like the harness's clock.
  format: '%(asctime)s.%(msecs)03dZ %(levelname)s: %(message)s'
  dateformat: '%Y-%m-%dT%H:%M:%S'
restapi:
  listen: 0.0.0.0:8008
  connect_address: $NODE_NAME:8008
etcd3:
  hosts: $(yaml_quote "$ETCD_HOSTS")
bootstrap:
  dcs:
    ttl: $ttl
    loop_wait: $loop_wait
    retry_timeout: $retry_timeout
    maximum_lag_on_failover: $maximum_lag
    synchronous_mode: $synchronous_mode
    synchronous_mode_strict: $synchronous_mode_strict
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: 'on'
        # pg_rewind needs hint bits WAL-logged (or data checksums) to rewind a former primary.
        wal_log_hints: 'on'
        max_connections: 100
        max_wal_senders: 10
        max_replication_slots: 10
        wal_keep_size: 256MB
        # Durability is what the scenarios test: a commit returns only after its WAL is flushed locally and, in
        # synchronous mode, on the synchronous standby.
        fsync: 'on'
        synchronous_commit: 'on'
        full_page_writes: 'on'
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  post_bootstrap: /usr/local/bin/pgha-post-bootstrap
postgresql:
  listen: 0.0.0.0:5432
  connect_address: $connect_address
  data_dir: $data_dir
  bin_dir: /usr/lib/postgresql/15/bin
  pgpass: /tmp/pgpass-patroni
  # Replicas are cloned with pg_basebackup; a spread checkpoint on the leader would hold each clone for minutes.
  basebackup:
    - checkpoint: fast
  authentication:
    superuser:
      username: postgres
      password: $(yaml_quote "$POSTGRES_PASSWORD")
    replication:
      username: replicator
      password: $(yaml_quote "$REPLICATION_PASSWORD")
    rewind:
      username: rewinder
      password: $(yaml_quote "$REPLICATION_PASSWORD")
  pg_hba:
    # Inside the node (Patroni, the harness's probes through docker exec): the socket only.
    - local all all trust
    - host all all 0.0.0.0/0 scram-sha-256
    - host replication replicator 0.0.0.0/0 scram-sha-256
  parameters:
    unix_socket_directories: /var/run/postgresql
    password_encryption: scram-sha-256
    log_destination: stderr
    logging_collector: 'off'
    log_timezone: UTC
    timezone: UTC
    log_line_prefix: '%m [%p] %q%u@%d '
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
YAML
chown postgres:postgres "$config"
export PGHA_DATABASE="${PGHA_DATABASE:-trackr}"
[[ "$PGHA_DATABASE" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { echo "pgha-node: PGHA_DATABASE must be a plain identifier" >&2; exit 1; }
# The secrets are in the config file (0600, owned by postgres); keep them out of Patroni's environment.
unset POSTGRES_PASSWORD REPLICATION_PASSWORD
echo "pgha-node: $NODE_NAME, PostgreSQL reachable at $connect_address, etcd $ETCD_HOSTS"
exec setpriv --reuid=postgres --regid=postgres --init-groups patroni "$config"
