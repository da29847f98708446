#!/usr/bin/env python3
"""PostgreSQL backups that restore to a point in time (issue 16, item 3): a primary archives
its WAL; while `hotline serve` takes appeals from 4 clients, deploy/pg-backup.sh takes a base
backup; later, with the clients still writing, a named restore point is set; the drill
(deploy/pg-restore.sh, then a new postmaster) restores the base backup and replays the archive
up to that point. The restored store must hold every order acknowledged before the restore
point and none sent after it, `hotline verify` must find it sound, and served again it must
answer for those orders exactly as the original. Ends with "N passed, M failed".

Usage: pg_backup_test.py --binary PATH [--data DIR]
"""

import argparse
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import (Checks, PgCluster, Server, appeal_body, login,  # noqa: E402
                         orders_that_differ, run_cli, stop_quietly)

DEPLOY = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "deploy")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    data = ["--data", args.data] if args.data else []
    check = Checks()

    work = tempfile.mkdtemp(prefix="hotline-pgbackup-")
    archive, backups = os.path.join(work, "archive"), os.path.join(work, "backups")
    for d in (archive, backups):
        os.mkdir(d)
    as_pg = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam("postgres")
        for d in (work, archive, backups):
            os.chown(d, pw.pw_uid, pw.pw_gid)
        as_pg = ["runuser", "-u", "postgres", "--"]

    def sh(*cmd, timeout=300):
        p = subprocess.run(as_pg + list(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, timeout=timeout)
        if p.returncode != 0:
            raise RuntimeError("%s exited %d: %s %s" % (cmd[0], p.returncode, p.stdout[-1500:],
                                                         p.stderr[-1500:]))
        return p.stdout.strip()

    cluster = PgCluster(conf_lines=[
        "wal_level = replica", "archive_mode = on",
        "archive_command = 'test ! -f %s/%%f && cp %%p %s/%%f'" % (archive, archive)])
    psql = os.path.join(cluster.bindir, "psql")
    restored_dir = os.path.join(work, "restored")
    restored_pg = None
    server = restored = None
    try:
        conninfo = cluster.new_database()
        dbname = conninfo.split("dbname=")[1]
        # --model-dir: no classifier training (not what is tested here).
        run_cli(binary, "demo", "--pg", conninfo, "--months", "1", "--per-day", "8",
                "--no-serve", "--model-dir", work, *data, timeout=900)
        server = Server(binary, conninfo, data=args.data)
        server.start()
        token = login(server, "agent", "demo")
        acked, sent = [], []  # (order id, monotonic time), (index, monotonic time sent)
        ids_of = {}
        stop = threading.Event()
        errors = []

        def intake(worker):
            i = worker * 100000
            while not stop.is_set():
                i += 1
                sent.append((i, time.monotonic()))
                st, js, text, _ = server.request("POST", "/orders", body=appeal_body("时间点恢复演练", i),
                                                 token=token)
                if st == 201:
                    acked.append((js["id"], time.monotonic()))
                    ids_of[i] = js["id"]
                else:
                    errors.append("%d %s" % (st, text[:200]))

        workers = [threading.Thread(target=intake, args=(w,)) for w in range(4)]
        for w in workers:
            w.start()
        while len(acked) < 30 and not errors:
            time.sleep(0.05)
        base = sh(os.path.join(DEPLOY, "pg-backup.sh"), "-d",
                  conninfo.replace("dbname=" + dbname, "dbname=postgres"), "-o", backups)
        check("pg-backup.sh took and verified a base backup under load",
              os.path.exists(os.path.join(base, "backup_manifest")), base)
        n = len(acked)
        while len(acked) < n + 30 and not errors:
            time.sleep(0.05)  # written after the base backup: only in the WAL archive
        marked = time.monotonic()
        before = {oid for oid, at in list(acked) if at < marked}
        sh(psql, "-h", cluster.dir, "-p", str(cluster.port), "-U", "postgres", "-d", dbname,
           "-Atc", "SELECT pg_create_restore_point('drill')")
        after_mark = time.monotonic()
        while len([1 for _, at in list(sent) if at > after_mark]) < 30 and not errors:
            time.sleep(0.05)
        stop.set()
        for w in workers:
            w.join()
        check("every intake was acknowledged", not errors, "; ".join(errors[:3]))
        late = {ids_of[i] for i, at in sent if at > after_mark and i in ids_of}
        print("  %d orders acknowledged before the restore point, %d sent after it"
              % (len(before), len(late)))
        # The segment holding the restore point goes to the archive.
        sh(psql, "-h", cluster.dir, "-p", str(cluster.port), "-U", "postgres", "-d", dbname,
           "-Atc", "SELECT pg_switch_wal()")
        deadline = time.time() + 60
        while time.time() < deadline:
            st = sh(psql, "-h", cluster.dir, "-p", str(cluster.port), "-U", "postgres", "-d",
                    dbname, "-Atc", "SELECT archived_count, failed_count, "
                    "last_archived_wal >= pg_walfile_name(pg_current_wal_lsn() - 1) "
                    "FROM pg_stat_archiver")
            if st.endswith("|t"):
                break
            time.sleep(0.2)

        sh(os.path.join(DEPLOY, "pg-restore.sh"), "-b", base, "-a", archive, "-D",
           restored_dir, "-n", "drill")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        sh(os.path.join(cluster.bindir, "pg_ctl"), "-D", restored_dir, "-l",
           os.path.join(work, "restored.log"), "-w", "-t", "120", "-o",
           "-c listen_addresses='' -p %d -c unix_socket_directories=%s" % (port, work), "start")
        restored_pg = restored_dir
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if sh(psql, "-h", work, "-p", str(port), "-U", "postgres", "-d", dbname,
                      "-Atc", "SELECT pg_is_in_recovery()") == "f":
                    break
            except RuntimeError:
                pass
            time.sleep(0.3)
        rconninfo = "host=%s port=%d user=postgres dbname=%s" % (work, port, dbname)
        have = {int(x) for x in sh(psql, "-h", work, "-p", str(port), "-U", "postgres", "-d",
                                   dbname, "-Atc", "SELECT id FROM orders").split()}
        check("the drill restored every order acknowledged before the restore point",
              before <= have, str(sorted(before - have)[:5]))
        check("and none sent after it", not (late & have), str(sorted(late & have)[:5]))
        p = subprocess.run([binary, "verify", "--pg", rconninfo, *data], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=600)
        check("hotline verify finds the restored store sound", p.returncode == 0 and
              "sound" in p.stdout and "NOT" not in p.stdout, p.stdout[-1500:] + p.stderr[-500:])

        restored = Server(binary, rconninfo, data=args.data)
        restored.start()
        rtoken = login(restored, "agent", "demo")
        sample = sorted(before)[::max(1, len(before) // 20)] + sorted(have)[:5]
        differ = orders_that_differ(server, token, restored, rtoken, sample)
        check("the restored store answers for %d orders exactly as the original" % len(sample),
              not differ, str(differ[:5]))
        st, js, text, _ = restored.request("POST", "/orders", body=appeal_body("时间点恢复演练", 999999),
                                           token=rtoken)
        check("and takes new appeals (promoted)", st == 201, text[:300])
    finally:
        stop_quietly(server, restored)
        if restored_pg:
            subprocess.run(as_pg + [os.path.join(cluster.bindir, "pg_ctl"), "-D", restored_pg,
                                    "-m", "immediate", "-w", "stop"],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
