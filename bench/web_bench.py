#!/usr/bin/env python3
"""The `web` benchmark group (`make bench ONLY=web`; docs/benchmarks.md, section "web").

Builds web/dist when stale (npm ci + npm run build, as the browser story does), builds a demo
city in a temporary store (`hotline demo --no-serve`, by default the size `make demo` serves),
serves it with `hotline serve --web web/dist` and starts an nginx (a non-daemon child with its
own prefix, config, pid and logs in a temporary directory) on another 127.0.0.1 port that serves
the same web/dist and proxies /api/ to the same hotline — the usual deployment of a SPA in front
of an API. Then, in the same run:

  1. dashboard first paint: Debian's Chromium (web/tests/story.mjs --only dashboard --runs K via
     playwright-core), a supervisor with a session, each load in a new browser context (no cache,
     no open connections); the app served by hotline vs the app served by nginx (API proxied to
     the same hotline), alternating blocks of K loads. Median and p90; ratio = nginx / ours.
  2. static files: wrk at a fixed connection count on index.html and the largest JS asset,
     hotline vs nginx (same bytes, checked first), alternating rounds; median of the rounds.
     Ratio = ours / nginx (req/s) and nginx / ours (p99).
  3. GET /api/v1/dashboard under load (bearer token from POST /api/v1/auth/login), wrk at one
     connection (latency) and at the fixed connection count (throughput). No baseline: the same
     questions in SQL are the analytics group's.

Every result is one `bench: <id> value=<n> unit=<u> [baseline=... baseline_value=... ratio=...]`
line; `#` lines are context. Load targets 127.0.0.1 only. Children (hotline, nginx, node/Chromium,
wrk) are stopped and the temporary directories removed on exit, also on SIGINT/SIGTERM. Exits
non-zero with a message when a tool is missing or a check fails.

Python 3 standard library only. Installed into the build directory as bench/web_bench by
bench/CMakeLists.txt, which fills in the two paths below.
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

SOURCE_DIR = "@CMAKE_SOURCE_DIR@"
HOTLINE_BINARY = "$<TARGET_FILE:hotline>"
if SOURCE_DIR.startswith("@"):  # run from bench/ without CMake: pass --hotline
    SOURCE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    HOTLINE_BINARY = ""

sys.dont_write_bytecode = True  # no __pycache__ in the source tree's tests/
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests"))
from hotline_proc import Server, login, run_cli  # noqa: E402
from web_story_test import ensure_dist  # noqa: E402


def fail(msg):
    print("web_bench: " + msg, file=sys.stderr)
    sys.exit(1)


def line(bench_id, value, unit, baseline=None, baseline_value=None, ratio=None):
    s = "bench: %s value=%s unit=%s" % (bench_id, fmt(value), unit)
    if baseline is not None:
        s += " baseline=%s baseline_value=%s ratio=%s" % (baseline, fmt(baseline_value),
                                                         fmt(ratio, 3))
    print(s, flush=True)


def fmt(v, digits=4):
    """`digits` significant digits, no exponent: 42132, 4.63, 0.269."""
    if isinstance(v, int):
        return str(v)
    s = "%.*g" % (digits, v)
    return "%.0f" % v if "e" in s else s


def note(msg):
    print("# " + msg, flush=True)


def loadavg():
    return " ".join("%.2f" % x for x in os.getloadavg())


def percentile(values, p):
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    v = sorted(values)
    k = max(1, int(-(-p * len(v) // 100)))  # ceil(p/100 * n)
    return v[min(k, len(v)) - 1]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url, headers=None, timeout=30):
    req = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.status, r.read()


# --- nginx ---------------------------------------------------------------------------------

NGINX_CONF = """\
# Written by bench/web_bench.py; removed at the end of the run.
daemon off;
master_process on;
worker_processes {workers};
{user_line}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
  include {mime_types};
  default_type application/octet-stream;
  access_log off;               # hotline keeps no access log either
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 65;
  keepalive_requests 1000000;   # hotline does not close kept-alive connections after N requests
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  upstream hotline {{ server 127.0.0.1:{api_port}; keepalive 64; }}
  server {{
    listen 127.0.0.1:{port};
    root {dist};
    location /api/ {{
      proxy_pass http://hotline;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
    }}
    location /assets/ {{
      add_header Cache-Control "public, max-age=31536000, immutable";
      add_header X-Content-Type-Options nosniff;
    }}
    location / {{
      try_files $uri $uri/ /index.html;   # client routes fall back to the app, as in hotline
      add_header Cache-Control no-cache;
      add_header X-Content-Type-Options nosniff;
    }}
  }}
}}
"""


class Nginx:
    def __init__(self, binary, dist, api_port, workers):
        self.binary, self.dist, self.api_port, self.workers = binary, dist, api_port, workers
        self.prefix = tempfile.mkdtemp(prefix="hotline-webbench-nginx-")
        os.chmod(self.prefix, 0o755)
        self.proc = None
        self.port = None

    def start(self, timeout=20):
        self.port = free_port()
        conf = os.path.join(self.prefix, "nginx.conf")
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(
                workers=self.workers, prefix=self.prefix, port=self.port, dist=self.dist,
                api_port=self.api_port, mime_types="/etc/nginx/mime.types",
                # As root, nginx would run its workers as "nobody"; run them as the same user
                # as hotline so both read web/dist with the same rights.
                user_line="user root;" if os.geteuid() == 0 else ""))
        # -e: the error log before the config is read (else /var/log/nginx/error.log).
        self.proc = subprocess.Popen([self.binary, "-p", self.prefix, "-c", conf, "-e",
                                      os.path.join(self.prefix, "error.log")],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                fail("nginx exited %d: %s\n%s" % (self.proc.returncode,
                                                   self.proc.stderr.read().decode(errors="replace"),
                                                   self.error_log()))
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.05)
        self.stop()
        fail("nginx did not listen on 127.0.0.1:%d within %ds\n%s" %
             (self.port, timeout, self.error_log()))

    def error_log(self):
        try:
            with open(os.path.join(self.prefix, "error.log")) as f:
                return f.read()[-3000:]
        except OSError:
            return ""

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGQUIT)  # graceful: master waits for its workers
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
        shutil.rmtree(self.prefix, ignore_errors=True)


# --- wrk -----------------------------------------------------------------------------------

UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_duration_ms(s):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", s)
    if not m:
        raise ValueError("cannot parse wrk duration %r" % s)
    return float(m.group(1)) * UNIT_MS[m.group(2)]


def run_wrk(wrk, url, connections, threads, seconds, script=None):
    """Returns {rps, p50, p90, p99 (ms), requests, transfer}; fails on errors or non-2xx."""
    cmd = [wrk, "-t%d" % min(threads, connections), "-c%d" % connections, "-d%ds" % seconds,
           "--latency", "--timeout", "10s"]
    if script:
        cmd += ["-s", script]
    cmd.append(url)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=seconds + 60)
    out = p.stdout
    if p.returncode != 0:
        fail("wrk failed (exit %d): %s\n%s" % (p.returncode, " ".join(cmd), out))
    r = {}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    n = re.search(r"(\d+) requests in", out)
    if not m or not n:
        fail("cannot read wrk's output:\n" + out)
    r["rps"], r["requests"] = float(m.group(1)), int(n.group(1))
    for pct in ("50", "90", "99"):
        m = re.search(r"^\s+%s(?:\.000)?%%\s+(\S+)" % pct, out, re.M)
        if not m:
            fail("no %s%% latency in wrk's output:\n%s" % (pct, out))
        r["p" + pct] = parse_duration_ms(m.group(1))
    m = re.search(r"Transfer/sec:\s+(\S+)", out)
    r["transfer"] = m.group(1) if m else "?"
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m and int(m.group(1)) > 0:
        fail("%s: %s non-2xx responses under load\n%s" % (url, m.group(1), out))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m and any(int(x) for x in m.groups()):
        fail("%s: socket errors under load (%s)\n%s" % (url, m.group(0), out))
    if r["requests"] == 0:
        fail("%s: wrk completed no request\n%s" % (url, out))
    return r


def run_group(cmd, cwd=None, timeout=600):
    """subprocess.run in a new process group (node and the Chromium it starts); on timeout or
    interruption the whole group is killed, so no browser outlives the bench."""
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout)
    except BaseException:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        raise
    # The group may hold leftovers (a Chromium helper) after node exits.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    return subprocess.CompletedProcess(cmd, proc.returncode, out, None)


# --- the three measurements ----------------------------------------------------------------

def bench_first_paint(a, dist_urls, out_dir):
    """Alternating blocks of --paint-block cold loads per server; returns {name: [ms...]}."""
    story = os.path.join(a.web, "tests", "story.mjs")
    names = list(dist_urls)
    got = {n: [] for n in names}
    fcp = {n: [] for n in names}
    blocks = max(1, -(-a.paint_runs // a.paint_block))
    for b in range(blocks):
        order = names if b % 2 == 0 else names[::-1]
        for n in order:
            runs = min(a.paint_block, a.paint_runs - len(got[n]))
            if runs <= 0:
                continue
            p = run_group(["node", story, "--url", dist_urls[n], "--only", "dashboard",
                           "--runs", str(runs), "--out", os.path.join(out_dir, n),
                           "--chromium", a.chromium], cwd=a.web, timeout=600)
            vals = [int(x) for x in re.findall(r"dashboard_first_paint_ms=(\d+)", p.stdout)]
            fcps = [int(x) for x in re.findall(r"first_contentful_paint_ms=(\d+)", p.stdout)]
            if p.returncode != 0 or len(vals) != runs:
                fail("story.mjs --only dashboard against %s failed (exit %d):\n%s" %
                     (n, p.returncode, p.stdout[-3000:]))
            if "page error" in p.stdout:
                fail("the dashboard raised a page error (%s):\n%s" % (n, p.stdout[-3000:]))
            got[n] += vals
            fcp[n] += fcps
    for n in names:
        note("first paint, %s, %d cold loads (ms): %s; first contentful paint median %s ms" %
             (n, len(got[n]), " ".join(map(str, got[n])),
              statistics.median(fcp[n]) if fcp[n] else "n/a"))
    return got


def bench_static(a, wrk, servers, files):
    """servers: {name: base url}; files: {label: path}. Alternating rounds, median of rounds."""
    res = {}
    for label, path in files.items():
        for name, base in servers.items():  # warm-up (page cache, connections, nginx workers)
            run_wrk(wrk, base + path, a.connections, a.wrk_threads, 1)
        per = {name: [] for name in servers}
        for rnd in range(a.rounds):
            order = list(servers) if rnd % 2 == 0 else list(servers)[::-1]
            for name in order:
                per[name].append(run_wrk(wrk, servers[name] + path, a.connections,
                                         a.wrk_threads, a.wrk_seconds))
        for name in servers:
            rs = per[name]
            note("%s %s c%d: req/s %s; p99 ms %s; transfer/s %s" %
                 (name, path, a.connections, " ".join("%.0f" % r["rps"] for r in rs),
                  " ".join("%.2f" % r["p99"] for r in rs), " ".join(r["transfer"] for r in rs)))
            res[(label, name)] = {
                "rps": statistics.median(r["rps"] for r in rs),
                "p99": statistics.median(r["p99"] for r in rs),
            }
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, help="the repository's data/ directory")
    ap.add_argument("--hotline", default=HOTLINE_BINARY, help="the hotline binary")
    ap.add_argument("--web", default=os.path.join(SOURCE_DIR, "web"), help="the web/ directory")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--months", type=int, default=4, help="demo history (default: make demo's)")
    ap.add_argument("--per-day", type=int, default=160, help="demo appeals per day")
    ap.add_argument("--paint-runs", type=int, default=20, help="cold loads per server")
    ap.add_argument("--paint-block", type=int, default=5, help="loads per browser launch")
    ap.add_argument("--connections", type=int, default=32, help="wrk connections")
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--wrk-seconds", type=int, default=5, help="seconds per wrk round")
    ap.add_argument("--rounds", type=int, default=3, help="wrk rounds per server, alternating")
    ap.add_argument("--nginx-workers", default="auto")
    ap.add_argument("--only", choices=["paint", "static", "api"], action="append",
                    help="run only these parts (repeatable); default: all")
    a = ap.parse_args()
    parts = set(a.only or ["paint", "static", "api"])
    a.web, a.data = os.path.abspath(a.web), os.path.abspath(a.data)

    # Everything we need, or a clear message.
    wrk = shutil.which("wrk")
    missing = []
    if not os.access(a.hotline, os.X_OK):
        missing.append("the hotline binary %s (build it: cmake --build BUILD --target hotline)"
                       % a.hotline)
    if not wrk:
        missing.append("wrk (Debian package wrk; `make deps`)")
    if not os.access(a.nginx, os.X_OK):
        missing.append("nginx (Debian package nginx; `make bench` installs BENCH_PACKAGES)")
    if "paint" in parts:
        if not shutil.which("node"):
            missing.append("node (Debian package nodejs)")
        if not os.access(a.chromium, os.X_OK):
            missing.append("%s (Debian package chromium)" % a.chromium)
    if not os.path.isdir(os.path.join(a.data, "demo")):
        missing.append("the data directory %s (want data/demo)" % a.data)
    if missing:
        fail("missing:\n  " + "\n  ".join(missing))
    if not os.path.isfile("/etc/nginx/mime.types"):
        fail("/etc/nginx/mime.types missing (Debian package nginx-common)")

    # SIGTERM/SIGINT: unwind through the finally blocks (children stopped, temp dirs removed).
    def on_signal(signum, _frame):
        raise SystemExit("web_bench: interrupted by signal %d" % signum)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    # web/dist (npm ci / npm run build when stale; their output goes to stderr).
    stdout = os.dup(1)
    os.dup2(2, 1)
    try:
        dist = ensure_dist(a.web)
    finally:
        os.dup2(stdout, 1)
        os.close(stdout)
    assets = os.path.join(dist, "assets")
    js = [f for f in os.listdir(assets) if f.endswith(".js")]
    if not js:
        fail("no .js asset in " + assets)
    largest = max(js, key=lambda f: os.path.getsize(os.path.join(assets, f)))
    files = {"index_html": "/index.html", "largest_js": "/assets/" + largest}
    index_size = os.path.getsize(os.path.join(dist, "index.html"))
    note("web/dist: index.html %d bytes; largest JS asset %s %d bytes" %
         (index_size, largest, os.path.getsize(os.path.join(assets, largest))))

    tmp = tempfile.mkdtemp(prefix="hotline-webbench-")
    server = nginx = None
    try:
        db = os.path.join(tmp, "demo.db")
        t0 = time.time()
        run_cli(a.hotline, "demo", "--db", db, "--data", a.data, "--months", str(a.months),
                "--per-day", str(a.per_day), "--no-serve", timeout=3600)
        built_s = time.time() - t0
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        orders, events = (con.execute("SELECT count(*) FROM %s" % t).fetchone()[0]
                          for t in ("orders", "events"))
        con.close()
        note("demo store: --months %d --per-day %d: %d orders, %d events, built in %.0f s" %
             (a.months, a.per_day, orders, events, built_s))
        server = Server(a.hotline, db, data=a.data, extra=["--web", dist])
        server.start(timeout=300)
        ours = "http://127.0.0.1:%d" % server.port
        nginx = Nginx(a.nginx, dist, server.port, a.nginx_workers)
        nginx.start()
        theirs = "http://127.0.0.1:%d" % nginx.port
        note("hotline serve on %s (default --workers), nginx %s on %s (worker_processes %s), "
             "%d CPUs, load average %s" %
             (ours, subprocess.run([a.nginx, "-v"], stderr=subprocess.PIPE,
                                   text=True).stderr.strip().split("/")[-1],
              theirs, a.nginx_workers, os.cpu_count(), loadavg()))

        # Same bytes from both, and client routes fall back to the app on both.
        for path in list(files.values()) + ["/dashboard"]:
            want_file = os.path.join(dist, "index.html" if path == "/dashboard" else path[1:])
            with open(want_file, "rb") as f:
                want = f.read()
            for base in (ours, theirs):
                st, body = fetch(base + path)
                if st != 200 or body != want:
                    fail("%s%s: status %d, %d bytes; want 200 and the %d bytes of %s" %
                         (base, path, st, len(body), len(want), want_file))

        token = login(server, "supervisor", "demo")
        st, body = fetch(ours + "/api/v1/dashboard", {"Authorization": "Bearer " + token})
        dash = json.loads(body)
        if st != 200 or not isinstance(dash, dict):
            fail("GET /api/v1/dashboard: status %d" % st)
        note("GET /api/v1/dashboard as supervisor: %d bytes of JSON, keys %s" %
             (len(body), ",".join(sorted(dash))))

        if "paint" in parts:
            note("first paint: load average %s" % loadavg())
            fp = bench_first_paint(a, {"hotline": ours, "nginx": theirs},
                                   os.path.join(tmp, "shots"))
            for stat, p in (("median", 50), ("p90", 90)):
                o = statistics.median(fp["hotline"]) if p == 50 else percentile(fp["hotline"], p)
                n = statistics.median(fp["nginx"]) if p == 50 else percentile(fp["nginx"], p)
                line("web.dashboard_first_paint_%s" % stat, o, "ms",
                     "web.nginx_dashboard_first_paint_%s" % stat, n, n / o)

        if "static" in parts:
            note("static files: load average %s" % loadavg())
            res = bench_static(a, wrk, {"hotline": ours, "nginx": theirs}, files)
            for label in files:
                o, n = res[(label, "hotline")], res[(label, "nginx")]
                c = a.connections
                line("web.nginx_static_%s_c%d_rps" % (label, c), n["rps"], "req/s")
                line("web.static_%s_c%d_rps" % (label, c), o["rps"], "req/s",
                     "web.nginx_static_%s_c%d_rps" % (label, c), n["rps"], o["rps"] / n["rps"])
                line("web.static_%s_c%d_p99" % (label, c), o["p99"], "ms",
                     "web.nginx_static_%s_c%d_p99" % (label, c), n["p99"], n["p99"] / o["p99"])

        if "api" in parts:
            note("GET /dashboard: load average %s" % loadavg())
            script = os.path.join(tmp, "auth.lua")
            with open(script, "w") as f:
                f.write('wrk.headers["Authorization"] = "Bearer %s"\n'
                        'wrk.headers["Accept"] = "application/json"\n' % token)
            url = ours + "/api/v1/dashboard"
            run_wrk(wrk, url, 4, 1, 1, script)  # warm-up
            for c in (1, a.connections):
                r = run_wrk(wrk, url, c, a.wrk_threads, a.wrk_seconds * a.rounds, script)
                note("GET /api/v1/dashboard c%d: %d requests, transfer/s %s" %
                     (c, r["requests"], r["transfer"]))
                line("web.api_dashboard_c%d_rps" % c, r["rps"], "req/s")
                line("web.api_dashboard_c%d_p50" % c, r["p50"], "ms")
                line("web.api_dashboard_c%d_p99" % c, r["p99"], "ms")
        note("load average at the end: %s" % loadavg())
    finally:
        if nginx:
            nginx.stop()
        if server:
            try:
                server.stop()
            except RuntimeError as e:
                print("web_bench: " + str(e), file=sys.stderr)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
