#!/usr/bin/env bash
# A throwaway PostgreSQL primary and its streaming standby on this machine, for the replica test
# (tests/test_replica.py) and for trying the read router by hand:
#
#   bash scripts/replica-pair.sh start    # primary on 127.0.0.1:5434, standby on :5435
#   bash scripts/replica-pair.sh stop
#
# The standby is made the way a production one is: pg_basebackup -R from the running primary,
# then started in hot-standby mode, streaming. The pair lives under REPLICA_PAIR_DIR
# (/tmp/lecrs-replica-pair) and never touches the cluster on 5432. Needs the PostgreSQL server
# binaries (Debian's postgresql package); as root it runs them as the postgres user.
set -euo pipefail

DIR=${REPLICA_PAIR_DIR:-/tmp/lecrs-replica-pair}
PRIMARY_PORT=${REPLICA_PAIR_PRIMARY_PORT:-5434}
STANDBY_PORT=${REPLICA_PAIR_STANDBY_PORT:-5435}

bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -n "$bindir" ] && [ -x "$bindir/initdb" ] || {
    echo "replica-pair: PostgreSQL server binaries not found (install the Debian package postgresql)" >&2
    exit 1
}

as_pg() {  # initdb and the server refuse to run as root
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

running() { as_pg "$bindir/pg_ctl" -D "$1" status >/dev/null 2>&1; }

wait_ready() {
    for _ in $(seq 60); do "$bindir/pg_isready" -q -h 127.0.0.1 -p "$1" && return; sleep 0.5; done
    echo "replica-pair: the server on port $1 did not come up; see $DIR/*.log" >&2
    exit 1
}

start() {
    mkdir -p "$DIR"
    [ "$(id -u)" = 0 ] && chown postgres: "$DIR"
    if [ ! -f "$DIR/primary/PG_VERSION" ]; then
        as_pg "$bindir/initdb" -D "$DIR/primary" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
        cat >>"$DIR/primary/postgresql.conf" <<CONF
port = $PRIMARY_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
wal_level = replica
max_wal_senders = 4
# A test pair: durability is not the point, speed is.
fsync = off
synchronous_commit = off
full_page_writes = off
CONF
        printf 'local all all trust\nhost all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n' \
            >"$DIR/primary/pg_hba.conf"
    fi
    running "$DIR/primary" || as_pg "$bindir/pg_ctl" -D "$DIR/primary" -l "$DIR/primary.log" -w start >/dev/null
    wait_ready "$PRIMARY_PORT"
    if [ ! -f "$DIR/standby/PG_VERSION" ]; then
        as_pg "$bindir/pg_basebackup" -h 127.0.0.1 -p "$PRIMARY_PORT" -U postgres -D "$DIR/standby" -R -X stream -c fast
        echo "port = $STANDBY_PORT" | as_pg tee -a "$DIR/standby/postgresql.auto.conf" >/dev/null
    fi
    running "$DIR/standby" || as_pg "$bindir/pg_ctl" -D "$DIR/standby" -l "$DIR/standby.log" -w start >/dev/null
    wait_ready "$STANDBY_PORT"
    recovery=$("$bindir/psql" -h 127.0.0.1 -p "$STANDBY_PORT" -U postgres -d postgres -qtAX -c "SELECT pg_is_in_recovery()")
    [ "$recovery" = t ] || { echo "replica-pair: the server on $STANDBY_PORT is not a standby" >&2; exit 1; }
    echo "replica-pair: primary 127.0.0.1:$PRIMARY_PORT, standby 127.0.0.1:$STANDBY_PORT (streaming)"
}

stop() {
    for node in standby primary; do
        if [ -f "$DIR/$node/PG_VERSION" ] && running "$DIR/$node"; then
            as_pg "$bindir/pg_ctl" -D "$DIR/$node" -m fast -w stop >/dev/null
        fi
    done
    rm -rf "$DIR"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
