#!/usr/bin/env python3
"""Soak driver (持续负载): mixed reads and writes at a steady rate against a running
`jixiao serve --demo`, for scripts/soak.sh. Python standard library only.

What runs, each worker paced to its share of --rate requests per second:
- readers: the list page `/`, a form page `/evaluations/{id}`, `GET /api/evaluations`,
  `GET /api/evaluations/{id}` and the public list;
- editors: --editors sessions of the unit's filler editing ONE form at once, each
  `GET` → change an indicator's reason → `PUT` with the version it read. A stale save must
  answer 409; an accepted one (200) must bump the version by exactly one. At the end the
  form's version must equal 1 + accepted saves, and its history one row per version: no
  update lost, none counted twice;
- workflow: forms imported by the filler go submit → return (with a reason) → submit →
  approve (reviewer) → spot-check (finance), each transition with the version read.

Every response that is neither 2xx/3xx nor an expected 409 of a stale save is an error. The
server's RSS is sampled every 10 s from /proc. Exit 0 only when there was no error and no
lost update; the figures are printed as one JSON object on stdout (and a table on stderr).
"""

import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse

SEED_PATH = None


def percentile(sorted_values, p):
    if not sorted_values:
        return 0.0
    k = max(0, min(len(sorted_values) - 1, int(round(p / 100.0 * len(sorted_values) + 0.5)) - 1))
    return sorted_values[k]


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = {}  # kind -> [seconds]
        self.errors = []  # (kind, status, body excerpt)
        self.counts = {}

    def record(self, kind, seconds):
        with self.lock:
            self.latencies.setdefault(kind, []).append(seconds)

    def count(self, name, n=1):
        with self.lock:
            self.counts[name] = self.counts.get(name, 0) + n

    def error(self, kind, status, body):
        with self.lock:
            self.errors.append((kind, status, body[:300]))


class Client:
    """One browser-like session: a keep-alive connection and a cookie."""

    def __init__(self, host, port, stats):
        self.host, self.port, self.stats = host, port, stats
        self.conn = None
        self.cookie = None

    def _conn(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        return self.conn

    def request(self, kind, method, path, body=None, ctype=None):
        headers = {"Host": f"{self.host}:{self.port}"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if method not in ("GET", "HEAD"):
            headers["Origin"] = f"http://{self.host}:{self.port}"
            headers["Content-Type"] = ctype or "application/json"
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        for attempt in range(2):
            start = time.perf_counter()
            try:
                c = self._conn()
                c.request(method, path, body=body, headers=headers)
                r = c.getresponse()
                data = r.read()
                elapsed = time.perf_counter() - start
                break
            except (http.client.HTTPException, OSError) as e:
                # A keep-alive connection the server closed: reconnect once.
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 1:
                    self.stats.error(kind, 0, f"{type(e).__name__}: {e}")
                    return 0, b""
        for k, v in r.getheaders():
            if k.lower() == "set-cookie" and v.startswith("jixiao_session="):
                pair = v.split(";", 1)[0]
                self.cookie = None if pair.endswith("=") or "Max-Age=0" in v else pair
        self.stats.record(kind, elapsed)
        self.stats.count("requests")
        return r.status, data

    def login(self, user, password):
        status, data = self.request("login", "POST", "/api/login", {"username": user, "password": password})
        if status != 200:
            raise SystemExit(f"soak: login {user} failed: {status} {data[:200]!r}")


class Pacer:
    """Steady rate: the n-th tick is due at start + n / rate (no catch-up bursts)."""

    def __init__(self, rate, deadline):
        self.interval = 1.0 / rate
        self.next = time.monotonic()
        self.deadline = deadline

    def wait(self):
        now = time.monotonic()
        if self.next > now:
            time.sleep(self.next - now)
        self.next = max(self.next + self.interval, time.monotonic() - self.interval)
        return time.monotonic() < self.deadline


def ok(stats, kind, status, data, allowed=(200, 201, 303)):
    if status in allowed:
        return True
    stats.error(kind, status, data.decode("utf-8", "replace"))
    return False


def reader(args, stats, deadline, ids, index):
    c = Client(args.host, args.port, stats)
    c.login("reviewer" if index % 2 else "filler", "demo")
    pacer = Pacer(args.rate * args.read_share / args.readers, deadline)
    i = index
    while pacer.wait():
        pick = ids[i % len(ids)]
        kind = i % 5
        if kind == 0:
            s, d = c.request("list page", "GET", "/")
        elif kind == 1:
            s, d = c.request("form page", "GET", f"/evaluations/{pick}")
            # A reviewer cannot see drafts: 404 is the access rule, not an error.
            if s == 404 and index % 2:
                stats.count("reader 404 (draft hidden from reviewer)")
                i += 1
                continue
        elif kind == 2:
            s, d = c.request("api list", "GET", "/api/evaluations?limit=50")
        elif kind == 3:
            s, d = c.request("api form", "GET", f"/api/evaluations/{pick}")
            if s == 404 and index % 2:
                stats.count("reader 404 (draft hidden from reviewer)")
                i += 1
                continue
        else:
            s, d = c.request("public list", "GET", "/public/")
        ok(stats, "read", s, d)
        i += 1


def editor(args, stats, deadline, hot, index, accepted_lock, accepted):
    c = Client(args.host, args.port, stats)
    c.login("filler", "demo")
    pacer = Pacer(args.rate * args.edit_share / args.editors / 2, deadline)
    n = 0
    while pacer.wait():
        s, d = c.request("edit: get", "GET", f"/api/evaluations/{hot}")
        if not ok(stats, "edit: get", s, d):
            continue
        form = json.loads(d)
        n += 1
        form["indicators"][0]["reason"] = f"编辑者 {index} 第 {n} 次保存 (editor {index} save {n})"
        # Think time: a person types between loading and saving, so saves overlap.
        time.sleep(args.think)
        s, d = c.request("edit: put", "PUT", f"/api/evaluations/{hot}", form)
        if s == 200:
            saved = json.loads(d)
            if saved["version"] != form["version"] + 1:
                stats.error("edit: put", s, f"version {form['version']} -> {saved['version']}")
            with accepted_lock:
                accepted[0] += 1
            stats.count("saves accepted")
        elif s == 409:
            stats.count("saves refused as stale (409)")
        else:
            ok(stats, "edit: put", s, d)


def workflow(args, stats, deadline, seed_text):
    filler = Client(args.host, args.port, stats)
    filler.login("filler", "demo")
    reviewer = Client(args.host, args.port, stats)
    reviewer.login("reviewer", "demo")
    finance = Client(args.host, args.port, stats)
    finance.login("finance", "demo")
    pacer = Pacer(args.rate * args.flow_share, deadline)
    queue = []
    step_of = {}

    def version(client, fid):
        s, d = client.request("flow: get", "GET", f"/api/evaluations/{fid}")
        return json.loads(d)["version"] if ok(stats, "flow: get", s, d) else None

    steps = [
        (lambda: filler, "submit", {}),
        (lambda: reviewer, "return", {"reason": "持续负载测试退回 (soak return)"}),
        (lambda: filler, "submit", {}),
        (lambda: reviewer, "approve", {}),
        (lambda: finance, "spot-check", {"reason": "抽查无误"}),
    ]
    while pacer.wait():
        if not queue:
            s, d = filler.request("flow: import", "POST", "/api/evaluations", seed_text, "text/plain; charset=utf-8")
            if ok(stats, "flow: import", s, d):
                for item in json.loads(d)["created"]:
                    queue.append(item["id"])
                    step_of[item["id"]] = 0
                    stats.count("forms imported")
            continue
        fid = queue[0]
        who, action, body = steps[step_of[fid]]
        client = who()
        v = version(client, fid)
        if v is None:
            queue.pop(0)
            continue
        body = dict(body, version=v)
        s, d = client.request(f"flow: {action}", "POST", f"/api/evaluations/{fid}/{action}", body)
        if ok(stats, f"flow: {action}", s, d):
            stats.count(f"transitions: {action}")
            step_of[fid] += 1
            if step_of[fid] == len(steps):
                queue.pop(0)
                stats.count("forms through the whole workflow")
        else:
            queue.pop(0)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--base", required=True, help="http://127.0.0.1:PORT")
    p.add_argument("--seconds", type=float, default=600)
    p.add_argument("--rate", type=float, default=60, help="requests per second, all workers together")
    p.add_argument("--readers", type=int, default=4)
    p.add_argument("--editors", type=int, default=4)
    p.add_argument("--think", type=float, default=0.05, help="seconds between an editor's GET and PUT")
    p.add_argument("--rss-pid", type=int, help="the server's pid, for RSS samples")
    p.add_argument("--seed", required=True, help="the text imported by the workflow worker")
    p.add_argument("--readers-skip-hot", action="store_true",
                   help="readers leave out the edited form (whose history grows with every save)")
    args = p.parse_args()
    url = urllib.parse.urlparse(args.base)
    args.host, args.port = url.hostname, url.port
    # Shares of the rate: reads 60 %, edits 25 % (GET + PUT), workflow 15 % (GET + POST).
    args.read_share, args.edit_share, args.flow_share = 0.60, 0.25, 0.075
    with open(args.seed, encoding="utf-8") as f:
        seed_text = f.read()

    stats = Stats()
    setup = Client(args.host, args.port, stats)
    setup.login("filler", "demo")
    s, d = setup.request("setup", "POST", "/api/evaluations", seed_text, "text/plain; charset=utf-8")
    if s != 201:
        raise SystemExit(f"soak: import failed: {s} {d[:300]!r}")
    created = [item["id"] for item in json.loads(d)["created"]]
    hot = created[0]
    s, d = setup.request("setup", "GET", f"/api/evaluations/{hot}")
    initial_version = json.loads(d)["version"]
    s, d = setup.request("setup", "GET", "/api/evaluations?limit=50")
    ids = [item["id"] for item in json.loads(d)["items"]]
    if args.readers_skip_hot:
        ids = [i for i in ids if i != hot]

    start = time.monotonic()
    deadline = start + args.seconds
    accepted = [0]
    accepted_lock = threading.Lock()
    threads = []
    for i in range(args.readers):
        threads.append(threading.Thread(target=reader, args=(args, stats, deadline, ids, i)))
    for i in range(args.editors):
        threads.append(threading.Thread(target=editor, args=(args, stats, deadline, hot, i, accepted_lock, accepted)))
    threads.append(threading.Thread(target=workflow, args=(args, stats, deadline, seed_text)))
    for t in threads:
        t.daemon = True
        t.start()

    rss = []
    while time.monotonic() < deadline:
        if args.rss_pid:
            kib = rss_kib(args.rss_pid)
            if kib is not None:
                rss.append((round(time.monotonic() - start), kib))
                print(f"soak: t={rss[-1][0]:>4} s  requests={stats.counts.get('requests', 0)}  "
                      f"errors={len(stats.errors)}  rss={kib / 1024:.1f} MiB", file=sys.stderr, flush=True)
        time.sleep(min(10, max(0, deadline - time.monotonic())))
    for t in threads:
        t.join(timeout=60)
    elapsed = time.monotonic() - start
    if args.rss_pid:
        kib = rss_kib(args.rss_pid)
        if kib is not None:
            rss.append((round(elapsed), kib))

    # No update lost: the version moved exactly once per accepted save, and the history has a
    # row per version.
    s, d = setup.request("check", "GET", f"/api/evaluations/{hot}")
    final_version = json.loads(d)["version"]
    s, d = setup.request("check", "GET", f"/api/evaluations/{hot}/history")
    history_rows = len(json.loads(d)["history"])
    lost = final_version - (initial_version + accepted[0])

    # The figures are of the mixed load itself: logins (argon2, slow on purpose), the setup
    # and the final checks are listed per kind but not counted in the rate and percentiles.
    all_lat = sorted(x for k, v in stats.latencies.items() if k not in ("login", "setup", "check") for x in v)
    per_kind = {
        k: {"n": len(v), "p50_ms": round(percentile(sorted(v), 50) * 1000, 2),
            "p99_ms": round(percentile(sorted(v), 99) * 1000, 2)}
        for k, v in sorted(stats.latencies.items())
    }
    rss_mib = [round(k / 1024, 1) for _, k in rss]
    result = {
        "seconds": round(elapsed, 1),
        "requests": len(all_lat),
        "rate_per_s": round(len(all_lat) / elapsed, 1),
        "p50_ms": round(percentile(all_lat, 50) * 1000, 2),
        "p99_ms": round(percentile(all_lat, 99) * 1000, 2),
        "max_ms": round((all_lat[-1] if all_lat else 0) * 1000, 2),
        "errors": len(stats.errors),
        "error_examples": stats.errors[:5],
        "counts": dict(sorted(stats.counts.items())),
        "hot_form": {"initial_version": initial_version, "accepted_saves": accepted[0],
                     "final_version": final_version, "history_rows": history_rows,
                     "lost_or_extra_updates": lost},
        "rss_mib_samples": rss_mib,
        # The first sample is before the logins (argon2 takes 19 MiB per hash); the second,
        # after them, is the baseline of the steady state.
        "rss_mib_after_warmup_last_max": [rss_mib[1], rss_mib[-1], max(rss_mib)] if len(rss_mib) > 1 else None,
        "per_kind": per_kind,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    failed = []
    if stats.errors:
        failed.append(f"{len(stats.errors)} errors (not 2xx/3xx, not a stale-save 409)")
    if lost != 0:
        failed.append(f"hot form at version {final_version}, expected {initial_version} + {accepted[0]}")
    if history_rows != final_version:
        failed.append(f"history has {history_rows} rows for version {final_version}")
    if accepted[0] == 0 or stats.counts.get("saves refused as stale (409)", 0) == 0:
        failed.append("the editors never both saved and collided: the test proved nothing")
    if stats.counts.get("forms through the whole workflow", 0) == 0:
        failed.append("no form went through the whole workflow")
    for f in failed:
        print(f"soak: FAILED: {f}", file=sys.stderr)
    print(f"soak: {'FAILED' if failed else 'ok'}: {result['requests']} requests in {result['seconds']} s "
          f"({result['rate_per_s']}/s), p50 {result['p50_ms']} ms, p99 {result['p99_ms']} ms, "
          f"errors {result['errors']}, saves {accepted[0]} accepted / "
          f"{stats.counts.get('saves refused as stale (409)', 0)} stale, RSS MiB (after warm-up, last, max) {result['rss_mib_after_warmup_last_max']}",
          file=sys.stderr)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
