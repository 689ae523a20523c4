"""The web read model (search, top, profile, territories, networks): same answers on every store.

Loads ``tests/data/web_bundle`` and scores it; expected values are worked out by hand from
the bundle's CSV files.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kolgraph.answers.browse import NetworkFilters
from kolgraph.errors import InputError, NotFoundError
from kolgraph.loading import load_path
from kolgraph.scoring import rescore

BUNDLE = Path(__file__).resolve().parents[1] / "data" / "web_bundle"
AS_OF = date(2026, 11, 20)


@pytest.fixture
def store(store_or_neo4j_server):
    return store_or_neo4j_server


@pytest.fixture
def web_store(store, tmp_path):
    """The store with the web bundle loaded and scored."""
    load_path(BUNDLE, store, today=AS_OF)
    rescore(store, tmp_path)
    return store


def ids(rows) -> list[str]:
    return [r["hcp_id"] for r in rows]


def test_search_matches_each_kind(web_store):
    assert ids(web_store.search_hcps("ONCOLOGY")) == ["H04", "H01", "H02"]
    assert [r["matched"] for r in web_store.search_hcps("immunotherapy")] == [["topic"]] * 4
    hospital = web_store.search_hcps("hospital")  # any affiliation, past ones too (H03)
    assert ids(hospital) == ["H01", "H02", "H03"]
    assert (
        hospital[0]["institution"] == "North General <b>Hospital</b>"
        and hospital[2]["institution"] is None
    )
    assert web_store.search_hcps("hale")[0]["matched"] == ["name"]


def test_search_blank_territory_and_limit(web_store):
    assert ids(web_store.search_hcps("", "North")) == ["H01", "H02", "H03", "H07"]
    assert ids(web_store.search_hcps(None, limit=2)) == ["H04", "H01"]
    assert web_store.search_hcps("no such thing") == []
    with pytest.raises(InputError):
        web_store.search_hcps("x", limit=0)


def test_search_rows_have_the_declared_fields(web_store):
    row = web_store.search_hcps("southey")[0]
    assert row == {
        "hcp_id": "H04",
        "name": "Sofia Southey",
        "specialty": "Medical Oncology",
        "territory": "South",
        "institution": "South Medical Center",
        "tier": 1,
        "influence": row["influence"],
        "rank": 1,
        "matched": ["name"],
    }


def test_top(web_store):
    top = web_store.top_hcps(3)
    assert ids(top) == ["H04", "H01", "H05"] and set(top[0]["components"]) >= {"coauthor_pagerank"}
    assert ids(web_store.top_hcps(10, "North")) == ["H01", "H02", "H03", "H07"]


def test_rising_stars_fastest_growth_first(web_store):
    """Hand-set rising flags: order by rising_score, ties by rank; only rising HCPs."""
    scores = web_store.scores()
    growth = {"H02": 0.9, "H03": 0.4, "H06": 0.4, "H07": 0.1}  # H03 and H06 tie on growth
    scores["rising"] = scores["hcp_id"].isin(list(growth))
    scores["rising_score"] = [growth.get(h, 0.0) for h in scores["hcp_id"]]
    web_store.write_scores(scores)
    rank = dict(zip(scores["hcp_id"], scores["rank"]))
    tied = sorted(["H03", "H06"], key=rank.get)

    rising = web_store.rising_stars(10)
    assert ids(rising) == ["H02", *tied, "H07"]
    assert [r["rising_score"] for r in rising] == [0.9, 0.4, 0.4, 0.1]
    assert list(rising[0]) == [
        "hcp_id",
        "name",
        "rank",
        "influence",
        "tier",
        "rising_score",
        "components",
    ]
    assert ids(web_store.rising_stars(2)) == ["H02", tied[0]]
    assert ids(web_store.rising_stars(10, "North")) == ["H02", "H03", "H07"]
    with pytest.raises(InputError, match="--limit"):
        web_store.rising_stars(0)


def test_profile(web_store):
    profile = web_store.hcp_profile("H01")
    assert profile["hcp"]["name"] == "Nora Northcott" and profile["hcp"]["territory"] == "North"
    assert profile["score"]["rank"] == 2 and profile["score"]["tier"] == 2
    assert [a["institution_id"] for a in profile["affiliations"]] == ["I1"]
    assert [p["pmid"] for p in profile["publications"]] == ["1002", "1001", "1005"]
    assert [(p["position"], p["last_author"]) for p in profile["publications"]] == [
        (1, False),
        (1, False),
        (2, True),
    ]
    assert profile["publications"][0]["mesh_terms"] == ["Lung Neoplasms", "Immunotherapy"]
    assert [(t["nct_id"], t["role"]) for t in profile["trials"]] == [
        ("NCT0001", "Principal investigator")
    ]
    assert [(t["touchpoint_id"], t["msl_name"]) for t in profile["touchpoints"]] == [
        ("TP1", "Mona North"),
        ("TP2", "Mona North"),
    ]
    assert profile["touchpoints"][0]["insight"] == "Wants <script>alert(3)</script> stage II data"


def test_a_profile_with_only_its_latest_publications(web_store):
    """A profile page reads only the latest papers it shows, and how many there are."""
    for hcp_id in ids(web_store.top_hcps(100)):
        whole = web_store.hcp_profile(hcp_id)
        assert whole["publication_count"] == len(whole["publications"])
        for latest in (1, 2, 10):
            found = web_store.hcp_profile(hcp_id, latest=latest)
            assert found["publications"] == whole["publications"][:latest], (hcp_id, latest)
            assert found["publication_count"] == whole["publication_count"]
            assert {**found, "publications": []} == {**whole, "publications": []}
    assert [p["pmid"] for p in web_store.hcp_profile("H01", latest=2)["publications"]] == [
        "1002",
        "1001",
    ]
    assert web_store.hcp_profile("NOPE", latest=2) is None


def test_profile_past_affiliation_and_unknown(web_store):
    affiliation = web_store.hcp_profile("H03")["affiliations"][0]
    assert (affiliation["current"], affiliation["end_year"]) == (False, 2015)
    assert web_store.hcp_profile("NOPE") is None


def test_territories(web_store):
    assert web_store.hcp_territories(["H01", "H04", "NOPE"]) == {"H01": "North", "H04": "South"}


def edges(graph) -> set[tuple]:
    return {(*sorted((a, b)), p) for a, b, p in graph.edges(data="papers")}


def test_ego_network(web_store):
    one = web_store.network("hcp", "H01", NetworkFilters(as_of=AS_OF))
    assert sorted(one) == ["H01", "H02", "H03", "H04"]
    assert edges(one) == {
        ("H01", "H02", 2),
        ("H01", "H03", 1),
        ("H01", "H04", 1),
        ("H02", "H04", 2),
    }
    two = web_store.network("hcp", "H07", NetworkFilters(hops=2, as_of=AS_OF))
    assert sorted(two) == ["H04", "H05", "H06", "H07"]
    node = two.nodes["H04"]
    assert (node["engagement"], node["last_touch"], node["institution"], node["tier"]) == (
        "stale",
        "2024-01-10",
        "South Medical Center",
        1,
    )


def test_network_filters(web_store):
    strong = web_store.network("hcp", "H01", NetworkFilters(min_papers=2, as_of=AS_OF))
    assert sorted(strong) == ["H01", "H02"]
    never = web_store.network(
        "territory", "North", NetworkFilters(engagement=frozenset({"never"}), as_of=AS_OF)
    )
    assert sorted(never) == ["H02", "H03", "H07"] and edges(never) == set()
    scoped = web_store.network("hcp", "H01", NetworkFilters(hops=2, territory="North", as_of=AS_OF))
    assert sorted(scoped) == ["H01", "H02", "H03"]
    early = web_store.network("hcp", "H01", NetworkFilters(as_of=date(2026, 7, 1), stale_days=30))
    assert (
        early.nodes["H01"]["engagement"] == "engaged"
        and early.nodes["H01"]["last_touch"] == "2026-06-15"
    )


def test_institution_and_territory_networks(web_store):
    institution = web_store.network("institution", "I2", NetworkFilters(as_of=AS_OF))
    assert edges(institution) == {("H04", "H05", 1), ("H05", "H06", 1)}
    assert sorted(web_store.network("institution", "I1", NetworkFilters(as_of=AS_OF))) == [
        "H01",
        "H02",
    ]
    assert sorted(web_store.network("territory", "South", NetworkFilters(as_of=AS_OF))) == [
        "H04",
        "H05",
        "H06",
    ]
    assert (
        web_store.network("territory", "Nowhere", NetworkFilters(as_of=AS_OF)).number_of_nodes()
        == 0
    )


def test_network_unknown_keys(web_store):
    with pytest.raises(NotFoundError):
        web_store.network("hcp", "NOPE", NetworkFilters())
    with pytest.raises(NotFoundError):
        web_store.network("institution", "NOPE", NetworkFilters())
    with pytest.raises(InputError):
        web_store.network("planet", "x", NetworkFilters())


def test_network_cap_keeps_the_most_influential(web_store):
    """The cap applies in the store: the most influential stay, with the edges among them."""
    north = web_store.network("territory", "North", NetworkFilters(cap=2, as_of=AS_OF))
    assert sorted(north) == ["H01", "H02"]  # ranks 2 and 3; H03 and H07 rank lower
    assert edges(north) == {("H01", "H02", 2)}
    assert north.graph["total"] == 4
    assert north.nodes["H01"]["institution"] == "North General <b>Hospital</b>"


def test_network_cap_keeps_the_ego_centre(web_store):
    ego = web_store.network("hcp", "H02", NetworkFilters(cap=2, as_of=AS_OF))
    assert sorted(ego) == ["H02", "H04"]  # H04 (rank 1) beats H01 (rank 2); H02 is the centre
    assert edges(ego) == {("H02", "H04", 2)} and ego.graph["total"] == 3
    alone = web_store.network("hcp", "H02", NetworkFilters(cap=1, as_of=AS_OF))
    assert list(alone) == ["H02"] and alone.graph["total"] == 3


def test_network_cap_counts_after_filters(web_store):
    never = web_store.network(
        "territory", "North", NetworkFilters(engagement=frozenset({"never"}), cap=2, as_of=AS_OF)
    )
    assert sorted(never) == ["H02", "H03"] and never.graph["total"] == 3
    whole = web_store.network("territory", "South", NetworkFilters(cap=10, as_of=AS_OF))
    assert sorted(whole) == ["H04", "H05", "H06"] and whole.graph["total"] == 3
    assert (
        web_store.network("territory", "Nowhere", NetworkFilters(cap=2, as_of=AS_OF)).graph["total"]
        == 0
    )
    with pytest.raises(InputError):
        NetworkFilters(cap=0)
