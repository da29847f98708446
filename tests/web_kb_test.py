"""The knowledge base in a real browser (issue 17): builds web/dist when stale (as
web_story_test.py does), makes a demo store with no history (`--months 0`), serves it with
`--web`, and runs web/tests/kb.mjs (playwright-core driving Debian's Chromium): the centre imports
entries, an agent answers a call from an entry with one key in the console, and the public FAQ
page finds it. Screenshots go to --out.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, run_cli  # noqa: E402
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
    with tempfile.TemporaryDirectory(prefix="hotline-kb-") as tmp:
        db = os.path.join(tmp, "demo.db")
        run_cli(a.binary, "demo", "--db", db, "--data", a.data, "--months", "0", "--no-serve",
                timeout=900)
        server = Server(a.binary, db, data=a.data, extra=["--web", dist])
        server.start(timeout=120)
        try:
            p = subprocess.run(["node", os.path.join(a.web, "tests", "kb.mjs"),
                                "--url", "http://127.0.0.1:%d" % server.port, "--out", a.out,
                                "--chromium", a.chromium], cwd=a.web, timeout=1500)
        finally:
            server.stop()
        if p.returncode != 0:
            print("server log:\n" + "\n".join(server.log[-60:]))
            raise SystemExit("the knowledge base browser test failed (exit %d)" % p.returncode)
    print("knowledge base screens passed; screenshots in " + a.out)


if __name__ == "__main__":
    main()
