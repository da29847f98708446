#!/usr/bin/env python3
"""Health, readiness and metrics of a node, and a node that outlives its database's restart
(issue 16, item 4; docs/deploy.md). `hotline serve --pg` on a throwaway PostgreSQL:
  1. /health and /ready answer 200; /metrics (Prometheus text) counts the requests made, per
     route pattern, and the store writer's commits;
  2. PostgreSQL is stopped: /health still 200 (the process lives), /ready 503 (a load
     balancer takes the node out), an intake answers 503 with a JSON error, not a hang;
  3. PostgreSQL is started again on the same address: without restarting the node, /ready
     turns 200 and an intake retried with its Idempotency-Key is taken once.
Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: ops_test.py --binary PATH [--data DIR]
"""

import argparse
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from hotline_proc import (Checks, PgCluster, Server, appeal_body, login, run_cli,  # noqa: E402
                         stop_quietly)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--data", default=None)
    args = ap.parse_args()
    binary = os.path.abspath(args.binary)
    data = ["--data", args.data] if args.data else []
    check = Checks()

    cluster = PgCluster()
    server = None
    try:
        conninfo = cluster.new_database()
        run_cli(binary, "init", "--pg", conninfo, "--admin-password", "ops-admin-pw-1", *data)
        server = Server(binary, conninfo, data=args.data)
        server.start()
        admin = login(server, "admin", "ops-admin-pw-1")

        st, js, text, _ = server.request("GET", "/health")
        check("/health answers 200", st == 200, text)
        st, js, text, _ = server.request("GET", "/ready")
        check("/ready answers 200 while the store answers", st == 200 and js["ready"] is True,
              text)
        for i in range(3):
            st, js, text, _ = server.request("POST", "/orders", body=appeal_body("运维测试", i), token=admin)
            check("intake %d" % i, st == 201, text[:300])
        with urllib.request.urlopen(server.url("/metrics"),
                                    timeout=10) as r:
            metrics = r.read().decode()
            ctype = r.headers.get("Content-Type", "")
        check("/metrics is Prometheus text", ctype.startswith("text/plain") and
              "# TYPE hotline_http_requests_total counter" in metrics, ctype)
        check("it counts the three intakes on the route pattern",
              'hotline_http_requests_total{method="POST",route="/api/v1/orders",code="2xx"} 3'
              in metrics, metrics[:2000])
        writes = [l for l in metrics.splitlines() if l.startswith("hotline_store_writes_total ")]
        check("and the store writer's commits", writes and int(writes[0].split()[1]) >= 3,
              str(writes))

        cluster._run("pg_ctl", "-D", cluster.data, "-m", "fast", "-w", "stop")
        st, js, text, _ = server.request("GET", "/health")
        check("with PostgreSQL down /health still answers 200", st == 200, text)
        st, js, text, _ = server.request("GET", "/ready")
        check("and /ready answers 503", st == 503 and js["ready"] is False, text)
        t0 = time.monotonic()
        st, js, text, _ = server.request("POST", "/orders", body=appeal_body("运维测试", 10), token=admin,
                                         headers={"Idempotency-Key": "ops-retry-1"})
        check("an intake answers 503 with a JSON error, not a hang", st == 503 and
              "error" in (js or {}) and time.monotonic() - t0 < 30, "%d %s" % (st, text[:300]))

        cluster._run("pg_ctl", "-D", cluster.data, "-l", cluster.log, "-w", "-t", "60", "-o",
                     "-c listen_addresses='' -p %d -c unix_socket_directories=%s "
                     "-c shared_buffers=32MB -c fsync=off" % (cluster.port, cluster.dir),
                     "start")
        ready, deadline = False, time.time() + 30
        while time.time() < deadline and not ready:
            st, js, _, _ = server.request("GET", "/ready")
            ready = st == 200
            if not ready:
                time.sleep(0.2)
        check("PostgreSQL back: /ready turns 200 without restarting the node", ready and
              server.proc.poll() is None)
        got = []
        for _ in range(2):
            st, js, text, _ = server.request("POST", "/orders", body=appeal_body("运维测试", 10), token=admin,
                                             headers={"Idempotency-Key": "ops-retry-1"})
            got.append((st, js.get("id") if isinstance(js, dict) else None))
        check("the retried intake is taken once", got[0][0] in (200, 201) and
              got[1][0] == 200 and got[0][1] == got[1][1], str(got))
        st, js, text, _ = server.request("GET", "/orders?q=" + urllib.request.quote("运维测试"),
                                         token=admin)
        check("the store holds the 3 first intakes and the retried one once",
              st == 200 and js.get("total") == 4, text[:300])
    finally:
        stop_quietly(server)
        cluster.stop()
    return check.summary()


if __name__ == "__main__":
    sys.exit(main())
