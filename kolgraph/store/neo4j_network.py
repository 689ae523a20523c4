"""Co-authors, suggestions, paths and warm introductions on Neo4j (a mixin of ``Neo4jStore``).

Every statement is a ``.cypher`` file run in a managed read transaction.  The searches are
driven from Python, one small query per breadth-first layer (``expand_path_frontier``), so
the deciding logic -- distances, the lexicographic tie-break, scores -- is the very code the
embedded store runs (:mod:`kolgraph.analytics.network`), and both stores agree exactly.
Neo4j's own ``shortestPath`` / ``SHORTEST`` would find *a* shortest path, not the one the
tie-break names, and enumerating all shortest paths explodes on a co-authorship graph.
"""

from __future__ import annotations

from datetime import date

from kolgraph.analytics import network
from kolgraph.analytics.network import HCP, INSTITUTION, HopFacts, Neighbourhood, Node
from kolgraph.errors import NotFoundError


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
        return network.path_between(from_id, to_id, known=self._known, expand=self._expand,
                                     hop_facts=self._hop_facts)

    def warm_intro(self, target_id: str, as_of: date, stale_days: int,
                   territory: str | None = None) -> dict | None:
        """The shortest path to the target from an HCP engaged within the window."""
        since, until = network.engagement_window(as_of, stale_days)

        def engaged(ids: list[str]) -> dict[str, str]:
            rows = self._read("read_engaged_hcps", hcp_ids=ids, since=since, as_of=until,
                              territory=territory)
            return {r["hcp_id"]: r["last_touch"] for r in rows}

        return network.intro_to(target_id, known=self._known, expand=self._expand,
                                engaged=engaged, hop_facts=self._hop_facts)

    # --- reading ------------------------------------------------------------------------------

    def _known(self, ids: list[str]) -> set[str]:
        return self.existing_keys("hcps", ids)

    def _expand(self, nodes: list[Node]) -> dict[Node, list[Node]]:
        """Each node's neighbours in the path graph, in one round trip."""
        (row,) = self._read(
            "expand_path_frontier",
            hcp_ids=[n.id for n in nodes if n.kind == HCP],
            institution_ids=[n.id for n in nodes if n.kind == INSTITUTION])
        return {Node(r["id"], r["kind"]): [Node(h, HCP) for h in r["hcps"]]
                + [Node(i, INSTITUTION) for i in r["institutions"]] for r in row["rows"]}

    def _details(self, ids: list[str]) -> dict[str, tuple[str, frozenset]]:
        rows = self._read("read_hcp_topics", hcp_ids=ids)
        return {r["hcp_id"]: (r["name"], frozenset(r["topics"])) for r in rows}

    def _hop_facts(self, path: list[Node]) -> HopFacts:
        hcps, institutions, pairs = network.hop_requests(path)
        (row,) = self._read("read_path_evidence", hcp_ids=hcps, institution_ids=institutions,
                            pairs=[list(p) for p in pairs])
        return HopFacts(names=dict(row["hcps"]), institutions=dict(row["institutions"]),
                        pairs={(a, b): (p, f, l) for a, b, p, f, l in row["pairs"]})


def _neighbourhood(hcp_id: str, row: dict) -> Neighbourhood:
    coauthors = {c["hcp_id"]: (c["name"], c["coauthors"]) for c in row["coauthors"]}
    institutions = {i["institution_id"]: (i["name"], i["members"]) for i in row["institutions"]}
    return Neighbourhood(hcp_id, coauthors, institutions)
