"""Benchmark: full influence scoring at the size of the generator's M dataset.

Builds a synthetic projection (50,000 HCPs, 200,000 publications, ~1,000,000 authorships,
~1,000,000 co-author pairs, with research communities so co-authorship repeats) or reads a
generated bundle (``--bundle DIR``), then:

1. times ``score_hcps`` end to end and records peak RSS (``resource.getrusage``);
2. times the graph part alone on igraph (graph build, PageRank, pivot-sampled betweenness);
3. times plain networkx computing the same PageRank and the same betweenness (same pivots,
   ``betweenness_centrality(G, k, seed)``), checks both engines agree, and reports the speed-up.

Prints a markdown table.  Run: ``.venv/bin/python bench/bench_scoring.py [--bundle DIR]``.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from kolgraph.analytics.influence import (
    ScoringConfig,
    coauthor_betweenness,
    coauthor_graph,
    coauthor_pagerank,
    score_hcps,
)
from kolgraph.analytics.projection import Projection

AS_OF = date.today().year  # a generated bundle's publications run up to this year too
COMMUNITY = 50  # HCPs per research community


def synthetic_projection(n_hcps: int = 50_000, n_pubs: int = 200_000, seed: int = 7) -> Projection:
    """A projection shaped like the M dataset, with typed columns as a store returns them."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"H{i:06d}" for i in range(n_hcps)], dtype=object)
    authorships = _synthetic_authorships(rng, n_hcps, n_pubs)
    pmids = np.array([str(30_000_000 + i) for i in range(n_pubs)], dtype=object)
    years = AS_OF - (rng.random(n_pubs) ** 1.4 * 25).astype(int)
    citations = np.exp(rng.normal(2.0, 1.2, n_pubs)).astype(int).astype(object)
    citations[rng.random(n_pubs) < 0.1] = None
    publications = pd.DataFrame(
        {
            "pmid": pmids,
            "title": [f"Paper {i}" for i in range(n_pubs)],
            "journal": "J Synth",
            "year": years.astype(object),
            "mesh_terms": [[] for _ in range(n_pubs)],
            "citation_count": citations,
        }
    )
    authorships = pd.DataFrame(
        {
            "pmid": pmids[authorships[:, 0]],
            "hcp_id": ids[authorships[:, 1]],
            "position": authorships[:, 2].astype(object),
        }
    )
    hcps = pd.DataFrame({"hcp_id": ids, "first_name": "Ann", "last_name": ids})
    trials, roles = _synthetic_trials(rng, ids)
    return Projection.from_frames(
        hcps=hcps,
        publications=publications,
        authorships=authorships,
        trials=trials,
        trial_roles=roles,
    )


def _synthetic_authorships(rng: np.random.Generator, n_hcps: int, n_pubs: int) -> np.ndarray:
    """Rows (pub index, hcp index, position): mostly within a community, prolific authors favoured."""
    sizes = rng.integers(2, 10, n_pubs)  # 2..9 authors, mean 5.5
    pub = np.repeat(np.arange(n_pubs), sizes)
    community = rng.integers(0, n_hcps // COMMUNITY, n_pubs)[pub]
    local = community * COMMUNITY + (rng.random(len(pub)) ** 2.5 * COMMUNITY).astype(int)
    anywhere = rng.permutation(n_hcps)[(rng.random(len(pub)) ** 2 * n_hcps).astype(int)]
    author = np.where(rng.random(len(pub)) < 0.95, local, anywhere)
    rows = pd.DataFrame({"pub": pub, "hcp": author}).drop_duplicates()
    rows["position"] = rows.groupby("pub").cumcount() + 1
    return rows.to_numpy()


def _synthetic_trials(
    rng: np.random.Generator, ids: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    n_trials = 10_000
    nct = np.array([f"NCT{i:08d}" for i in range(n_trials)], dtype=object)
    trials = pd.DataFrame({"nct_id": nct, "title": [f"Trial {i}" for i in range(n_trials)]})
    kinds = np.array(
        ["principal investigator", "sub-investigator", "site investigator", "overall official"],
        dtype=object,
    )
    n_roles = 40_000
    roles = pd.DataFrame(
        {
            "nct_id": nct[rng.integers(0, n_trials, n_roles)],
            "hcp_id": ids[(rng.random(n_roles) ** 2 * len(ids)).astype(int)],
            "role": kinds[rng.choice(4, n_roles, p=[0.3, 0.4, 0.25, 0.05])],
        }
    ).drop_duplicates(["nct_id", "hcp_id"])
    return trials, roles


def bundle_projection(folder: Path) -> Projection:
    """A projection read from a canonical CSV bundle (co-authorships derived as a store would)."""

    def read(name: str) -> pd.DataFrame | None:
        path = folder / f"{name}.csv"
        if not path.exists():
            return None
        frame = pd.read_csv(path, dtype="string", keep_default_na=False, encoding="utf-8-sig")
        frame = frame.astype(object).replace("", None)
        for column in ("year", "position", "citation_count", "start_year", "end_year"):
            if column in frame:
                frame[column] = pd.to_numeric(frame[column]).astype(object)
        return frame

    names = (
        "hcps",
        "publications",
        "authorships",
        "trials",
        "trial_roles",
        "affiliations",
        "institutions",
    )
    frames = {name: read(name) for name in names}
    return Projection.from_frames(**{k: v for k, v in frames.items() if v is not None})


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn, *args, **kwargs):
    """``(result, wall seconds)``; :func:`cpu_timed` also gives this process's CPU seconds."""
    result, wall, _cpu = cpu_timed(fn, *args, **kwargs)
    return result, wall


def cpu_timed(fn, *args, **kwargs):
    # CPU time next to wall time: on a shared machine, wall time also counts other people's work.
    start, cpu = time.perf_counter(), time.process_time()
    result = fn(*args, **kwargs)
    return result, time.perf_counter() - start, time.process_time() - cpu


def igraph_measures(projection: Projection, config: ScoringConfig) -> dict:
    graph, build = timed(coauthor_graph, projection)
    pagerank, pr_time = timed(coauthor_pagerank, projection, config, graph)
    between, bt_time = timed(coauthor_betweenness, projection, config, graph)
    return {
        "build": build,
        "pagerank": pr_time,
        "betweenness": bt_time,
        "pagerank_values": pagerank,
        "betweenness_values": between,
    }


def networkx_measures(projection: Projection, config: ScoringConfig) -> dict:
    """The same PageRank and betweenness, in plain networkx, on the same vertex order."""

    def build() -> nx.Graph:
        pairs = projection.coauthorships
        names = sorted(set(pairs["hcp_a"]) | set(pairs["hcp_b"]))
        graph = nx.Graph()
        graph.add_nodes_from(names)  # node order fixes which pivots seed.sample draws
        weights = pairs["papers"].astype(float)
        graph.add_weighted_edges_from(zip(pairs["hcp_a"], pairs["hcp_b"], weights))
        return graph

    graph, build_time = timed(build)
    # A tight tolerance, so networkx converges to the answer igraph's PRPACK solves for; its
    # default (L1 error < n * 1e-6) stops early at this size, at about the same cost.
    pagerank, pr_time = timed(nx.pagerank, graph, alpha=config.damping, weight="weight", tol=1e-10)
    k = config.betweenness_pivots if config.betweenness_pivots < len(graph) else None
    between, bt_time = timed(nx.betweenness_centrality, graph, k=k, seed=config.seed)
    return {
        "build": build_time,
        "pagerank": pr_time,
        "betweenness": bt_time,
        "pagerank_values": pagerank,
        "betweenness_values": between,
    }


def agreement(ours: pd.Series, reference: dict) -> str:
    """Largest difference, relative to the largest value, and the rank correlation."""
    theirs = pd.Series(reference, dtype=float)
    mine = ours.reindex(theirs.index)
    worst = float((mine - theirs).abs().max() / theirs.abs().max())
    return f"max |diff| = {worst:.1e} of the largest value, Spearman {mine.corr(theirs, 'spearman'):.6f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--bundle", type=Path, help="a generated bundle folder (default: synthetic M)"
    )
    parser.add_argument("--pivots", type=int, default=ScoringConfig().betweenness_pivots)
    parser.add_argument("--skip-networkx", action="store_true", help="time igraph only")
    args = parser.parse_args(argv)
    config = ScoringConfig(betweenness_pivots=args.pivots)

    projection, prep = timed(
        bundle_projection if args.bundle else synthetic_projection,
        *([args.bundle] if args.bundle else []),
    )
    sizes = {
        name: len(getattr(projection, name))
        for name in ("hcps", "publications", "authorships", "coauthorships", "trial_roles")
    }
    print(
        f"data: {sizes} (prepared in {prep:.1f} s, peak RSS {peak_rss_mb():.0f} MB)",
        file=sys.stderr,
    )

    scores, total, cpu = cpu_timed(score_hcps, projection, config, AS_OF)
    rss = peak_rss_mb()
    fast = igraph_measures(projection, config)
    slow = None if args.skip_networkx else networkx_measures(projection, config)
    print_table(sizes, (total, cpu), rss, fast, slow, config, len(scores))
    return 0


def print_table(sizes, total, rss, fast, slow, config, scored) -> None:
    n_graph = int((fast["pagerank_values"] > 0).sum())
    print(
        f"\nM-size scoring: {sizes['hcps']:,} HCPs, {sizes['publications']:,} publications, "
        f"{sizes['authorships']:,} authorships, {sizes['coauthorships']:,} co-author pairs; "
        f"{n_graph:,} HCPs in the co-author graph; "
        f"betweenness from {config.betweenness_pivots} pivots\n"
    )
    print("| measure | value | target |\n|---|---|---|")
    print(f"| `score_hcps` end to end ({scored:,} HCPs), wall | {total[0]:.1f} s | <= 15 s |")
    print(f"| `score_hcps` end to end, CPU of this process | {total[1]:.1f} s | |")
    print(f"| peak RSS (data + scoring) | {rss:,.0f} MB | <= 2,500 MB |")
    print("\n| step | igraph | networkx | speed-up |\n|---|---|---|---|")
    for step in ("build", "pagerank", "betweenness"):
        other = f"{slow[step]:.2f} s" if slow else "-"
        ratio = f"{slow[step] / fast[step]:.0f}x" if slow else "-"
        print(f"| {step} | {fast[step]:.2f} s | {other} | {ratio} |")
    fast_total = sum(fast[s] for s in ("build", "pagerank", "betweenness"))
    if slow:
        slow_total = sum(slow[s] for s in ("build", "pagerank", "betweenness"))
        print(
            f"| **graph total** | **{fast_total:.2f} s** | **{slow_total:.2f} s** | "
            f"**{slow_total / fast_total:.0f}x** (target >= 10x) |"
        )
        print(
            f"\nagreement, PageRank: {agreement(fast['pagerank_values'], slow['pagerank_values'])}"
        )
        print(
            f"agreement, betweenness: "
            f"{agreement(fast['betweenness_values'], slow['betweenness_values'])}"
        )


if __name__ == "__main__":
    sys.exit(main())
