"""The best reference classifier of ../shared/bench/anchors.py, "tfidf(text+title+chars) LinearSVC bal",
with the same settings: what scripts/anchor-cv.py and scripts/anchor-splits.py train and score.
"""
import csv
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import accuracy_score, f1_score
from sklearn.svm import LinearSVC

SYSTEM = "tfidf(text+title+chars) LinearSVC bal"
csv.field_size_limit(10**9)


def title(t):
    return t.strip().split("\n")[0]


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


def score(tr, te):
    """Trains the anchor on rows tr and scores rows te (each a dict with text and label): n, accuracy, macro-F1."""
    x, xt = features(tr, te)
    pred = LinearSVC(C=0.5, class_weight="balanced").fit(x, [r["label"] for r in tr]).predict(xt)
    y = [r["label"] for r in te]
    return {"n": len(te), "accuracy": accuracy_score(y, pred), "macro_f1": f1_score(y, pred, average="macro")}
