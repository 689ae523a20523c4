"""Co-authors, suggestions, paths and warm introductions on the embedded store (a mixin).

Paths, introductions and suggestions walk an in-memory adjacency (co-authors, current
affiliations, names) and suggestions read cached MeSH term sets, both built from the SQLite
tables on first use, shared by every connection to the same file, and rebuilt when the
store's ``store_version`` (bumped by every write transaction) changes.  The few facts a
single answer needs (touchpoints, evidence) are read with indexed SQL.  The deciding logic
is shared with Neo4j in :mod:`kolgraph.analytics.network`.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from kolgraph.analytics import network
from kolgraph.analytics.network import HCP, INSTITUTION, HopFacts, Neighbourhood, Node
from kolgraph.errors import NotFoundError

_COAUTHORS = """
SELECT c.other, h.name, c.papers, c.last_year
FROM (SELECT hcp_b AS other, papers, last_year FROM coauthorships WHERE hcp_a = ?1
      UNION ALL
      SELECT hcp_a, papers, last_year FROM coauthorships WHERE hcp_b = ?1) AS c
JOIN hcps AS h ON h.hcp_id = c.other
"""
_PUBLICATION_TOPICS = "SELECT pmid, mesh_terms FROM publications WHERE mesh_terms <> '[]'"
_ENGAGED = """
SELECT t.hcp_id, MAX(t.date)
FROM touchpoints AS t JOIN hcps AS h ON h.hcp_id = t.hcp_id
WHERE t.hcp_id IN (SELECT value FROM json_each(?1)) AND t.date >= ?2 AND t.date <= ?3
  AND (?4 IS NULL OR h.territory = ?4)
GROUP BY t.hcp_id
"""
_PAIRS = """
SELECT hcp_a, hcp_b, papers, first_year, last_year FROM coauthorships
WHERE (hcp_a, hcp_b) IN (SELECT value ->> 0, value ->> 1 FROM json_each(?1))
"""
_INSTITUTION_NAMES = """
SELECT institution_id, name FROM institutions
WHERE institution_id IN (SELECT value FROM json_each(?1))
"""


@dataclass(frozen=True)
class _PathGraph:
    """The adjacency every path and suggestion walks (current affiliations only)."""

    names: dict[str, str]
    coauthors: dict[str, list[str]]
    institutions: dict[str, list[str]]  # hcp_id -> current institution ids
    members: dict[str, list[str]]  # institution_id -> current member hcp ids


class EmbeddedNetworkQueries:
    """``coauthors``, ``suggest_collaborators``, ``shortest_path``, ``warm_intro`` for
    :class:`~kolgraph.store.embedded.EmbeddedStore`."""

    def coauthors(self, hcp_id: str) -> list[dict]:
        """An HCP's co-authors, most joint publications first (then latest year, hcp_id)."""
        network.require_hcps([hcp_id], self._known)
        rows = self._select(_COAUTHORS, "read co-authors", (hcp_id,))
        return network.sort_coauthors(
            {"hcp_id": o, "name": n, "joint_publications": p, "last_year": y} for o, n, p, y in rows
        )

    def suggest_collaborators(self, hcp_id: str, limit: int = 10) -> list[dict]:
        """People the HCP has not published with, best link-prediction score first."""
        network.check_limit(limit)
        graph = self._graph()
        if hcp_id not in graph.names:
            raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")
        own = graph.institutions.get(hcp_id, [])
        names = dict(self._select(_INSTITUTION_NAMES, "read institutions", (json.dumps(own),)))
        return network.suggest(
            _neighbourhood(graph, hcp_id, names), lambda ids: self._details(graph, ids), limit
        )

    def shortest_path(self, from_id: str, to_id: str) -> dict | None:
        """The shortest co-authorship / current-institution path, or ``None``."""
        graph = self._graph()
        return network.path_between(
            from_id,
            to_id,
            known=self._known,
            expand=lambda nodes: _expand(graph, nodes),
            hop_facts=lambda path: self._hop_facts(graph, path),
        )

    def warm_intro(
        self, target_id: str, as_of: date, stale_days: int, territory: str | None = None
    ) -> dict | None:
        """The shortest path to the target from an HCP engaged within the window."""
        since, until = network.engagement_window(as_of, stale_days)
        graph = self._graph()

        def engaged(ids: list[str]) -> dict[str, str]:
            params = (json.dumps(ids), since, until, territory)
            return dict(self._select(_ENGAGED, "read touchpoints", params))

        return network.intro_to(
            target_id,
            known=self._known,
            expand=lambda nodes: _expand(graph, nodes),
            engaged=engaged,
            hop_facts=lambda path: self._hop_facts(graph, path),
        )

    # --- reading ------------------------------------------------------------------------------

    def _known(self, ids: list[str]) -> set[str]:
        return self.existing_keys("hcps", ids)

    def _graph(self) -> _PathGraph:
        """The adjacency for the current ``store_version`` (built once per change)."""
        return self._cached("graph", _read_graph, "read the co-authorship network")

    def _details(self, graph: _PathGraph, ids: list[str]) -> dict[str, tuple[str, frozenset]]:
        topics = self._topics()
        return {i: (graph.names.get(i, i), frozenset(topics.get(i, ()))) for i in ids}

    def _topics(self) -> dict[str, tuple[str, ...]]:
        """Every HCP's MeSH terms over all their publications (cached like the graph).

        Built on the first suggestion (a few seconds at 50,000 HCPs): reading them per
        question costs a random publication lookup per paper, too slow for prolific HCPs.
        """
        return self._cached("topics", _read_topics, "read the co-authorship network")

    def _hop_facts(self, graph: _PathGraph, path: list[Node]) -> HopFacts:
        hcps, institutions, pairs = network.hop_requests(path)
        rows = self._select(_PAIRS, "read co-authors", (json.dumps(pairs),))
        names = dict(
            self._select(_INSTITUTION_NAMES, "read institutions", (json.dumps(institutions),))
        )
        return HopFacts(
            names={h: graph.names.get(h) for h in hcps},
            institutions=names,
            pairs={(a, b): (p, f, l) for a, b, p, f, l in rows},
        )


def _read_graph(con) -> _PathGraph:
    names = dict(con.execute("SELECT hcp_id, name FROM hcps"))
    coauthors: dict[str, list[str]] = defaultdict(list)
    for a, b in con.execute("SELECT hcp_a, hcp_b FROM coauthorships"):
        coauthors[a].append(b)
        coauthors[b].append(a)
    institutions: dict[str, list[str]] = defaultdict(list)
    members: dict[str, list[str]] = defaultdict(list)
    for hcp_id, institution_id in con.execute(
        "SELECT hcp_id, institution_id FROM affiliations WHERE end_year IS NULL"
    ):
        institutions[hcp_id].append(institution_id)
        members[institution_id].append(hcp_id)
    return _PathGraph(names, dict(coauthors), dict(institutions), dict(members))


def _read_topics(con) -> dict[str, tuple[str, ...]]:
    vocabulary: dict[str, str] = {}  # one string object per term, shared by every HCP
    terms = {
        pmid: [vocabulary.setdefault(t, t) for t in json.loads(mesh)]
        for pmid, mesh in con.execute(_PUBLICATION_TOPICS)
    }
    topics: dict[str, set[str]] = defaultdict(set)
    for hcp_id, pmid in con.execute("SELECT hcp_id, pmid FROM authorships"):
        if pmid in terms:
            topics[hcp_id].update(terms[pmid])
    return {hcp_id: tuple(sorted(found)) for hcp_id, found in topics.items()}


def _neighbourhood(
    graph: _PathGraph, hcp_id: str, institution_names: dict[str, str]
) -> Neighbourhood:
    coauthors = {
        c: (graph.names.get(c), graph.coauthors.get(c, [])) for c in graph.coauthors.get(hcp_id, [])
    }
    institutions = {
        i: (institution_names.get(i), graph.members.get(i, []))
        for i in graph.institutions.get(hcp_id, [])
    }
    return Neighbourhood(hcp_id, coauthors, institutions)


def _expand(graph: _PathGraph, nodes: list[Node]) -> dict[Node, list[Node]]:
    """Each node's neighbours in the path graph."""
    found = {}
    for node in nodes:
        if node.kind == HCP:
            found[node] = [Node(c, HCP) for c in graph.coauthors.get(node.id, ())] + [
                Node(i, INSTITUTION) for i in graph.institutions.get(node.id, ())
            ]
        else:
            found[node] = [Node(h, HCP) for h in graph.members.get(node.id, ())]
    return found
