#!/usr/bin/env python3
"""Backups that restore (issue 16, item 3, SQLite): `hotline backup` copies a store while the
server takes appeals at full speed, and the copy is one consistent snapshot — `hotline verify`
finds it sound, and served again it answers for every order acknowledged before the backup
began exactly as the original does. `hotline verify` finds a copy with a lost event or damaged
pages unsound (exit 1, the problem named), and `hotline backup` never overwrites a file.
Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: backup_test.py --binary PATH [--data DIR]
"""

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import (Checks, Server, appeal_body, login, orders_that_differ,  # noqa: E402
                         run_cli, stop_quietly)


def cli(binary, *args):
    p = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    return p.returncode, p.stdout + p.stderr


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    data = ["--data", args.data] if args.data else []
    work = tempfile.mkdtemp(prefix="hotline-backup-")
    db, copy = os.path.join(work, "live.db"), os.path.join(work, "copy.db")
    check = Checks()

    # --model-dir: no classifier training (not what is tested here).
    run_cli(binary, "demo", "--db", db, "--months", "1", "--per-day", "12", "--no-serve",
            "--model-dir", work, *data, timeout=900)
    server = Server(binary, db, data=args.data)
    restored = Server(binary, copy, data=args.data)
    try:
        server.start()
        token = login(server, "agent", "demo")
        acked = []  # (order id, monotonic time the API acknowledged it)
        stop = threading.Event()
        errors = []

        def intake(worker):
            i = worker * 100000
            while not stop.is_set():
                i += 1
                st, js, text, _ = server.request("POST", "/orders", body=appeal_body("备份期间受理", i),
                                                 token=token)
                if st == 201:
                    acked.append((js["id"], time.monotonic()))
                else:
                    errors.append("%d %s" % (st, text[:200]))

        workers = [threading.Thread(target=intake, args=(w,)) for w in range(4)]
        for w in workers:
            w.start()
        while len(acked) < 40 and not errors:
            time.sleep(0.05)
        began = time.monotonic()
        before = {oid for oid, at in list(acked) if at < began}
        rc, out = cli(binary, "backup", "--db", db, "--out", copy)
        ended = time.monotonic()
        # An answer may reach us a moment after its commit: "after" leaves a margin of 2 s.
        while len([1 for _, at in list(acked) if at > ended + 2]) < 20 and not errors:
            time.sleep(0.05)  # the server kept taking appeals after the copy
        stop.set()
        for w in workers:
            w.join()
        check("the backup ran while the server took appeals", rc == 0 and
              os.path.exists(copy), out)
        check("every intake during the backup was acknowledged", not errors,
              "; ".join(errors[:3]))
        after = {oid for oid, at in acked if at > ended + 2}
        print("  %d orders acknowledged before the backup began, %d more than 2 s after it ended"
              % (len(before), len(after)))

        rc, out = cli(binary, "verify", "--db", copy, *data)
        check("hotline verify finds the copy sound", rc == 0 and "sound" in out and
              "NOT" not in out, out[-1500:])

        conn = sqlite3.connect(copy)
        ids = sorted(r[0] for r in conn.execute("SELECT id FROM orders"))
        conn.close()
        check("the copy is one snapshot: its order ids have no gap",
              ids == list(range(ids[0], ids[0] + len(ids))), str(ids[-5:]))
        check("it holds every order acknowledged before the backup began",
              before <= set(ids), str(sorted(before - set(ids))[:5]))
        check("and none acknowledged after it ended", not (after & set(ids)),
              str(sorted(after & set(ids))[:5]))

        restored.start()
        rtoken = login(restored, "agent", "demo")
        sample = sorted(before)[::max(1, len(before) // 25)] + ids[:5]
        differ = orders_that_differ(server, token, restored, rtoken, sample)
        check("the restored copy answers for %d orders exactly as the original" % len(sample),
              not differ, str(differ[:5]))
        restored.stop()
        server.stop()

        rc, out = cli(binary, "backup", "--db", db, "--out", copy)
        check("a backup never overwrites an existing file", rc == 2 and "exists" in out, out)

        lost = os.path.join(work, "lost-event.db")
        shutil.copy(copy, lost)
        conn = sqlite3.connect(lost)
        victim = conn.execute("SELECT order_id, max(id) FROM events GROUP BY order_id "
                              "HAVING count(*) >= 3 LIMIT 1").fetchone()
        conn.execute("DELETE FROM events WHERE id = ?", (victim[1],))
        conn.commit()
        conn.close()
        rc, out = cli(binary, "verify", "--db", lost, *data)
        check("verify names an order whose last event is lost", rc == 1 and
              "(id %d)" % victim[0] in out and "NOT sound" in out, out[-1500:])

        damaged = os.path.join(work, "damaged.db")
        shutil.copy(copy, damaged)
        size = os.path.getsize(damaged)
        with open(damaged, "r+b") as f:  # b-tree page headers overwritten in the middle
            for at in range(size // 3 // 4096 * 4096, size // 3 + 16 * 4096, 4096):
                f.seek(at)
                f.write(os.urandom(64))
        rc, out = cli(binary, "verify", "--db", damaged, *data)
        check("verify finds damaged pages unsound (integrity_check) without serving them",
              rc == 1 and "NOT sound" in out and "integrity_check" in out and
              "orders checked" not in out, out[-1500:])
        spoilt = os.path.join(work, "spoilt-document.db")
        shutil.copy(copy, spoilt)
        conn = sqlite3.connect(spoilt)
        conn.execute("UPDATE documents SET json = '{\"garbled' WHERE key = "
                     "(SELECT key FROM documents ORDER BY length(json) DESC LIMIT 1)")
        conn.commit()
        conn.close()
        rc, out = cli(binary, "verify", "--db", spoilt, *data)
        check("verify finds a store the engine cannot read unsound", rc == 1 and
              "NOT sound" in out, out[-1500:])
    finally:
        stop_quietly(server, restored)
        shutil.rmtree(work, ignore_errors=True)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
