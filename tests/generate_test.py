#!/usr/bin/env python3
"""`hotline generate` (issue 15, item 1): a large demo-city history written in bulk is an
ordinary store. Generates 3,000 orders over two years (the clock fixed by --clock-file), then:
`hotline verify` passes on it; `hotline serve` opens it and the city supervisor sees all 3,000
orders and this month's volume on GET /dashboard; the mix is the demo's (every channel the
demo uses, closed, merged, rejected and overdue orders, returns, extensions, redos, direct
answers and callbacks with ratings). Part `seed` (a ctest entry of its own): the same seed
twice gives the same orders and events, a different seed different ones. Bad options (--orders 0 / abc, --years 0, an existing store)
fail naming the flag and write nothing.
Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: generate_test.py --binary PATH [--data DIR] [--backend sqlite|postgres] [--part main|seed]
"""

import argparse
import collections
import datetime
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


def dump(store, pg):
    """The orders and events of a store, straight from its tables (event ids left out: they may
    have gaps on PostgreSQL)."""
    queries = ("SELECT id, no, state, version, title, content, doc FROM orders ORDER BY id",
               "SELECT order_id, at, action, from_state, to_state, user_id, unit_id, text, data "
               "FROM events ORDER BY order_id, id")
    if pg:
        return tuple(subprocess.run([os.path.join(pg.bindir, "psql"), store, "-At", "-c", q],
                                    stdout=subprocess.PIPE, check=True, text=True).stdout
                     for q in queries)
    con = sqlite3.connect(store)
    try:
        return tuple(con.execute(q).fetchall() for q in queries)
    finally:
        con.close()


def same_seed_same_store(generate, new_store, pg, check):
    """Part `seed`: the same seed twice gives identical orders and events, another seed not."""
    stores = {name: new_store(name) for name in ("a", "b", "c")}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        rc, out = generate(stores[name], seed)
        check("generate --seed %d (%s)" % (seed, name), rc == 0, out[-1000:])
        if rc != 0:
            return
    a, b, c = (dump(stores[n], pg) for n in ("a", "b", "c"))
    check("the same seed gives the same orders", a[0] == b[0] and len(a[0]) >= ORDERS,
          "%d vs %d" % (len(a[0]), len(b[0])))
    check("the same seed gives the same events", a[1] == b[1] and len(a[1]) > ORDERS * 5)
    check("another seed gives other orders and events", a[0] != c[0] and a[1] != c[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--part", choices=["main", "seed"], default="main",
                    help="main: bad options, verify, serve and the mix; seed: determinism")
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
        if args.part == "seed":
            same_seed_same_store(generate, new_store, pg, check)
            return check.summary()
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
        sample = range(1, ORDERS + 1, 3)  # every third order's history
        for oid in sample:
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
        check("every order has exactly one intake", actions["intake"] == len(sample),
              dict(actions))
        server.stop()
    finally:
        stop_quietly(*servers)
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
