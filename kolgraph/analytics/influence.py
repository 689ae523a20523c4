"""Influence scoring: explainable KOL scores, tiers and rising stars.

Every HCP gets five component values, each a pandas Series indexed by ``hcp_id`` (0 when
there is no evidence):

* :func:`publication_output`: author-position-weighted papers with exponential recency decay;
* :func:`citation_impact`: author-position-weighted citations, where known;
* :func:`coauthor_pagerank`: weighted PageRank over ``COAUTHORED_WITH`` (weight = papers);
* :func:`coauthor_betweenness`: bridging between groups, betweenness estimated from sampled
  pivots when the graph is large;
* :func:`trial_leadership`: trial roles, principal investigators weighing most.

Each component becomes a percentile (0-100); a weighted mean of the percentiles is
``influence``.  :func:`score_hcps` adds ``rank``, ``tier`` and the rising-star flag and
returns the frame the stores' ``write_scores`` takes.  The formulas and defaults are written
down in ``docs/influence.md``.

The graph measures run on python-igraph (C); networkx gives the same numbers on small
graphs and is the reference in the tests and the benchmark.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import random
import re
import signal
import threading
import tomllib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

import igraph
import numpy as np
import pandas as pd

from kolgraph.analytics.projection import Projection
from kolgraph.authorship_numbers import AuthorshipNumbers
from kolgraph.coauthorship import distinct, pair_instance_keys
from kolgraph.config import default_home
from kolgraph.errors import ConfigError

#: Component names, in the order they are reported.
COMPONENTS = (
    "publication_output",
    "citation_impact",
    "coauthor_pagerank",
    "coauthor_betweenness",
    "trial_leadership",
)
DEFAULT_WEIGHTS = {
    "publication_output": 25.0,
    "citation_impact": 20.0,
    "coauthor_pagerank": 20.0,
    "coauthor_betweenness": 10.0,
    "trial_leadership": 25.0,
}
#: Trial role -> weight, keyed by :func:`role_key`; any other role weighs ``other_role_weight``.
DEFAULT_ROLE_WEIGHTS = {
    "principal investigator": 3.0,
    "overall official": 3.0,
    "study chair": 3.0,
    "study director": 3.0,
    "sub investigator": 1.0,
    "site investigator": 1.0,
}
SCORING_FILE = "scoring.toml"


@dataclass(frozen=True)
class ScoringConfig:
    """Every knob of the scoring, with the documented defaults.

    ``weights`` and ``role_weights`` override the defaults key by key (set a weight to 0 to
    drop a component).  ``tier_cutoffs`` are cumulative top-percent bounds of tiers 1, 2, 3...;
    HCPs below the last bound form the last tier.
    """

    weights: dict[str, float] = field(default_factory=dict)
    half_life_years: float = 5.0
    lead_author_weight: float = 1.0
    middle_author_weight: float = 0.5
    role_weights: dict[str, float] = field(default_factory=dict)
    other_role_weight: float = 1.0
    damping: float = 0.85
    betweenness_pivots: int = 256
    seed: int = 42
    tier_cutoffs: tuple[float, ...] = (5.0, 20.0, 50.0)
    rising_window_years: int = 3
    rising_top_percent: float = 5.0
    rising_min_recent_papers: int = 2

    def __post_init__(self) -> None:
        unknown = set(self.weights) - set(COMPONENTS)
        if unknown:
            raise ConfigError(
                f"unknown scoring component(s): {', '.join(sorted(unknown))}; "
                f"known: {', '.join(COMPONENTS)}"
            )
        _check_weights("weights", self.component_weights())
        _check_weights("role_weights", {**self.role_weights, "other": self.other_role_weight})
        if sum(self.component_weights().values()) <= 0:
            raise ConfigError("scoring weights: at least one component needs a positive weight")
        _check_range("half_life_years", self.half_life_years, 0, math.inf)
        _check_range("damping", self.damping, 0, 1)
        _check_range("rising_top_percent", self.rising_top_percent, 0, 100, closed_high=True)
        _check_int("betweenness_pivots", self.betweenness_pivots, 2)
        _check_int("rising_window_years", self.rising_window_years, 1)
        _check_int("rising_min_recent_papers", self.rising_min_recent_papers, 0)
        cuts = list(self.tier_cutoffs)
        if not cuts or cuts != sorted(set(cuts)) or not (cuts[0] > 0 and cuts[-1] < 100):
            raise ConfigError(
                "tier_cutoffs: increasing percentages strictly between 0 and 100, "
                f"e.g. [5, 20, 50]; got {cuts}"
            )

    def component_weights(self) -> dict[str, float]:
        """The weight of every component: the defaults overridden by ``weights``."""
        return {name: float(self.weights.get(name, DEFAULT_WEIGHTS[name])) for name in COMPONENTS}

    def role_weight_map(self) -> dict[str, float]:
        """Trial role (normalised by :func:`role_key`) -> weight, defaults included."""
        given = {role_key(k): float(v) for k, v in self.role_weights.items()}
        return {**DEFAULT_ROLE_WEIGHTS, **given}

    @classmethod
    def from_mapping(cls, data: dict, source: str = SCORING_FILE) -> ScoringConfig:
        """A config from a parsed TOML document; unknown keys are an error."""
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ConfigError(
                f"{source}: unknown setting(s) {', '.join(sorted(unknown))}; "
                f"known: {', '.join(sorted(known))}"
            )
        values = dict(data)
        if "tier_cutoffs" in values:
            values["tier_cutoffs"] = tuple(values["tier_cutoffs"])
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None

    @classmethod
    def from_toml(cls, path: Path) -> ScoringConfig:
        """A config read from a TOML file."""
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"{path}: cannot read scoring settings: {exc}") from None
        return cls.from_mapping(data, source=str(path))


def load_scoring_config(home: Path | None = None) -> ScoringConfig:
    """``scoring.toml`` in ``home`` (default ``KOLGRAPH_HOME``) when present, else the defaults."""
    path = Path(home if home is not None else default_home()) / SCORING_FILE
    return ScoringConfig.from_toml(path) if path.is_file() else ScoringConfig()


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_weights(name: str, weights: dict) -> None:
    bad = {k: v for k, v in weights.items() if not _is_number(v) or v < 0 or math.isnan(v)}
    if bad:
        raise ConfigError(f"{name}: weights must be numbers >= 0; got {bad}")


def _check_range(name: str, value, low: float, high: float, closed_high: bool = False) -> None:
    inside = _is_number(value) and low < value and (value <= high if closed_high else value < high)
    if not inside:
        bracket = "]" if closed_high else ")"
        raise ConfigError(f"{name}: must be a number in ({low}, {high}{bracket}; got {value!r}")


def _check_int(name: str, value, minimum: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ConfigError(f"{name}: must be an integer >= {minimum}; got {value!r}")


def role_key(role: str | None) -> str:
    """A trial role normalised for lookup: ``"Sub-Investigator"`` -> ``"sub investigator"``."""
    return re.sub(r"[\s_\-]+", " ", str(role or "")).strip().lower()


# --- per-HCP evidence -------------------------------------------------------------------------
# String ids are turned into integer codes once (``hcp``: position in :func:`hcp_ids`,
# ``paper``: one code per pmid); hashing a million strings again per step would dominate.


def hcp_ids(projection: Projection) -> pd.Index:
    """Every HCP id in the projection, sorted: the index of every component."""
    return pd.Index(projection.hcps["hcp_id"].astype(str).unique(), name="hcp_id").sort_values()


def _sum_by_hcp(index: pd.Index, codes: np.ndarray, values) -> pd.Series:
    """Sum ``values`` per HCP code (position in ``index``); codes < 0 (unknown HCPs) are ignored."""
    values = np.broadcast_to(np.asarray(values, dtype=float), codes.shape)
    keep = codes >= 0
    sums = np.bincount(codes[keep], weights=values[keep], minlength=len(index))
    return pd.Series(sums, index=index)


def _take(values: np.ndarray, positions: np.ndarray, missing=np.nan) -> np.ndarray:
    """``values[positions]``, with ``missing`` where the position is -1 (not found)."""
    taken = values[np.maximum(positions, 0)] if len(values) else np.full(len(positions), missing)
    return np.where(positions >= 0, taken, missing)


def weighted_authorships(
    projection: Projection, config: ScoringConfig | None = None
) -> pd.DataFrame:
    """Authorships with their paper's ``year``, ``citation_count``, ``author_weight`` and,
    when the projection holds titles, ``title``.

    The first and the last author (highest position of the paper, over every authorship in
    the projection) weigh ``lead_author_weight``; every other position ``middle_author_weight``.
    Integer columns ``hcp`` (position in :func:`hcp_ids`, -1 if unknown) and ``paper`` (one
    code per pmid) let the components group without hashing ids again.  From a projection
    holding the authorships in numbers (scoring on the embedded store) there are no
    ``pmid`` and ``hcp_id`` columns: nothing in scoring reads them.
    """
    config = config or ScoringConfig()
    if projection.authorship_numbers is not None:
        return _weighted_numbers(projection, projection.authorship_numbers, config)
    auth = projection.authorships
    paper, pmids = pd.factorize(auth["pmid"])
    pubs = projection.publications
    found = pd.Index(pubs["pmid"]).get_indexer(pmids)[paper] if len(auth) else np.array([], int)
    columns = {
        "pmid": auth["pmid"].to_numpy(),
        "hcp_id": auth["hcp_id"].to_numpy(),
        **_weighted(
            paper,
            _numbers(auth["position"]),
            _take(_numbers(pubs["year"]), found),
            _take(_numbers(pubs["citation_count"]), found),
            hcp_ids(projection).get_indexer(auth["hcp_id"]),
            config,
        ),
    }
    if "title" in pubs:  # explanations name the papers; scoring reads no titles
        columns["title"] = _take(pubs["title"].to_numpy(dtype=object), found, None)
    return pd.DataFrame(columns)


def _weighted_numbers(
    projection: Projection, numbers: AuthorshipNumbers, config: ScoringConfig
) -> pd.DataFrame:
    """:func:`weighted_authorships` from the authorships in numbers: only the store's HCP
    numbering is mapped to :func:`hcp_ids`' (the same ids, sorted alike, in practice)."""
    ours = np.append(hcp_ids(projection).get_indexer(numbers.hcp_ids), -1)  # -1 stays -1
    hcp = ours[numbers.hcp]
    paper = np.asarray(numbers.paper)
    position = np.asarray(numbers.position, dtype=float)
    year, citations = numbers.year[paper], numbers.citations[paper]
    return pd.DataFrame(_weighted(paper, position, year, citations, hcp, config))


def _weighted(
    paper: np.ndarray,
    position: np.ndarray,
    year: np.ndarray,
    citations: np.ndarray,
    hcp: np.ndarray,
    config: ScoringConfig,
) -> dict[str, np.ndarray]:
    """The columns of :func:`weighted_authorships` every projection has."""
    last = pd.Series(position).groupby(paper).transform("max").to_numpy()
    lead = (position == 1) | (position == last)
    return {
        "position": position,
        "year": year,
        "citation_count": citations,
        "author_weight": np.where(lead, config.lead_author_weight, config.middle_author_weight),
        "hcp": hcp,
        "paper": paper,
    }


def _numbers(column: pd.Series) -> np.ndarray:
    """A column as floats; None and anything unreadable become NaN."""
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)


def _papers_until(
    projection: Projection, config: ScoringConfig, as_of: int, papers: pd.DataFrame | None
) -> pd.DataFrame:
    """Weighted authorships (``papers`` if given) of papers published up to ``as_of``.

    Papers of unknown year are dropped: their recency cannot be known.
    """
    papers = papers if papers is not None else weighted_authorships(projection, config)
    return papers[papers["year"] <= as_of]


def publication_output(
    projection: Projection,
    config: ScoringConfig | None = None,
    as_of: int | None = None,
    papers: pd.DataFrame | None = None,
) -> pd.Series:
    """Recency-decayed, author-position-weighted paper count per HCP.

    ``sum(author_weight * 0.5 ** ((as_of - year) / half_life_years))`` over the HCP's papers
    up to ``as_of``.  ``papers`` may pass precomputed :func:`weighted_authorships`.
    """
    config, as_of = config or ScoringConfig(), as_of or date.today().year
    papers = _papers_until(projection, config, as_of, papers)
    decay = 0.5 ** ((as_of - papers["year"].to_numpy()) / config.half_life_years)
    weighted = papers["author_weight"] * decay
    return _sum_by_hcp(hcp_ids(projection), papers["hcp"].to_numpy(), weighted)


def citation_impact(
    projection: Projection,
    config: ScoringConfig | None = None,
    as_of: int | None = None,
    papers: pd.DataFrame | None = None,
) -> pd.Series:
    """``sum(author_weight * citation_count)`` per HCP; papers with unknown citations add 0."""
    config, as_of = config or ScoringConfig(), as_of or date.today().year
    papers = _papers_until(projection, config, as_of, papers)
    cited = papers["author_weight"] * papers["citation_count"].fillna(0)
    return _sum_by_hcp(hcp_ids(projection), papers["hcp"].to_numpy(), cited)


def trial_leadership(projection: Projection, config: ScoringConfig | None = None) -> pd.Series:
    """Sum of role weights over the HCP's trial roles (e.g. principal investigator 3, sub 1).

    Trials are not filtered by ``as_of``: their start year is often unknown.
    """
    config = config or ScoringConfig()
    roles, index = projection.trial_roles, hcp_ids(projection)
    weights = role_weights(roles["role"], config)
    return _sum_by_hcp(index, index.get_indexer(roles["hcp_id"]), weights)


def role_weights(roles: pd.Series, config: ScoringConfig) -> pd.Series:
    """The configured weight of each role in ``roles`` (unknown roles: ``other_role_weight``)."""
    mapping = config.role_weight_map()
    # Normalise each distinct role once: there are few roles and many rows.
    other = config.other_role_weight
    weight = {role: mapping.get(role_key(role), other) for role in roles.unique()}
    return roles.map(weight).astype(float)


# --- the co-authorship graph ------------------------------------------------------------------


def coauthor_graph(projection: Projection) -> igraph.Graph:
    """The undirected co-author graph as igraph: HCPs with at least one co-author.

    Vertices are sorted by ``hcp_id`` (attribute ``name``); each edge has ``weight`` = papers.
    Sorting makes every result, and the sampled pivots, independent of store row order.
    """
    index = hcp_ids(projection)
    codes, index, papers = _coauthor_codes(projection, index)
    # Keep only HCPs with a co-author, renumbered in id order (bincount: no hashing, no sort).
    present = np.bincount(codes, minlength=len(index)) > 0
    codes = (np.cumsum(present) - 1)[codes]
    used = np.flatnonzero(present)
    half = len(papers)
    return igraph.Graph(
        n=len(used),
        edges=list(zip(codes[:half].tolist(), codes[half:].tolist())),
        directed=False,
        vertex_attrs={"name": index[used].tolist()},
        edge_attrs={"weight": papers.tolist()},
    )


def _coauthor_codes(
    projection: Projection, index: pd.Index
) -> tuple[np.ndarray, pd.Index, np.ndarray]:
    """Both ends of every co-authorship as positions in ``index`` (first ends, then second
    ends), the index (grown by ends it lacks: kept rather than lose edges), and the papers."""
    edges = projection.coauthor_edges
    if edges is None:
        pairs = projection.coauthorships
        ends = pd.concat([pairs["hcp_a"], pairs["hcp_b"]], ignore_index=True).astype(str)
        positions, ids = pd.factorize(ends)
        papers = pd.to_numeric(pairs["papers"]).astype(float).to_numpy()
    else:  # numbers already: only the store's id order is mapped to ours
        positions = np.concatenate([edges.a, edges.b])
        ids = pd.Index(edges.hcp_ids.astype(object))
        papers = np.asarray(edges.papers, dtype=float)
    ours = index.get_indexer(ids)
    if (ours < 0).any():
        index = index.union(pd.Index(ids))
        ours = index.get_indexer(ids)
    return ours[positions], index, papers


def _by_vertex(projection: Projection, graph: igraph.Graph, values) -> pd.Series:
    """Per-vertex values as a Series over every HCP (0.0 for HCPs without co-authors)."""
    names = graph.vs["name"] if graph.vcount() else []
    series = pd.Series(np.asarray(values, dtype=float), index=pd.Index(names, dtype=object))
    return series.reindex(hcp_ids(projection), fill_value=0.0).astype(float)


def coauthor_pagerank(
    projection: Projection, config: ScoringConfig | None = None, graph: igraph.Graph | None = None
) -> pd.Series:
    """Weighted PageRank (damping ``damping``, weight = papers) over the co-author graph.

    Values sum to 1 over HCPs with co-authors; HCPs without co-authors get 0.
    """
    config = config or ScoringConfig()
    graph = graph if graph is not None else coauthor_graph(projection)
    if graph.vcount() == 0:
        return _by_vertex(projection, graph, [])
    ranks = graph.pagerank(damping=config.damping, weights="weight", directed=False)
    return _by_vertex(projection, graph, ranks)


def betweenness_pivots(names: list[str], k: int, seed: int) -> list[str] | None:
    """The ``k`` source vertices sampled for the estimate, or None when exact (``k >= n``).

    Drawn exactly as ``networkx.betweenness_centrality(G, k=k, seed=seed)`` draws them from a
    graph whose nodes were added in ``names`` order, so both engines use the same pivots.
    """
    if k >= len(names):
        return None
    return random.Random(seed).sample(list(names), k)


def coauthor_betweenness(
    projection: Projection, config: ScoringConfig | None = None, graph: igraph.Graph | None = None
) -> pd.Series:
    """Normalised shortest-path betweenness (hops, unweighted) on the co-author graph.

    Exact when the graph has at most ``betweenness_pivots`` vertices; otherwise Brandes'
    estimate from that many pivots sampled with ``seed``, scaled exactly as networkx's
    ``betweenness_centrality(G, k, normalized=True, seed=seed)`` scales it.
    """
    config = config or ScoringConfig()
    graph = graph if graph is not None else coauthor_graph(projection)
    with betweenness_estimate(graph, config) as values:
        return _by_vertex(projection, graph, values())


@contextmanager
def betweenness_estimate(
    graph: igraph.Graph, config: ScoringConfig
) -> Iterator[Callable[[], np.ndarray]]:
    """The normalised betweenness of every vertex of ``graph`` (as
    :func:`coauthor_betweenness`), as a function to call when it is needed.  On a big graph
    the work starts at once in other processes, so what the caller does until then runs
    beside it."""
    n = graph.vcount()
    if n < 3:
        yield lambda: np.zeros(n)
        return
    pivots = betweenness_pivots(graph.vs["name"], config.betweenness_pivots, config.seed)
    # igraph counts each unordered pair once; Brandes' sums (and networkx) count ordered pairs.
    if pivots is None:
        yield lambda: 2 * np.asarray(graph.betweenness(directed=False)) / ((n - 1) * (n - 2))
        return
    sources = pd.Index(graph.vs["name"]).get_indexer(pivots).tolist()
    k = len(pivots)
    # A pivot is never inside its own paths, so it collected from one source fewer.
    scale = np.full(n, 1.0 / (k * (n - 2)))
    scale[sources] = 1.0 / ((k - 1) * (n - 2))
    with _dependencies_under_way(graph, sources) as dependencies:
        yield lambda: 2 * dependencies() * scale


#: Pivots per part of the betweenness estimate.  Parts are summed in pivot order, however
#: many processes computed them, so the scores never depend on the machine.
PIVOTS_PER_PART = 16
#: Graphs with fewer edges are not worth a process start.
PARALLEL_MIN_EDGES = 100_000
_shared_graph: igraph.Graph | None = None  # the graph forked workers read
#: prctl's option: the signal a process gets when its parent dies (linux/prctl.h).
PR_SET_PDEATHSIG = 1


def _dependencies(
    graph: igraph.Graph, sources: list[int], workers: int | None = None
) -> np.ndarray:
    """Brandes' dependencies of every vertex, summed over the paths from ``sources``."""
    with _dependencies_under_way(graph, sources, workers) as dependencies:
        return dependencies()


@contextmanager
def _dependencies_under_way(
    graph: igraph.Graph, sources: list[int], workers: int | None = None
) -> Iterator[Callable[[], np.ndarray]]:
    """:func:`_dependencies` as a function to call when needed.

    One source's breadth-first pass does not need another's, and igraph holds the GIL, so
    on a big graph the parts start at once in ``workers`` forked processes (default: one
    per core, :func:`_worker_count`), sharing the graph copy-on-write: at 500,000 HCPs this
    is most of scoring's time.
    """
    parts = [sources[i : i + PIVOTS_PER_PART] for i in range(0, len(sources), PIVOTS_PER_PART)]
    workers = workers or _worker_count(graph, len(parts))
    if workers == 1:
        yield lambda: _summed(_part_dependencies(part, graph) for part in parts)
        return
    global _shared_graph
    _shared_graph = graph
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=end_with_parent, initargs=(os.getpid(),)
    ) as pool:
        try:  # every worker is forked at the first submission
            futures = [pool.submit(_part_dependencies, part) for part in parts]
        finally:
            _shared_graph = None
        try:
            yield lambda: _collected(futures, parts, graph)
        finally:
            for future in futures:  # left early (an error): no waiting for unneeded parts
                future.cancel()


def end_with_parent(parent: int) -> None:
    """In a forked worker: be ended when the process that forked it dies.  Otherwise a load
    the system kills for memory leaves its workers running, each with the graph, for the
    minutes their part still takes (Linux; elsewhere they end when they next write back)."""
    try:
        libc = ctypes.CDLL(None)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):  # no prctl: not Linux
        return
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)


def _collected(futures: list[Future], parts: list[list[int]], graph: igraph.Graph) -> np.ndarray:
    """The workers' parts summed; if a worker died (the system short of memory kills the
    biggest process it can), every part again in this process: slower, the same result."""
    try:
        return _summed(future.result() for future in futures)
    except BrokenProcessPool:
        return _summed(_part_dependencies(part, graph) for part in parts)


def _summed(parts: Iterable[np.ndarray]) -> np.ndarray:
    total: np.ndarray | None = None
    for part in parts:
        total = part if total is None else total + part
    assert total is not None
    return total


def _part_dependencies(sources: list[int], graph: igraph.Graph | None = None) -> np.ndarray:
    """One part's dependencies, on ``graph`` or, in a forked worker, the shared graph."""
    graph = graph if graph is not None else _shared_graph
    assert graph is not None
    return np.asarray(graph.betweenness(directed=False, sources=sources), dtype=float)


def _worker_count(graph: igraph.Graph, parts: int) -> int:
    """Processes for the estimate: one per usable core on a big graph, when forking is safe
    (no other thread running, whose locks a child would inherit held); else 1."""
    if graph.ecount() < PARALLEL_MIN_EDGES or threading.active_count() > 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(parts, cores or 1))


# --- combining --------------------------------------------------------------------------------


def component_values(
    projection: Projection,
    config: ScoringConfig | None = None,
    as_of: int | None = None,
    papers: pd.DataFrame | None = None,
    graph: igraph.Graph | None = None,
    betweenness: Callable[[], np.ndarray] | None = None,
) -> pd.DataFrame:
    """The raw value of every component (columns :data:`COMPONENTS`), indexed by ``hcp_id``.

    ``graph`` may pass the projection's :func:`coauthor_graph`, and ``betweenness`` its
    :func:`betweenness_estimate` already under way (asked for last)."""
    config, as_of = config or ScoringConfig(), as_of or date.today().year
    papers = papers if papers is not None else weighted_authorships(projection, config)
    graph = graph if graph is not None else coauthor_graph(projection)
    values = {
        "publication_output": publication_output(projection, config, as_of, papers),
        "citation_impact": citation_impact(projection, config, as_of, papers),
        "coauthor_pagerank": coauthor_pagerank(projection, config, graph),
        "trial_leadership": trial_leadership(projection, config),
        "coauthor_betweenness": (
            _by_vertex(projection, graph, betweenness())
            if betweenness is not None
            else coauthor_betweenness(projection, config, graph)
        ),
    }
    return pd.DataFrame({name: values[name] for name in COMPONENTS}, index=hcp_ids(projection))


def percentile(values: pd.Series) -> pd.Series:
    """Percentile rank 0-100 (ties share their average rank); no evidence (<= 0) is 0.

    The lowest distinct value maps to 0 and the highest to 100:
    ``100 * (average_rank - 1) / (n - 1)``.
    """
    n = len(values)
    if n <= 1:
        return pd.Series(np.where(values > 0, 100.0, 0.0), index=values.index)
    ranks = values.rank(method="average")
    result = 100.0 * (ranks - 1) / (n - 1)
    return result.where(values > 0, 0.0)


def combine(percentiles: pd.DataFrame, config: ScoringConfig) -> pd.Series:
    """Weighted mean of the component percentiles, rounded to 1 decimal: ``influence``."""
    weights = pd.Series(config.component_weights())
    total = (percentiles[weights.index] * weights).sum(axis=1) / weights.sum()
    return total.round(1)


def ranks(influence: pd.Series) -> pd.Series:
    """1 = highest influence; equal influence ranked by ``hcp_id`` (the index)."""
    id_rank = pd.Series(influence.index).rank(method="first").to_numpy()
    order = np.lexsort((id_rank, -influence.to_numpy()))
    result = np.empty(len(order), dtype=int)
    result[order] = np.arange(1, len(order) + 1)
    return pd.Series(result, index=influence.index)


def tiers(influence: pd.Series, cutoffs: tuple[float, ...]) -> pd.Series:
    """Tier 1, 2, ...: an HCP is in the first tier whose cumulative top-percent bound covers it.

    An HCP's position is its best rank among equal influence (so equals share a tier); it is
    in tier ``i`` when ``position <= ceil(cutoffs[i-1] percent of n)``.
    """
    n = len(influence)
    position = influence.rank(method="min", ascending=False).to_numpy()
    tier = 1 + sum((position > top_count(cut, n)).astype(int) for cut in cutoffs)
    return pd.Series(np.asarray(tier, dtype=int), index=influence.index)


def top_count(percent: float, n: int) -> int:
    """How many of ``n`` make the top ``percent``: ``ceil(percent * n / 100)``.

    Rounded first so that 5 % of 100 is exactly 5, not 6 through float noise; the ceiling
    gives small sets a first tier (the best of 10 is in the top 5 %).
    """
    return math.ceil(round(percent * n / 100, 9))


# --- rising stars -----------------------------------------------------------------------------


def rising_stars(
    projection: Projection,
    config: ScoringConfig | None = None,
    as_of: int | None = None,
    papers: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Growth of publication output and co-author count, last window vs the one before.

    Columns ``recent_papers, recent_output, recent_coauthors`` (and ``previous_...``),
    ``rising_score`` and ``rising``, indexed by ``hcp_id``.  ``rising_score`` is
    ``(log2((R_out+1)/(P_out+1)) + log2((R_co+1)/(P_co+1))) / 2`` for HCPs with at least
    ``rising_min_recent_papers`` recent papers, else 0; ``rising`` marks the top
    ``rising_top_percent`` of those, when their score is positive.
    """
    config, as_of = config or ScoringConfig(), as_of or date.today().year
    papers = papers if papers is not None else weighted_authorships(projection, config)
    index, width = hcp_ids(projection), config.rising_window_years
    cap = projection.coauthor_max_authors
    recent = _window_activity(papers, index, as_of - width + 1, as_of, cap)
    previous = _window_activity(papers, index, as_of - 2 * width + 1, as_of - width, cap)
    frame = pd.concat([recent.add_prefix("recent_"), previous.add_prefix("previous_")], axis=1)
    growth = (
        np.log2((frame["recent_output"] + 1) / (frame["previous_output"] + 1))
        + np.log2((frame["recent_coauthors"] + 1) / (frame["previous_coauthors"] + 1))
    ) / 2
    eligible = frame["recent_papers"] >= config.rising_min_recent_papers
    frame["rising_score"] = growth.where(eligible, 0.0).round(3)
    top = _top_growth(frame["rising_score"][eligible], config.rising_top_percent)
    frame["rising"] = top.reindex(frame.index, fill_value=False).astype(bool)
    return frame


def _window_activity(
    papers: pd.DataFrame, index: pd.Index, first: int, last: int, max_authors: int
) -> pd.DataFrame:
    """Per HCP, papers from ``first`` to ``last``: count, weighted output, distinct co-authors
    (on papers with at most ``max_authors`` authors, as ``COAUTHORED_WITH`` is derived)."""
    window = papers[(papers["year"] >= first) & (papers["year"] <= last) & (papers["hcp"] >= 0)]
    codes = window["hcp"].to_numpy()
    authors = np.bincount(papers["paper"].to_numpy(), minlength=1)
    linking = window[authors[window["paper"].to_numpy()] <= max_authors]
    pairs = _distinct_pairs(linking["paper"].to_numpy(), linking["hcp"].to_numpy(), len(index))
    n = len(index)
    return pd.DataFrame(
        {
            "papers": _sum_by_hcp(index, codes, 1.0).astype(int),
            "output": _sum_by_hcp(index, codes, window["author_weight"]),
            "coauthors": (
                _sum_by_hcp(index, pairs // n, 1.0) + _sum_by_hcp(index, pairs % n, 1.0)
            ).astype(int),
        }
    )


def _distinct_pairs(paper: np.ndarray, hcp: np.ndarray, n: int) -> np.ndarray:
    """Every pair of HCP codes sharing a paper, once, as ``low * n + high`` (sorted)."""
    if not len(paper):
        return np.empty(0, dtype=np.int64)
    order = np.lexsort((hcp, paper))
    paper, hcp = paper[order], hcp[order]
    once = np.r_[True, (paper[1:] != paper[:-1]) | (hcp[1:] != hcp[:-1])]
    paper, hcp = paper[once], hcp[once]
    return distinct(pair_instance_keys(hcp, paper, n))


def _top_growth(scores: pd.Series, top_percent: float) -> pd.Series:
    """True for positive scores whose best rank among ``scores`` is in the top ``top_percent``."""
    position = scores.rank(method="min", ascending=False)
    return (position <= top_count(top_percent, len(scores))) & (scores > 0)


# --- the entry point --------------------------------------------------------------------------


def score_hcps(
    projection: Projection,
    config: ScoringConfig | None = None,
    as_of: int | None = None,
    graph: igraph.Graph | None = None,
    betweenness: Callable[[], np.ndarray] | None = None,
) -> pd.DataFrame:
    """Influence, rank, tier, component percentiles and the rising-star flag of every HCP.

    Returns one row per HCP, sorted by rank, with columns :data:`~kolgraph.schema.SCORE_COLUMNS`
    (``components``: component name -> percentile) and ``raw`` (component name -> raw value,
    kept so an explanation need not run the graph algorithms again), as the stores'
    ``write_scores`` takes it.
    ``as_of`` (default: this year) is the year recency and the rising-star windows count from.
    ``graph`` and ``betweenness`` as :func:`component_values` takes them; without them the
    estimate starts first, so on a big graph it runs beside everything else.
    """
    config, as_of = config or ScoringConfig(), as_of or date.today().year
    graph = graph if graph is not None else coauthor_graph(projection)
    with ExitStack() as stack:
        if betweenness is None:
            betweenness = stack.enter_context(betweenness_estimate(graph, config))
        papers = weighted_authorships(projection, config)
        rising = rising_stars(projection, config, as_of, papers)
        raw = component_values(projection, config, as_of, papers, graph, betweenness)
    percentiles = raw.apply(percentile).round(1)
    influence = combine(percentiles, config)
    frame = pd.DataFrame(
        {
            "hcp_id": influence.index.to_numpy(dtype=object),
            "influence": influence.to_numpy(),
            "tier": tiers(influence, config.tier_cutoffs).to_numpy(),
            "rank": ranks(influence).to_numpy(),
            "components": [
                dict(zip(COMPONENTS, map(float, row)))
                for row in percentiles[list(COMPONENTS)].itertuples(index=False)
            ],
            "rising": rising["rising"].to_numpy(dtype=bool),
            "rising_score": rising["rising_score"].to_numpy(dtype=float),
            "raw": [
                dict(zip(COMPONENTS, map(float, row)))
                for row in raw[list(COMPONENTS)].itertuples(index=False)
            ],
        }
    )
    return frame.sort_values("rank", kind="stable").reset_index(drop=True)
