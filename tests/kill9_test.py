#!/usr/bin/env python3
"""kill -9 durability: an acknowledged order survives a crash.

Starts `hotline serve` on a fresh DB, runs concurrent clients POSTing orders
with unique Idempotency-Keys and records every acknowledged (2xx) reply; sends
SIGKILL to the server mid-stream; restarts it on the same DB; then checks that
  1. every acknowledged order exists, with its content, under its id and number;
  2. replaying an acknowledged key returns the same order (200), not a new one;
  3. replaying the keys that were in flight at the crash yields one order per
     key (whether or not it had been committed), and a second replay the same;
  4. the store holds exactly one order per key that ever got an order (when
     the list endpoint reports a total).
Prints the counts and ends with "N passed, M failed"; exits non-zero on any loss.

Runs --rounds crash/recover cycles on the same store; each round checks every order
acknowledged so far.
Usage: kill9_test.py --binary PATH [--data DIR] [--threads 16] [--seconds 1.5] [--rounds 2]
"""

import argparse
import http.client
import json
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import API, Server, login, run_cli  # noqa: E402

PASSWORD = "kill9-admin-pw"


def order_body(key):
    return {
        "channel": "hotline", "nature": "complaint", "urgency": "normal",
        "title": "断电测试 " + key,
        "content": "持久性测试工单 %s：小区路灯不亮，请尽快维修。" % key,
        "caller": {"name": "测试", "phone": "13812345678"},
        "place": {"address": "洪家楼北路1号 " + key},
    }


class Client:
    """A keep-alive JSON client on one connection."""

    def __init__(self, port, token):
        self.port, self.token = port, token
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(self, method, path, body=None, headers=None):
        h = {"Authorization": "Bearer " + self.token, "Content-Type": "application/json"}
        h.update(headers or {})
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        self.conn.request(method, API + path, body=data, headers=h)
        r = self.conn.getresponse()
        text = r.read().decode("utf-8", "replace")
        try:
            js = json.loads(text) if text else None
        except ValueError:
            js = None
        return r.status, js, text

    def close(self):
        self.conn.close()


def order_of(js):
    """The order object of a reply (bare, or wrapped in "order")."""
    if isinstance(js, dict) and isinstance(js.get("order"), dict):
        return js["order"]
    return js


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=1.5, help="kill after this long...")
    ap.add_argument("--acks", type=int, default=3000, help="...or after this many acks")
    ap.add_argument("--rounds", type=int, default=2, help="crash and recover this many times")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="hotline-kill9-")
    db = os.path.join(work, "hotline.db")
    server = Server(os.path.abspath(args.binary), db, data=args.data)
    checks = []  # (name, ok, detail)

    def check(name, ok, detail=""):
        checks.append((name, ok, detail))
        print("%s %s%s" % ("ok  " if ok else "FAIL", name,
                           (": " + detail) if detail and not ok else ""))

    try:
        run_cli(server.binary, "init", "--db", db, "--admin-password", PASSWORD, "--min-password-length", "4")
        server.start()
        admin = login(server, "admin", PASSWORD)
        # An agent to take the calls (admin if the user import is refused).
        st, _, text, _ = server.request(
            "POST", "/users", token=admin, content_type="text/csv",
            raw="login,display_name,role,unit_code,password,phone\nk9agent,测试话务员,agent,CENTER,%s,\n"
            % PASSWORD)
        who = "k9agent" if st in (200, 201) else "admin"
        token = login(server, who, PASSWORD) if who != "admin" else admin
        if st not in (200, 201):
            print("note: POST /users gave %d (%s); taking calls as admin" % (st, text[:200]))

        lock = threading.Lock()
        acked = {}  # key -> (id, no, content), over every round
        first = {}  # in-flight key -> the order its first replay returned
        for rnd in range(args.rounds):
            acked_before = len(acked)
            in_flight = set()  # keys sent without a reply when the server died
            errors = []      # unexpected non-2xx replies while the server was up
            stop = threading.Event()

            def worker(tid):
                c = Client(server.port, token)
                i = 0
                while not stop.is_set():
                    key = "k9-r%d-%d-%d" % (rnd, tid, i)
                    i += 1
                    body = order_body(key)
                    try:
                        st, js, text = c.call("POST", "/orders", body, {"Idempotency-Key": key})
                    except (OSError, http.client.HTTPException):
                        with lock:
                            in_flight.add(key)
                        break
                    o = order_of(js)
                    with lock:
                        if 200 <= st < 300 and isinstance(o, dict) and "id" in o:
                            acked[key] = (o["id"], o.get("no"), body["content"])
                        else:
                            errors.append((key, st, text[:300]))
                c.close()

            threads = [threading.Thread(target=worker, args=(t,)) for t in range(args.threads)]
            t0 = time.time()
            for t in threads:
                t.start()
            while time.time() - t0 < args.seconds and len(acked) - acked_before < args.acks and \
                    any(t.is_alive() for t in threads):
                time.sleep(0.01)
            server.kill()  # SIGKILL, mid-stream
            stop.set()
            for t in threads:
                t.join(60)
            elapsed = time.time() - t0
            print("round %d: acknowledged %d orders (%d in all) from %d clients in %.2fs before SIGKILL; %d in flight; "
                  "%d error replies" % (rnd + 1, len(acked) - acked_before, len(acked), args.threads, elapsed, len(in_flight), len(errors)))
            check("no error replies before the crash", not errors,
                  "; ".join("%s: %d %s" % e for e in errors[:3]))
            check("some orders were acknowledged", len(acked) > acked_before)

            server.start()
            token = login(server, who, PASSWORD)
            c = Client(server.port, token)

            # 1. Every acknowledged order is there, with its content.
            missing, wrong = [], []
            for key, (oid, no, content) in acked.items():
                st, js, text = c.call("GET", "/orders/%s" % oid)
                o = order_of(js)
                if st != 200:
                    missing.append("%s (id %s): %d" % (key, oid, st))
                elif o.get("content") != content or (no is not None and o.get("no") != no):
                    wrong.append("%s (id %s): content/no differ" % (key, oid))
            check("every acknowledged order survives SIGKILL (%d)" % len(acked), not missing,
                  "%d missing, e.g. %s" % (len(missing), missing[:3]))
            check("acknowledged orders keep their content and number", not wrong, str(wrong[:3]))

            # 2. Replaying acknowledged keys returns the same orders.
            bad = []
            for key, (oid, _, _) in acked.items():
                st, js, text = c.call("POST", "/orders", order_body(key), {"Idempotency-Key": key})
                o = order_of(js)
                if st != 200 or not isinstance(o, dict) or o.get("id") != oid:
                    bad.append("%s: %d id %s (acked %s)" % (key, st, o.get("id") if isinstance(o, dict) else None, oid))
            check("replaying acknowledged keys returns the same order with 200", not bad,
                  "%d bad, e.g. %s" % (len(bad), bad[:3]))

            # 3. In-flight keys: one order each, stable across replays.
            unstable, found_after = [], 0
            for key in sorted(in_flight):
                for attempt in range(2):
                    st, js, text = c.call("POST", "/orders", order_body(key), {"Idempotency-Key": key})
                    o = order_of(js)
                    oid = o.get("id") if isinstance(o, dict) else None
                    if attempt == 0:
                        first[key] = oid
                        found_after += st == 200
                        if st not in (200, 201):
                            unstable.append("%s: first replay %d %s" % (key, st, text[:200]))
                    elif st != 200 or oid != first[key]:
                        unstable.append("%s: second replay %d id %s vs %s" % (key, st, oid, first[key]))
            committed = sum(1 for k in in_flight if first.get(k) is not None)
            print("in-flight keys: %d; replays found %d committed before the crash, created %d" %
                  (len(in_flight), found_after, committed - found_after))
            check("in-flight keys yield exactly one order each", not unstable, str(unstable[:3]))
            ids = [v[0] for v in acked.values()] + [v for v in first.values() if v is not None]
            check("no two keys share an order", len(ids) == len(set(ids)),
                  "%d ids, %d distinct" % (len(ids), len(set(ids))))

            # 4. Total count, when the list endpoint reports one.
            st, js, text = c.call("GET", "/orders?page_size=1")
            total = js.get("total") if isinstance(js, dict) else None
            if isinstance(total, int):
                check("the store holds one order per key (%d)" % len(ids), total == len(ids),
                      "total %d, keys %d" % (total, len(ids)))
            else:
                print("note: GET /orders reports no total; count check skipped")
            c.close()
    except Exception as e:  # setup failures are failures too
        check("test ran", False, "%s: %s" % (type(e).__name__, e))
        if server.log:
            print("server log:\n  " + "\n  ".join(server.log[-20:]))
    finally:
        server.kill()
        if args.keep:
            print("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    failed = sum(1 for _, ok, _ in checks if not ok)
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
