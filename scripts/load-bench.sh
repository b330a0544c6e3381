#!/usr/bin/env bash
# Web load benchmark (网页压测), DESIGN.md §6: 200 concurrent clients on 10 000 stored forms,
# the list page and a form page, with a logged-in session, on SQLite and on PostgreSQL.
#
#   scripts/load-bench.sh              # SQLite, then PostgreSQL (a throwaway cluster)
#   scripts/load-bench.sh sqlite       # one backend
#   scripts/load-bench.sh postgres     # needs initdb/pg_ctl (as scripts/test-postgres.sh)
#
# Environment: FORMS (10000), CONNECTIONS (200), DURATION (30s), THREADS (2), WARMUP (5s).
#
# What is measured is the steady state of a server holding FORMS forms: after seeding,
# PostgreSQL is vacuumed and analysed (as autovacuum would have done long before on a real
# database; otherwise it runs during the measurement), and each page gets WARMUP of the same
# load, not recorded, before its DURATION is (connections prepare their statements, caches
# fill). WARMUP=0s measures from cold.
# Needs wrk (apt-get install -y wrk) and curl. Builds `jixiao` and the seeding example in
# release mode; traffic goes to 127.0.0.1 only and stops after DURATION.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
FORMS=${FORMS:-10000}
CONNECTIONS=${CONNECTIONS:-200}
DURATION=${DURATION:-30s}
THREADS=${THREADS:-2}
WARMUP=${WARMUP:-5s}

command -v wrk >/dev/null 2>&1 || { echo "load-bench.sh: wrk not found (apt-get install -y wrk)" >&2; exit 2; }

backends=("$@")
[ "${#backends[@]}" -eq 0 ] && backends=(sqlite postgres)

if [ "${backends[0]}" = "postgres" ] && [ -z "${JIXIAO_TEST_POSTGRES_URL:-}" ]; then
    exec "$ROOT/scripts/test-postgres.sh" "$0" postgres
fi
if [ "${#backends[@]}" -gt 1 ]; then
    "$0" sqlite
    exec "$0" postgres
fi
backend=${backends[0]}

cargo build --release --locked -p jixiao-cli --bin jixiao >&2
cargo build --release --locked -p jixiao-web --example seed >&2
BIN=$ROOT/target/release/jixiao
SEED=$ROOT/target/release/examples/seed

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jixiao-load.XXXXXX")
SERVER_PID=
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    [ "$status" -ne 0 ] && [ -f "$WORK/server.log" ] && tail -20 "$WORK/server.log" >&2
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT INT TERM

case "$backend" in
    sqlite) URL="sqlite://$WORK/bench.db" ;;
    postgres) URL=$JIXIAO_TEST_POSTGRES_URL ;;
    *) echo "load-bench.sh: unknown backend $backend (sqlite|postgres)" >&2; exit 2 ;;
esac

echo "== $backend: seeding $FORMS forms" >&2
FORM_ID=$("$SEED" "$URL" "$FORMS")
if [ "$backend" = postgres ]; then
    PSQL=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -1 || true)
    if [ -n "$PSQL" ]; then
        "$PSQL" -q "$URL" -c 'VACUUM ANALYZE' >&2
    else
        echo "load-bench.sh: psql not found: measuring without VACUUM ANALYZE after seeding" >&2
    fi
fi

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
RUST_LOG=warn "$BIN" serve --addr "127.0.0.1:$PORT" --database "$URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$BASE/login" 2>/dev/null && break
    sleep 0.1
done
curl -fsS -c "$WORK/jar" -H 'Content-Type: application/json' -H "Origin: $BASE" \
    -d '{"username":"filler","password":"demo"}' "$BASE/api/login" >/dev/null
COOKIE=$(awk '$6 == "jixiao_session" { print $6 "=" $7 }' "$WORK/jar")
[ -n "$COOKIE" ] || { echo "load-bench.sh: login failed" >&2; exit 1; }
curl -fsS -o /dev/null -H "Cookie: $COOKIE" "$BASE/evaluations/$FORM_ID"

run() {
    local name=$1 path=$2 out="$WORK/wrk-$1.txt"
    if [ "$WARMUP" != 0s ] && [ "$WARMUP" != 0 ]; then
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "Cookie: $COOKIE" "$BASE$path" >/dev/null
    fi
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "Cookie: $COOKIE" "$BASE$path" >"$out"
    local p50 p99 rps non2xx sock
    p50=$(awk '$1 == "50%" { print $2 }' "$out")
    p99=$(awk '$1 == "99%" { print $2 }' "$out")
    rps=$(awk '$1 == "Requests/sec:" { print $2 }' "$out")
    non2xx=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    sock=$(awk '/Socket errors:/ { sub(/.*Socket errors: /, ""); print }' "$out")
    printf '| %s | %s | `%s` | %s | %s | %s | %s | %s |\n' "$backend" "$FORMS" "$path" "$CONNECTIONS" \
        "$p50" "$p99" "$rps" "${non2xx:-0} non-2xx${sock:+; socket errors: $sock}"
}

echo "| backend | forms | page | clients | p50 | p99 | requests/s | errors |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
run list "/"
run form "/evaluations/$FORM_ID"
