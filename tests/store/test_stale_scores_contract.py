"""Scores a load made out of date are flagged on every store until they are recomputed."""

from __future__ import annotations

from datetime import date

import pytest
from sample import followup_batch, sample_batch

from kolgraph.errors import InputError
from kolgraph.scoring import rescore

AS_OF = date(2024, 6, 30)


def test_a_new_store_has_no_stale_scores(store):
    assert store.scores_stale() is False


def test_a_load_makes_scores_stale_until_they_are_recomputed(store, tmp_path):
    store.load(sample_batch())
    assert store.scores_stale() is True  # as after a load killed before its scoring
    rescore(store, tmp_path, as_of=AS_OF)
    assert store.scores_stale() is False
    store.load(followup_batch())
    assert store.scores_stale() is True
    rescore(store, tmp_path, as_of=AS_OF)
    assert store.scores_stale() is False


def test_touchpoints_alone_leave_scores_fresh(store, tmp_path):
    batch = sample_batch()
    store.load(batch)
    rescore(store, tmp_path, as_of=AS_OF)
    store.load({"msls": batch["msls"], "touchpoints": batch["touchpoints"]})
    assert store.scores_stale() is False


def test_a_failed_score_run_leaves_them_stale(store, tmp_path):
    store.load(sample_batch())
    scores = rescore(store, tmp_path, as_of=AS_OF)
    store.load(followup_batch())
    with pytest.raises(InputError):
        store.write_scores(scores.drop(columns=["rank"]))
    assert store.scores_stale() is True


def test_a_load_while_scoring_ran_leaves_the_new_scores_stale(store, tmp_path, monkeypatch):
    """Scores computed from the data before a load (or a correction) that came while they
    were computed are stored, and stay flagged stale: the next run sees that load."""
    from kolgraph import scoring

    store.load(sample_batch())
    computed = scoring._scored

    def a_load_comes_while_scoring(*args):
        scores = computed(*args)
        store.load(followup_batch())
        return scores

    monkeypatch.setattr(scoring, "_scored", a_load_comes_while_scoring)
    rescore(store, tmp_path, as_of=AS_OF)
    assert store.scores_stale() is True
    monkeypatch.setattr(scoring, "_scored", computed)
    rescore(store, tmp_path, as_of=AS_OF)
    assert store.scores_stale() is False


def test_a_correction_while_scoring_ran_leaves_the_new_scores_stale(store, tmp_path):
    store.load(sample_batch())
    scores = rescore(store, tmp_path, as_of=AS_OF)
    seen = store.stale_marks()  # as a score run reads it before it reads the data
    store.merge_hcps("H3", "H1")
    store.write_scores(scores[scores["hcp_id"] != "H1"], seen)
    assert store.scores_stale() is True
    rescore(store, tmp_path, as_of=AS_OF)
    assert store.scores_stale() is False


def _a_load_during_runs(store, monkeypatch, how_many: int) -> list[int]:
    """Make the first ``how_many`` score runs see a load come while they compute; the runs
    made, counted."""
    from kolgraph import scoring

    computed, runs = scoring._scored, []

    def scored(*args):
        scores = computed(*args)
        runs.append(len(runs) + 1)
        if len(runs) <= how_many:
            store.load(followup_batch())
        return scores

    monkeypatch.setattr(scoring, "_scored", scored)
    return runs


def test_until_fresh_scores_again_after_a_write_during_the_run(store, tmp_path, monkeypatch):
    from kolgraph.scoring import rescore_until_fresh

    store.load(sample_batch())
    runs, again = _a_load_during_runs(store, monkeypatch, 1), []
    scores = rescore_until_fresh(store, tmp_path, 5, again.append)
    assert runs == [1, 2] and again == [2]
    assert store.scores_stale() is False
    assert set(scores["hcp_id"]) == set(store.table("hcps", ["hcp_id"])["hcp_id"])


def test_until_fresh_stops_after_its_runs_while_writes_keep_coming(store, tmp_path, monkeypatch):
    from kolgraph.scoring import rescore_until_fresh

    store.load(sample_batch())
    runs = _a_load_during_runs(store, monkeypatch, 10)
    rescore_until_fresh(store, tmp_path, 3)
    assert runs == [1, 2, 3]
    assert store.scores_stale() is True
