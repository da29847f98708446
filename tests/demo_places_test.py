"""The demo city's appeals and its gazetteer agree: every 小区 (compound) name the demo generator
writes into an appeal's place resolves, on its own, to that appeal's community through
POST /places/resolve — an agent who types "金科新苑" gets the place, not 未能识别.
Builds a small demo store (`hotline demo --months 1 --per-day 10 --no-serve`), serves it, and
checks the compounds of up to 300 demo appeals.
"""

import argparse
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import Server, login, run_cli  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="hotline-places-") as tmp:
        db = os.path.join(tmp, "demo.db")
        run_cli(a.binary, "demo", "--db", db, "--data", a.data, "--months", "1", "--per-day", "10",
                "--no-serve", timeout=900)
        server = Server(a.binary, db, data=a.data)
        server.start(timeout=120)
        try:
            token = login(server, "admin", "demo")
            orders = []
            for page in range(1, 4):
                st, js, text, _ = server.request(
                    "GET", "/orders?sort=oldest&page_size=100&page=%d" % page, token=token)
                if st != 200:
                    raise SystemExit("GET /orders: %d %s" % (st, text[:300]))
                orders += js["items"]
            checked, failures = 0, []
            for o in orders:
                p = o.get("place") or {}
                street, community = (p.get("street") or {}), (p.get("community") or {})
                address = p.get("address") or ""
                # The demo writes district (历下区, 市中区 or 历城区) + street + community +
                # compound + N号楼.
                prefix = street.get("name", "") + community.get("name", "")
                m = re.fullmatch("(?:历下区|市中区|历城区)" + re.escape(prefix) + r"(.+?)\d+号楼",
                                 address)
                if not m:
                    continue  # citizens' and agents' own addresses, not the generator's
                compound = m.group(1)
                st, js, text, _ = server.request("POST", "/places/resolve", {"address": compound},
                                                 token=token)
                checked += 1
                got = ((js or {}).get("place") or {}).get("community") or {}
                if st != 200 or js.get("status") != "resolved" or got.get("id") != community.get("id"):
                    failures.append("%s (%s, order %s): %s %s" % (
                        compound, community.get("name"), o["no"], (js or {}).get("status"),
                        got.get("name")))
            if checked < 50:
                raise SystemExit("only %d demo appeals carry a generated compound" % checked)
            if failures:
                raise SystemExit("%d of %d compounds do not resolve to their community:\n  %s" % (
                    len(failures), checked, "\n  ".join(failures[:20])))
            print("demo places: %d compounds resolve to their communities" % checked)
        finally:
            server.stop()


if __name__ == "__main__":
    main()
