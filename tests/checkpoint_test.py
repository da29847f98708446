#!/usr/bin/env python3
"""Projection checkpoints end to end (docs/storage.md "Projections").

On a demo store served by the real binary:
  1. orders added over the API, a clean stop (SIGTERM) -> <db>.projections/kpi.ckpt exists;
  2. the next start reads it ("from checkpoint" in the "kpi engine:" line) and answers
     GET /kpis and GET /dashboard (as a supervisor) as before the stop;
  3. more orders and dispatches, kill -9 (no checkpoint of them), restart -> the same answers
     as before the kill (the tail of the log was replayed), and the same as a server started
     after deleting the checkpoint (a rebuild from the whole log);
  4. a damaged checkpoint (a flipped byte, a truncated file) -> the start says why and rebuilds,
     and answers the same.
The clock is fixed with --clock-file so "today" and the lights are the same for every start.
Usage: checkpoint_test.py --binary PATH [--data DIR]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Checks, Server, appeal_body, login, run_cli, stop_quietly  # noqa: E402

QUIET = ["--checkpoint-events", "1000000000", "--checkpoint-seconds", "1000000000"]


def answers(server):
    """What users read: the KPIs of the area and of every street (with the previous period),
    of the departments, and the supervisor's dashboard."""
    sup = login(server, "supervisor", "demo")
    out = {}
    for path in ("/kpis", "/kpis?group=street&compare=previous", "/kpis?group=department",
                 "/kpis?group=grid&subject=unclassified", "/dashboard", "/map/grids?level=street"):
        st, js, text, _ = server.request("GET", path, token=sup)
        if st != 200:
            raise RuntimeError("GET %s: %d %s" % (path, st, text[:300]))
        out[path] = js
    return out


def engine_line(server):
    lines = [line for line in server.log if line.startswith("kpi engine:")]
    return lines[-1] if lines else ""


def differences(a, b):
    return [k for k in a if a[k] != b.get(k)]


def add_work(server, first, count):
    """`count` intakes as the agent; every other one dispatched to a street."""
    agent = login(server, "agent", "demo")
    disp = login(server, "dispatcher", "demo")
    st, units, text, _ = server.request("GET", "/units", token=disp)
    items = units["items"] if isinstance(units, dict) and "items" in units else units
    streets = [u["code"] for u in items if u.get("kind") == "street" and u.get("active", True)]
    if not streets:
        raise RuntimeError("no street in GET /units: %s" % text[:300])
    st, tax, text, _ = server.request("GET", "/taxonomy", token=disp)
    subjects = [x["code"] for x in (tax or {}).get("subjects", [])
                if x.get("level", 0) >= 2 and not x.get("department_matter")]
    if not subjects:
        raise RuntimeError("no subject in GET /taxonomy: %s" % text[:300])
    for i in range(first, first + count):
        st, o, text, _ = server.request("POST", "/orders", token=agent, body=appeal_body("检查点", i))
        if st != 201:
            raise RuntimeError("intake %d: %d %s" % (i, st, text[:300]))
        if i % 2 == 0:
            st, _, text, _ = server.request("POST", "/orders/%d/actions/dispatch" % o["id"],
                                            token=disp,
                                            body={"lead_unit": streets[i % len(streets)],
                                                  "subject_code": subjects[i % len(subjects)],
                                                  "text": "检查点测试：直派街道"})
            if st != 200:
                raise RuntimeError("dispatch %d: %d %s" % (o["id"], st, text[:300]))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    check = Checks()
    tmp = tempfile.mkdtemp(prefix="hotline-ckpt-")
    servers = []
    try:
        db = os.path.join(tmp, "demo.db")
        ckpt_dir = db + ".projections"
        ckpt = os.path.join(ckpt_dir, "kpi.ckpt")
        demo = ["demo", "--db", db, "--months", "1", "--per-day", "20", "--no-serve"]
        run_cli(args.binary, *demo, *(["--data", args.data] if args.data else []))
        clock = os.path.join(tmp, "now")
        with open(clock, "w") as f:
            f.write(str(int(time.time())))

        def server():
            s = Server(args.binary, db, data=args.data, clock_file=clock, extra=QUIET)
            servers.append(s)
            s.start(timeout=180)
            return s

        # 1. First start: no checkpoint, a rebuild that writes one; work; a clean stop.
        s = server()
        check("first start rebuilds (no checkpoint yet)", "rebuilt" in engine_line(s),
              engine_line(s))
        add_work(s, 0, 12)
        before_stop = answers(s)
        check("clean stop exits 0", s.stop() == 0, "\n".join(s.log[-10:]))
        check("checkpoint present after a clean stop", os.path.exists(ckpt))
        check("the stop wrote the checkpoint (logged)",
              any("checkpoint written (shutdown)" in line for line in s.log), "\n".join(s.log[-5:]))

        # 2. Start from it.
        s = server()
        check("start from the checkpoint", "from checkpoint" in engine_line(s), engine_line(s))
        after = answers(s)
        check("same answers after a clean restart", after == before_stop,
              str(differences(before_stop, after)))

        # 3. More work, kill -9, restart: the tail is replayed.
        add_work(s, 100, 14)
        before_kill = answers(s)
        check("the new work shows", before_kill != before_stop)
        s.kill()
        s = server()
        line = engine_line(s)
        check("restart after kill -9 starts from the checkpoint and replays the tail",
              "from checkpoint" in line and " 0 later events" not in line, line)
        after = answers(s)
        check("same answers after kill -9", after == before_kill,
              str(differences(before_kill, after)))
        s.kill()
        shutil.rmtree(ckpt_dir)
        s = server()
        check("without the checkpoint: a rebuild", "rebuilt" in engine_line(s), engine_line(s))
        rebuilt = answers(s)
        check("same answers as a rebuild from the whole log", rebuilt == before_kill,
              str(differences(before_kill, rebuilt)))
        check("clean stop exits 0", s.stop() == 0)

        # 4. Damage: a flipped byte, then a truncated file.
        with open(ckpt, "rb") as f:
            good = f.read()
        for name, bad in (("flipped byte", good[:100] + bytes([good[100] ^ 0x40]) + good[101:]),
                          ("truncated", good[:len(good) // 2])):
            with open(ckpt, "wb") as f:
                f.write(bad)
            s = server()
            said = [line for line in s.log if line.startswith("projections:") and
                    "rebuilding from the event log" in line]
            check("%s checkpoint: the start says why and rebuilds" % name,
                  said and "rebuilt" in engine_line(s), "\n".join(s.log[:8]))
            if said:
                print("     " + said[0])
            damaged = answers(s)
            check("%s checkpoint: same answers" % name, damaged == before_kill,
                  str(differences(before_kill, damaged)))
            s.kill()
    finally:
        stop_quietly(*servers)
        shutil.rmtree(tmp, ignore_errors=True)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
