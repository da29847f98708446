#!/usr/bin/env python3
"""Administrator lock-out and recovery through the real binary (issue 12, item 5):
a new store refuses short passwords, the last active admin cannot disable or demote itself
over the API, and `hotline admin reset` brings an admin back by working on the store file
(refusing a short password or another role's login, creating a new admin when the login is
new, audited). Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: admin_cli_test.py --binary PATH [--data DIR]
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, login  # noqa: E402


def cli(binary, *args):
    p = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    work = tempfile.mkdtemp(prefix="hotline-admin-")
    db = os.path.join(work, "hotline.db")
    data = ["--data", args.data] if args.data else []
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if not ok else ""))

    server = Server(binary, db, data=args.data)
    try:
        rc, out = cli(binary, "init", "--db", db, "--admin-password", "short", *data)
        check("init refuses a password under 10 characters", rc == 2 and "password" in out, out)
        check("and leaves no store behind", not os.path.exists(db))
        rc, out = cli(binary, "init", "--db", db, "--admin-password", "first-admin-pw", *data)
        check("init with a long password", rc == 0, out)

        server.start()
        admin = login(server, "admin", "first-admin-pw")
        st, me, _, _ = server.request("GET", "/me", token=admin)
        st, js, text, _ = server.request("PATCH", "/users/%d" % me["id"], token=admin,
                                         body={"active": False})
        check("the last admin cannot disable itself", st == 409 and
              js["error"]["field"] == "active", text)
        st, js, text, _ = server.request("PATCH", "/users/%d" % me["id"], token=admin,
                                         body={"role": "agent"})
        check("nor demote itself", st == 409 and js["error"]["field"] == "role", text)
        server.stop()

        rc, out = cli(binary, "admin", "reset", "--db", db, "--password", "abc", *data)
        check("reset refuses a short password", rc == 2 and "password" in out, out)
        rc, out = cli(binary, "admin", "reset", "--db", db, "--password", "recovered-pw-2026",
                      *data)
        check("reset sets a new password", rc == 0, out)
        rc, out = cli(binary, "admin", "reset", "--db", db, "--login", "rescue", "--password",
                      "rescue-admin-pw", *data)
        check("reset creates a new admin when the login is new", rc == 0, out)
        rc, out = cli(binary, "admin", "reset", "--db", os.path.join(work, "none.db"),
                      "--password", "recovered-pw-2026", *data)
        check("reset on a missing store fails", rc != 0, out)

        server.start()
        st, _, _, _ = server.request("POST", "/auth/login",
                                     body={"login": "admin", "password": "first-admin-pw"})
        check("the old password no longer works", st == 401)
        admin = login(server, "admin", "recovered-pw-2026")
        rescue = login(server, "rescue", "rescue-admin-pw")
        st, me, _, _ = server.request("GET", "/me", token=rescue)
        check("the new admin is an admin", st == 200 and me["role"] == "admin", str(me))
        st, js, text, _ = server.request("GET", "/audit?limit=20", token=admin)
        check("resets are audited", st == 200 and
              sum(1 for e in js["items"] if e["action"] == "admin_reset") == 2, text)
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
