"""The web read model on Neo4j (a mixin of ``Neo4jStore``).

Every read touches only the HCPs it is about (index look-ups by key, ``LIMIT`` in the
server), never a whole table, so profile pages stay fast on big graphs.  Statements are the
``queries/*.cypher`` files named below; rules live in :mod:`kolgraph.store.web_model`.
"""

from __future__ import annotations

import json

import networkx as nx

from kolgraph.store import web_model
from kolgraph.store.web_model import NetworkFilters


class Neo4jWebQueries:
    """``search_hcps``, ``top_hcps``, ``hcp_profile``, ``hcp_territories``, ``network``
    and ``recent_insights`` for :class:`~kolgraph.store.neo4j.Neo4jStore` (no ``data_version``:
    the server keeps no version that every writer would bump, so web answers on Neo4j are
    never cached)."""

    def recent_insights(self, territory: str | None = None, limit: int = 10) -> list[dict]:
        """The newest insights from tier 1-2 HCPs (of ``territory`` when given), newest first."""

        def fetch(n: int) -> list[dict]:
            return self._read("read_recent_insights", territory=territory, limit=n)

        return web_model.recent_insights(fetch, territory, limit)

    def search_hcps(
        self, text: str | None, territory: str | None = None, limit: int = 50
    ) -> list[dict]:
        """HCPs whose name, specialty, institution or topic contains ``text``, most influential first."""
        text = web_model.check_search(text, limit)
        rows = self._read("search_hcps", text=text, territory=territory, limit=limit)
        return web_model.finish_search(rows, limit)

    def top_hcps(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Scored HCPs by rank (the fields of ``kolgraph top``), at most ``limit``."""
        rows = self._read("list_top_hcps", territory=territory, limit=max(limit, 0))
        for row in rows:
            row["components"] = json.loads(row.pop("components_json") or "{}")
        return web_model.finish_top(rows, limit)

    def rising_stars(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Rising stars, fastest growth first (the fields of ``kolgraph top --rising``)."""
        rows = self._read("list_rising_hcps", territory=territory, limit=max(limit, 0))
        for row in rows:
            row["components"] = json.loads(row.pop("components_json") or "{}")
        return web_model.finish_rising(rows, limit)

    def hcp_profile(self, hcp_id: str) -> dict | None:
        """One HCP with score, affiliations, publications, trials and touchpoints (None: unknown)."""
        rows = self._read("read_hcp_profile", hcp_id=hcp_id)
        if not rows:
            return None
        row = rows[0]
        hcp = row["hcp"]
        score = {f: hcp.get(f) for f in web_model.SCORE_FIELDS if f != "components"}
        score["components"] = json.loads(hcp.get("components_json") or "{}")
        return web_model.finish_profile(
            hcp, score, row["affiliations"], row["publications"], row["trials"], row["touchpoints"]
        )

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        """hcp_id -> territory for the ids that exist."""
        rows = self._read("read_hcp_territories", hcp_ids=list(hcp_ids))
        return {r["hcp_id"]: r["territory"] for r in rows}

    def network(self, kind: str, key: str, filters: NetworkFilters) -> nx.Graph:
        """An ego (``hcp``), ``institution`` or ``territory`` co-authorship network."""
        return web_model.assemble_network(
            kind,
            key,
            filters,
            members=self._members,
            neighbours=self._neighbours,
            node_rows=self._node_rows,
            edges_among=self._edges_among,
        )

    # --- primitives ------------------------------------------------------------------------

    def _members(self, kind: str, key: str) -> list[str] | None:
        if kind == "hcp":
            return [key] if self.hcp_territories([key]) else None
        if kind == "institution":
            (row,) = self._read("read_institution_members", institution_id=key)
            return list(row["hcp_ids"]) if row["found"] else None
        (row,) = self._read("read_territory_members", territory=key)
        return list(row["hcp_ids"])

    def _neighbours(self, ids: list[str], min_papers: int) -> list[tuple[str, str, int]]:
        rows = self._read("read_coauthor_neighbours", hcp_ids=ids, min_papers=min_papers)
        return [(r["hcp_a"], r["hcp_b"], r["papers"]) for r in rows]

    def _edges_among(self, ids: list[str], min_papers: int) -> list[tuple[str, str, int]]:
        rows = self._read("read_coauthor_edges", hcp_ids=ids, min_papers=min_papers)
        return [(r["hcp_a"], r["hcp_b"], r["papers"]) for r in rows]

    def _node_rows(self, ids: list[str], as_of: str) -> list[dict]:
        rows = self._read("read_network_nodes", hcp_ids=ids, as_of=as_of)
        for row in rows:
            row["affiliations"] = [tuple(a) for a in row["affiliations"]]
        return rows
