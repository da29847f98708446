#!/usr/bin/env python3
"""`hotline kb eval|search|check` through the real binary (issue 17, docs/kb.md), on the shared
Beijing government Q&A data read in place (../shared/data/kb; a missing data set fails).

eval: the dev questions split by entry (one half learned, the other ranked) prints the metrics
JSON, and the default method beats plain BM25 over bigrams on the ranked half; a question naming
an entry that is not in the knowledge base fails naming entry_id and nothing is printed on stdout.
search: a traditional-script question finds the 医保局 answer with the match marked, and --unit
filters. check: every bad row is reported, exit 1, nothing exported; a good file round-trips.
Ends with "N passed, M failed"; exits non-zero on any failure.

Usage: kb_cli_test.py --binary PATH --shared DIR
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


def cli(binary, *args):
    p = subprocess.run([binary, "kb", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True, timeout=300)
    return p.returncode, p.stdout, p.stderr


def fnv_learning_half(entry_id):
    h = 1469598103934665603
    for c in entry_id.encode():
        h = ((h ^ c) * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return (h >> 7) % 2 == 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--shared", required=True)
    args = ap.parse_args()
    kb = os.path.join(args.shared, "data", "kb", "govqa_kb.csv")
    dev = os.path.join(args.shared, "data", "kb", "govqa_dev_queries.csv")
    if not (os.path.exists(kb) and os.path.exists(dev)):
        print("FAIL: the shared knowledge-base data is missing:", kb)
        return 1
    tmp = tempfile.mkdtemp(prefix="kb_cli_test_")
    rows = list(csv.DictReader(open(dev, encoding="utf-8", newline="")))
    learn = os.path.join(tmp, "learn.csv")
    held = os.path.join(tmp, "held.csv")
    for path, keep in ((learn, True), (held, False)):
        with open(path, "w", encoding="utf-8", newline="") as f:
            w = csv.DictWriter(f, fieldnames=["query_id", "question", "entry_id"])
            w.writeheader()
            w.writerows(r for r in rows if fnv_learning_half(r["entry_id"]) == keep)

    rc, out, err = cli(args.binary, "eval", "--kb", kb, "--queries", held, "--learn", learn)
    check(rc == 0, f"eval exits 0 ({rc}: {err})")
    ours = json.loads(out) if rc == 0 else {}
    for key in ("recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "queries_per_second"):
        check(key in ours, f"eval prints {key}")
    check(ours.get("unseen_entries", {}).get("queries") == ours.get("queries"),
          "every held-out question's entry is unseen")
    rc, out, err = cli(args.binary, "eval", "--kb", kb, "--queries", held, "--learn", learn,
                       "--method", "bm25-bigram")
    base = json.loads(out) if rc == 0 else {}
    check(ours.get("recall_at_1", 0) > base.get("recall_at_1", 1) + 0.02,
          f"recall@1 beats BM25 bigrams ({ours.get('recall_at_1')} vs {base.get('recall_at_1')})")
    check(ours.get("mrr_at_10", 0) > base.get("mrr_at_10", 1),
          "MRR@10 beats BM25 bigrams")

    bad = os.path.join(tmp, "bad_queries.csv")
    with open(bad, "w", encoding="utf-8") as f:
        f.write("query_id,question,entry_id\n1,公积金怎么提取,kb00001\n2,问题,no-such-entry\n")
    rc, out, err = cli(args.binary, "eval", "--kb", kb, "--queries", bad)
    check(rc == 1 and "entry_id" in err and "record 2" in err and out == "",
          f"an unknown entry fails naming the field and record ({rc}: {err})")

    rc, out, err = cli(args.binary, "search", "--kb", kb, "異地就醫怎麼報銷", "--limit", "3")
    hits = json.loads(out)["hits"] if rc == 0 else []
    check(len(hits) == 3, "search returns --limit hits")
    check(hits and hits[0]["unit"] == "医保局", "traditional script finds the 医保局 answer")
    check(hits and "<mark>异地就医</mark>" in hits[0]["snippet_html"], "the match is marked")
    rc, out, err = cli(args.binary, "search", "--kb", kb, "异地就医怎么报销", "--unit", "交管局")
    hits = json.loads(out)["hits"] if rc == 0 else [None]
    check(all(h["unit"] == "交管局" for h in hits), "--unit keeps that unit's entries only")

    entries = os.path.join(tmp, "entries.csv")
    with open(entries, "w", encoding="utf-8") as f:
        f.write("id,owning_unit,body,valid_until\na,医保局,答案,2026-13-01\nb,医保局,,\n"
                "c,医保局,好答案,\n")
    out_json = os.path.join(tmp, "out.json")
    rc, out, err = cli(args.binary, "check", "--in", entries, "--export", out_json)
    report = json.loads(out) if out else {}
    check(rc == 1 and [e["field"] for e in report.get("errors", [])] == ["valid_until", "body"],
          f"check reports every bad row ({rc}: {out})")
    check(not os.path.exists(out_json), "nothing is exported when a row is bad")
    with open(entries, "w", encoding="utf-8") as f:
        f.write("id,owning_unit,body,subjects\nc,医保局,好答案,医疗;报销\n")
    rc, out, err = cli(args.binary, "check", "--in", entries, "--export", out_json)
    check(rc == 0 and os.path.exists(out_json), f"a good file is exported ({rc}: {err})")
    if os.path.exists(out_json):
        exported = json.load(open(out_json, encoding="utf-8"))["entries"]
        check(exported[0]["subjects"] == ["医疗", "报销"], "subjects survive the export")

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
