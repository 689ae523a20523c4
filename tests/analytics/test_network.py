"""The shared network logic against brute force on random graphs (no store involved)."""

from __future__ import annotations

import math
import random

import networkx as nx
import pytest
from suggestion_oracle import brute_force_suggestions

from kolgraph.answers.network import (
    HCP,
    INSTITUTION,
    Neighbourhood,
    Node,
    nearest_source_path,
    shortest_node_path,
    suggest,
    why_sentence,
)


def random_graph(seed: int) -> nx.Graph:
    """A sparse random graph of HCP and institution nodes (institutions link only HCPs)."""
    rng = random.Random(seed)
    hcps = [Node(f"H{n}", HCP) for n in range(60)]
    institutions = [Node(f"I{n}", INSTITUTION) for n in range(6)]
    graph = nx.Graph()
    graph.add_nodes_from(hcps + institutions)
    for _ in range(90):
        graph.add_edge(*rng.sample(hcps, 2))
    for hcp in rng.sample(hcps, 25):
        graph.add_edge(hcp, rng.choice(institutions))
    return graph


def expand_on(graph: nx.Graph):
    return lambda nodes: {n: list(graph.neighbors(n)) for n in nodes}


@pytest.mark.parametrize("seed", range(8))
def test_shortest_path_is_the_smallest_of_all_shortest_paths(seed):
    graph = random_graph(seed)
    rng = random.Random(seed)
    hcps = [n for n in graph if n.kind == HCP]
    for _ in range(40):
        source, target = rng.sample(hcps, 2)
        found = shortest_node_path(source, target, expand_on(graph), max_edges=100)
        if nx.has_path(graph, source, target):
            assert found == min(nx.all_shortest_paths(graph, source, target))
        else:
            assert found is None


def test_path_longer_than_the_cap_is_not_found():
    graph = nx.path_graph([Node(f"H{n}", HCP) for n in range(6)])
    assert shortest_node_path(Node("H0", HCP), Node("H5", HCP), expand_on(graph), 5) is not None
    assert shortest_node_path(Node("H0", HCP), Node("H5", HCP), expand_on(graph), 4) is None


@pytest.mark.parametrize("seed", range(8))
def test_nearest_source_path_is_the_smallest_from_any_source(seed):
    graph = random_graph(seed)
    rng = random.Random(seed)
    hcps = [n for n in graph if n.kind == HCP]
    sources = {n.id: f"2024-01-{rng.randint(10, 28)}" for n in rng.sample(hcps, 8)}
    engaged = lambda ids: {i: sources[i] for i in ids if i in sources}  # noqa: E731
    for target in rng.sample(hcps, 20):
        found = nearest_source_path(target, expand_on(graph), engaged, max_edges=100)
        paths = [
            p
            for s in sources
            if s != target.id and nx.has_path(graph, Node(s, HCP), target)
            for p in nx.all_shortest_paths(graph, Node(s, HCP), target)
        ]
        if not paths:
            assert found is None
            continue
        shortest = min(len(p) for p in paths)
        expected = min(p for p in paths if len(p) == shortest)
        assert found == (expected, sources[expected[0].id])


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("limit", [1, 3, 10])
def test_suggestions_scored_in_rounds_equal_scoring_everyone(seed, limit):
    rng = random.Random(seed)
    people = [f"P{n:03d}" for n in range(400)]
    coauthors = {
        c: (c.lower(), ["ME"] + rng.sample(people, rng.randint(1, 40)))
        for c in rng.sample(people, 12)
    }
    members = {"I1": ("Inst", rng.sample(people, 60))}
    around = Neighbourhood.of("ME", coauthors, members)
    topics = {p: frozenset(rng.sample("ABCDEFGH", rng.randint(0, 5))) for p in people + ["ME"]}

    def details(ids):
        return {i: (i.lower(), topics[i]) for i in ids}

    found = suggest(around, details, limit)
    everyone = suggest(around, details, 10_000)
    assert found == everyone[:limit]
    expected_first = everyone[0]
    shared = sorted(c for c in coauthors if expected_first["hcp_id"] in coauthors[c][1])
    aa = sum(1 / math.log(len(coauthors[c][1])) for c in shared)
    assert expected_first["score"] >= round(aa, 4)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("limit", [1, 5, 20])
def test_suggestions_equal_brute_force(seed, limit):
    """The pruned, round-by-round ranking returns exactly what scoring everyone would, ties
    and float rounding included, on neighbourhoods with hubs, duplicates and institutions."""
    rng = random.Random(seed)
    people = [f"P{n:04d}" for n in range(1500)]
    coauthors = {
        c: (c.lower(), ["ME"] + rng.sample(people, rng.choice([1, 2, 3, 30, 400])))
        for c in rng.sample(people, rng.randint(1, 40))
    }
    institutions = {
        f"I{i}": (f"Inst {i}", rng.sample(people, rng.randint(0, 300)) * 2)
        for i in range(rng.randint(0, 3))
    }
    around = Neighbourhood.of("ME", coauthors, institutions)
    topics = {p: frozenset(rng.sample("ABCDEFGHIJ", rng.randint(0, 6))) for p in people + ["ME"]}
    found = suggest(around, lambda ids: {i: (i.lower(), topics[i]) for i in ids}, limit)
    assert [(r["hcp_id"], r["score"]) for r in found] == brute_force_suggestions(
        "ME", coauthors, institutions, topics, limit
    )


def test_why_sentence_lists_at_most_three_names():
    assert why_sentence(["A", "B", "C", "D", "E"], [], []) == (
        "Shares 5 co-authors (A, B, C and 2 more)."
    )
    assert why_sentence([], ["X", "Y"], []) == "Works at the same 2 institutions (X, Y)."
