#!/usr/bin/env bash
# The browser journey test (浏览器端到端测试): headless Chromium walks the whole workflow of
# issue 4 against `jixiao serve --demo` on a temporary SQLite file and a free port, and writes
# a screenshot of every page to docs/screenshots/web/.
#
#   scripts/browser-test.sh
#
# Needs Debian's `chromium` (and `fonts-noto-cjk` for readable screenshots), Node.js and npm;
# the driver is playwright-core (crates/web/browser/package-lock.json; it never downloads a
# browser). Without Chromium or Node it prints why it skips and exits 0 locally; with CI=true
# it fails instead. CHROMIUM=/path overrides the browser; JIXIAO_BIN a prebuilt `jixiao`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

skip() {
    if [ "${CI:-}" = "true" ]; then
        echo "browser-test.sh: FAILED: $1 (required in CI)" >&2
        exit 1
    fi
    echo "browser-test.sh: skipped: $1" >&2
    exit 0
}

CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] && [ -x "$CHROMIUM" ] || skip "Chromium not found (apt-get install -y chromium fonts-noto-cjk)"
command -v node >/dev/null 2>&1 || skip "node not found (apt-get install -y nodejs npm)"
export CHROMIUM

BROWSER_DIR=$ROOT/crates/web/browser
if [ ! -d "$BROWSER_DIR/node_modules/playwright-core" ]; then
    (cd "$BROWSER_DIR" && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ -z "${JIXIAO_BIN:-}" ]; then
    cargo build --locked -p jixiao-cli --bin jixiao
    JIXIAO_BIN=$ROOT/target/debug/jixiao
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/jixiao-browser.XXXXXX")
SERVER_PID=
cleanup() {
    local status=$?
    if [ -n "$SERVER_PID" ]; then
        kill "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    if [ "$status" -ne 0 ] && [ -f "$WORK/server.log" ]; then
        echo "--- server log (last 40 lines) ---" >&2
        tail -40 "$WORK/server.log" >&2
    fi
    rm -rf "$WORK"
    exit "$status"
}
trap cleanup EXIT INT TERM

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
"$JIXIAO_BIN" serve --demo --addr "127.0.0.1:$PORT" --database "sqlite://$WORK/jixiao.db" \
    >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$PORT/login" 2>/dev/null; then break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || { echo "browser-test.sh: the server did not start" >&2; exit 1; }
    sleep 0.1
done

# The seed as .xlsx too, written by the CLI (the import step uploads it).
"$JIXIAO_BIN" convert "$ROOT/fixtures/songjiang-2023.tsv" -o "$WORK/seed.xlsx" >/dev/null 2>&1

node "$BROWSER_DIR/journey.mjs" "http://127.0.0.1:$PORT" "$ROOT/fixtures/songjiang-2023.tsv" \
    "$ROOT/docs/screenshots/web" "$WORK/seed.xlsx"
