#!/usr/bin/env python3
"""Scheduled work and the knowledge base across several nodes on one store (issue 16 item 1,
issue 17; docs/deploy.md "Scheduled work"). Two `hotline serve` processes on one store — a
throwaway PostgreSQL (`--pg`), or one SQLite file (`--sqlite`):
  1. exactly one node leads the scheduled work (/metrics hotline_scheduler_leader), and only
     the leader runs the leader's job (kb-expire runs on one node, 0 times on the other);
  2. a knowledge entry created and published on one node is found by the other's search
     within seconds (every node follows the entries other nodes write);
  3. when the fake clock passes an entry's valid_until, it is expired once, by the timer
     (the system's event, no person acted), and both nodes show it expired;
  4. the leader is killed (kill -9): the other node takes the lease within seconds and
     expires the next entry whose validity ends.
Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: nodes_test.py --binary PATH [--data DIR] [--sqlite]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Checks, PgCluster, Server, login, run_cli, stop_quietly  # noqa: E402

DAY = 86400
START = 1780000000  # 2026-05-29, Beijing afternoon: the fake clock of both nodes
FAST = ["--tick-ms", "200", "--kb-refresh-seconds", "1", "--kb-expire-seconds", "1"]


def metrics(server):
    """The node's /metrics as {name-with-labels: value}."""
    with urllib.request.urlopen(server.url("/metrics"), timeout=10) as r:
        text = r.read().decode()
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def until(what, timeout=30.0, step=0.2):
    """Polls `what()` until it is truthy or `timeout` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        v = what()
        if v or time.monotonic() > deadline:
            return v
        time.sleep(step)


def set_clock(path, t):
    with open(path + ".tmp", "w") as f:
        f.write(str(t))
    os.replace(path + ".tmp", path)


def relogin(tok, nodes):
    """Sessions expire when the fake clock jumps days ahead: log in again on the living nodes."""
    for n in nodes:
        if n.proc and n.proc.poll() is None:
            tok[n] = login(n, "admin", "nodes-admin-pw-1")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--sqlite", action="store_true")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    data = ["--data", args.data] if args.data else []
    check = Checks()
    work = tempfile.mkdtemp(prefix="hotline-nodes-")
    clock = os.path.join(work, "clock")
    set_clock(clock, START)
    cluster, nodes = None, []
    try:
        if args.sqlite:
            store = os.path.join(work, "nodes.db")
            run_cli(binary, "init", "--db", store, "--admin-password", "nodes-admin-pw-1", *data)
        else:
            cluster = PgCluster()
            store = cluster.new_database()
            run_cli(binary, "init", "--pg", store, "--admin-password", "nodes-admin-pw-1", *data)
        for _ in range(2):
            s = Server(binary, store, data=args.data, clock_file=clock, extra=FAST)
            s.start()
            nodes.append(s)
        a, b = nodes
        tok = {n: login(n, "admin", "nodes-admin-pw-1") for n in nodes}

        def leaders():
            return [n for n in nodes if n.proc and n.proc.poll() is None and
                    metrics(n).get("hotline_scheduler_leader") == 1]
        ls = until(lambda: len(leaders()) == 1 and leaders())
        check("exactly one of the two nodes leads the scheduled work", ls and len(ls) == 1,
              str([metrics(n).get("hotline_scheduler_leader") for n in nodes]))
        leader = ls[0] if ls else a
        follower = b if leader is a else a
        time.sleep(1.5)  # several ticks: the follower would have run kb-expire by now
        runs = {n: metrics(n).get('hotline_scheduler_job_runs_total{job="kb-expire"}', -1)
                for n in nodes}
        check("only the leader runs the leader's job (kb-expire)",
              runs[leader] >= 1 and runs[follower] == 0, str(runs))
        check("every node runs the follow job (kb-refresh)", all(
            metrics(n).get('hotline_scheduler_job_runs_total{job="kb-refresh"}', 0) >= 1
            for n in nodes))

        def publish(node, eid, title, body, valid_until):
            st, js, text, _ = node.request(
                "POST", "/kb/entries", {"id": eid, "title": title, "body": body,
                                        "valid_until": valid_until}, token=tok[node])
            check("entry %s created on one node" % eid, st == 201, "%d %s" % (st, text[:300]))
            for action in ("submit", "publish"):
                st, js, text, _ = node.request("POST", "/kb/entries/%s/actions/%s" % (eid, action),
                                               {}, token=tok[node])
                check("entry %s: %s" % (eid, action), st == 200, "%d %s" % (st, text[:300]))

        def hits(node, q):
            st, js, text, _ = node.request("GET", "/kb/search?q=" + urllib.request.quote(q),
                                           token=tok[node])
            if st != 200:
                return ["HTTP %d" % st]
            return [h.get("id") or h.get("entry", {}).get("id") for h in
                    (js.get("items", js) if isinstance(js, dict) else js or [])]

        def state(node, eid):
            st, js, text, _ = node.request("GET", "/kb/entries/" + eid, token=tok[node])
            return (js or {}).get("state") if st == 200 else "HTTP %d" % st

        # 2. written on the follower, found on the leader (and the other way round below).
        publish(follower, "HEAT1", "供暖费缴纳", "供暖费可在热力公司营业厅或网上缴纳，截止日期为每年十一月。",
                START + 10 * DAY)
        found = until(lambda: "HEAT1" in hits(leader, "供暖费怎么缴"), timeout=20)
        check("an entry published on one node is found by the other's search", found,
              str(hits(leader, "供暖费怎么缴")))
        check("and reads as published there", state(leader, "HEAT1") == "published",
              state(leader, "HEAT1"))

        # 3. the clock passes valid_until: the timer expires it, once.
        set_clock(clock, START + 11 * DAY)
        relogin(tok, nodes)
        expired = until(lambda: state(a, "HEAT1") == "expired" and state(b, "HEAT1") == "expired",
                        timeout=20)
        check("past its valid_until the entry is expired by the timer, on both nodes", expired,
              "%s / %s" % (state(a, "HEAT1"), state(b, "HEAT1")))
        st, js, text, _ = a.request("GET", "/kb/entries/HEAT1", token=tok[a])
        evs = [e for e in (js or {}).get("events", []) if e.get("action") == "expire"]
        check("by one expire event of the system (no person acted)", len(evs) == 1 and
              "系统" in (evs[0].get("actor_name") or evs[0].get("actor") or ""), str(evs))
        left = hits(follower, "供暖费怎么缴")
        check("the expired entry is no longer found", "HEAT1" not in left and
              not any(str(h).startswith("HTTP") for h in left), str(left))

        # 4. the leader dies; the follower takes over.
        leader.kill()
        took = until(lambda: metrics(follower).get("hotline_scheduler_leader") == 1, timeout=30)
        check("after kill -9 of the leader the other node takes the lease within seconds", took)
        publish(follower, "WATER2", "停水查询", "停水信息可拨打供水服务热线查询，也可关注供水公司公众号。",
                START + 20 * DAY)
        set_clock(clock, START + 21 * DAY)
        relogin(tok, nodes)
        check("and expires the next entry past its validity",
              until(lambda: state(follower, "WATER2") == "expired", timeout=20),
              state(follower, "WATER2"))
        m = metrics(follower)
        check("the new leader counts one term", m.get("hotline_scheduler_terms_total") == 1,
              str(m.get("hotline_scheduler_terms_total")))
    finally:
        stop_quietly(*nodes)
        if cluster:
            cluster.stop()
        shutil.rmtree(work, ignore_errors=True)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
