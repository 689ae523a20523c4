"""Co-authors, suggestions, paths and warm introductions on Neo4j (a mixin of ``Neo4jStore``).

Every statement is a ``.cypher`` file run in a managed read transaction.  The searches are
driven from Python, one small query per breadth-first layer (``expand_path_frontier``), so
the deciding logic -- distances, the lexicographic tie-break, scores -- is the very code the
embedded store runs (:mod:`kolgraph.analytics.network`), and both stores agree exactly.
Neo4j's own ``shortestPath`` / ``SHORTEST`` would find *a* shortest path, not the one the
tie-break names, and enumerating all shortest paths explodes on a co-authorship graph.

Latency: a warm introduction's layer query also reports which neighbours are engaged, so a
layer costs one round trip, not two; and the searches pass their id lists inside map
parameters, because Neo4j plans a query again for every new list-size bucket of a list
parameter (a new plan costs 50-300 ms, more than a whole warm search).
"""

from __future__ import annotations

from datetime import date

from kolgraph.analytics import network
from kolgraph.analytics.network import HCP, INSTITUTION, HopFacts, Neighbourhood, Node
from kolgraph.errors import NotFoundError

#: The ``window`` parameter of ``expand_path_frontier`` when no engagement is wanted.
NO_WINDOW = {"since": None, "as_of": None, "territory": None}


class Neo4jNetworkQueries:
    """``coauthors``, ``suggest_collaborators``, ``shortest_path``, ``warm_intro`` for
    :class:`~kolgraph.store.neo4j.Neo4jStore`."""

    def coauthors(self, hcp_id: str) -> list[dict]:
        """An HCP's co-authors, most joint publications first (then latest year, hcp_id)."""
        rows = self._read("read_hcp_coauthors", hcp_id=hcp_id)
        if not rows:
            raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")
        return network.sort_coauthors(rows[0]["coauthors"])

    def suggest_collaborators(self, hcp_id: str, limit: int = 10) -> list[dict]:
        """People the HCP has not published with, best link-prediction score first."""
        network.check_limit(limit)
        rows = self._read("read_collaboration_neighbourhood", hcp_id=hcp_id)
        if not rows:
            raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")
        return network.suggest(_neighbourhood(hcp_id, rows[0]), self._details, limit)

    def shortest_path(self, from_id: str, to_id: str) -> dict | None:
        """The shortest co-authorship / current-institution path, or ``None``."""
        return network.path_between(
            from_id,
            to_id,
            known=self._known,
            expand=lambda nodes: self._expand(nodes, NO_WINDOW)[0],
            hop_facts=self._hop_facts,
        )

    def warm_intro(
        self, target_id: str, as_of: date, stale_days: int, territory: str | None = None
    ) -> dict | None:
        """The shortest path to the target from an HCP engaged within the window."""
        since, until = network.engagement_window(as_of, stale_days)
        layer = _EngagedLayer(self, {"since": since, "as_of": until, "territory": territory})
        return network.intro_to(
            target_id,
            known=self._known,
            expand=layer.expand,
            engaged=layer.engaged,
            hop_facts=self._hop_facts,
        )

    # --- reading ------------------------------------------------------------------------------

    def _known(self, ids: list[str]) -> set[str]:
        return self.existing_keys("hcps", ids)

    def _expand(self, nodes: list[Node], window: dict) -> tuple[dict[Node, list[Node]], dict]:
        """Each node's neighbours in the path graph, and the engaged neighbour HCPs
        (hcp_id -> last touch; none when ``window["since"]`` is None), in one round trip."""
        frontier = {
            "hcp_ids": [n.id for n in nodes if n.kind == HCP],
            "institution_ids": [n.id for n in nodes if n.kind == INSTITUTION],
        }
        (row,) = self._read("expand_path_frontier", frontier=frontier, window=window)
        neighbours = {
            Node(node_id, kind): [Node(h, HCP) for h in hcps]
            + [Node(i, INSTITUTION) for i in institutions]
            for node_id, kind, hcps, institutions in row["rows"]
        }
        return neighbours, dict(row["engaged"])

    def _engaged(self, ids: list[str], window: dict) -> dict[str, str]:
        """hcp_id -> last touch of the given HCPs engaged in ``window``."""
        rows = self._read(
            "read_engaged_hcps",
            hcp_ids=ids,
            since=window["since"],
            as_of=window["as_of"],
            territory=window["territory"],
        )
        return {r["hcp_id"]: r["last_touch"] for r in rows}

    def _details(self, ids: list[str]) -> dict[str, tuple[str, frozenset]]:
        (row,) = self._read("read_hcp_topics", request={"hcp_ids": ids})
        return {hcp_id: (name, frozenset(topics)) for hcp_id, name, topics in row["rows"]}

    def _hop_facts(self, path: list[Node]) -> HopFacts:
        hcps, institutions, pairs = network.hop_requests(path)
        (row,) = self._read(
            "read_path_evidence",
            path={
                "hcp_ids": hcps,
                "institution_ids": institutions,
                "pairs": [list(p) for p in pairs],
            },
        )
        return HopFacts(
            names=dict(row["hcps"]),
            institutions=dict(row["institutions"]),
            pairs={(a, b): (p, f, l) for a, b, p, f, l in row["pairs"]},
        )


class _EngagedLayer:
    """``expand`` and ``engaged`` for one warm-introduction search, sharing round trips.

    :func:`network.nearest_source_path` asks ``engaged`` about the layer ``expand`` just
    returned; every HCP of that layer is a neighbour of the expanded frontier, whose engaged
    neighbours the layer query already reported.  Other ids (the target) are read.
    """

    def __init__(self, store: Neo4jNetworkQueries, window: dict):
        self._store = store
        self._window = window
        self._checked: set[str] = set()
        self._found: dict[str, str] = {}

    def expand(self, nodes: list[Node]) -> dict[Node, list[Node]]:
        neighbours, self._found = self._store._expand(nodes, self._window)
        self._checked = {n.id for found in neighbours.values() for n in found if n.kind == HCP}
        return neighbours

    def engaged(self, ids: list[str]) -> dict[str, str]:
        if self._checked.issuperset(ids):
            return {i: self._found[i] for i in ids if i in self._found}
        return self._store._engaged(ids, self._window)


def _neighbourhood(hcp_id: str, row: dict) -> Neighbourhood:
    coauthors = {c: (name, theirs) for c, name, theirs in row["coauthors"]}
    institutions = {i: (name, members) for i, name, members in row["institutions"]}
    return Neighbourhood(hcp_id, coauthors, institutions)
