"""The admin, report and dispatcher screens in a real browser: builds web/dist when stale (as
web_story_test.py does), builds a two-month demo city in a temp store (the classifier trains on
the first month, so fresh appeals carry suggestions for the review queue), serves it with
`--web` and the trained models, switches automatic dispatch off, and runs web/tests/admin.mjs
(playwright-core driving Debian's Chromium). Screenshots go to --out.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, login, run_cli  # noqa: E402
from web_story_test import ensure_dist  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--web", required=True, help="the repository's web/ directory")
    ap.add_argument("--out", required=True, help="where the screenshots go")
    ap.add_argument("--chromium", default="/usr/bin/chromium")
    a = ap.parse_args()
    a.web, a.out, a.binary = os.path.abspath(a.web), os.path.abspath(a.out), os.path.abspath(a.binary)
    if not os.path.exists(a.chromium):
        raise SystemExit("%s not found: `make test` installs Debian's chromium" % a.chromium)
    dist = ensure_dist(a.web)
    shutil.rmtree(a.out, ignore_errors=True)
    os.makedirs(a.out)
    with tempfile.TemporaryDirectory(prefix="hotline-admin-") as tmp:
        db = os.path.join(tmp, "demo.db")
        run_cli(a.binary, "demo", "--db", db, "--data", a.data, "--months", "2",
                "--per-day", "20", "--no-serve", timeout=900)
        models = db + ".models"
        if not os.path.exists(os.path.join(models, "subject.bin")):
            raise SystemExit("hotline demo trained no classifier models in " + models)
        server = Server(a.binary, db, data=a.data, extra=["--web", dist, "--model-dir", models])
        server.start(timeout=120)
        try:
            admin = login(server, "admin", "demo")
            st, _, text, _ = server.request("PUT", "/config/auto-dispatch", {"enabled": False},
                                            token=admin)
            if st != 200:
                raise SystemExit("cannot switch auto-dispatch off: %d %s" % (st, text[:300]))
            p = subprocess.run(["node", os.path.join(a.web, "tests", "admin.mjs"),
                                "--url", "http://127.0.0.1:%d" % server.port, "--out", a.out,
                                "--chromium", a.chromium], cwd=a.web, timeout=1500)
        finally:
            server.stop()
        if p.returncode != 0:
            print("server log:\n" + "\n".join(server.log[-60:]))
            raise SystemExit("the admin screens' test failed (exit %d)" % p.returncode)
    print("admin screens passed; screenshots in " + a.out)


if __name__ == "__main__":
    main()
