"""Co-authors, suggestions, shortest paths and warm introductions: the same answers on every store.

A hand-made graph with known answers (every expectation below is worked out by hand)::

    publications  P1 2015 H01 H02 [Neoplasms, Lymphoma]   P4 2018 H01 H02
                  P2 2016 H02 H03 [Neoplasms]           P3 2017 H03 H04 [Heart]
                  P9 2019 H02 H10 [Neoplasms]
                  P5 2020 H05 H06   P6 2021 H05 H07   P7 2021 H06 H08   P8 2022 H07 H08

    chain         H01 - H02 - H03 - H04, and H10 - H02
    square        H05 - H06 - H08 and H05 - H07 - H08 (two equal shortest paths)
    institutions  I1 current: H01, H04, H10     I2: H03 left in 2019, H09 current
    alone         H09 (only a past link to H03), H12 (nothing at all)

    touchpoints   H01 2024-03-01, H02 2024-05-01, H07 2024-06-01 (in the window),
                  H06 2023-01-01 (stale), H04 2024-07-15 (after as-of)
"""

from __future__ import annotations

import math
import random
from datetime import date

import pytest
from sample import followup_batch, frame, sample_batch
from suggestion_oracle import brute_force_suggestions

from kolgraph.errors import InputError, NotFoundError

AS_OF = date(2024, 6, 30)
STALE = 180

TERRITORY = {"H05": "W", "H06": "W", "H07": "W", "H08": "W"}
PUBLICATIONS = [
    (
        "P1",
        2015,
        ["Neoplasms", "Lymphoma", "Humans"],
        ["H01", "H02"],
    ),  # Humans: a check tag, ignored
    ("P2", 2016, ["Neoplasms", "Humans"], ["H02", "H03"]),
    ("P3", 2017, ["Heart"], ["H03", "H04"]),
    ("P4", 2018, [], ["H01", "H02"]),
    ("P5", 2020, [], ["H05", "H06"]),
    ("P6", 2021, [], ["H05", "H07"]),
    ("P7", 2021, [], ["H06", "H08"]),
    ("P8", 2022, [], ["H07", "H08"]),
    ("P9", 2019, ["Neoplasms"], ["H02", "H10"]),
]
AFFILIATIONS = [
    ("H01", "I1", None),
    ("H04", "I1", None),
    ("H10", "I1", None),
    ("H03", "I2", 2019),
    ("H09", "I2", None),
]
TOUCHES = [
    ("T1", "H01", "2024-03-01"),
    ("T2", "H02", "2024-05-01"),
    ("T3", "H07", "2024-06-01"),
    ("T4", "H06", "2023-01-01"),
    ("T5", "H04", "2024-07-15"),
]
HCP_IDS = [f"H{n:02d}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12)]


def name(hcp_id: str) -> str:
    return f"First{hcp_id} Last{hcp_id}"


def network_batch() -> dict:
    """The graph of the module docstring, as a validated batch."""
    hcps = [
        (
            h,
            f"First{h}",
            f"Last{h}",
            None,
            None,
            None,
            None,
            None,
            "US",
            TERRITORY.get(h, "NE"),
            None,
            None,
            None,
        )
        for h in HCP_IDS
    ]
    return {
        "hcps": frame("hcps", hcps),
        "institutions": frame(
            "institutions",
            [
                ("I1", "General Hospital", None, None, None, None),
                ("I2", "State University", None, None, None, None),
            ],
        ),
        "affiliations": frame(
            "affiliations", [(h, i, None, 2010, end) for h, i, end in AFFILIATIONS]
        ),
        "publications": frame(
            "publications", [(p, f"Paper {p}", None, y, m, None) for p, y, m, _ in PUBLICATIONS]
        ),
        "authorships": frame(
            "authorships",
            [(p, h, n + 1) for p, _, _, authors in PUBLICATIONS for n, h in enumerate(authors)],
        ),
        "msls": frame("msls", [("M1", "Mia Liaison", "NE", None, None)]),
        "touchpoints": frame(
            "touchpoints", [(t, "M1", h, d, None, None, None, None, None) for t, h, d in TOUCHES]
        ),
    }


@pytest.fixture
def graph(store):
    store.load(network_batch())
    return store


def hop_ids(result: dict) -> list[tuple[str, str, str]]:
    return [(h["from"], h["via"], h["to"]) for h in result["hops"]]


# --- co-authors -----------------------------------------------------------------------------


def test_coauthors_most_joint_papers_then_latest_year_first(graph):
    assert graph.coauthors("H02") == [
        {"hcp_id": "H01", "name": name("H01"), "joint_publications": 2, "last_year": 2018},
        {"hcp_id": "H10", "name": name("H10"), "joint_publications": 1, "last_year": 2019},
        {"hcp_id": "H03", "name": name("H03"), "joint_publications": 1, "last_year": 2016},
    ]


def test_coauthors_of_an_hcp_without_papers_is_empty(graph):
    assert graph.coauthors("H12") == []


def test_coauthors_of_an_unknown_hcp_is_not_found(graph):
    with pytest.raises(NotFoundError, match="NOPE"):
        graph.coauthors("NOPE")


# --- suggestions ----------------------------------------------------------------------------


def test_suggestions_scores_and_order(graph):
    aa = 1 / math.log(3)  # H02 has three co-authors: H01, H03, H10
    found = graph.suggest_collaborators("H01")
    assert [(s["hcp_id"], s["score"]) for s in found] == [
        ("H10", round(aa + 0.5 + 0.5 * 1 / 2, 4)),  # via H02, at I1, Neoplasms of 2 topics
        ("H03", round(aa + 0.5 * 1 / 3, 4)),  # via H02, Neoplasms of {Neoplasms, Lymphoma, Heart}
        ("H04", 0.5),  # at I1 only, no shared topic
    ]
    best = found[0]
    assert best["name"] == name("H10")
    assert best["shared_coauthors"] == [name("H02")]
    assert best["shared_topics"] == ["Neoplasms"]
    assert best["why"] == (
        f"Shares 1 co-author ({name('H02')}), works at the same institution "
        "(General Hospital), and publishes on 1 of the same topics (Neoplasms)."
    )


def test_suggestions_respect_the_limit(graph):
    assert [s["hcp_id"] for s in graph.suggest_collaborators("H01", limit=1)] == ["H10"]


def test_suggestions_exclude_coauthors_and_past_colleagues(graph):
    # H03's co-authors are H02 and H04; H09 shares only H03's *past* institution.
    # H03's topics are {Neoplasms, Heart}: H10 {Neoplasms} is closer than H01.
    ids = [s["hcp_id"] for s in graph.suggest_collaborators("H03")]
    assert ids == ["H10", "H01"]


def test_tied_candidates_are_scored_over_several_rounds(store):
    # S's one co-author, hub B, wrote with X000-X099: all tie before topics.  Rounds score
    # them 25, 50, 100 at a time by hcp_id, so only the third round reaches X075 (half of
    # S's topics) and X090 (all of them); they must still come first.
    others = [f"X{n:03d}" for n in range(100)]
    mesh = {"X075": ["Oncology", "Cardiology"], "X090": ["Oncology"]}
    pubs = [("Q-S", "S", ["Oncology"])] + [(f"Q-{x}", x, mesh.get(x, [])) for x in others]
    batch = {
        "hcps": frame(
            "hcps",
            [
                (h, "A", h, None, None, None, None, None, None, "NE", None, None, None)
                for h in ["S", "B", *others]
            ],
        ),
        "publications": frame("publications", [(p, p, None, 2020, m, None) for p, _, m in pubs]),
        "authorships": frame(
            "authorships", [(p, h, i + 1) for p, x, _ in pubs for i, h in enumerate(("B", x))]
        ),
    }
    store.load(batch)
    ids = [s["hcp_id"] for s in store.suggest_collaborators("S")]
    assert ids == ["X090", "X075", *others[:8]]


#: The MeSH terms random_network draws from (Humans: a check tag, ignored).
MESH = ["Neoplasms", "Lymphoma", "Heart", "Asthma", "Humans", "Diabetes Mellitus", "Obesity"]


def random_network(seed: int) -> tuple[dict, set[frozenset[str]], dict, dict]:
    """A batch around ``ME`` with hubs, overlapping co-author lists and institutions (past
    and current), and its co-author edges, current members and MeSH topics for the oracle."""
    rng = random.Random(seed)
    people = [f"P{n:04d}" for n in range(600)]
    edges: set[frozenset[str]] = set()
    for coauthor in rng.sample(people, rng.randint(5, 30)):
        edges.add(frozenset(("ME", coauthor)))
        others = rng.sample(people, rng.choice([1, 2, 3, 30, 120]))
        edges.update(frozenset((coauthor, o)) for o in others if o != coauthor)
    topics = {p: frozenset(rng.sample(MESH, rng.randint(0, 4))) for p in ["ME", *people]}
    members: dict[str, list[str]] = {"I0": ["ME"], "I1": ["ME"], "I2": []}
    affiliations = [("ME", "I0", None), ("ME", "I1", None)]
    for institution in members:
        for person in rng.sample(people, rng.randint(0, 80)):
            ended = rng.random() < 0.3
            affiliations.append((person, institution, 2019 if ended else None))
            if not ended:
                members[institution].append(person)
    papers = [(f"Q{n}", pair, []) for n, pair in enumerate(sorted(map(sorted, edges)))]
    papers += [(f"T-{p}", [p], sorted(topics[p])) for p in topics]
    batch = {
        "hcps": frame(
            "hcps",
            [
                (h, "F", h, None, None, None, None, None, None, "NE", None, None, None)
                for h in topics
            ],
        ),
        "institutions": frame(
            "institutions", [(i, f"Inst {i}", None, None, None, None) for i in members]
        ),
        "affiliations": frame(
            "affiliations", [(h, i, None, 2010, end) for h, i, end in affiliations]
        ),
        "publications": frame(
            "publications", [(p, p, None, 2020, mesh, None) for p, _, mesh in papers]
        ),
        "authorships": frame(
            "authorships",
            [(p, h, n + 1) for p, authors, _ in papers for n, h in enumerate(authors)],
        ),
    }
    return batch, edges, members, topics


@pytest.mark.parametrize("seed", [1, 2])
def test_suggestions_equal_scoring_every_candidate(store, seed):
    """A store may prune candidates before Python scores them (Neo4j sums in the server):
    the top suggestions, ties and float rounding included, are still every candidate's."""
    batch, edges, members, topics = random_network(seed)
    store.load(batch)
    neighbours: dict[str, list[str]] = {}
    for a, b in map(sorted, edges):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)
    hub = max(neighbours["ME"], key=lambda c: len(neighbours[c]))
    for hcp_id in ("ME", hub, sorted(neighbours[hub])[-1]):
        coauthors = {c: (c, neighbours[c]) for c in neighbours[hcp_id]}
        places = {i: (i, m) for i, m in members.items() if hcp_id in m}
        for limit in (1, 3, 10):
            found = store.suggest_collaborators(hcp_id, limit=limit)
            expected = brute_force_suggestions(hcp_id, coauthors, places, topics, limit)
            assert [(r["hcp_id"], r["score"]) for r in found] == expected, (hcp_id, limit)


def test_suggestions_for_an_isolated_hcp_are_empty(graph):
    assert graph.suggest_collaborators("H12") == []


def test_suggestions_of_an_unknown_hcp_is_not_found(graph):
    with pytest.raises(NotFoundError):
        graph.suggest_collaborators("NOPE")


def test_suggestions_need_a_positive_limit(graph):
    with pytest.raises(InputError):
        graph.suggest_collaborators("H01", limit=0)


# --- shortest paths -------------------------------------------------------------------------


def test_a_shared_current_institution_is_a_shortcut(graph):
    path = graph.shortest_path("H01", "H04")  # 2 edges via I1, against 3 along the chain
    assert path["length"] == 1
    (hop,) = path["hops"]
    assert hop == {
        "from": "H01",
        "from_name": name("H01"),
        "to": "H04",
        "to_name": name("H04"),
        "via": "institution",
        "institution_id": "I1",
        "evidence": ["both at General Hospital (I1)"],
    }
    assert (path["from"], path["to"], path["from_name"]) == ("H01", "H04", name("H01"))


def test_coauthor_hops_carry_joint_papers_and_years(graph):
    path = graph.shortest_path("H01", "H03")
    assert hop_ids(path) == [("H01", "coauthor", "H02"), ("H02", "coauthor", "H03")]
    assert [h["evidence"] for h in path["hops"]] == [
        ["2 joint papers, 2015-2018"],
        ["1 joint paper, 2016"],
    ]
    assert path["length"] == 2


def test_equal_shortest_paths_take_the_smallest_node_ids(graph):
    assert hop_ids(graph.shortest_path("H05", "H08")) == [
        ("H05", "coauthor", "H06"),
        ("H06", "coauthor", "H08"),
    ]
    assert hop_ids(graph.shortest_path("H08", "H05")) == [
        ("H08", "coauthor", "H06"),
        ("H06", "coauthor", "H05"),
    ]


def test_a_path_mixing_institution_and_coauthor_hops(graph):
    # H10 -> I1 -> H04 (2 edges) beats H10 - H02 - H03 - H04 (3 edges).
    assert hop_ids(graph.shortest_path("H10", "H04")) == [("H10", "institution", "H04")]
    # H09 - I2 - H03 is a past affiliation: H09 reaches nobody.
    assert graph.shortest_path("H09", "H03") is None


def test_no_path_between_disconnected_hcps(graph):
    assert graph.shortest_path("H01", "H12") is None
    assert graph.shortest_path("H01", "H05") is None


def test_path_errors(graph):
    with pytest.raises(InputError):
        graph.shortest_path("H01", "H01")
    with pytest.raises(NotFoundError, match="NOPE"):
        graph.shortest_path("H01", "NOPE")


def test_a_long_chain_is_followed(store):
    chain = [f"C{n:02d}" for n in range(8)]  # 7 co-author hops
    batch = network_batch()
    batch["hcps"] = frame(
        "hcps",
        [(h, "A", h, None, None, None, None, None, None, "NE", None, None, None) for h in chain],
    )
    pubs = [(f"Q{n}", chain[n], chain[n + 1]) for n in range(7)]
    batch["publications"] = frame(
        "publications", [(p, p, None, 2020, [], None) for p, _, _ in pubs]
    )
    batch["authorships"] = frame(
        "authorships", [(p, h, i + 1) for p, a, b in pubs for i, h in enumerate((a, b))]
    )
    for table in ("institutions", "affiliations", "msls", "touchpoints"):
        del batch[table]
    store.load(batch)
    path = store.shortest_path("C00", "C07")
    assert [h["to"] for h in path["hops"]] == chain[1:]


# --- warm introductions ---------------------------------------------------------------------


def test_intro_from_the_smallest_engaged_hcp_at_the_shortest_distance(graph):
    # H01 (via I1) and H02 (via H03) are both two edges from H04; H01 is smaller.
    intro = graph.warm_intro("H04", AS_OF, STALE)
    assert intro["already_engaged"] is False
    assert intro["via_engaged"] == {
        "hcp_id": "H01",
        "name": name("H01"),
        "last_touch": "2024-03-01",
    }
    assert hop_ids(intro) == [("H01", "institution", "H04")]
    assert (intro["target"], intro["target_name"], intro["length"]) == ("H04", name("H04"), 1)


def test_intro_tie_break_follows_the_smallest_nodes_from_the_source(graph):
    # H07 is the one engaged HCP near H06: H07 - H05 - H06 and H07 - H08 - H06.
    intro = graph.warm_intro("H06", AS_OF, STALE)
    assert hop_ids(intro) == [("H07", "coauthor", "H05"), ("H05", "coauthor", "H06")]


def test_intro_window_includes_its_first_day(graph):
    days = (AS_OF - date(2023, 1, 1)).days  # H06's touchpoint is exactly this old
    assert graph.warm_intro("H05", AS_OF, days)["via_engaged"]["hcp_id"] == "H06"
    assert graph.warm_intro("H05", AS_OF, days - 1)["via_engaged"]["hcp_id"] == "H07"


def test_intro_to_an_engaged_target_says_so(graph):
    intro = graph.warm_intro("H02", AS_OF, STALE)
    assert intro["already_engaged"] is True
    assert intro["via_engaged"] == {
        "hcp_id": "H02",
        "name": name("H02"),
        "last_touch": "2024-05-01",
    }
    assert (intro["hops"], intro["length"]) == ([], 0)


def test_intro_ignores_touchpoints_after_as_of(graph):
    # H04's touchpoint is after as-of, so H04 is no source for H03: H02 is.
    intro = graph.warm_intro("H03", AS_OF, STALE)
    assert hop_ids(intro) == [("H02", "coauthor", "H03")]
    assert graph.warm_intro("H04", date(2024, 7, 20), STALE)["already_engaged"] is True


def test_intro_sources_limited_to_a_territory(graph):
    assert graph.warm_intro("H05", AS_OF, STALE)["via_engaged"]["hcp_id"] == "H07"
    assert graph.warm_intro("H05", AS_OF, STALE, territory="NE") is None
    intro = graph.warm_intro("H08", AS_OF, STALE, territory="W")
    assert hop_ids(intro) == [("H07", "coauthor", "H08")]


def test_intro_without_a_path_or_with_bad_input(graph):
    assert graph.warm_intro("H12", AS_OF, STALE) is None
    with pytest.raises(NotFoundError):
        graph.warm_intro("NOPE", AS_OF, STALE)
    with pytest.raises(InputError):
        graph.warm_intro("H04", AS_OF, -1)


def test_answers_follow_a_new_load(graph):
    graph.suggest_collaborators("H01")  # builds any cache
    assert graph.shortest_path("H01", "H12") is None
    batch = {"affiliations": frame("affiliations", [("H12", "I1", None, 2023, None)])}
    graph.load(batch)
    assert hop_ids(graph.shortest_path("H01", "H12")) == [("H01", "institution", "H12")]
    assert "H12" in [s["hcp_id"] for s in graph.suggest_collaborators("H01")]


# --- the MeSH terms suggestions compare (hcp_details), after loads and corrections -------------


def _expected_details(store, hcp_ids: list[str]) -> dict[str, tuple[str, frozenset]]:
    hcps, auth, pubs = (store.table(n) for n in ("hcps", "authorships", "publications"))
    names = dict(zip(hcps["hcp_id"], hcps["name"]))
    terms = dict(zip(pubs["pmid"], pubs["mesh_terms"]))
    topics: dict[str, set[str]] = {}
    for pmid, hcp_id in zip(auth["pmid"], auth["hcp_id"]):
        topics.setdefault(hcp_id, set()).update(terms[pmid])
    return {h: (names.get(h, h), frozenset(topics.get(h, ()))) for h in hcp_ids}


def _details_are_the_tables(store) -> None:
    everyone = sorted(store.table("hcps")["hcp_id"])
    assert store.reads.hcp_details(everyone) == _expected_details(store, everyone)


def test_hcp_details_follow_loads_and_corrections(store):
    store.load(sample_batch())
    _details_are_the_tables(store)
    assert store.reads.hcp_details(["H1"])["H1"][1] == {"Neoplasms", "Humans"}
    store.load(followup_batch())  # P1 gains H6, P5 (Humans) joins H1 H2 H5
    _details_are_the_tables(store)
    assert store.reads.hcp_details(["H6"])["H6"][1] == {"Neoplasms", "Humans"}
    store.split_hcp("H2", "P3", steward="ada")  # Heart Diseases goes with P3
    _details_are_the_tables(store)
    assert "Heart Diseases" not in store.reads.hcp_details(["H2"])["H2"][1]
    assert store.reads.hcp_details(["H2-split-P3"])["H2-split-P3"][1] == {"Heart Diseases"}
    store.merge_hcps("H3", "H1", steward="ada")  # H3 takes H1's P2, and P1 it had
    _details_are_the_tables(store)
    assert "H1" not in set(store.table("hcps")["hcp_id"])
