#!/bin/bash
# Run once by Patroni on the node that initialises the cluster, with a connection URL for the superuser as $1
# (PGPASSFILE set by Patroni): creates the database the trackr apps use.
set -euo pipefail
psql "$1" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE ${PGHA_DATABASE:-trackr}"
echo "pgha-post-bootstrap: created database ${PGHA_DATABASE:-trackr}"
