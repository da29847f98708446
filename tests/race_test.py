#!/usr/bin/env python3
"""Compare-and-swap through the real binary: many clients fire the same
transition at the same order at once; exactly one may win.

For each round: an order is created and dispatched; then 16 threads, released
together, each POST the same action (sign, then reply, then callback, close) to it.
Exactly one reply per action must be 200; the others must be refused (409/422)
and change nothing: the order's version and event count rise by exactly one per
action. Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: race_test.py --binary PATH [--data DIR] [--threads 16] [--rounds 5]
"""

import argparse
import datetime
import os
import shutil
import sys
import tempfile
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, login, run_cli  # noqa: E402

PASSWORD = "race-pw"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="hotline-race-")
    db = os.path.join(work, "hotline.db")
    server = Server(os.path.abspath(args.binary), db, data=args.data)
    results = []

    def check(name, ok, detail=""):
        results.append(ok)
        print("%s %s%s" % ("ok  " if ok else "FAIL", name, (": " + detail) if not ok else ""))

    try:
        init = ["init", "--db", db, "--admin-password", PASSWORD, "--min-password-length", "4"]
        run_cli(server.binary, *(init + (["--data", args.data] if args.data else [])))
        server.start()
        admin = login(server, "admin", PASSWORD)
        st, _, text, _ = server.request("POST", "/units", token=admin, body=[
            {"code": "370112002", "name": "洪家楼街道", "kind": "street", "parent_code": "370112"}])
        assert st in (200, 201), text
        st, _, text, _ = server.request(
            "POST", "/users", token=admin, content_type="text/csv",
            raw="login,display_name,role,unit_code,password,phone\n"
                "ragent,话务员,agent,CENTER,{0},\nrdisp,派单员,dispatcher,CENTER,{0},\n"
                "rhand,承办人,handler,370112002,{0},\n".format(PASSWORD))
        assert st in (200, 201), text
        st, _, text, _ = server.request("PUT", "/taxonomy", token=admin, body={
            "version": "race-1", "subjects": [{"code": "02", "name": "环境保护", "parent": ""}]})
        assert st in (200, 204), text
        tok = {u: login(server, u, PASSWORD) for u in ("ragent", "rdisp", "rhand")}

        def now_iso():
            return datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=8))) \
                .isoformat(timespec="seconds")

        for rnd in range(args.rounds):
            st, o, text, _ = server.request("POST", "/orders", token=tok["ragent"], body={
                "channel": "hotline", "nature": "complaint", "subject_code": "02",
                "title": "竞争测试", "content": "并发签收测试 %d" % rnd,
                "caller": {"name": "测试", "phone": "13812345678"}, "place": {"street": "370112002"}})
            assert st == 201, text
            oid = o["id"]
            st, o, text, _ = server.request("POST", "/orders/%d/actions/dispatch" % oid,
                                            token=tok["rdisp"], body={"lead_unit": "370112002"})
            assert st == 200, text
            steps = [
                ("sign", "rhand", {}),
                ("reply", "rhand", {"reply": {"contacted_at": now_iso(), "contact_method": "phone",
                                              "resolved": True, "actions_taken": "已处理",
                                              "public_text": "已处理"}}),
                ("callback", "ragent", {"rating": "satisfied"}),
                ("close", "ragent", {}),
            ]
            for action, who, body in steps:
                _, before, _, _ = server.request("GET", "/orders/%d" % oid, token=tok["rdisp"])
                _, ev, _, _ = server.request("GET", "/orders/%d/events" % oid, token=tok["rdisp"])
                n_before = len(ev["items"])
                gate = threading.Barrier(args.threads)
                statuses = []
                lock = threading.Lock()

                def fire():
                    gate.wait()
                    st, _, _, _ = server.request("POST", "/orders/%d/actions/%s" % (oid, action),
                                                 token=tok[who], body=body)
                    with lock:
                        statuses.append(st)
                ts = [threading.Thread(target=fire) for _ in range(args.threads)]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join(60)
                wins = statuses.count(200)
                refused = sum(1 for s in statuses if s in (409, 422))
                _, after, _, _ = server.request("GET", "/orders/%d" % oid, token=tok["rdisp"])
                _, ev, _, _ = server.request("GET", "/orders/%d/events" % oid, token=tok["rdisp"])
                ok = (wins == 1 and refused == args.threads - 1 and
                      after["version"] == before["version"] + 1 and
                      len(ev["items"]) == n_before + 1)
                check("round %d: %d concurrent %s -> one winner" % (rnd + 1, args.threads, action),
                      ok, "statuses %s, version %s -> %s, events %d -> %d" % (
                          sorted(statuses), before["version"], after["version"], n_before,
                          len(ev["items"])))
    except Exception as e:
        check("test ran", False, "%s: %s" % (type(e).__name__, e))
        if server.log:
            print("server log:\n  " + "\n  ".join(server.log[-20:]))
    finally:
        server.kill()
        shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
