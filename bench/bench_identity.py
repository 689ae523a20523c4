"""Benchmark: author disambiguation measured on the gold standard and on hidden ORCIDs.

1. **Gold standard** (Vishnyakova et al., JAMIA 2019, training pairs): pairwise precision,
   recall and F1 of "these two author slots are one person", cross-validated: the model is
   refitted on 4 of 5 folds grouped by name block (no block in two folds), the article file's
   slots of the held-out blocks are clustered with the shipped threshold, and a pair counts as
   linked when its two slots end in one cluster.  The naive rule (same last name and first
   initial) is printed beside it.
2. **ORCID-hidden**: ``medline16n0902.xml.gz`` read with every ORCID removed, disambiguated,
   and the clusters scored against the ORCIDs (pairs of ORCID-bearing slots: same ORCID =
   one person).

``--nested`` adds nested cross-validation: each outer fold's threshold is chosen on the other
four folds alone, by the rule that chose the shipped one, so the figure is what held-out
pairs should expect (the plain figure's threshold was chosen on the same pairs it is scored
on).

Run: ``.venv/bin/python bench/bench_identity.py [--nested]`` (about a minute; nested, a few).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from itertools import combinations
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from identity_gold import REPO, read_articles
from train_identity import FOLDS, MIN_RECALL, Gold, choose_threshold, cross_validate, fit, scores

from kolgraph.loaders import authors, linkage
from kolgraph.loaders.pubmed import _read_papers

ORCID_FILE = REPO / ".." / "shared" / "data" / "pubmed" / "medline16n0902.xml.gz"


def gold(data: Gold, c: float) -> dict[str, tuple[float, float, float]]:
    """Cross-validated clustering on the gold pairs at the shipped threshold, and the naive
    rule."""
    threshold = linkage.default_settings().threshold
    linked = np.zeros(len(data.pairs), dtype=bool)
    for train, test in data.folds():
        linked[test] = data.linked(test, fit(data.x[train], data.y[train], c), threshold)
    naive = np.array([data.slots[p.a].block == data.slots[p.b].block for p in data.pairs])
    return {
        f"linkage model, {FOLDS}-fold CV, threshold {threshold:+.2f}": scores(data.y, linked),
        "naive (same last name + first initial)": scores(data.y, naive),
    }


def nested(data: Gold, c: float) -> tuple[tuple[float, float, float], list[float]]:
    """Nested cross-validation: each outer fold's threshold is chosen as
    ``bench/train_identity.py`` chooses the shipped one, but on the other four folds alone
    (their own grouped cross-validation), so the held-out figures never helped choose it."""
    linked = np.zeros(len(data.pairs), dtype=bool)
    chosen = []
    for train, test in data.folds():
        inner = cross_validate(data, c, among=train)
        within = {t: inner[t][train] for t in inner}
        threshold = float(choose_threshold(data.y[train], within, MIN_RECALL)[0])
        linked[test] = data.linked(test, fit(data.x[train], data.y[train], c), threshold)
        chosen.append(threshold)
    return scores(data.y, linked), chosen


def orcid_hidden() -> dict[str, float]:
    """The clusters' pairs of ORCID-bearing slots against their hidden ORCIDs."""
    papers, _ = _read_papers(ORCID_FILE, 9999)
    slots = [s for p in papers for s in p.authors]
    truth = [s.orcid for s in slots]
    hidden = [replace(s, orcid="") for s in slots]
    facts = {p.pmid: (p.journal, p.mesh_terms, p.title) for p in papers}
    started = time.perf_counter()
    resolution = authors.resolve_authors(hidden, papers=facts)
    seconds = time.perf_counter() - started
    marked = [i for i, o in enumerate(truth) if o]
    same, linked = [], []
    for i, j in combinations(marked, 2):
        same.append(truth[i] == truth[j])
        linked.append(resolution.slot_hcp[i] == resolution.slot_hcp[j])
    same, linked = np.array(same, dtype=bool), np.array(linked, dtype=bool)
    return {
        "orcid_slots": len(marked),
        "orcids": len(set(truth) - {""}),
        "same_pairs": int(same.sum()),
        "linked_pairs": int(linked.sum()),
        "false_merges": int(np.sum(linked & ~same)),
        "missed": int(np.sum(same & ~linked)),
        "seconds": seconds,
        "persons": len(resolution.persons),
        "slots": len(slots),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    shipped_c = json.loads(linkage.MODEL_PATH.read_text(encoding="utf-8")).get(
        "regularisation_c", 1.0
    )
    parser.add_argument(
        "--c", type=float, default=shipped_c, help="inverse L2 regularisation (the shipped model's)"
    )
    parser.add_argument(
        "--nested",
        action="store_true",
        help="also choose each fold's threshold on the other folds alone (a few minutes)",
    )
    args = parser.parse_args(argv)
    data = Gold.of(read_articles())
    print(
        f"gold: {len(data.pairs):,} usable pairs ({int(data.y.sum())} YES), {data.left_out} left out"
    )
    print("| evaluation | precision | recall | F1 |")
    print("|---|---:|---:|---:|")
    for name, (p, r, f) in gold(data, args.c).items():
        print(f"| gold standard: {name} | {p:.3f} | {r:.3f} | {f:.3f} |")
    if args.nested:
        (p, r, f), chosen = nested(data, args.c)
        thresholds = ", ".join(f"{t:+.2f}" for t in chosen)
        print(
            f"| gold standard: nested CV, thresholds {thresholds} | {p:.3f} | {r:.3f} | {f:.3f} |"
        )
    o = orcid_hidden()
    precision = 1 - o["false_merges"] / o["linked_pairs"] if o["linked_pairs"] else float("nan")
    recall = 1 - o["missed"] / o["same_pairs"] if o["same_pairs"] else float("nan")
    print(
        f"\nORCID-hidden `{ORCID_FILE.name}`: {o['slots']:,} author slots -> {o['persons']:,} "
        f"persons in {o['seconds']:.1f} s; {o['orcid_slots']} slots with an ORCID "
        f"({o['orcids']} distinct), {o['same_pairs']} same-ORCID pairs; the clusters link "
        f"{o['linked_pairs']} pairs of ORCID slots, {o['false_merges']} of them with two "
        f"different ORCIDs; pairwise precision {precision:.3f}, recall {recall:.3f} "
        f"(nan: no pair to count)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
