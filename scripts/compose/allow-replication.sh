#!/bin/sh
# Run by the postgres image on a new data volume (docker-entrypoint-initdb.d): lets the
# postgres-replica service stream from this server with the same password as the application.
set -e
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
