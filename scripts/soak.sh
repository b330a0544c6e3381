#!/usr/bin/env bash
# Soak test (持续负载测试), issue 5 item 4: N minutes of mixed reads and writes at a steady rate
# against `jixiao serve --demo` — list and form pages, concurrent editors of one form
# (optimistic locking: stale saves 409, no update lost), submit / return / approve /
# spot-check — on SQLite and on PostgreSQL. Figures go to docs/RELIABILITY.md.
#
#   scripts/soak.sh                   # SQLite, then PostgreSQL (a throwaway cluster), 10 min each
#   scripts/soak.sh sqlite            # one backend
#   SOAK_SECONDS=20 PROFILE=debug scripts/soak.sh   # the short version CI runs (.ci/run)
#
# Environment: SOAK_SECONDS (600), RATE (60 requests/s), EDITORS (4), READERS (4),
# PROFILE (release | debug: which build of `jixiao` to run; CI uses the debug build the tests
# made), SOAK_ARGS (more options for scripts/soak.py, e.g. --readers-skip-hot). Needs python3
# (standard library only; scripts/soak.py is the driver). Traffic goes to 127.0.0.1 only.
# Exits non-zero on any error, lost update or failed check; the figures are printed as JSON.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
SOAK_SECONDS=${SOAK_SECONDS:-600}
RATE=${RATE:-60}
EDITORS=${EDITORS:-4}
READERS=${READERS:-4}
PROFILE=${PROFILE:-release}

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

if [ "$PROFILE" = release ]; then
    cargo build --release --locked -p jixiao-cli --bin jixiao >&2
else
    cargo build --locked -p jixiao-cli --bin jixiao >&2
fi
BIN=$ROOT/target/$PROFILE/jixiao

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jixiao-soak.XXXXXX")
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
    sqlite) URL="sqlite://$WORK/soak.db" ;;
    # The throwaway cluster's own database (scripts/test-postgres.sh).
    postgres) URL=$JIXIAO_TEST_POSTGRES_URL ;;
    *) echo "soak.sh: unknown backend $backend (sqlite|postgres)" >&2; exit 2 ;;
esac

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
BASE=http://127.0.0.1:$PORT
RUST_LOG=warn "$BIN" serve --demo --addr "127.0.0.1:$PORT" --database "$URL" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 300); do
    python3 -c "import urllib.request,sys; urllib.request.urlopen('$BASE/login', timeout=1)" 2>/dev/null && break
    sleep 0.1
done

echo "== soak on $backend: ${SOAK_SECONDS} s at ${RATE}/s, $EDITORS editors, $READERS readers ($PROFILE build); load before: $(uptime)" >&2
set +e
python3 "$ROOT/scripts/soak.py" --base "$BASE" --seconds "$SOAK_SECONDS" --rate "$RATE" \
    --editors "$EDITORS" --readers "$READERS" --rss-pid "$SERVER_PID" \
    --seed "$ROOT/fixtures/songjiang-2023.tsv" ${SOAK_ARGS:-} >"$WORK/result.json"
status=$?
set -e
echo "== load after: $(uptime)" >&2
cat "$WORK/result.json"
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "soak.sh: the server died" >&2
    exit 1
fi
exit "$status"
