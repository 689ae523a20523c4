"""An explanation reads the raw component values kept with the score and the rows around the
HCP, and says what the whole-graph explanation says, on every store."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sample import followup_batch, sample_batch

from kolgraph.analytics import Projection, ScoringConfig, explain_hcp
from kolgraph.analytics.projection import table_names
from kolgraph.errors import NotFoundError
from kolgraph.identities import explain_identity
from kolgraph.schema import records
from kolgraph.scoring import WHOLE_GRAPH_NOTICE, explain, rescore
from kolgraph.store.common import PROJECTION_TABLES, tables_around

AS_OF = date(2024, 6, 30)
#: H1 has papers, co-authors, a trial and a current affiliation; H6 has no paper.
HCPS = ["H1", "H2", "H3", "H4", "H5", "H6"]


def _loaded(store, home):
    store.load(sample_batch())
    store.load(followup_batch())
    rescore(store, home, as_of=AS_OF)
    return store


def _whole_graph_explanation(store, hcp_id: str) -> dict:
    return explain_hcp(
        Projection.from_store(store), store.scores(), hcp_id, ScoringConfig(), as_of=AS_OF.year
    )


def test_the_projection_tables_are_the_ones_kept_around_an_hcp():
    assert table_names() == PROJECTION_TABLES


@pytest.mark.parametrize("hcp_id", HCPS)
def test_the_rows_around_an_hcp_are_the_whole_tables_filtered(store, tmp_path, hcp_id):
    _loaded(store, tmp_path)
    whole = {name: store.table(name) for name in PROJECTION_TABLES}
    around = store.tables_around(hcp_id)
    expected = tables_around(whole, hcp_id)
    assert set(around) == set(PROJECTION_TABLES)
    for name in PROJECTION_TABLES:
        assert around[name].to_dict("records") == expected[name].to_dict("records"), name
    if hcp_id == "H1":
        assert {len(around[n]) > 0 for n in PROJECTION_TABLES} == {True}
        assert len(around["hcps"]) < len(whole["hcps"])


@pytest.mark.parametrize("hcp_id", HCPS)
def test_an_explanation_from_kept_raw_values_is_the_whole_graph_s(store, tmp_path, hcp_id):
    _loaded(store, tmp_path)
    explained = explain(store, tmp_path, hcp_id, as_of=AS_OF)
    assert explained == _whole_graph_explanation(store, hcp_id)
    if hcp_id == "H1":
        assert explained["evidence"]["papers"] and explained["evidence"]["trials"]
        assert explained["components"]["coauthor_pagerank"]["raw"] > 0


def test_the_raw_values_are_kept_with_the_score(store, tmp_path):
    _loaded(store, tmp_path)
    score = store.reads.profile_parts("H1")["score"]
    raw = json.loads(score["components_raw_json"])
    expected = _whole_graph_explanation(store, "H1")["components"]
    assert raw == {name: part["raw"] for name, part in expected.items()}


def test_a_score_without_raw_values_is_explained_from_the_whole_graph(store, tmp_path):
    _loaded(store, tmp_path)
    store.write_scores(store.scores())  # as scores written before raw values were kept
    assert store.reads.profile_parts("H1")["score"]["components_raw_json"] is None
    told: list[str] = []
    explained = explain(store, tmp_path, "H1", as_of=AS_OF, notice=told.append)
    assert explained == _whole_graph_explanation(store, "H1")
    assert told == [WHOLE_GRAPH_NOTICE]
    rescore(store, tmp_path, as_of=AS_OF)
    explain(store, tmp_path, "H1", as_of=AS_OF, notice=told.append)
    assert told == [WHOLE_GRAPH_NOTICE]  # raw values kept again: nothing to say


def test_explaining_an_unknown_or_unscored_hcp_says_so(store, tmp_path):
    store.load(sample_batch())
    with pytest.raises(NotFoundError, match="no score yet"):
        explain(store, tmp_path, "H1", as_of=AS_OF)
    rescore(store, tmp_path, as_of=AS_OF)
    with pytest.raises(NotFoundError, match="no HCP with hcp_id 'H99'"):
        explain(store, tmp_path, "H99", as_of=AS_OF)


def test_explain_identity_reads_the_hcp_as_stored(store, tmp_path):
    _loaded(store, tmp_path)
    hcps = store.table("hcps")
    for hcp_id in ("H1", "H6"):
        found = explain_identity(tmp_path, store, hcp_id)
        assert [found["hcp"]] == records(hcps[hcps["hcp_id"] == hcp_id])
        assert found["evidence"] == []
    with pytest.raises(NotFoundError):
        explain_identity(tmp_path, store, "NOPE")
