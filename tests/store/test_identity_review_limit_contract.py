"""A review with a limit compares name blocks from the most influential down and stops when
no block left can hold one of its rows (``identity_review.review_rows``): its rows are the
first rows of the whole review, on every store, ties of influence included."""

from __future__ import annotations

from datetime import date

import pytest
from shared_data import SHARED_DATA

from kolgraph.generate import generate_bundle
from kolgraph.identities import all_evidence, record_identities
from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store import identity_review

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"


def _limited_reviews_are_heads(store, evidence: list[dict]) -> list[dict]:
    """Checks each limit against the whole review; the whole review."""
    whole = store.identity_review(evidence, limit=None)
    for limit in sorted({1, 2, 3, 5, 10, len(whole) // 2 or 1, len(whole), len(whole) + 3}):
        assert store.identity_review(evidence, limit=limit) == whole[:limit], limit
    return whole


def _compared(store, evidence: list[dict], limit: int | None) -> tuple[int, int]:
    """(HCPs compared, HCPs of every name block) as the last progress report says."""
    reports: list[tuple[int, int]] = []
    store.identity_review(evidence, limit=limit, progress=lambda *r: reports.append(r))
    return reports[-1]


def test_on_generated_data_with_ties_of_influence(store, tmp_path, monkeypatch):
    monkeypatch.setattr(identity_review, "REVIEW_BATCH_HCPS", 100)  # many batches to stop after
    generate_bundle(tmp_path / "bundle", "S", seed=7, as_of=date(2024, 6, 30))
    load_path(tmp_path / "bundle", store)
    rescore(store, tmp_path)
    scores = store.scores()
    scores["influence"] = (scores["influence"] // 50) * 50  # 0, 50 or 100: ties everywhere
    store.write_scores(scores)
    whole = _limited_reviews_are_heads(store, [])
    assert len(whole) >= 5
    assert len({row["influence"] for row in whole}) < len(whole)  # the order after ties decides
    every, blocks = _compared(store, [], None)
    assert every == blocks > 0
    assert _compared(store, [], 1)[0] < every


@pytest.mark.usefixtures("strict_linkage", "real_data")
def test_on_real_medline_with_its_identity_evidence(store, tmp_path, monkeypatch):
    monkeypatch.setattr(identity_review, "REVIEW_BATCH_HCPS", 100)
    summary = load_path(MEDLINE, store)
    rescore(store, tmp_path)
    record_identities(tmp_path, summary.identities)
    evidence = all_evidence(tmp_path)
    whole = _limited_reviews_are_heads(store, evidence)
    assert len(whole) >= 5
