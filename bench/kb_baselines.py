#!/usr/bin/python3
"""Baseline for bench/kb_bench: BM25 (k1 = 1.2, b = 0.75) over jieba words (search mode), the
answer text as the document, on the questions file kb_bench wrote (its held-out split).

Run with Debian's /usr/bin/python3 (python3-jieba; no pip). Prints one JSON object:
{"recall_at_1", "recall_at_5", "recall_at_10", "mrr_at_10", "queries", "queries_per_second"}.
Text is NFKC-folded and lower-cased; tokens are jieba's words that hold a Han character, a letter
or a digit. Queries/s covers segmentation and scoring of each question, one thread.
"""
import argparse
import csv
import json
import logging
import math
import re
import time
import unicodedata
from collections import Counter, defaultdict

import jieba

jieba.setLogLevel(logging.WARNING)
ap = argparse.ArgumentParser()
ap.add_argument("--kb", required=True)
ap.add_argument("--queries", required=True)
args = ap.parse_args()

WORD = re.compile(r"[\u4e00-\u9fff0-9a-z]")


def words(s):
    s = unicodedata.normalize("NFKC", s).lower()
    return [w for w in jieba.cut_for_search(s) if WORD.search(w)]


kb = list(csv.DictReader(open(args.kb, encoding="utf-8", newline="")))
qs = list(csv.DictReader(open(args.queries, encoding="utf-8", newline="")))
ids = [r["entry_id"] for r in kb]
docs = [Counter(words(r["body"])) for r in kb]
lens = [sum(d.values()) for d in docs]
N, avg = len(docs), sum(lens) / len(docs)
post = defaultdict(list)
for i, d in enumerate(docs):
    for t, f in d.items():
        post[t].append((i, f))
idf = {t: math.log(1 + (N - len(p) + 0.5) / (len(p) + 0.5)) for t, p in post.items()}
k1, b = 1.2, 0.75
r1 = r5 = r10 = mrr = 0
t0 = time.perf_counter()
for q in qs:
    sc = defaultdict(float)
    for t in set(words(q["question"])):
        for i, f in post.get(t, ()):
            sc[i] += idf[t] * f * (k1 + 1) / (f + k1 * (1 - b + b * lens[i] / avg))
    top = [ids[i] for i in sorted(sc, key=lambda i: (-sc[i], i))[:10]]
    if q["entry_id"] in top:
        rk = top.index(q["entry_id"])
        r1 += rk < 1
        r5 += rk < 5
        r10 += 1
        mrr += 1 / (rk + 1)
secs = time.perf_counter() - t0
n = len(qs)
print(json.dumps({"recall_at_1": r1 / n, "recall_at_5": r5 / n, "recall_at_10": r10 / n,
                  "mrr_at_10": mrr / n, "queries": n, "queries_per_second": n / secs}))
