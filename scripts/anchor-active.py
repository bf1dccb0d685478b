#!/usr/bin/python3
"""Issue 30's active-learning anchor: a LinearSVC on word n-grams with plain margin sampling, against random choice.

Usage: /usr/bin/python3 scripts/anchor-active.py ROWS.json OUT.json
ROWS.json (written by scripts/bench-active.mjs): {"pool": [{id, text, label}...], "test": [...],
"orders": {seed: [pool ids, shuffled as bugcat's curves shuffle them]}, "sizes": [...], "step": 50}.
For each seed both strategies start from the same first `step` reports of the seed's order (the same
as bugcat's); random adds the next reports of the order, margin the `step` unlabelled reports with the
smallest difference between the two highest decision values of the model trained so far. Each step's
model scores the test rows: accuracy and macro-F1.
"""
import json, sys, time
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC
import numpy as np

data = json.load(open(sys.argv[1], encoding="utf-8"))
pool, test, sizes, step = data["pool"], data["test"], data["sizes"], data["step"]
index = {r["id"]: i for i, r in enumerate(pool)}
texts = [r["text"] for r in pool]
labels = np.array([r["label"] for r in pool])
y_test = [r["label"] for r in test]


def fit_score(rows):
    """A LinearSVC on word 1-2-grams of the labelled rows; its accuracy and macro-F1 on the test rows, and the model."""
    vec = TfidfVectorizer(sublinear_tf=True, ngram_range=(1, 2), min_df=1)
    x = vec.fit_transform([texts[i] for i in rows])
    # liblinear shuffles the data in its solver: a fixed random_state makes the anchor give the same curves on every run.
    svc = LinearSVC(C=0.5, random_state=0).fit(x, labels[rows])
    pred = svc.predict(vec.transform([r["text"] for r in test]))
    return accuracy_score(y_test, pred), f1_score(y_test, pred, average="macro"), vec, svc


def margins(vec, svc, candidates):
    """The difference between the two highest decision values (one value a row for two classes: its absolute value)."""
    d = svc.decision_function(vec.transform([texts[i] for i in candidates]))
    if d.ndim == 1:
        return np.abs(d)
    top2 = np.sort(d, axis=1)[:, -2:]
    return top2[:, 1] - top2[:, 0]


out = {"system": "LinearSVC C=0.5 on tf-idf word 1-2-grams; random and plain margin sampling", "seeds": {}}
started = time.perf_counter()
for seed, ids in data["orders"].items():
    order = [index[i] for i in ids]
    curves = {"random": {}, "margin": {}}
    for n in sizes:
        acc, f1, _, _ = fit_score(order[:n])
        curves["random"][n] = [acc, f1]
    labelled = order[:step]
    while len(labelled) <= max(sizes):
        acc, f1, vec, svc = fit_score(labelled)
        curves["margin"][len(labelled)] = [acc, f1]
        if len(labelled) == max(sizes):
            break
        taken = set(labelled)
        candidates = [i for i in range(len(pool)) if i not in taken]
        m = margins(vec, svc, candidates)
        labelled = labelled + [candidates[j] for j in np.argsort(m, kind="stable")[:step]]
    out["seeds"][seed] = curves
    print(f"anchor seed {seed}: done ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
json.dump(out, open(sys.argv[2], "w"), indent=1)
