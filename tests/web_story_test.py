"""The web UI's story in a real browser: builds web/dist when it is missing or older than its
sources (npm ci + npm run build), builds a small demo city in a temp store (`hotline demo
--months 1 --per-day 20 --no-serve`), serves it with `--web web/dist`, and runs
web/tests/story.mjs (playwright-core driving Debian's Chromium): citizen submits, agent
records, dispatcher dispatches, street signs and replies, callback rates, the citizen sees the
answer and rates it, the dashboard shows the day. Screenshots go to --out. No timed assertions: the
dashboard's first paint is printed, not checked.
With --script roles.mjs it runs web/tests/roles.mjs instead: every role's screens at a desktop
and a phone size, checked for sideways overflow, squeezed text and English in zh-CN.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, login, run_cli  # noqa: E402


def newest_mtime(paths):
    newest = 0.0
    for p in paths:
        if os.path.isdir(p):
            for root, _, files in os.walk(p):
                for f in files:
                    newest = max(newest, os.path.getmtime(os.path.join(root, f)))
        elif os.path.exists(p):
            newest = max(newest, os.path.getmtime(p))
    return newest


def ensure_dist(web):
    """npm ci when node_modules is missing or older than the lock file; build when stale."""
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("npm not found: `make test` installs nodejs/npm")
    lock = os.path.join(web, "package-lock.json")
    stamp = os.path.join(web, "node_modules", ".package-lock.json")
    if not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(lock):
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=web, check=True)
    index = os.path.join(web, "dist", "index.html")
    sources = [os.path.join(web, p) for p in
               ("src", "index.html", "vite.config.ts", "tsconfig.json", "package-lock.json")]
    if not os.path.exists(index) or os.path.getmtime(index) < newest_mtime(sources):
        subprocess.run([npm, "run", "build"], cwd=web, check=True)
    return os.path.join(web, "dist")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--web", required=True, help="the repository's web/ directory")
    ap.add_argument("--out", required=True, help="where the screenshots go")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    ap.add_argument("--script", default="story.mjs", help="the suite in web/tests/ to run")
    a = ap.parse_args()
    a.web, a.out, a.binary = os.path.abspath(a.web), os.path.abspath(a.out), os.path.abspath(a.binary)
    if not os.path.exists(a.chromium):
        raise SystemExit("%s not found: `make test` installs Debian's chromium" % a.chromium)
    dist = ensure_dist(a.web)
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    with tempfile.TemporaryDirectory(prefix="hotline-web-") as tmp:
        db = os.path.join(tmp, "demo.db")
        run_cli(a.binary, "demo", "--db", db, "--data", a.data, "--months", "1",
                "--per-day", "20", "--no-serve", timeout=900)
        server = Server(a.binary, db, data=a.data, extra=["--web", dist])
        server.start(timeout=120)
        try:
            # The story is the manual path (agent records, dispatcher dispatches), so automatic
            # dispatch at intake is switched off where the server has it.
            admin = login(server, "admin", "demo")
            st, js, text, _ = server.request("PUT", "/config/auto-dispatch", {"enabled": False},
                                             token=admin)
            if st != 200 and not (st == 404 and '"path"' in text):
                raise SystemExit("cannot switch auto-dispatch off: %d %s" % (st, text[:300]))
            p = subprocess.run(["node", os.path.join(a.web, "tests", a.script),
                                "--url", "http://127.0.0.1:%d" % server.port, "--out", a.out,
                                "--chromium", a.chromium], cwd=a.web, timeout=1200)
        finally:
            server.stop()
        if p.returncode != 0:
            print("server log:\n" + "\n".join(server.log[-60:]))
            raise SystemExit("%s failed (exit %d)" % (a.script, p.returncode))
    print("%s passed; screenshots in %s" % (a.script, a.out))


if __name__ == "__main__":
    main()
