"""Drives a real `hotline` binary for the black-box tests: starts `serve` with
--port 0 (the server picks a free port and prints it), waits for its
"listening on" line, stops it with SIGTERM or SIGKILL, and speaks JSON over
HTTP. Python 3 standard library only.
"""

import json
import os
import re
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request

API = "/api/v1"


def run_cli(binary, *args, timeout=300):
    """Runs a one-shot subcommand; raises with its output when it fails."""
    p = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=timeout, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s %s exited %d\nstdout: %s\nstderr: %s" %
                           (binary, " ".join(args), p.returncode, p.stdout[-2000:],
                            p.stderr[-2000:]))
    return p.stdout


def help_text(binary, sub):
    p = subprocess.run([binary, sub, "--help"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    return p.stdout


def store_args(db):
    """The command-line arguments naming a store: a SQLite file, or a PostgreSQL conninfo
    (anything with '=' in it, e.g. "host=/tmp/x port=5433 dbname=scn1")."""
    return ["--pg", db] if "=" in db else ["--db", db]


class PgCluster:
    """A throwaway PostgreSQL cluster (like store/postgres/test_cluster.h): initdb into a
    temporary directory, a postmaster on a unix socket there, a fresh database per call of
    new_database(), and everything stopped and deleted by stop(). Raises RuntimeError with
    what to install when the server binaries are missing: a missing backend fails loudly."""

    def __init__(self, conf_lines=()):
        """`conf_lines` are appended to postgresql.conf before the first start (e.g. the
        WAL archive settings of tests/pg_backup_test.py)."""
        import pwd
        import shutil
        import socket
        import tempfile
        bindir = os.environ.get("HOTLINE_PG_BINDIR", "")
        if not bindir:
            try:
                bindir = subprocess.run(["pg_config", "--bindir"], stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True,
                                        check=True).stdout.strip()
            except (OSError, subprocess.CalledProcessError):
                bindir = ""
        if not bindir or not os.access(os.path.join(bindir, "initdb"), os.X_OK):
            raise RuntimeError("PostgreSQL server binaries not found (pg_config --bindir: %r); "
                               "install the Debian packages postgresql postgresql-client, or "
                               "set HOTLINE_PG_BINDIR" % bindir)
        self.bindir = bindir
        self.dir = tempfile.mkdtemp(prefix="hotline-scn-pg-")
        self._rmtree = shutil.rmtree
        self.as_owner = []
        if os.geteuid() == 0:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8", "--no-sync")
        if conf_lines:
            with open(os.path.join(self.data, "postgresql.conf"), "a") as f:
                f.write("\n".join(conf_lines) + "\n")
        self._run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o",
                  "-c listen_addresses='' -p %d -c unix_socket_directories=%s "
                  "-c shared_buffers=32MB -c fsync=off" % (self.port, self.dir), "start")
        self.count = 0

    def _run(self, tool, *args):
        p = subprocess.run(self.as_owner + [os.path.join(self.bindir, tool), *args],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                           timeout=120)
        if p.returncode != 0:
            raise RuntimeError("%s failed: %s" % (tool, p.stdout[-2000:]))

    def new_database(self):
        self.count += 1
        name = "scn%d" % self.count
        self._run("createdb", "-h", self.dir, "-p", str(self.port), "-U", "postgres", name)
        return "host=%s port=%d user=postgres dbname=%s" % (self.dir, self.port, name)

    def stop(self):
        try:
            self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            self._rmtree(self.dir, ignore_errors=True)


class Server:
    """One `hotline serve` child process on a fixed store (SQLite file or PostgreSQL
    conninfo, see store_args)."""

    def __init__(self, binary, db, data=None, clock_file=None, extra=()):
        self.binary, self.db, self.data = binary, db, data
        self.clock_file, self.extra = clock_file, list(extra)
        self.proc = None
        self.port = None
        self.log = []  # last lines of stdout+stderr, for failure reports

    def start(self, timeout=60):
        # Port 0: the server picks a free port and prints it (no race with other tests).
        self.port = None
        cmd = [self.binary, "serve", *store_args(self.db), "--port", "0",
               "--host", "127.0.0.1"]
        if self.data:
            cmd += ["--data", self.data]
        if self.clock_file:
            cmd += ["--clock-file", self.clock_file]
        cmd += self.extra
        self.log = []
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, bufsize=1)
        ready = threading.Event()
        proc = self.proc

        def pump():
            for line in proc.stdout:
                self.log.append(line.rstrip("\n"))
                del self.log[:-200]
                m = re.search(r"listening on http://[^:/]+:(\d+)", line)
                if m and not ready.is_set():
                    self.port = int(m.group(1))
                    ready.set()
        threading.Thread(target=pump, daemon=True).start()
        deadline = time.time() + timeout
        while time.time() < deadline:
            if ready.wait(0.05):
                return
            if proc.poll() is not None:
                time.sleep(0.1)
                raise RuntimeError("hotline serve exited %d before listening:\n%s" %
                                   (proc.returncode, "\n".join(self.log[-40:])))
        self.kill()
        raise RuntimeError("hotline serve did not print 'listening on' within %ds:\n%s" %
                           (timeout, "\n".join(self.log[-40:])))

    def stop(self, timeout=30):
        """SIGTERM and wait; returns the exit code (SIGKILL if it hangs)."""
        if not self.proc or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise RuntimeError("hotline serve ignored SIGTERM for %ds" % timeout)

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def url(self, path):
        if not path.startswith("/api/") and not path.startswith("/health") and \
                not path.startswith("/open311"):
            path = API + path
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def request(self, method, path, body=None, token=None, headers=None, raw=None,
                timeout=30, content_type="application/json"):
        """Returns (status, parsed JSON or None, raw text, response headers)."""
        hdrs = {"Accept": "application/json"}
        data = None
        if raw is not None:
            data = raw.encode("utf-8") if isinstance(raw, str) else raw
            hdrs["Content-Type"] = content_type
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            hdrs["Content-Type"] = "application/json"
        if token:
            hdrs["Authorization"] = "Bearer " + token
        hdrs.update(headers or {})
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=hdrs)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                status, text, rh = r.status, r.read().decode("utf-8", "replace"), dict(r.headers)
        except urllib.error.HTTPError as e:
            status, text, rh = e.code, e.read().decode("utf-8", "replace"), dict(e.headers)
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = None
        return status, parsed, text, rh


def login(server, user, password):
    st, js, text, _ = server.request("POST", "/auth/login",
                                     {"login": user, "password": password})
    if st != 200 or not isinstance(js, dict) or "token" not in js:
        raise RuntimeError("login %s failed: %d %s" % (user, st, text[:500]))
    return js["token"]


class Checks:
    """The black-box tests' verdicts: `check(name, ok, detail)` prints "ok   name" or
    "FAIL name: detail"; `summary()` prints "N passed, M failed" and returns the exit code."""

    def __init__(self):
        self.results = []

    def __call__(self, name, ok, detail=""):
        self.results.append(bool(ok))
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if not ok else ""),
              flush=True)

    def summary(self):
        failed = self.results.count(False)
        print("%d passed, %d failed" % (len(self.results) - failed, failed))
        return 1 if failed else 0


def appeal_body(title, i):
    """An intake body numbered `i`: a street-lamp complaint in 洪家楼街道."""
    return {"channel": "hotline", "nature": "complaint", "urgency": "normal",
            "title": "%s %d" % (title, i),
            "content": "%s工单 %d：小区路灯不亮，晚上出行不便，请尽快维修。" % (title, i),
            "caller": {"name": "测试", "phone": "13812345678"},
            "place": {"address": "洪家楼北路%d号" % (i % 90 + 1)}}


def orders_that_differ(a, token_a, b, token_b, ids):
    """The ids whose GET /orders/{id} (without what depends on the moment of asking) or
    /orders/{id}/events differ between servers a and b."""
    def stable(order):
        return {k: v for k, v in order.items() if k not in ("light", "remaining_seconds")}
    differ = []
    for oid in ids:
        oa = a.request("GET", "/orders/%d" % oid, token=token_a)[1]
        ob = b.request("GET", "/orders/%d" % oid, token=token_b)[1]
        ea = a.request("GET", "/orders/%d/events" % oid, token=token_a)[1]
        eb = b.request("GET", "/orders/%d/events" % oid, token=token_b)[1]
        if stable(oa) != stable(ob) or ea != eb:
            differ.append(oid)
    return differ


def stop_quietly(*servers):
    """Stops every started server, ignoring one that has already stopped."""
    for s in servers:
        if s:
            try:
                s.stop()
            except Exception:  # noqa: BLE001 - already stopped
                pass
