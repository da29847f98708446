#!/usr/bin/env python3
"""The `scale` benchmark group (issue 15): a large store, fast.

  bench: generate_sqlite_orders_per_s   `hotline generate --orders N` into a new SQLite file
                                        (simulation, bulk load, fsync; setup included), beside
                                        the demo path (`hotline demo --no-serve`: the whole
                                        history simulated, then loaded in 2,000-order
                                        transactions of an ordinary store) in the same run,
                                        each as orders per second of wall time.

Usage: scale_bench [--orders 500000] [--baseline-per-day 400] [--baseline-months 3]
Python standard library only. Installed into the build directory with the source directory
and the hotline binary filled in (bench/CMakeLists.txt).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SOURCE_DIR = "@CMAKE_SOURCE_DIR@"
HOTLINE_BINARY = "$<TARGET_FILE:hotline>"


def fmt(v, digits=4):
    if isinstance(v, int):
        return str(v)
    s = "%.*g" % (digits, v)
    if "e" in s:
        s = str(int(round(v)))
    return s


def run(cmd):
    start = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs = time.monotonic() - start
    if p.returncode != 0:
        sys.exit("scale_bench: %s failed (%d)\n%s\n%s" % (" ".join(cmd), p.returncode,
                                                         p.stdout[-2000:], p.stderr[-2000:]))
    return secs, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.path.join(SOURCE_DIR, "data"))
    ap.add_argument("--binary", default=HOTLINE_BINARY)
    ap.add_argument("--orders", type=int, default=500000)
    ap.add_argument("--baseline-months", type=int, default=3)
    ap.add_argument("--baseline-per-day", type=int, default=400)
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="hotline-scale-bench-")
    try:
        # The baseline: the demo path (no classifier training: --model-dir names a directory).
        demo_db = os.path.join(work, "demo.db")
        secs, out = run([args.binary, "demo", "--db", demo_db, "--months",
                         str(args.baseline_months), "--per-day", str(args.baseline_per_day),
                         "--no-serve", "--model-dir", work, "--data", args.data])
        m = re.search(r"(\d+) appeals, (\d+) events", out)
        if not m:
            sys.exit("scale_bench: no appeal count in the demo's output:\n" + out[-2000:])
        demo_rate = int(m.group(1)) / secs
        print("# demo path: %s orders in %.1f s" % (m.group(1), secs), flush=True)

        gen_db = os.path.join(work, "gen.db")
        secs, out = run([args.binary, "generate", "--db", gen_db, "--orders", str(args.orders),
                         "--years", "2", "--data", args.data])
        size = os.path.getsize(gen_db)
        print("# generate: %d orders in %.1f s, %d bytes on disk (%d per order)" %
              (args.orders, secs, size, size // args.orders), flush=True)
        rate = args.orders / secs
        print("bench: generate_sqlite_orders_per_s value=%s unit=orders/s "
              "baseline=demo_path_orders_per_s baseline_value=%s ratio=%s" %
              (fmt(int(rate)), fmt(int(demo_rate)), fmt(rate / demo_rate, 3)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
