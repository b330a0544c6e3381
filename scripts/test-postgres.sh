#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster (临时 PostgreSQL 集群).
#
#   scripts/test-postgres.sh cargo test --workspace
#
# Starts a fresh cluster with initdb/pg_ctl in a new temporary directory, listening on
# 127.0.0.1 and a free port, exports JIXIAO_TEST_POSTGRES_URL for the tests (which create a
# database of their own per test), runs the command, and stops and removes the cluster on exit,
# whatever happens. As root, the server runs as the `postgres` user. Exits with the command's
# status.
set -euo pipefail

if [ "$#" -eq 0 ]; then
    echo "usage: $0 COMMAND [ARG...]   (e.g. $0 cargo test --workspace)" >&2
    exit 2
fi

find_tool() {
    local name=$1
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    local candidate
    for candidate in /usr/local/bin/"$name" /usr/lib/postgresql/*/bin/"$name"; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    echo "test-postgres.sh: $name not found (install PostgreSQL's server package)" >&2
    exit 2
}
INITDB=$(find_tool initdb)
PG_CTL=$(find_tool pg_ctl)

# A free TCP port on 127.0.0.1.
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)))

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jixiao-pg.XXXXXX")
DATA="$WORK/data"
SOCK="$WORK/sock"
mkdir -p "$SOCK"

if [ "$(id -u)" -eq 0 ]; then
    chown -R postgres: "$WORK"
    chmod 700 "$WORK"
    as_pg() { runuser -u postgres -- "$@"; }
else
    as_pg() { "$@"; }
fi

cleanup() {
    local status=$?
    as_pg "$PG_CTL" -D "$DATA" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT INT TERM

PGUSER_NAME=jixiao
PGPASS=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
echo "$PGPASS" > "$WORK/pwfile"
[ "$(id -u)" -eq 0 ] && chown postgres: "$WORK/pwfile"

as_pg "$INITDB" -D "$DATA" -U "$PGUSER_NAME" --pwfile="$WORK/pwfile" -A scram-sha-256 \
    -E UTF8 --locale=C.UTF-8 >"$WORK/initdb.log" 2>&1 \
    || { cat "$WORK/initdb.log" >&2; exit 2; }
as_pg "$PG_CTL" -D "$DATA" -l "$WORK/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -p $PORT -k $SOCK -c fsync=off -c max_connections=300" start \
    >/dev/null || { cat "$WORK/server.log" >&2; exit 2; }

export JIXIAO_TEST_POSTGRES_URL="postgres://$PGUSER_NAME:$PGPASS@127.0.0.1:$PORT/postgres"
echo "test-postgres.sh: PostgreSQL on 127.0.0.1:$PORT (data in $WORK), running: $*" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
