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
from anchor import SYSTEM, score

rows = [r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8")) if r["label"] not in ("", "manual-review")]

folds = []
for held in sorted({r["fold"] for r in rows}):
    tr = [r for r in rows if r["fold"] != held]
    te = [r for r in rows if r["fold"] == held]
    folds.append({"fold": held, **score(tr, te)})
    print(f"anchor CV fold {held}: accuracy {folds[-1]['accuracy']:.3f}", file=sys.stderr, flush=True)
json.dump({"system": SYSTEM, "folds": folds}, open(sys.argv[2], "w"), indent=1)
