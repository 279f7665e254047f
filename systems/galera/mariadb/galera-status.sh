#!/bin/bash
# Numeric Galera signals of this node for the harness's series probes, one "<signal>:<node> <number>" per line:
#   cluster_size  members of the component this node is in
#   local_state   wsrep_local_state: 1 joining, 2 donor, 3 joined, 4 synced (0 outside any component)
#   ready         1 while wsrep_ready is ON
#   primary       1 while the node's component is the primary one
# Arguments pick signals (default all). Prints nothing and exits 1 when mariadb does not answer.
set -euo pipefail
node="${NODE_NAME:-$(hostname)}"
wanted="${*:-cluster_size local_state ready primary}"
timeout 2 mariadb -N -B -e "SELECT VARIABLE_NAME, VARIABLE_VALUE FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN ('WSREP_CLUSTER_SIZE', 'WSREP_LOCAL_STATE', 'WSREP_READY', 'WSREP_CLUSTER_STATUS')" |
  awk -v n="$node" -v wanted=" $wanted " '
    function out(name, value) { if (index(wanted, " " name " ")) print name ":" n, value }
    $1 == "WSREP_CLUSTER_SIZE" { out("cluster_size", $2) }
    $1 == "WSREP_LOCAL_STATE" { out("local_state", $2) }
    $1 == "WSREP_READY" { out("ready", $2 == "ON" ? 1 : 0) }
    $1 == "WSREP_CLUSTER_STATUS" { out("primary", $2 == "Primary" ? 1 : 0) }'
