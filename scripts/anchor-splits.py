#!/usr/bin/python3
"""The best reference classifier (anchors.py's "tfidf(text+title+chars) LinearSVC bal") on a plan's splits.

Usage: /usr/bin/python3 scripts/anchor-splits.py ROWS.csv PLAN.json OUT.json
ROWS.csv has row,text,label columns; PLAN.json lists splits {name, train: [row...], test: [row...]}
(scripts/tasks.mjs writes both). For each split the anchor is trained on the train rows and scores
the test rows: the same splits bugcat is scored on, so the two are compared split by split.
"""
import csv, json, sys, time
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

csv.field_size_limit(10**9)
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
plan = json.load(open(sys.argv[2]))
title = lambda t: t.strip().split("\n")[0]


def features(tr, te):
    """Word 1-2-grams of the text, of the title, and char_wb 2-5-grams of the first 3,000 characters (as anchors.py)."""
    parts = [
        (TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.9, ngram_range=(1, 2), max_features=50000), lambda r: r["text"]),
        (TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), lambda r: title(r["text"])),
        (TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=100000), lambda r: r["text"][:3000]),
    ]
    a = [v.fit_transform([f(r) for r in tr]) for v, f in parts]
    b = [v.transform([f(r) for r in te]) for v, f in parts]
    return hstack(a).tocsr(), hstack(b).tocsr()


out = []
for s in plan:
    t0 = time.perf_counter()
    tr = [rows[i] for i in s["train"]]
    te = [rows[i] for i in s["test"]]
    x, xt = features(tr, te)
    pred = LinearSVC(C=0.5, class_weight="balanced").fit(x, [r["label"] for r in tr]).predict(xt)
    y = [r["label"] for r in te]
    out.append({"split": s["name"], "n": len(te), "train": len(tr), "accuracy": accuracy_score(y, pred), "macro_f1": f1_score(y, pred, average="macro"), "seconds": time.perf_counter() - t0})
    print(f"anchor split {s['name']}: train {len(tr)} accuracy {out[-1]['accuracy']:.3f}", file=sys.stderr, flush=True)
json.dump({"system": "tfidf(text+title+chars) LinearSVC bal", "splits": out}, open(sys.argv[3], "w"), indent=1)
