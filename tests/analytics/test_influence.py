"""Influence scoring on hand-made graphs where the right answer is obvious."""

from __future__ import annotations

import json
import os
import random
import re
import tomllib
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from kolgraph.analytics import (
    COMPONENTS,
    SCORE_COLUMNS,
    Projection,
    explain_hcp,
    influence,
    score_hcps,
)
from kolgraph.analytics.influence import (
    ScoringConfig,
    citation_impact,
    coauthor_betweenness,
    coauthor_graph,
    coauthor_pagerank,
    load_scoring_config,
    percentile,
    publication_output,
    rising_stars,
    tiers,
    trial_leadership,
)
from kolgraph.analytics.projection import table_names
from kolgraph.errors import ConfigError, NotFoundError

AS_OF = 2024


def build(papers, roles=(), hcps=None) -> Projection:
    """A projection from ``papers`` = [(pmid, year, [hcp ids in author order], citations)]
    and ``roles`` = [(nct_id, hcp_id, role)], typed as a store returns tables."""
    authors = [(pmid, hcp, pos) for pmid, _, names, _ in papers for pos, hcp in enumerate(names, 1)]
    ids = sorted(hcps or {hcp for _, hcp, _ in authors} | {hcp for _, hcp, _ in roles})
    return Projection.from_frames(
        hcps=pd.DataFrame({"hcp_id": ids, "first_name": "Dr", "last_name": ids}),
        publications=pd.DataFrame(
            [(pmid, f"Paper {pmid}", year, cites) for pmid, year, _, cites in papers],
            columns=["pmid", "title", "year", "citation_count"],
            dtype=object,
        ),
        authorships=pd.DataFrame(authors, columns=["pmid", "hcp_id", "position"], dtype=object),
        trials=pd.DataFrame(
            {"nct_id": sorted({r[0] for r in roles}), "title": "A trial"}, dtype=object
        ),
        trial_roles=pd.DataFrame(list(roles), columns=["nct_id", "hcp_id", "role"], dtype=object),
    )


def random_projection(seed: int = 3, n_hcps: int = 60, n_papers: int = 150) -> Projection:
    """A messy projection: varied years, team sizes, citations (some unknown) and trial roles."""
    rng = random.Random(seed)
    ids = [f"H{i:03d}" for i in range(n_hcps)]
    papers = [
        (
            f"P{i}",
            rng.randint(2010, AS_OF),
            rng.sample(ids[: rng.randint(10, n_hcps)], rng.randint(1, 6)),
            rng.choice([None, 0, 3, 40, 200]),
        )
        for i in range(n_papers)
    ]
    kinds = [
        "principal investigator",
        "sub-investigator",
        "Site Investigator",
        "OVERALL_OFFICIAL",
        None,
    ]
    roles = {
        (f"NCT{rng.randint(1, 20):08d}", rng.choice(ids)): rng.choice(kinds) for _ in range(40)
    }
    return build(papers, [(n, h, r) for (n, h), r in roles.items()], hcps=ids)


def by_id(scores: pd.DataFrame) -> pd.DataFrame:
    return scores.set_index("hcp_id")


# --- components --------------------------------------------------------------------------------


def test_hub_coauthor_outranks_spokes_on_pagerank():
    spokes = [f"S{i}" for i in range(6)]
    projection = build([(f"P{i}", 2020, ["HUB", s], None) for i, s in enumerate(spokes)])
    pagerank = coauthor_pagerank(projection)
    assert pagerank["HUB"] > pagerank[spokes].max()
    assert pagerank.sum() == pytest.approx(1.0)
    assert by_id(score_hcps(projection, as_of=AS_OF)).loc["HUB", "rank"] == 1


def test_bridge_between_two_groups_scores_highest_on_bridging():
    # X wrote one paper with group A and one with group B: every A-B shortest path runs through X.
    projection = build(
        [
            ("PA", 2020, ["A1", "A2", "A3", "A4", "X"], None),
            ("PB", 2020, ["B1", "B2", "B3", "B4", "X"], None),
            ("PA2", 2021, ["A1", "A2"], None),
            ("PB2", 2021, ["B3", "B4"], None),
        ]
    )
    between = coauthor_betweenness(projection)
    assert between.idxmax() == "X"
    assert between.drop("X").max() == 0.0
    components = by_id(score_hcps(projection, as_of=AS_OF)).loc["X", "components"]
    assert components["coauthor_betweenness"] == 100.0


def test_recent_papers_outweigh_old_ones_at_equal_count():
    projection = build(
        [
            ("N1", AS_OF, ["NEW"], None),
            ("N2", AS_OF - 1, ["NEW"], None),
            ("O1", AS_OF - 10, ["OLD"], None),
            ("O2", AS_OF - 11, ["OLD"], None),
        ]
    )
    output = publication_output(projection, as_of=AS_OF)
    assert output["NEW"] > output["OLD"] > 0
    # One half-life (5 years by default) halves a paper's weight.
    assert output["NEW"] == pytest.approx(1 + 0.5**0.2)


def test_first_and_last_author_outweigh_middle_authors():
    projection = build([("P1", AS_OF, ["FIRST", "MID1", "MID2", "LAST"], 100)])
    output = publication_output(projection, as_of=AS_OF)
    cites = citation_impact(projection, as_of=AS_OF)
    assert output["FIRST"] == output["LAST"] > output["MID1"] == output["MID2"] > 0
    assert cites["FIRST"] == cites["LAST"] == 100 and cites["MID1"] == 50


def test_unknown_citations_count_as_zero_and_future_papers_are_ignored():
    projection = build([("P1", AS_OF, ["A"], None), ("P2", AS_OF + 1, ["B"], 10)])
    assert citation_impact(projection, as_of=AS_OF).to_dict() == {"A": 0.0, "B": 0.0}
    assert publication_output(projection, as_of=AS_OF)["B"] == 0.0


def test_principal_investigator_outranks_sub_investigator_at_equal_publications():
    projection = build(
        [("P1", 2022, ["PI", "SUB"], 10), ("P2", 2023, ["SUB", "PI"], 10)],
        roles=[("NCT1", "PI", "Principal Investigator"), ("NCT2", "SUB", "sub-investigator")],
    )
    lead = trial_leadership(projection)
    assert lead["PI"] == 3.0 and lead["SUB"] == 1.0
    scores = by_id(score_hcps(projection, as_of=AS_OF))
    assert scores.loc["PI", "influence"] > scores.loc["SUB", "influence"]
    assert (scores.loc["PI", "rank"], scores.loc["SUB", "rank"]) == (1, 2)


def test_every_hcp_gets_every_component_with_zero_when_there_is_no_evidence():
    projection = build([("P1", 2020, ["A", "B"], 5)], hcps=["A", "B", "LONELY"])
    raw = [
        publication_output(projection, as_of=AS_OF),
        citation_impact(projection, as_of=AS_OF),
        coauthor_pagerank(projection),
        coauthor_betweenness(projection),
        trial_leadership(projection),
    ]
    for series in raw:
        assert list(series.index) == ["A", "B", "LONELY"]
        assert series["LONELY"] == 0.0
    assert by_id(score_hcps(projection, as_of=AS_OF)).loc["LONELY", "influence"] == 0.0


# --- engines: igraph against the networkx reference ------------------------------------------


def nx_graph(projection: Projection) -> nx.Graph:
    pairs = projection.coauthorships
    graph = nx.Graph()
    graph.add_nodes_from(sorted(set(pairs["hcp_a"]) | set(pairs["hcp_b"])))
    graph.add_weighted_edges_from(
        zip(pairs["hcp_a"], pairs["hcp_b"], pairs["papers"].astype(float))
    )
    return graph


def test_igraph_and_networkx_pagerank_agree():
    projection = random_projection()
    ours = coauthor_pagerank(projection)
    reference = nx.pagerank(nx_graph(projection), alpha=0.85, weight="weight", tol=1e-12)
    assert len(reference) > 20
    for hcp, value in reference.items():
        assert ours[hcp] == pytest.approx(value, abs=1e-8)


@pytest.mark.parametrize("pivots", [1000, 7])  # exact (more pivots than vertices), and sampled
def test_igraph_and_networkx_betweenness_agree_with_the_same_pivots(pivots):
    projection = random_projection()
    config = ScoringConfig(betweenness_pivots=pivots, seed=11)
    ours = coauthor_betweenness(projection, config)
    graph = nx_graph(projection)
    k = pivots if pivots < len(graph) else None
    reference = nx.betweenness_centrality(graph, k=k, seed=11)
    assert max(reference.values()) > 0
    for hcp, value in reference.items():
        assert ours[hcp] == pytest.approx(value, abs=1e-12)


def test_betweenness_parts_sum_to_the_same_bits_in_forked_workers_as_in_one_process():
    """On a big graph the pivots' parts run in forked processes; they are summed in pivot
    order either way, so the estimate does not depend on the machine's cores."""
    graph = coauthor_graph(random_projection(n_hcps=120, n_papers=400))
    sources = random.Random(4).sample(range(graph.vcount()), 50)  # four parts
    alone = influence._dependencies(graph, sources, workers=1)
    forked = influence._dependencies(graph, sources, workers=2)
    assert alone.max() > 0
    assert forked.tobytes() == alone.tobytes()
    whole = np.asarray(graph.betweenness(directed=False, sources=sources))
    assert np.allclose(alone, whole, rtol=1e-12)


PARENT = os.getpid()
_computed_part = influence._part_dependencies


def _dying_in_a_worker(sources, graph=None):
    """A part that kills the forked worker computing it, as the system does when short of
    memory; computed normally in the test's own process."""
    if os.getpid() != PARENT:
        os._exit(9)
    return _computed_part(sources, graph)


def test_a_worker_that_dies_leaves_its_parts_to_this_process(monkeypatch):
    graph = coauthor_graph(random_projection(n_hcps=120, n_papers=400))
    sources = random.Random(4).sample(range(graph.vcount()), 50)
    alone = influence._dependencies(graph, sources, workers=1)
    monkeypatch.setattr(influence, "_part_dependencies", _dying_in_a_worker)
    assert influence._dependencies(graph, sources, workers=2).tobytes() == alone.tobytes()


def test_only_a_big_graph_without_other_threads_is_scored_in_several_processes(monkeypatch):
    graph = coauthor_graph(random_projection())
    assert influence._worker_count(graph, 16) == 1  # below PARALLEL_MIN_EDGES
    monkeypatch.setattr(influence, "PARALLEL_MIN_EDGES", 1)
    monkeypatch.setattr(influence.threading, "active_count", lambda: 1)
    monkeypatch.setattr(influence.os, "sched_getaffinity", lambda _pid: {0, 1, 2})
    assert influence._worker_count(graph, 16) == 3
    assert influence._worker_count(graph, 2) == 2  # no more processes than parts
    monkeypatch.setattr(influence.threading, "active_count", lambda: 2)
    assert influence._worker_count(graph, 16) == 1


def test_graph_does_not_depend_on_row_order():
    projection = random_projection()
    shuffled = Projection.from_frames(
        **{name: getattr(projection, name).sample(frac=1, random_state=5) for name in table_names()}
    )
    assert coauthor_graph(shuffled).vs["name"] == coauthor_graph(projection).vs["name"]


# --- combining, ranks, tiers ------------------------------------------------------------------


def test_percentile_averages_ties_and_keeps_no_evidence_at_zero():
    values = pd.Series([0.0, 0.0, 1.0, 2.0, 2.0, 5.0], index=list("abcdef"))
    assert percentile(values).to_dict() == {
        "a": 0.0,
        "b": 0.0,
        "c": 40.0,
        "d": 70.0,
        "e": 70.0,
        "f": 100.0,
    }


def test_tiers_split_5_15_30_50_on_100_hcps():
    # HCP i wrote i papers alone: 100 distinct influences.
    papers = [(f"P{i}-{j}", 2020, [f"H{i:03d}"], None) for i in range(100) for j in range(i)]
    scores = score_hcps(build(papers, hcps=[f"H{i:03d}" for i in range(100)]), as_of=AS_OF)
    assert scores["influence"].is_unique
    assert scores["tier"].value_counts().sort_index().to_dict() == {1: 5, 2: 15, 3: 30, 4: 50}
    assert list(scores["rank"]) == list(range(1, 101))
    assert list(scores["hcp_id"][:5]) == ["H099", "H098", "H097", "H096", "H095"]


def test_small_sets_still_have_a_first_tier():
    influence = pd.Series(np.arange(10, 0, -1, dtype=float), index=[f"H{i}" for i in range(10)])
    counts = tiers(influence, (5.0, 20.0, 50.0)).value_counts().sort_index()
    assert counts.to_dict() == {1: 1, 2: 1, 3: 3, 4: 5}


def test_equal_influence_shares_a_tier_and_is_ranked_by_id():
    influence = pd.Series([90.0, 50.0, 50.0, 50.0, 10.0], index=["e", "d", "c", "b", "a"])
    assert tiers(influence, (20.0, 40.0)).to_dict() == {"e": 1, "d": 2, "c": 2, "b": 2, "a": 3}
    papers = [("P1", 2020, ["Z"], None), ("P2", 2020, ["Y"], None)]
    scores = score_hcps(build(papers), as_of=AS_OF)
    assert list(scores["hcp_id"]) == ["Y", "Z"] and list(scores["rank"]) == [1, 2]


def test_influence_is_the_weighted_mean_of_component_percentiles():
    config = ScoringConfig(weights={"trial_leadership": 40, "coauthor_betweenness": 0})
    scores = score_hcps(random_projection(), config, as_of=AS_OF)
    assert list(scores.columns) == [*SCORE_COLUMNS, "raw"]
    weights = config.component_weights()
    for row in scores.itertuples():
        assert set(row.components) == set(COMPONENTS) == set(row.raw)
        assert all(0 <= p <= 100 for p in row.components.values())
        expected = sum(weights[c] * p for c, p in row.components.items()) / sum(weights.values())
        assert row.influence == round(expected, 1)
        assert 0 <= row.influence <= 100
    assert scores["influence"].max() > 50


def test_scores_are_deterministic_and_independent_of_row_order():
    projection = random_projection()
    first = score_hcps(projection, as_of=AS_OF)
    shuffled = Projection.from_frames(
        **{name: getattr(projection, name).sample(frac=1, random_state=9) for name in table_names()}
    )
    pd.testing.assert_frame_equal(first, score_hcps(projection, as_of=AS_OF))
    pd.testing.assert_frame_equal(first, score_hcps(shuffled, as_of=AS_OF))


def test_weights_change_the_ranking():
    papers = [(f"P{i}", 2023, ["WRITER"], 50) for i in range(5)]
    projection = build(papers, roles=[("NCT1", "TRIALIST", "principal investigator")])
    trials_only = ScoringConfig(weights=dict.fromkeys(COMPONENTS, 0) | {"trial_leadership": 1})
    assert score_hcps(projection, as_of=AS_OF)["hcp_id"][0] == "WRITER"
    assert score_hcps(projection, trials_only, as_of=AS_OF)["hcp_id"][0] == "TRIALIST"


def test_empty_projection_gives_an_empty_score_frame():
    scores = score_hcps(Projection.from_frames(), as_of=AS_OF)
    assert scores.empty and list(scores.columns) == [*SCORE_COLUMNS, "raw"]


# --- rising stars -----------------------------------------------------------------------------


def test_rising_star_is_the_hcp_whose_output_and_network_grow():
    steady = [(f"S{y}", y, ["STEADY", "PEER"], None) for y in range(AS_OF - 5, AS_OF + 1)]
    rising = [
        (f"R{y}-{j}", y, ["RISER", f"NEW{y}{j}"], None)
        for y in range(AS_OF - 2, AS_OF + 1)
        for j in range(3)
    ]
    rising.append(("R0", AS_OF - 4, ["RISER"], None))
    frame = rising_stars(build(steady + rising), as_of=AS_OF)
    assert frame.loc["RISER", "rising"]
    assert frame["rising_score"].idxmax() == "RISER"
    assert frame.loc["STEADY", "rising_score"] == 0.0 and not frame.loc["STEADY", "rising"]
    assert (
        frame.loc["RISER", "recent_coauthors"] == 9
        and frame.loc["RISER", "previous_coauthors"] == 0
    )


def test_papers_above_the_coauthor_cap_add_no_coauthors_but_count_as_output():
    """A 101-author consortium paper (default cap 100) links nobody; a 100-author one does."""
    big = [f"B{i:03d}" for i in range(101)]
    papers = [
        ("ABOVE", AS_OF, big, 500),
        ("AT", AS_OF - 1, big[:100], None),
        ("OWN", AS_OF, ["B100", "SOLO"], None),
    ]
    projection = build(papers)
    frame = rising_stars(projection, as_of=AS_OF)
    assert frame.loc["B100", "recent_papers"] == 2 and frame.loc["B100", "recent_coauthors"] == 1
    assert frame.loc["B000", "recent_papers"] == 2 and frame.loc["B000", "recent_coauthors"] == 99
    pairs = projection.coauthorships
    assert len(pairs) == 100 * 99 // 2 + 1
    assert not ((pairs["hcp_a"] == "B100") & (pairs["hcp_b"] != "SOLO")).any()
    scores = by_id(score_hcps(projection, as_of=AS_OF))
    assert scores.loc["B100", "components"]["coauthor_pagerank"] > 0
    assert scores.loc["B050", "components"]["citation_impact"] > 0


def test_the_coauthor_cap_is_the_projections():
    papers = [("P1", AS_OF, ["A", "B", "C"], None), ("P2", AS_OF, ["A", "B"], None)]
    frames = vars(build(papers))
    tables = {name: frames[name] for name in ("hcps", "publications", "authorships")}
    capped = Projection.from_frames(coauthor_max_authors=2, **tables)
    assert capped.coauthorships[["hcp_a", "hcp_b", "papers"]].values.tolist() == [["A", "B", 1]]
    assert rising_stars(capped, as_of=AS_OF).loc["C", "recent_coauthors"] == 0
    assert rising_stars(build(papers), as_of=AS_OF).loc["C", "recent_coauthors"] == 2


def test_rising_needs_recent_activity():
    frame = rising_stars(build([("P1", AS_OF, ["ONCE"], None)]), as_of=AS_OF)
    assert frame.loc["ONCE", "rising_score"] == 0.0 and not frame.loc["ONCE", "rising"]


# --- explanation ------------------------------------------------------------------------------


def test_explanation_contributions_sum_to_influence_with_evidence():
    projection = build(
        [
            ("P1", 2022, ["KOL", "CO1", "CO2"], 30),
            ("P2", 2023, ["CO1", "KOL"], 5),
            ("P3", 2019, ["X", "KOL", "Y"], None),
        ],
        roles=[("NCT1", "KOL", "principal investigator"), ("NCT2", "KOL", "sub-investigator")],
    )
    scores = score_hcps(projection, as_of=AS_OF)
    explained = explain_hcp(projection, scores, "KOL", as_of=AS_OF)
    contributions = sum(c["contribution"] for c in explained["components"].values())
    assert contributions == pytest.approx(explained["influence"], abs=0.05 + 1e-9)
    assert set(explained["components"]) == set(COMPONENTS)
    assert explained["components"]["publication_output"]["raw"] > 0
    assert [p["pmid"] for p in explained["evidence"]["papers"]] == ["P1", "P2", "P3"]
    assert explained["evidence"]["papers"][0] == {
        "pmid": "P1",
        "title": "Paper P1",
        "year": 2022,
        "position": 1,
        "citations": 30,
        "author_weight": 1.0,
    }
    assert explained["evidence"]["coauthors"][0] == {"hcp_id": "CO1", "name": "Dr CO1", "papers": 2}
    assert [(t["nct_id"], t["role"]) for t in explained["evidence"]["trials"]] == [
        ("NCT1", "principal investigator"),
        ("NCT2", "sub-investigator"),
    ]


def test_explanation_reads_components_stored_as_json():
    projection = random_projection()
    scores = score_hcps(projection, as_of=AS_OF)
    stored = scores.assign(components=scores["components"].map(json.dumps))
    hcp = scores["hcp_id"][0]
    expected = explain_hcp(projection, scores, hcp, as_of=AS_OF)
    assert explain_hcp(projection, stored, hcp, as_of=AS_OF) == expected


def test_explaining_an_unknown_hcp_is_a_not_found_error():
    projection = random_projection()
    scores = score_hcps(projection, as_of=AS_OF)
    with pytest.raises(NotFoundError, match="NOPE"):
        explain_hcp(projection, scores, "NOPE")
    with pytest.raises(NotFoundError, match="no score"):
        explain_hcp(projection, scores[scores["hcp_id"] != "H001"], "H001")
    unscored = scores.assign(influence=scores["influence"].where(scores["hcp_id"] != "H001"))
    with pytest.raises(NotFoundError, match="no score"):
        explain_hcp(projection, unscored, "H001")


# --- configuration ----------------------------------------------------------------------------


def test_scoring_toml_in_home_overrides_defaults(tmp_path, monkeypatch):
    assert load_scoring_config(tmp_path) == ScoringConfig()
    (tmp_path / "scoring.toml").write_text(
        "half_life_years = 3\ntier_cutoffs = [10, 30, 60]\n"
        '[weights]\ntrial_leadership = 50\n[role_weights]\n"Study Chair" = 2\n'
    )
    config = load_scoring_config(tmp_path)
    assert config.half_life_years == 3 and config.tier_cutoffs == (10, 30, 60)
    assert config.component_weights()["trial_leadership"] == 50
    assert config.component_weights()["citation_impact"] == 20  # untouched default
    assert config.role_weight_map()["study chair"] == 2
    monkeypatch.setenv("KOLGRAPH_HOME", str(tmp_path))
    assert load_scoring_config() == config


@pytest.mark.parametrize(
    "text, message",
    [
        ("half_lfe_years = 3", "unknown setting"),
        ("[weights]\npopularity = 1", "unknown scoring component"),
        ("[weights]\ncitation_impact = -1", "weights must be numbers"),
        ("tier_cutoffs = [50, 20]", "tier_cutoffs"),
        ("betweenness_pivots = 1", "betweenness_pivots"),
        ("half_life_years = 'five'", "half_life_years"),
        ("weights = [", "cannot read"),
    ],
)
def test_bad_scoring_toml_is_a_config_error(tmp_path, text, message):
    (tmp_path / "scoring.toml").write_text(text)
    with pytest.raises(ConfigError, match=message):
        load_scoring_config(tmp_path)


def test_all_weights_zero_is_a_config_error():
    with pytest.raises(ConfigError, match="positive weight"):
        ScoringConfig(weights=dict.fromkeys(COMPONENTS, 0))


def test_scores_are_json_friendly():
    scores = score_hcps(random_projection(), as_of=AS_OF)
    row = scores.iloc[0]
    assert isinstance(row["components"], dict)
    assert all(type(v) is float for v in row["components"].values())
    assert scores["tier"].dtype == np.int64 and scores["rising"].dtype == bool


def test_the_documented_scoring_toml_example_is_valid():
    doc = (Path(__file__).parents[2] / "docs" / "influence.md").read_text()
    example = re.search(r"```toml\n(.*?)```", doc, re.S).group(1)
    config = ScoringConfig.from_mapping(tomllib.loads(example))
    assert config.component_weights()["trial_leadership"] == 40
    assert config.role_weight_map()["co investigator"] == 1.5


def test_trial_roles_are_normalised_before_weighing():
    roles = [
        ("N1", "A", "PRINCIPAL_INVESTIGATOR"),
        ("N2", "B", "Sub-Investigator"),
        ("N3", "C", "  overall   official "),
        ("N4", "D", None),
        ("N5", "E", "nurse"),
    ]
    lead = trial_leadership(build([], roles), ScoringConfig(other_role_weight=0.5))
    assert lead.to_dict() == {"A": 3.0, "B": 1.0, "C": 3.0, "D": 0.5, "E": 0.5}
