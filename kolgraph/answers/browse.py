"""What a user browses: search, top lists, profiles, recent insights and network views.

Stores fetch raw rows (:class:`~kolgraph.store.base.GraphReads`); every rule that decides an answer --
matching, ordering, the current institution, engagement status, network filters -- lives
here, so both stores give identical answers.

Rules:

* **Search**: ``text`` is matched case-insensitively (``str.lower``) as a substring of the
  HCP's name, specialty, the name of any institution the HCP is or was affiliated with, or
  any MeSH term of a publication the HCP authored; blank text matches every HCP.  Results:
  highest influence first (unscored last), then name, then ``hcp_id``.
* **Institution** shown for an HCP: the main current one
  (:func:`kolgraph.answers.gaps.current_institution`).
* **Engagement** (network colours): ``engaged`` when the last touchpoint on or before
  ``as_of`` is at most ``stale_days`` old, ``stale`` when older, ``never`` without one.
* **Networks**: co-authorships with ``papers >= min_papers`` are the edges.  ``hcp``: the HCP
  and everyone within ``hops`` (1 or 2) edges; ``institution``: HCPs currently affiliated
  with it; ``territory``: HCPs of that territory.  Node filters (tier, specialty, territory,
  engagement) then drop nodes, never the centre of an ego network.
* **Recent insights**: touchpoints whose insight text is not blank (``str.strip``) with an
  HCP of tier 1 or 2 (:data:`RECENT_INSIGHT_TIERS`), of the territory when given (the HCP's),
  newest first by ``(date, touchpoint_id)`` descending: the ``newest`` rows of
  :func:`kolgraph.analytics.insights.insight_summary`, read without whole tables.
* **Cap**: with ``NetworkFilters.cap`` set, a network with more nodes than the cap keeps the
  ``cap`` most influential (unscored count as 0; ties by ``hcp_id``), the ego centre always
  among them, and only the edges among those are read.  ``graph.graph["total"]`` is the
  number of nodes before the cap (the number of nodes when nothing was capped).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from kolgraph.answers.gaps import DEFAULT_STALE_DAYS, current_institution
from kolgraph.errors import InputError, NotFoundError

if TYPE_CHECKING:
    import networkx as nx

SEARCH_FIELDS = (
    "hcp_id",
    "name",
    "specialty",
    "territory",
    "institution",
    "tier",
    "influence",
    "rank",
    "matched",
)
#: What a search can match, in the order ``matched`` lists them.
MATCH_KINDS = ("name", "specialty", "institution", "topic")
TOP_FIELDS = ("hcp_id", "name", "rank", "influence", "tier", "components")
RISING_FIELDS = ("hcp_id", "name", "rank", "influence", "tier", "rising_score", "components")
SCORE_FIELDS = ("influence", "tier", "rank", "components", "rising", "rising_score")
HCP_FIELDS = (
    "hcp_id",
    "first_name",
    "last_name",
    "name",
    "credentials",
    "specialty",
    "city",
    "state",
    "country",
    "territory",
    "npi",
    "orcid",
    "email",
)
NETWORK_KINDS = ("hcp", "institution", "territory")
ENGAGEMENT = ("engaged", "stale", "never")
MAX_SEARCH_LIMIT = 1000
#: The columns of a recent insight (those of ``kolgraph.analytics.insights.NEWEST_COLUMNS``,
#: not imported: that module loads scikit-learn, which a store should not need).
RECENT_INSIGHT_FIELDS = (
    "date",
    "touchpoint_id",
    "hcp_id",
    "hcp_name",
    "tier",
    "territory",
    "msl_id",
    "msl_name",
    "insight_category",
    "sentiment",
    "topic",
    "insight",
)
#: Recent insights come from HCPs of these tiers (``insights.NEWEST_TIERS``).
RECENT_INSIGHT_TIERS = (1, 2)


@dataclass(frozen=True)
class NetworkFilters:
    """What a network view shows; impossible values raise :class:`InputError`."""

    hops: int = 1
    min_papers: int = 1
    tiers: frozenset[int] = frozenset()  # empty: every tier (and unscored HCPs)
    specialty: str | None = None
    territory: str | None = None
    engagement: frozenset[str] = frozenset()  # empty: every status
    as_of: date = field(default_factory=date.today)
    stale_days: int = DEFAULT_STALE_DAYS
    cap: int | None = None  # None: every node; else at most this many (the most influential)

    def __post_init__(self) -> None:
        if self.cap is not None and self.cap < 1:
            raise InputError(f"the node cap must be at least 1 (got {self.cap})")
        if self.hops not in (1, 2):
            raise InputError(f"hops must be 1 or 2 (got {self.hops})")
        if self.min_papers < 1:
            raise InputError(
                f"the minimum of joint papers must be at least 1 (got {self.min_papers})"
            )
        if self.stale_days < 0:
            raise InputError(f"stale days must be 0 or more (got {self.stale_days})")
        unknown = set(self.engagement) - set(ENGAGEMENT)
        if unknown:
            raise InputError(
                f"engagement must be among {', '.join(ENGAGEMENT)} (got {', '.join(sorted(unknown))})"
            )

    def keeps(self, node: Mapping) -> bool:
        """Whether a node (with the attributes of :func:`network_node`) passes the filters."""
        return (
            (not self.tiers or node.get("tier") in self.tiers)
            and (self.specialty is None or node.get("specialty") == self.specialty)
            and (self.territory is None or node.get("territory") == self.territory)
            and (not self.engagement or node.get("engagement") in self.engagement)
        )


# --- search ----------------------------------------------------------------------------------


def check_search(text: str | None, limit: int) -> str:
    """The normalised (lower-case, stripped) search text; InputError for a bad limit."""
    if not 1 <= limit <= MAX_SEARCH_LIMIT:
        raise InputError(f"the limit must be between 1 and {MAX_SEARCH_LIMIT} (got {limit})")
    return (text or "").strip().lower()


def best_matches(rows: Iterable[Mapping], limit: int) -> list[Mapping]:
    """Search rows in answer order (highest influence first, unscored last, then name and
    ``hcp_id``), at most ``limit``."""
    return heapq.nsmallest(  # sorted(...)[:limit], without sorting every HCP
        limit,
        rows,
        key=lambda r: (
            r["influence"] is None,
            -(_float(r["influence"]) or 0),
            r["name"] or "",
            r["hcp_id"],
        ),
    )


def search_row(row: Mapping, affiliations: Iterable[tuple]) -> dict:
    """One search answer row (:data:`SEARCH_FIELDS`) with plain types; ``affiliations`` are
    the HCP's current ones as ``(start_year, institution_id, name)``."""
    return {
        "hcp_id": row["hcp_id"],
        "name": row["name"],
        "specialty": row["specialty"],
        "territory": row["territory"],
        "institution": current_institution(affiliations),
        "tier": _int(row["tier"]),
        "influence": _float(row["influence"]),
        "rank": _int(row["rank"]),
        "matched": list(row["matched"]),
    }


def finish_top(rows: Iterable[Mapping], limit: int) -> list[dict]:
    """Rows of :data:`TOP_FIELDS` by rank (then ``hcp_id``), at most ``limit``."""
    _check_limit(limit)
    answer = [_top_row(r) for r in rows]
    answer.sort(key=lambda r: (r["rank"], r["hcp_id"]))
    return answer[:limit]


def finish_rising(rows: Iterable[Mapping], limit: int) -> list[dict]:
    """Rows of :data:`RISING_FIELDS`, fastest growth first (then rank), at most ``limit``."""
    _check_limit(limit)
    answer = [{**_top_row(r), "rising_score": float(r["rising_score"])} for r in rows]
    answer.sort(key=lambda r: (-r["rising_score"], r["rank"], r["hcp_id"]))
    return [{field: r[field] for field in RISING_FIELDS} for r in answer[:limit]]


def _check_limit(limit: int) -> None:
    if limit < 1:
        raise InputError("--limit must be at least 1")


def _top_row(row: Mapping) -> dict:
    return {
        "hcp_id": row["hcp_id"],
        "name": row["name"],
        "rank": int(row["rank"]),
        "influence": float(row["influence"]),
        "tier": int(row["tier"]),
        "components": dict(row["components"]),
    }


# --- profile ---------------------------------------------------------------------------------


def finish_profile(
    hcp: Mapping,
    score: Mapping | None,
    affiliations: Iterable[Mapping],
    publications: Iterable[Mapping],
    trials: Iterable[Mapping],
    touchpoints: Iterable[Mapping],
    publication_count: int,
) -> dict:
    """The profile dict of :meth:`GraphStore.hcp_profile`, every list in display order
    (``publications`` may be the latest of ``publication_count``)."""
    return {
        "hcp": {f: hcp.get(f) for f in HCP_FIELDS},
        "score": _score(score),
        "affiliations": sorted(
            (_affiliation(a) for a in affiliations),
            key=lambda a: (not a["current"], -(a["start_year"] or 0), a["institution_id"]),
        ),
        "publications": sorted(
            (_publication(p) for p in publications), key=lambda p: (-(p["year"] or 0), p["pmid"])
        ),
        "publication_count": int(publication_count),
        "trials": sorted(
            (_trial(t) for t in trials), key=lambda t: (-(t["start_year"] or 0), t["nct_id"])
        ),
        "touchpoints": sorted(
            (_touchpoint(t) for t in touchpoints),
            key=lambda t: (t["date"], t["touchpoint_id"]),
            reverse=True,
        ),
    }


def _score(score: Mapping | None) -> dict | None:
    if score is None or score.get("influence") is None:
        return None
    return {
        "influence": float(score["influence"]),
        "tier": int(score["tier"]),
        "rank": int(score["rank"]),
        "components": dict(score["components"] or {}),
        "rising": bool(score["rising"]),
        "rising_score": _float(score["rising_score"]),
    }


def _affiliation(row: Mapping) -> dict:
    return {
        "institution_id": row["institution_id"],
        "institution": row["institution"],
        "type": row["type"],
        "city": row["city"],
        "role": row["role"],
        "start_year": _int(row["start_year"]),
        "end_year": _int(row["end_year"]),
        "current": row["end_year"] is None,
    }


def _publication(row: Mapping) -> dict:
    return {
        "pmid": row["pmid"],
        "title": row["title"],
        "journal": row["journal"],
        "year": _int(row["year"]),
        "citation_count": _int(row["citation_count"]),
        "position": _int(row["position"]),
        "last_author": bool(row["last_author"]),
        "mesh_terms": list(row["mesh_terms"] or []),
    }


def _trial(row: Mapping) -> dict:
    return {
        "nct_id": row["nct_id"],
        "title": row["title"],
        "phase": row["phase"],
        "status": row["status"],
        "conditions": list(row["conditions"] or []),
        "start_year": _int(row["start_year"]),
        "role": row["role"],
    }


def _touchpoint(row: Mapping) -> dict:
    return {
        k: row[k]
        for k in (
            "touchpoint_id",
            "date",
            "msl_id",
            "msl_name",
            "channel",
            "topic",
            "insight",
            "insight_category",
            "sentiment",
        )
    }


# --- recent insights -------------------------------------------------------------------------

#: Touchpoints read first for :func:`recent_insights` (then four times more each round).
RECENT_INSIGHT_WINDOW = 64


def recent_insights(
    fetch: Callable[[int], Sequence[Mapping]],
    territory: str | None,
    limit: int,
    narrowing: InsightNarrowing | None = None,
) -> list[dict]:
    """The ``limit`` newest insights (see the module docstring) of ``territory`` (None: all),
    of those ``narrowing`` keeps when given.

    ``fetch(n)`` gives a store's ``n`` newest touchpoints whose insight is not blank as far
    as its query language can tell (dated through ``narrowing.as_of``), newest first, each
    with the fields of :data:`RECENT_INSIGHT_FIELDS` (tier and territory from its HCP, None
    when unknown).  The window grows until it holds ``limit`` answers, reaches back before
    ``narrowing.since`` or holds every touchpoint: the newest ones are read by date, never
    the whole table, and the rules are applied here, once for all stores.
    """
    if limit < 1:
        raise InputError(f"the limit must be at least 1 (got {limit})")
    narrowing = narrowing or InsightNarrowing()
    if narrowing.tier is not None and narrowing.tier not in RECENT_INSIGHT_TIERS:
        return []
    window = max(RECENT_INSIGHT_WINDOW, 4 * limit)
    while True:
        rows = fetch(window)
        kept = [
            _recent_insight(r)
            for r in rows
            if _is_recent_insight(r, territory) and narrowing.keeps(r)
        ]
        if len(kept) >= limit or len(rows) < window or narrowing.passed(rows):
            kept.sort(key=lambda r: (r["date"], r["touchpoint_id"]), reverse=True)
            return kept[:limit]
        window *= 4


@dataclass(frozen=True)
class InsightNarrowing:
    """The insights report's filters beyond the territory (checked values): insights dated
    ``since`` through ``as_of`` (ISO dates), of HCPs of one ``tier``, of one ``category``."""

    since: str | None = None
    as_of: str | None = None
    tier: int | None = None
    category: str | None = None

    def keeps(self, row: Mapping) -> bool:
        """Whether a touchpoint row passes these filters."""
        return (
            (self.since is None or row["date"] >= self.since)
            and (self.as_of is None or row["date"] <= self.as_of)
            and (self.tier is None or _int(row["tier"]) == self.tier)
            and (self.category is None or row["insight_category"] == self.category)
        )

    def params(self) -> dict[str, object]:
        """These filters as query parameters (``as_of`` as ``through``)."""
        return {
            "since": self.since,
            "through": self.as_of,
            "tier": self.tier,
            "category": self.category,
        }

    def passed(self, rows: Sequence[Mapping]) -> bool:
        """Whether rows read newest first reach back before ``since``: no older row can count."""
        return self.since is not None and bool(rows) and rows[-1]["date"] < self.since


def _is_recent_insight(row: Mapping, territory: str | None) -> bool:
    return (
        bool((row["insight"] or "").strip())
        and _int(row["tier"]) in RECENT_INSIGHT_TIERS
        and (territory is None or row["territory"] == territory)
    )


def _recent_insight(row: Mapping) -> dict:
    return {**{f: row[f] for f in RECENT_INSIGHT_FIELDS}, "tier": _int(row["tier"])}


# --- networks ----------------------------------------------------------------------------------

#: Co-author edges around the ids given: ``(hcp_a, hcp_b, papers)`` with papers >= min_papers.
Neighbours = Callable[[list[str], int], list[tuple[str, str, int]]]


def ego_ids(hcp_id: str, hops: int, min_papers: int, neighbours: Neighbours) -> set[str]:
    """The HCP and every HCP within ``hops`` co-authorship edges of it."""
    seen, frontier = {hcp_id}, [hcp_id]
    for _ in range(hops):
        found = {other for a, b, _p in neighbours(frontier, min_papers) for other in (a, b)}
        frontier = sorted(found - seen)
        seen |= found
    return seen


def engagement(last_touch: str | None, as_of: date, stale_days: int) -> str:
    """``engaged``, ``stale`` or ``never`` (see the module docstring).

    >>> engagement("2024-03-01", date(2024, 3, 31), 30), engagement(None, date(2024, 3, 31), 30)
    ('engaged', 'never')
    """
    if last_touch is None:
        return "never"
    return "engaged" if last_touch >= (as_of - timedelta(days=stale_days)).isoformat() else "stale"


def network_node(row: Mapping, filters: NetworkFilters) -> dict:
    """Node attributes for :func:`kolgraph.web.network_render.render_network` from a store row
    (``hcp_id, name, tier, influence, territory, specialty, affiliations, last_touch``)."""
    return {
        "name": row["name"],
        "tier": _int(row["tier"]),
        "influence": _float(row["influence"]),
        "territory": row["territory"],
        "specialty": row["specialty"],
        "institution": current_institution(row["affiliations"]),
        "last_touch": row["last_touch"],
        "engagement": engagement(row["last_touch"], filters.as_of, filters.stale_days),
    }


def build_network(
    nodes: Iterable[Mapping],
    edges: Iterable[tuple[str, str, int]],
    filters: NetworkFilters,
    keep: str | None = None,
) -> nx.Graph:
    """The graph of the nodes passing ``filters`` (``keep``, an ego centre, always stays) and
    the edges between them; nodes and edges inserted in id order, so the graph is stable."""
    import networkx as nx  # here: only network views need it, not every command's start

    graph = nx.Graph()
    for row in sorted(nodes, key=lambda r: r["hcp_id"]):
        attrs = network_node(row, filters)
        if row["hcp_id"] == keep or filters.keeps(attrs):
            graph.add_node(row["hcp_id"], **attrs)
    graph.add_edges_from(
        (a, b, {"papers": int(papers)})
        for a, b, papers in sorted(edges)
        if a in graph and b in graph
    )
    return graph


#: The HCP ids of an institution's or a territory's network (None: no such institution / HCP).
Members = Callable[[str, str], list[str] | None]
#: Node rows (see :func:`network_node`) of the ids given, touches counted up to ``as_of``.
NodeRows = Callable[[list[str], str], list[dict]]
#: Co-author edges ``(hcp_a, hcp_b, papers)`` among the ids given with papers >= min_papers.
EdgesAmong = Callable[[list[str], int], list[tuple[str, str, int]]]


def assemble_network(
    kind: str,
    key: str,
    filters: NetworkFilters,
    *,
    members: Members,
    neighbours: Neighbours,
    node_rows: NodeRows,
    edges_among: EdgesAmong,
) -> nx.Graph:
    """The network of :meth:`GraphStore.network` from a store's primitives.

    Raises :class:`NotFoundError` for an unknown HCP or institution; an unknown territory is
    an empty graph.
    """
    check_network(kind)
    ids = members(kind, key)
    if ids is None:
        noun = "HCP with hcp_id" if kind == "hcp" else "institution with institution_id"
        raise NotFoundError(f"no {noun} {key!r}")
    if kind == "hcp":
        ids = sorted(ego_ids(key, filters.hops, filters.min_papers, neighbours))
    rows = node_rows(sorted(ids), filters.as_of.isoformat())
    centre = key if kind == "hcp" else None
    kept = [r for r in rows if r["hcp_id"] == centre or filters.keeps(network_node(r, filters))]
    shown = most_influential_rows(kept, filters.cap, keep=centre)
    # Edges are read only among the shown nodes: on big networks they are most of the cost.
    edges = edges_among(sorted(r["hcp_id"] for r in shown), filters.min_papers) if shown else []
    graph = build_network(shown, edges, filters, keep=centre)
    graph.graph["total"] = len(kept)
    return graph


def most_influential_rows(
    rows: Sequence[Mapping], cap: int | None, keep: str | None = None
) -> list[Mapping]:
    """``rows`` when at most ``cap`` (or no cap), else the ``cap`` most influential, ``keep``
    (an ego centre) always among them; unscored count as 0, ties go by ``hcp_id``.

    >>> rows = [{"hcp_id": "a", "influence": 9}, {"hcp_id": "b", "influence": None},
    ...         {"hcp_id": "c", "influence": 50}]
    >>> [r["hcp_id"] for r in most_influential_rows(rows, 2, keep="b")]
    ['b', 'c']
    """
    if cap is None or len(rows) <= cap:
        return list(rows)
    ranked = sorted(
        rows, key=lambda r: (r["hcp_id"] != keep, -(_float(r["influence"]) or 0.0), r["hcp_id"])
    )
    return ranked[:cap]


def check_network(kind: str) -> None:
    """InputError unless ``kind`` is one of :data:`NETWORK_KINDS`."""
    if kind not in NETWORK_KINDS:
        raise InputError(
            f"the network kind must be one of {', '.join(NETWORK_KINDS)} (got {kind!r})"
        )


def _int(value) -> int | None:
    return None if value is None else int(value)


def _float(value) -> float | None:
    return None if value is None else float(value)
