#!/usr/bin/python3
"""The best reference classifier of ../shared/bench/anchors.py, cross-validated on a CSV's own folds.

Usage: /usr/bin/python3 scripts/anchor-cv.py TRAIN.csv OUT.json
TRAIN.csv has id,text,label,fold columns (npm run bench writes folds 1-4 of the shared split);
'manual-review' rows are left out. Each fold is held out in turn and the anchor trained on the
others, exactly as `bugcat cv --fold-column fold` does, so the two can be compared fold by fold:
one fold of ~1,000 reports moves by about a point from noise alone, and a paired comparison on
the same folds cancels the part of that noise that comes from which reports a fold holds.
The system is anchors.py's "tfidf(text+title+chars) LinearSVC bal", with the same settings.
"""
import csv, json, sys
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

csv.field_size_limit(10**9)
rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["label"] not in ("", "manual-review")]
title = lambda t: t.strip().split("\n")[0]


def features(tr, te):
    """Word 1-2-grams of the text, of the title, and char_wb 2-5-grams of the first 3,000 characters."""
    parts = [
        (TfidfVectorizer(sublinear_tf=True, min_df=2, max_df=0.9, ngram_range=(1, 2), max_features=50000), lambda r: r["text"]),
        (TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2)), lambda r: title(r["text"])),
        (TfidfVectorizer(sublinear_tf=True, analyzer="char_wb", ngram_range=(2, 5), min_df=3, max_features=100000), lambda r: r["text"][:3000]),
    ]
    a = [v.fit_transform([f(r) for r in tr]) for v, f in parts]
    b = [v.transform([f(r) for r in te]) for v, f in parts]
    return hstack(a).tocsr(), hstack(b).tocsr()


folds = []
for held in sorted({r["fold"] for r in rows}):
    tr = [r for r in rows if r["fold"] != held]
    te = [r for r in rows if r["fold"] == held]
    x, xt = features(tr, te)
    pred = LinearSVC(C=0.5, class_weight="balanced").fit(x, [r["label"] for r in tr]).predict(xt)
    y = [r["label"] for r in te]
    folds.append({"fold": held, "n": len(te), "accuracy": accuracy_score(y, pred), "macro_f1": f1_score(y, pred, average="macro")})
    print(f"anchor CV fold {held}: accuracy {folds[-1]['accuracy']:.3f}", file=sys.stderr, flush=True)
json.dump({"system": "tfidf(text+title+chars) LinearSVC bal", "folds": folds}, open(sys.argv[2], "w"), indent=1)
