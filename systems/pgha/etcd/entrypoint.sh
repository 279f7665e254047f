#!/bin/bash
# One member of pgha's etcd cluster. The members are found by name on the run's network (Docker DNS), so a member
# restarted at a new address is still found; the data dir lives in the container's layer and survives kill + start
# (a restarted member rejoins with its old identity; the --initial-* flags only matter on the very first start).
#   NODE_NAME      this member's name, also its host name (required)
#   ETCD_MEMBERS   every member's name, comma-separated, e.g. etcd-1,etcd-2,etcd-3 (required)
set -euo pipefail
: "${NODE_NAME:?NODE_NAME is required}" "${ETCD_MEMBERS:?ETCD_MEMBERS is required}"
cluster=""
IFS=, read -ra members <<<"$ETCD_MEMBERS"
for member in "${members[@]}"; do
  [[ "$member" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "pgha-etcd: '$member' is not a host name" >&2; exit 1; }
  cluster+="${cluster:+,}$member=http://$member:2380"
done
install -d -m 700 /var/lib/etcd/data
echo "pgha-etcd: $NODE_NAME of $ETCD_MEMBERS"
# Heartbeat 100 ms, election after 1 s without one (etcd's defaults, kept explicit): a lost etcd leader is replaced
# well inside Patroni's retry_timeout, so an etcd election alone never demotes PostgreSQL.
exec etcd \
  --name "$NODE_NAME" \
  --data-dir /var/lib/etcd/data \
  --listen-peer-urls http://0.0.0.0:2380 \
  --listen-client-urls http://0.0.0.0:2379 \
  --initial-advertise-peer-urls "http://$NODE_NAME:2380" \
  --advertise-client-urls "http://$NODE_NAME:2379" \
  --initial-cluster "$cluster" \
  --initial-cluster-state new \
  --initial-cluster-token pgha \
  --heartbeat-interval 100 \
  --election-timeout 1000 \
  --logger zap \
  --log-outputs stderr
