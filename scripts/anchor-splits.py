#!/usr/bin/python3
"""The best reference classifier (anchors.py's "tfidf(text+title+chars) LinearSVC bal") on a plan's splits.

Usage: /usr/bin/python3 scripts/anchor-splits.py ROWS.csv PLAN.json OUT.json
ROWS.csv has row,text,label columns; PLAN.json lists splits {name, train: [row...], test: [row...]}
(scripts/tasks.mjs writes both). For each split the anchor is trained on the train rows and scores
the test rows: the same splits bugcat is scored on, so the two are compared split by split.
"""
import csv, json, sys, time
from anchor import SYSTEM, score

rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
plan = json.load(open(sys.argv[2]))

out = []
for s in plan:
    t0 = time.perf_counter()
    tr = [rows[i] for i in s["train"]]
    te = [rows[i] for i in s["test"]]
    out.append({"split": s["name"], "train": len(tr), **score(tr, te), "seconds": time.perf_counter() - t0})
    print(f"anchor split {s['name']}: train {len(tr)} accuracy {out[-1]['accuracy']:.3f}", file=sys.stderr, flush=True)
json.dump({"system": SYSTEM, "splits": out}, open(sys.argv[3], "w"), indent=1)
