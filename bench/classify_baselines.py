#!/usr/bin/python3
"""Baseline for bench/classify_bench: TF-IDF + LinearSVC with jieba segmentation (scikit-learn),
on the fold assignment classify_bench wrote (one fold number per data row, file order).

Run with Debian's /usr/bin/python3 (python3-sklearn, python3-jieba; no pip). Prints one JSON
object: {"fold_macro_f1": [...], "mean": m, "sd": s}.
"""
import argparse
import csv
import json
import logging
import re
import sys

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
print(json.dumps({"fold_macro_f1": scores, "mean": float(np.mean(scores)),
                  "sd": float(np.std(scores))}))
