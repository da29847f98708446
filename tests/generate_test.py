#!/usr/bin/env python3
"""`hotline generate` (issue 15, item 1): a large demo-city history written in bulk is an
ordinary store. Generates 3,000 orders over two years (the clock fixed by --clock-file), then:
`hotline verify` passes on it; `hotline serve` opens it and the city supervisor sees all 3,000
orders and this month's volume on GET /dashboard; the mix is the demo's (every channel the
demo uses, closed, merged, rejected and overdue orders, returns, extensions, redos, direct
answers and callbacks with ratings); the same seed twice gives the same orders and events, a
different seed different ones. Bad options (--orders 0 / abc, --years 0, an existing store)
fail naming the flag and write nothing.
Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: generate_test.py --binary PATH [--data DIR] [--backend sqlite|postgres]
"""

import argparse
import collections
import datetime
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Checks, PgCluster, Server, login, store_args, stop_quietly  # noqa: E402

ORDERS = 3000
# 2026-11-20 10:00 Beijing time: the history ends here (two years back).
NOW = int(datetime.datetime(2026, 11, 20, 2, 0, tzinfo=datetime.timezone.utc).timestamp())
# The channels the demo's mix draws (types.h order; two have weight 0).
DEMO_CHANNELS = ["hotline", "web", "app", "wechat", "grid_patrol", "online_opinion", "petition",
                 "email"]


def cli(binary, *args):
    p = subprocess.run([binary, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=600)
    return p.returncode, p.stdout + p.stderr


def total(server, token, query):
    st, js, text, _ = server.request("GET", "/orders?page_size=1&" + query, token=token)
    if st != 200:
        raise RuntimeError("GET /orders?%s: %d %s" % (query, st, text[:300]))
    return js["total"]


def snapshot(server, token):
    """Every order as listed (number, state, title, subject, channel, created) and the events
    of every tenth order: what two stores of the same seed must share."""
    orders, page = [], 1
    while True:
        st, js, text, _ = server.request(
            "GET", "/orders?sort=oldest&page_size=200&page=%d" % page, token=token)
        if st != 200:
            raise RuntimeError("GET /orders: %d %s" % (st, text[:300]))
        orders += [(o["id"], o["no"], o["state"], o["version"], o["title"], o["content"],
                    json.dumps(o.get("subject"), sort_keys=True), o["channel"],
                    o.get("created_at")) for o in js["items"]]
        if len(js["items"]) < 200:
            break
        page += 1
    events = {}
    for oid in range(1, ORDERS + 1, 10):
        st, js, text, _ = server.request("GET", "/orders/%d/events" % oid, token=token)
        events[oid] = js
    return orders, events


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    data = ["--data", args.data] if args.data else []
    work = tempfile.mkdtemp(prefix="hotline-generate-")
    clock = os.path.join(work, "clock")
    with open(clock, "w") as f:
        f.write(str(NOW))
    check = Checks()
    pg = PgCluster() if args.backend == "postgres" else None

    def new_store(name):
        return pg.new_database() if pg else os.path.join(work, name + ".db")

    def generate(store, seed):
        return cli(binary, "generate", *store_args(store), "--orders", str(ORDERS), "--years",
                   "2", "--seed", str(seed), "--clock-file", clock, *data)

    servers = []
    try:
        # Bad options: a clear message naming the flag, a failure, nothing written.
        for bad, flag in ((["--orders", "0"], "--orders"), (["--orders", "abc"], "--orders"),
                          (["--orders", "10", "--years", "0"], "--years")):
            store = new_store("bad")
            rc, out = cli(binary, "generate", *store_args(store), *bad, *data)
            wrote = os.path.exists(store) if not pg else False
            check("generate %s fails naming %s" % (" ".join(bad), flag),
                  rc != 0 and flag in out and not wrote, "rc=%d wrote=%s: %s" % (rc, wrote, out))
        if not pg:
            existing = os.path.join(work, "existing.db")
            with open(existing, "w") as f:
                f.write("keep me")
            rc, out = cli(binary, "generate", "--db", existing, "--orders", "10", *data)
            with open(existing) as f:
                kept = f.read() == "keep me"
            check("generate refuses an existing --db file and leaves it alone",
                  rc != 0 and "--db" in out and kept, "rc=%d kept=%s: %s" % (rc, kept, out))

        first = new_store("first")
        rc, out = generate(first, 7)
        check("generate 3,000 orders over 2 years", rc == 0 and "generated 3000 orders" in out,
              out[-2000:])
        if rc != 0:
            return check.summary()
        if not pg:
            rc, out = cli(binary, "generate", "--db", first, "--orders", "10", *data)
            check("generate refuses the store it wrote (no --force)", rc != 0 and "--db" in out,
                  out)
        rc, out = cli(binary, "verify", *store_args(first), *data)
        check("hotline verify passes on the generated store", rc == 0, out[-2000:])
        if not pg:
            # The bulk path leaves an ordinary store: the schema of `hotline init`, WAL.
            plain = os.path.join(work, "plain.db")
            cli(binary, "init", "--db", plain, "--admin-password", "admin-secret-1", *data)

            def schema(path):
                con = sqlite3.connect(path)
                try:
                    return (sorted(con.execute("SELECT type, name, tbl_name, sql FROM "
                                               "sqlite_master").fetchall()),
                            con.execute("PRAGMA journal_mode").fetchone()[0],
                            con.execute("PRAGMA user_version").fetchone()[0])
                finally:
                    con.close()
            got, want = schema(first), schema(plain)
            check("the generated file has the schema, journal and version of a new store",
                  got == want, "generated %s\nnew %s" % (got, want))

        server = Server(binary, first, data=args.data, clock_file=clock)
        servers.append(server)
        server.start(timeout=300)
        token = login(server, "supervisor", "demo")
        n = total(server, token, "")
        check("the city supervisor lists all %d orders" % ORDERS, n == ORDERS, "total %d" % n)
        st, dash, text, _ = server.request("GET", "/dashboard", token=token)
        mtd = dash["month_to_date"]["received"] if st == 200 else -1
        # 20 days of 730, each ~4 appeals: between half and twice the share.
        share = ORDERS * 20 / 730
        check("GET /dashboard shows this month's generated volume",
              share / 2 < mtd < share * 2, "month_to_date.received %s (status %d)" % (mtd, st))
        this_month = total(server, token, "from=2026-11-01&to=2026-11-20")
        check("the dashboard's month agrees with the listing",
              abs(this_month - mtd) <= total(server, token, "from=2026-11-20"),
              "listing %d, dashboard %d" % (this_month, mtd))

        channels = {c: total(server, token, "channel=" + c) for c in DEMO_CHANNELS}
        check("every channel of the demo's mix is present", all(channels.values()), channels)
        check("the hotline channel carries most appeals (the demo's ~62%)",
              0.5 < channels["hotline"] / ORDERS < 0.75, channels)
        states = {s: total(server, token, "status=" + s)
                  for s in ("closed", "merged", "rejected", "in_progress", "dispatched")}
        check("most orders are closed, some merged and rejected, some still open",
              states["closed"] > ORDERS * 0.7 and states["merged"] > 0 and
              states["rejected"] > 0 and states["in_progress"] + states["dispatched"] > 0, states)
        red = total(server, token, "light=red")
        check("some orders are overdue (red)", red > 0, "red %d" % red)

        actions = collections.Counter()
        rated = 0
        for oid in range(1, ORDERS + 1, 2):
            st, evs, text, _ = server.request("GET", "/orders/%d/events" % oid, token=token)
            if st != 200:
                raise RuntimeError("events of %d: %d %s" % (oid, st, text[:300]))
            for e in evs["items"]:
                actions[e["action"]] += 1
                if e["action"] == "callback" and (e.get("data") or {}).get("rating"):
                    rated += 1
        for action in ("intake", "dispatch", "sign", "reply", "callback", "close", "answer",
                       "merge", "request_return", "approve_return", "request_extension",
                       "approve_extension", "redo", "supervise", "relay"):
            check("lifecycles include %s" % action, actions[action] > 0, dict(actions))
        check("callbacks carry ratings", rated > 0 and rated == actions["callback"],
              "%d rated of %d" % (rated, actions["callback"]))
        check("every order has exactly one intake", actions["intake"] == (ORDERS + 1) // 2,
              dict(actions))
        base = snapshot(server, token)
        server.stop()

        same = new_store("same")
        rc, out = generate(same, 7)
        other = new_store("other")
        rc2, out2 = generate(other, 8)
        check("generate runs again with the same and another seed", rc == 0 and rc2 == 0,
              out[-500:] + out2[-500:])
        snaps = {}
        for name, store in (("same", same), ("other", other)):
            s = Server(binary, store, data=args.data, clock_file=clock)
            servers.append(s)
            s.start(timeout=300)
            snaps[name] = snapshot(s, login(s, "supervisor", "demo"))
            s.stop()
        check("the same seed gives the same orders", snaps["same"][0] == base[0],
              "first difference at %s" % next(
                  (i for i, (a, b) in enumerate(zip(snaps["same"][0], base[0])) if a != b), None))
        check("the same seed gives the same events", snaps["same"][1] == base[1])
        check("another seed gives other orders", snaps["other"][0] != base[0])
    finally:
        stop_quietly(*servers)
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
