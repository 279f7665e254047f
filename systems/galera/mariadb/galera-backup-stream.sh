#!/bin/bash
# The backup agent: run by socat once per connection on BACKUP_AGENT_PORT (entrypoint.sh). Streams a hot backup of
# this node's data directory as xbstream on stdout (the connection) with Debian's mariabackup: --galera-info records
# the node's Galera position (xtrabackup_galera_info) so a restored cluster knows where it is. mariabackup's own log
# goes to stderr, i.e. the container's log; a failed backup ends the stream early and the backup node's prepare
# refuses it. mariabackup connects as root over the local socket (unix_socket authentication, no password anywhere).
set -o pipefail
tmp=$(mktemp -d /tmp/mariabackup.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
echo "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ) [${NODE_NAME:-$(hostname)} backup-agent] streaming a backup to ${SOCAT_PEERADDR:-?}" >&2
mariabackup --backup --galera-info --stream=xbstream --user=root --socket=/run/mysqld/mysqld.sock --target-dir="$tmp" --parallel=1
