"""The web read model on the embedded store (a mixin of ``EmbeddedStore``).

Search runs on a :class:`SearchIndex` held in memory and rebuilt when ``store_version``
changes (the web app opens a connection per request; the index is shared by all of them).
Profiles and networks are a few indexed SQL look-ups.  Rules live in
:mod:`kolgraph.store.web_model`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import networkx as nx

from kolgraph.errors import StoreUnavailable
from kolgraph.store import web_model
from kolgraph.store.web_model import NetworkFilters

_INDEX_SQL = {
    "hcps": """SELECT h.hcp_id, h.name, h.specialty, h.territory, s.tier, s.influence, s.rank
               FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id ORDER BY h.hcp_id""",
    "affiliations": """SELECT a.hcp_id, a.start_year, a.end_year, a.institution_id, i.name
                       FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id""",
    "topics": """SELECT DISTINCT t.value, a.hcp_id
                 FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid,
                      json_each(p.mesh_terms) AS t""",
}

_PROFILE_SQL = {
    "hcp": f"SELECT {', '.join(web_model.HCP_FIELDS)} FROM hcps WHERE hcp_id = ?",
    "score": f"SELECT {', '.join(web_model.SCORE_FIELDS)} FROM hcp_scores WHERE hcp_id = ?",
    "affiliations": """SELECT a.institution_id, i.name AS institution, i.type, i.city, a.role,
                              a.start_year, a.end_year
                       FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
                       WHERE a.hcp_id = ?""",
    "publications": """SELECT p.pmid, p.title, p.journal, p.year, p.citation_count, a.position,
                              a.last_author, p.mesh_terms
                       FROM authorships AS a JOIN publications AS p ON p.pmid = a.pmid
                       WHERE a.hcp_id = ?""",
    "trials": """SELECT t.nct_id, t.title, t.phase, t.status, t.conditions, t.start_year, r.role
                 FROM trial_roles AS r JOIN trials AS t ON t.nct_id = r.nct_id WHERE r.hcp_id = ?""",
    "touchpoints": """SELECT t.touchpoint_id, t.date, t.msl_id, m.name AS msl_name, t.channel, t.topic,
                             t.insight, t.insight_category, t.sentiment
                      FROM touchpoints AS t LEFT JOIN msls AS m ON m.msl_id = t.msl_id
                      WHERE t.hcp_id = ?""",
}
_JSON_COLUMNS = ("components", "mesh_terms", "conditions")

# One JSON array parameter instead of thousands of placeholders.
_IDS = "(SELECT value FROM json_each(?))"
_NETWORK_SQL = {
    "neighbours": f"""SELECT hcp_a, hcp_b, papers FROM coauthorships
                      WHERE papers >= ? AND (hcp_a IN {_IDS} OR hcp_b IN {_IDS})""",
    # The unary + keeps SQLite from probing the primary key for every (a, b) pair of ids
    # (quadratic: 36 s for 10,000 ids); it seeks by hcp_a and tests hcp_b against a set.
    "edges": f"""SELECT hcp_a, hcp_b, papers FROM coauthorships
                 WHERE papers >= ? AND hcp_a IN {_IDS} AND +hcp_b IN {_IDS}""",
    "nodes": f"""SELECT h.hcp_id, h.name, h.specialty, h.territory, s.tier, s.influence,
                        (SELECT MAX(t.date) FROM touchpoints AS t
                         WHERE t.hcp_id = h.hcp_id AND t.date <= ?) AS last_touch
                 FROM hcps AS h LEFT JOIN hcp_scores AS s ON s.hcp_id = h.hcp_id
                 WHERE h.hcp_id IN {_IDS}""",
    "current": f"""SELECT a.hcp_id, a.start_year, a.institution_id, i.name
                   FROM affiliations AS a JOIN institutions AS i ON i.institution_id = a.institution_id
                   WHERE a.end_year IS NULL AND a.hcp_id IN {_IDS}""",
    "institution": "SELECT 1 FROM institutions WHERE institution_id = ?",
    "institution_members": "SELECT hcp_id FROM affiliations WHERE institution_id = ? AND end_year IS NULL",
    "territory_members": "SELECT hcp_id FROM hcps WHERE territory = ?",
    "territories": f"SELECT hcp_id, territory FROM hcps WHERE hcp_id IN {_IDS}",
    "top": """SELECT h.hcp_id, h.name, s.rank, s.influence, s.tier, s.components
              FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
              WHERE ? IS NULL OR h.territory = ? ORDER BY s.rank, s.hcp_id LIMIT ?""",
    "rising": """SELECT h.hcp_id, h.name, s.rank, s.influence, s.tier, s.rising_score, s.components
                 FROM hcp_scores AS s JOIN hcps AS h ON h.hcp_id = s.hcp_id
                 WHERE s.rising AND (? IS NULL OR h.territory = ?)
                 ORDER BY s.rising_score DESC, s.rank, s.hcp_id LIMIT ?""",
}

# The newest touchpoints (one pass, those of the territory's HCPs when one is given: an msl's
# territory may hold few tier 1-2 HCPs), then their HCPs, scores and MSLs by key; the other
# way round reads every touchpoint of every tier 1-2 HCP by index (57,000 on M, 170 ms).
# web_model.recent_insights applies the rules (tier, territory, blank text: SQLite's trim()
# strips spaces only) and widens the window when it held too few.
_RECENT_INSIGHTS_SQL = """
SELECT t.date, t.touchpoint_id, t.hcp_id, h.name AS hcp_name, s.tier, h.territory, t.msl_id,
       m.name AS msl_name, t.insight_category, t.sentiment, t.topic, t.insight
FROM (SELECT * FROM touchpoints
      WHERE date IS NOT NULL AND insight IS NOT NULL AND trim(insight) <> ''
        AND (?1 IS NULL OR hcp_id IN (SELECT hcp_id FROM hcps WHERE territory = ?1))
      ORDER BY date DESC, touchpoint_id DESC LIMIT ?2) AS t
LEFT JOIN hcps AS h ON h.hcp_id = t.hcp_id
LEFT JOIN hcp_scores AS s ON s.hcp_id = t.hcp_id
LEFT JOIN msls AS m ON m.msl_id = t.msl_id
ORDER BY t.date DESC, t.touchpoint_id DESC
"""


@dataclass(frozen=True)
class SearchIndex:
    """What search reads, as of one ``store_version``: HCP rows, and lower-cased institution
    names and MeSH terms, each with the ids of the HCPs it belongs to."""

    hcps: dict[str, dict]
    current: dict[str, list[tuple]]  # hcp_id -> current (start_year, institution_id, name)
    institutions: dict[str, set[str]]  # lower-cased name -> hcp ids (any affiliation)
    topics: dict[str, set[str]]  # lower-cased MeSH term -> hcp ids


class EmbeddedWebQueries:
    """``search_hcps``, ``top_hcps``, ``hcp_profile``, ``hcp_territories``, ``network``,
    ``recent_insights`` and ``data_version`` for :class:`~kolgraph.store.embedded.EmbeddedStore`."""

    def data_version(self) -> str | None:
        """``inode:store_version``: every write transaction bumps ``store_version``, and a
        database file replaced by another (whose counter starts again) has another inode."""
        version = self._select("SELECT version FROM store_version", "read the store version")[0][0]
        try:
            inode = self.path.stat().st_ino
        except OSError as error:
            raise StoreUnavailable(f"cannot read {self.path}: {error}") from None
        return f"{inode}:{version}"

    def recent_insights(self, territory: str | None = None, limit: int = 10) -> list[dict]:
        """The newest insights from tier 1-2 HCPs (of ``territory`` when given), newest first."""

        def fetch(n: int) -> list[dict]:
            return self._records(_RECENT_INSIGHTS_SQL, (territory, n), "read recent insights")

        return web_model.recent_insights(fetch, territory, limit)

    def search_hcps(
        self, text: str | None, territory: str | None = None, limit: int = 50
    ) -> list[dict]:
        """HCPs whose name, specialty, institution or topic contains ``text``, most influential first."""
        text = web_model.check_search(text, limit)
        index = self._search_index()
        by_institution = _ids_containing(index.institutions, text)
        by_topic = _ids_containing(index.topics, text)
        rows = []
        for hcp in index.hcps.values():
            if territory is not None and hcp["territory"] != territory:
                continue
            matched = web_model.matched_kinds(text, hcp["name"], hcp["specialty"], (), ())
            matched += [
                k
                for k, ids in (("institution", by_institution), ("topic", by_topic))
                if text and hcp["hcp_id"] in ids
            ]
            if matched or not text:
                rows.append(
                    {
                        **hcp,
                        "matched": matched,
                        "affiliations": index.current.get(hcp["hcp_id"], []),
                    }
                )
        return web_model.finish_search(rows, limit)

    def top_hcps(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Scored HCPs by rank (the fields of ``kolgraph top``), at most ``limit``."""
        rows = self._select(
            _NETWORK_SQL["top"], "read top HCPs", (territory, territory, max(limit, 0))
        )
        records = [dict(zip(web_model.TOP_FIELDS, r)) for r in rows]
        for record in records:
            record["components"] = json.loads(record["components"])
        return web_model.finish_top(records, limit)

    def rising_stars(self, limit: int = 20, territory: str | None = None) -> list[dict]:
        """Rising stars, fastest growth first (the fields of ``kolgraph top --rising``)."""
        rows = self._select(
            _NETWORK_SQL["rising"], "read rising stars", (territory, territory, max(limit, 0))
        )
        records = [dict(zip(web_model.RISING_FIELDS, r)) for r in rows]
        for record in records:
            record["components"] = json.loads(record["components"])
        return web_model.finish_rising(records, limit)

    def hcp_profile(self, hcp_id: str) -> dict | None:
        """One HCP with score, affiliations, publications, trials and touchpoints (None: unknown)."""
        parts = {name: self._records(sql, (hcp_id,)) for name, sql in _PROFILE_SQL.items()}
        if not parts["hcp"]:
            return None
        return web_model.finish_profile(
            parts["hcp"][0],
            (parts["score"] or [None])[0],
            parts["affiliations"],
            parts["publications"],
            parts["trials"],
            parts["touchpoints"],
        )

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        """hcp_id -> territory for the ids that exist."""
        return dict(
            self._select(
                _NETWORK_SQL["territories"], "read territories", (json.dumps(list(hcp_ids)),)
            )
        )

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

    def _records(self, sql: str, params: tuple, doing: str = "read an HCP profile") -> list[dict]:
        with self._errors(doing):
            cursor = self._con.execute(sql, params)
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, row)) for row in cursor.fetchall()]
        for row in rows:
            for column in _JSON_COLUMNS:
                if isinstance(row.get(column), str):
                    row[column] = json.loads(row[column])
        return rows

    def _members(self, kind: str, key: str) -> list[str] | None:
        if kind == "hcp":
            return [key] if self.hcp_territories([key]) else None
        if kind == "institution":
            if not self._select(_NETWORK_SQL["institution"], "read an institution", (key,)):
                return None
            return [
                h
                for (h,) in self._select(
                    _NETWORK_SQL["institution_members"], "read a network", (key,)
                )
            ]
        return [
            h for (h,) in self._select(_NETWORK_SQL["territory_members"], "read a network", (key,))
        ]

    def _neighbours(self, ids: list[str], min_papers: int) -> list[tuple[str, str, int]]:
        ids_json = json.dumps(ids)
        return self._select(
            _NETWORK_SQL["neighbours"], "read a network", (min_papers, ids_json, ids_json)
        )

    def _edges_among(self, ids: list[str], min_papers: int) -> list[tuple[str, str, int]]:
        ids_json = json.dumps(ids)
        return self._select(
            _NETWORK_SQL["edges"], "read a network", (min_papers, ids_json, ids_json)
        )

    def _node_rows(self, ids: list[str], as_of: str) -> list[dict]:
        ids_json = json.dumps(ids)
        current: dict[str, list[tuple]] = {}
        for hcp_id, start, institution_id, name in self._select(
            _NETWORK_SQL["current"], "read a network", (ids_json,)
        ):
            current.setdefault(hcp_id, []).append((start, institution_id, name))
        columns = ("hcp_id", "name", "specialty", "territory", "tier", "influence", "last_touch")
        rows = self._select(_NETWORK_SQL["nodes"], "read a network", (as_of, ids_json))
        return [{**dict(zip(columns, r)), "affiliations": current.get(r[0], [])} for r in rows]

    def _search_index(self) -> SearchIndex:
        """The index for the current ``store_version`` (built once per change)."""
        return self._cached("search", _read_index, "read the search index")


def _read_index(con) -> SearchIndex:
    return _build_index({name: con.execute(sql).fetchall() for name, sql in _INDEX_SQL.items()})


def _build_index(rows: dict[str, list[tuple]]) -> SearchIndex:
    columns = ("hcp_id", "name", "specialty", "territory", "tier", "influence", "rank")
    hcps = {r[0]: dict(zip(columns, r)) for r in rows["hcps"]}
    current: dict[str, list[tuple]] = {}
    institutions: dict[str, set[str]] = {}
    for hcp_id, start, end, institution_id, name in rows["affiliations"]:
        institutions.setdefault((name or "").lower(), set()).add(hcp_id)
        if end is None:
            current.setdefault(hcp_id, []).append((start, institution_id, name))
    topics: dict[str, set[str]] = {}
    for term, hcp_id in rows["topics"]:
        topics.setdefault(str(term).lower(), set()).add(hcp_id)
    return SearchIndex(hcps, current, institutions, topics)


def _ids_containing(names: dict[str, set[str]], text: str) -> set[str]:
    """The ids under every name that contains ``text``."""
    found: set[str] = set()
    for name, ids in names.items():
        if text and text in name:
            found |= ids
    return found
