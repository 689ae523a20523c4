"""Where the author linkage model misses on the gold standard, and what was tried against it.

1. **Misses**: the cross-validated (5 folds grouped by name block) false splits and false
   merges at a threshold, split by whether the pair has any evidence beyond the names and the
   years (a shared co-author, institution, city or e-mail, the same journal, MeSH or title
   similarity >= 0.1).  Pairwise decisions are printed beside the clustered ones: when they
   agree, the clustering step is not what loses recall.
2. **Candidates** (``--candidates``): recall at precision >= 0.97 and precision at recall
   >= 0.90 of pairwise out-of-fold scores for the shipped features, each candidate feature
   added alone, and gradient boosting.  The best threshold of the pooled out-of-fold scores is
   taken for each, so the figures are optimistic and only good for comparing candidates.

Run: ``.venv/bin/python bench/identity_errors.py [--threshold T] [--candidates]``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

from identity_gold import read_articles
from train_identity import FOLDS, Gold, fit, scores

from kolgraph.loaders import linkage

EVIDENCE_FLOOR = 0.1  # MeSH / title similarity below this is counted as no evidence


def has_evidence(row) -> bool:
    """Whether a feature row shows anything beyond names and years."""
    f = dict(zip(linkage.FEATURES, row))
    shared = ("shared_coauthors", "same_institution", "same_city", "same_email", "same_journal")
    similar = ("mesh_similarity", "title_similarity")
    return any(f[n] > 0 for n in shared) or any(f[n] >= EVIDENCE_FLOOR for n in similar)


def out_of_fold(x, y, groups, make) -> np.ndarray:
    """Each pair's score by a model fitted on the folds without its name block."""
    scored = np.zeros(len(y))
    for train, test in GroupKFold(FOLDS).split(x, y, groups):
        model = make().fit(x[train], y[train])
        if hasattr(model, "decision_function"):
            scored[test] = model.decision_function(x[test])
        else:
            scored[test] = model.predict_proba(x[test])[:, 1]
    return scored


def best_points(y, scored, forbidden) -> tuple[float, float]:
    """(best recall with precision >= 0.97, best precision with recall >= 0.90)."""
    recall, precision = 0.0, 0.0
    for t in np.unique(scored):
        p, r, _ = scores(y, (scored >= t) & ~forbidden)
        recall = max(recall, r) if p >= 0.97 else recall
        precision = max(precision, p) if r >= 0.90 else precision
    return recall, precision


def forbidden_pairs(gold: Gold) -> np.ndarray:
    """Whether each pair's slots can never be one person (a hard constraint)."""
    return np.array(
        [linkage.hard_conflict(gold.profiles[p.a], gold.profiles[p.b]) for p in gold.pairs]
    )


def misses(gold: Gold, c: float, threshold: float) -> None:
    """Print the false splits and merges at ``threshold``, clustered and pairwise."""
    pairs, x, y = gold.pairs, gold.x, gold.y
    forbidden = forbidden_pairs(gold)
    evidence = np.array([has_evidence(row) for row in x])
    clustered = np.zeros(len(pairs), dtype=bool)
    pairwise = np.zeros(len(pairs), dtype=bool)
    for train, test in gold.folds():
        model = fit(x[train], y[train], c)
        clustered[test] = gold.linked(test, model, threshold)
        pairwise[test] = (model.decision_function(x[test]) >= threshold) & ~forbidden[test]
    print(
        f"{len(pairs)} pairs, {int(y.sum())} YES; {int((~evidence).sum())} pairs have no "
        f"evidence beyond names and years, {int((~evidence & y).sum())} of them YES"
    )
    for name, linked in (("clustered", clustered), ("pairwise", pairwise)):
        p, r, f = scores(y, linked)
        split, merge = y & ~linked, ~y & linked
        print(
            f"threshold {threshold:+.2f} {name}: P {p:.3f} R {r:.3f} F1 {f:.3f}; "
            f"false splits {int(split.sum())} ({int((split & ~evidence).sum())} without "
            f"evidence), false merges {int(merge.sum())} ({int((merge & ~evidence).sum())} "
            f"without evidence)"
        )


def candidates(gold: Gold, c: float) -> None:
    """Print the comparison of candidate features and models (pairwise, out of fold)."""
    profiles, pairs, x, y = gold.profiles, gold.pairs, gold.x, gold.y
    groups = [p.block for p in pairs]
    forbidden = forbidden_pairs(gold)
    extra = np.array([candidate_features(profiles[p.a], profiles[p.b]) for p in pairs])
    runs = {"shipped features, logistic": (x, lambda: LogisticRegression(C=c, max_iter=5000))}
    for k, name in enumerate(CANDIDATES):
        runs[f"+ {name}"] = (
            np.hstack([x, extra[:, [k]]]),
            lambda: LogisticRegression(C=c, max_iter=5000),
        )
    runs["+ all candidates, logistic"] = (
        np.hstack([x, extra]),
        lambda: LogisticRegression(C=c, max_iter=5000),
    )
    for label, features in (("shipped", x), ("+ all candidates", np.hstack([x, extra]))):
        runs[f"{label}, gradient boosting"] = (
            features,
            lambda: HistGradientBoostingClassifier(
                learning_rate=0.05, max_iter=200, max_leaf_nodes=8, min_samples_leaf=20
            ),
        )
    print("| model | recall at P >= 0.97 | precision at R >= 0.90 |\n|---|---:|---:|")
    for label, (features, make) in runs.items():
        recall, precision = best_points(y, out_of_fold(features, y, groups, make), forbidden)
        print(f"| {label} | {recall:.3f} | {precision:.3f} |")


#: Candidate features measured by ``--candidates`` and not shipped (no gain).
CANDIDATES = (
    "first_name_prefix",
    "initials_only_before_2002",
    "both_initials_only",
    "initial_only_x_commonness",
    "log_year_of_older_paper",
)


def candidate_features(a: linkage.Profile, b: linkage.Profile) -> list[float]:
    """The candidates, in :data:`CANDIDATES` order."""
    prefix = bool(a.given and b.given and a.given != b.given)  # Rob / Robert (compatible)
    one_initial = bool(a.given) != bool(b.given)
    initial_year = (a.year if not a.given else b.year) if one_initial else 0
    # MEDLINE has written full first names since 2002: initials before then say nothing
    before_2002 = one_initial and 0 < initial_year < 2002
    older = min(a.year or 2000, b.year or 2000)
    return [
        float(prefix),
        float(before_2002),
        float(not a.given and not b.given),
        float(one_initial) * max(a.commonness, b.commonness),
        float(np.log(max(older - 1940, 1))),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shipped = json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8"))
    parser.add_argument("--threshold", type=float, default=shipped["threshold"])
    parser.add_argument("--c", type=float, default=shipped.get("regularisation_c", 1.0))
    parser.add_argument("--candidates", action="store_true")
    args = parser.parse_args(argv)
    gold = Gold.of(read_articles())
    misses(gold, args.c, args.threshold)
    if args.candidates:
        candidates(gold, args.c)
    return 0


if __name__ == "__main__":
    sys.exit(main())
