#!/usr/bin/python3
"""Baseline for bench/classify_bench: TF-IDF + LinearSVC with jieba segmentation (scikit-learn),
on the fold assignment classify_bench wrote (one fold number per data row, file order).

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-jieba; no pip). Prints one JSON
object: {"fold_macro_f1": [...], "mean": m, "sd": s, "predict_per_s": w, "predict_per_cpu_s": c}.
The prediction speed: the model trained on every row, then all rows predicted in one batch (raw
text in: whitespace squeeze + jieba + TF-IDF transform + decision function, top-3 by argsort),
wall-clock and process CPU time.
"""
import argparse
import csv
import json
import logging
import re
import sys
import time

import jieba
import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.svm import LinearSVC

jieba.setLogLevel(logging.WARNING)

ap = argparse.ArgumentParser()
ap.add_argument("--input", required=True)
ap.add_argument("--folds", required=True)
ap.add_argument("--text", default="留言主题,留言详情")
ap.add_argument("--label", default="一级标签")
args = ap.parse_args()

with open(args.input, encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
folds = np.array([int(x) for x in open(args.folds).read().split()])
if len(folds) != len(rows):
    sys.exit(f"folds file has {len(folds)} entries for {len(rows)} rows")
cols = args.text.split(",")
# What a data scientist would do: join the columns, squeeze whitespace, segment with jieba.
texts = [re.sub(r"\s+", " ", "\n".join(r[c] for c in cols)).strip() for r in rows]
docs = [" ".join(w for w in jieba.lcut(t) if w.strip()) for t in texts]
y = np.array([r[args.label] for r in rows])

scores = []
for k in sorted(set(folds)):
    tr, te = folds != k, folds == k
    vec = TfidfVectorizer(token_pattern=r"(?u)\S+", sublinear_tf=True)
    xtr = vec.fit_transform([d for d, m in zip(docs, tr) if m])
    xte = vec.transform([d for d, m in zip(docs, te) if m])
    clf = LinearSVC(C=1.0).fit(xtr, y[tr])
    scores.append(float(f1_score(y[te], clf.predict(xte), average="macro")))

# Prediction speed (single process; sparse products do not multi-thread).
vec = TfidfVectorizer(token_pattern=r"(?u)\S+", sublinear_tf=True)
clf = LinearSVC(C=1.0).fit(vec.fit_transform(docs), y)
raw = ["\n".join(r[c] for c in cols) for r in rows]
w0, c0 = time.perf_counter(), time.process_time()
segmented = [" ".join(w for w in jieba.lcut(re.sub(r"\s+", " ", t).strip()) if w.strip())
             for t in raw]
top3 = np.argsort(-clf.decision_function(vec.transform(segmented)), axis=1)[:, :3]
wall, cpu = time.perf_counter() - w0, time.process_time() - c0
assert top3.shape == (len(raw), 3)
print(json.dumps({"fold_macro_f1": scores, "mean": float(np.mean(scores)),
                  "sd": float(np.std(scores)), "predict_per_s": len(raw) / wall,
                  "predict_per_cpu_s": len(raw) / cpu}))
