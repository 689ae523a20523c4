"""The Neo4j store's read primitives (:class:`~kolgraph.store.base.GraphReads`).

Every read is a ``queries/*.cypher`` file touching only the HCPs it is about (index look-ups
by key, ``LIMIT`` in the server), never a whole table.  Paths and introductions are driven
from Python one breadth-first layer at a time (``expand_path_frontier``), so the deciding
logic is the code the embedded store runs; a layer also reports its engaged neighbours (one
round trip, not two).  Id lists travel inside map parameters: Neo4j plans a query again for
every new list-size bucket of a list parameter, but not for a map.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from kolgraph.answers.gaps import COVERAGE_MAX_TIER, GapQuery, engaged_since
from kolgraph.answers.network import (
    HCP,
    INSTITUTION,
    INSTITUTION_WEIGHT,
    PRUNING_MARGIN,
    HopFacts,
    Neighbourhood,
    Node,
    hop_requests,
)
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.store import gap_snapshot, search_index
from kolgraph.store.base import Edges, Window
from kolgraph.store.common import (
    ENTITY_ROWS,
    LINK_KEYS,
    Affiliation,
    Fetch,
    Place,
    grouped,
    unchanged,
)
from kolgraph.store.mended_arrays import CorrectedLinks, mended
from kolgraph.store.neo4j.bulk import chunks
from kolgraph.store.reach_arrays import NONE, HopArrays, WindowReach, network_matrices
from kolgraph.store.reach_index import WindowCache, hop_counts_in

if TYPE_CHECKING:
    from kolgraph.answers.browse import InsightNarrowing
    from kolgraph.store.neo4j.store import Neo4jStore

#: The values of a candidate row, in the order ``list_gap_candidates_by_*`` returns them.
CANDIDATE_FIELDS = (
    "hcp_id",
    "name",
    "territory",
    "specialty",
    "tier",
    "influence",
    "rank",
    "last_touch",
    "touches_12m",
)
#: The ``window`` parameter of ``expand_path_frontier`` when no engagement is wanted.
NO_WINDOW: Window = {"since": None, "as_of": None, "territory": None}


class Neo4jReads:
    """:class:`~kolgraph.store.base.GraphReads` over a :class:`Neo4jStore`."""

    def __init__(self, store: Neo4jStore):
        self._store = store

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        rows = self._store.read("read_hcp_territories", hcp_ids=list(hcp_ids))
        return {r["hcp_id"]: r["territory"] for r in rows}

    def identity_rows(self, hcp_ids: list[str] | None) -> list[Sequence]:
        """In one query of lists: the whole HCP maps and the influences read apart took
        half a minute at 500,000 HCPs."""
        if hcp_ids is None:
            return self._store.read_rows("list_identity_index_rows")
        return self._store.read_rows("list_identity_index_rows_of", hcp_ids=list(hcp_ids))

    def hcp_places(self, hcp_ids: list[str]) -> dict[str, Place]:
        (row,) = self._store.read("read_hcp_places", request={"hcp_ids": hcp_ids})
        return {hcp_id: (country, state, postal) for hcp_id, country, state, postal in row["rows"]}

    def slot_holders(self, pmids: list[str]) -> dict[tuple[str, int], str]:
        (row,) = self._store.read("read_slot_holders", request={"pmids": pmids})
        return {(pmid, int(position)): hcp_id for pmid, position, hcp_id in row["rows"]}

    def entity_rows(self, table: str, keys: list[str]) -> list[Sequence]:
        (row,) = self._store.read(ENTITY_ROWS[table], request={"keys": keys})
        return row["rows"]

    def affiliation_places(self, hcp_ids: list[str]) -> dict[str, list[tuple[str, str | None]]]:
        (row,) = self._store.read("read_affiliation_places", request={"hcp_ids": hcp_ids})
        return grouped(
            (hcp_id, (institution_id, city)) for hcp_id, institution_id, city in row["rows"]
        )

    def link_fields(self) -> list[Sequence]:
        return self._store.read_rows("list_link_fields")

    def link_keys(self, table: str, hcp_ids: list[str]) -> set[tuple[str, str]]:
        return {
            (hcp_id, key)
            for chunk in chunks(hcp_ids, self._store.batch_size)
            for hcp_id, key in self._store.read_rows(LINK_KEYS[table], hcp_ids=list(chunk))
        }

    def current_affiliations(self, hcp_ids: list[str]) -> list[Affiliation]:
        (record,) = self._store.read("list_current_affiliations", hcp_ids=list(hcp_ids))
        return [tuple(row) for row in record["rows"]]  # type: ignore[misc]

    def search_rows(self, text: str, territory: str | None, limit: int) -> list[dict]:
        """From the search index in a server (a search of every HCP's MeSH terms in Cypher
        took 30 s at L), else from the database."""
        index = self._search_index()
        if index is not None:
            return index.rows(text, territory, limit)
        return self._store.read("search_hcps", text=text, territory=territory, limit=limit)

    def _search_index(self) -> search_index.SearchIndex | None:
        """A server's search index: mended after steward corrections, else None."""
        return self._store.snapshot(
            "search index", search_index.read_index, unchanged, search_index.mended
        )

    def top_rows(self, limit: int, territory: str | None) -> list[dict]:
        return self._store.read("list_top_hcps", territory=territory, limit=limit)

    def rising_rows(self, limit: int, territory: str | None) -> list[dict]:
        return self._store.read("list_rising_hcps", territory=territory, limit=limit)

    def profile_parts(self, hcp_id: str, latest: int | None = None) -> dict | None:
        rows = self._store.read("read_hcp_profile", hcp_id=hcp_id, latest=latest)
        if not rows:
            return None
        parts = dict(rows[0])
        hcp = parts["hcp"]
        parts["score"] = {
            "influence": hcp.get("influence"),
            "tier": hcp.get("tier"),
            "rank": hcp.get("rank"),
            "components_json": hcp.get("components_json"),
            "rising": hcp.get("rising"),
            "rising_score": hcp.get("rising_score"),
            "components_raw_json": hcp.get("components_raw_json"),
        }
        return parts

    def institution_members(self, institution_id: str) -> list[str] | None:
        (row,) = self._store.read("read_institution_members", institution_id=institution_id)
        return list(row["hcp_ids"]) if row["found"] else None

    def territory_members(self, territory: str) -> list[str]:
        (row,) = self._store.read("read_territory_members", territory=territory)
        return list(row["hcp_ids"])

    def coauthor_edges(self, hcp_ids: list[str], min_papers: int) -> Edges:
        (row,) = self._store.read(
            "read_coauthor_neighbours", hcp_ids=hcp_ids, min_papers=min_papers
        )
        return [(a, b, papers) for a, b, papers in row["rows"]]

    def coauthor_numbers(self, hcp_ids: list[str]) -> CoauthorEdges:
        """A server's from the co-author arrays it keeps for reach (its gaps pages pull them
        anyway; slices of them, not millions of rows of ids from the database); a one-off
        process's from the database."""
        if self._store.keeps_snapshots:
            return self._hop_arrays().coauthor_numbers_of(hcp_ids)
        return CoauthorEdges.of_rows(self.coauthor_edges(hcp_ids, 1))

    def coauthor_edges_among(self, hcp_ids: list[str], min_papers: int) -> Edges:
        rows = self._store.read("read_coauthor_edges", hcp_ids=hcp_ids, min_papers=min_papers)
        return [(r["hcp_a"], r["hcp_b"], r["papers"]) for r in rows]

    def coauthor_edges_through(self, hcp_id: str, others: list[str]) -> Edges:
        (row,) = self._store.read("read_coauthor_edges_through", hcp_id=hcp_id, others=others)
        edges = {(min(a, b), max(a, b)): papers for a, b, papers in row["rows"]}
        return [(a, b, papers) for (a, b), papers in edges.items()]

    def network_nodes(self, hcp_ids: list[str], as_of: str) -> list[dict]:
        return self._store.read("read_network_nodes", hcp_ids=hcp_ids, as_of=as_of)

    def recent_insight_rows(
        self, territory: str | None, limit: int, through: str | None = None
    ) -> list[dict]:
        return self._store.read(
            "read_recent_insights", territory=territory, limit=limit, through=through
        )

    def gap_candidates(self, query: GapQuery) -> tuple[list[dict], list[dict]]:
        """The candidate query for ``query``: ``by_rank`` only with ``top``, so the planner
        seeks the tier index otherwise.  A database below the current schema version (one
        replaced under a long-lived store) is migrated first, as its touch dates may be
        missing."""
        frames = self._gap_frames()
        if frames is not None:
            return gap_snapshot.candidates(frames, query), frames.msls
        params = query.params()
        name = "list_gap_candidates_by_rank"
        if query.top is None:
            del params["max_rank"]
            name = "list_gap_candidates_by_tier"
        (record,) = self._store.read(name, **params)
        if self._store.migrate_if_older(record["schema_version"]):
            (record,) = self._store.read(name, **params)
        rows = [dict(zip(CANDIDATE_FIELDS, values)) for values in record["rows"]]
        msls = [{"msl_id": msl_id, "territory": territory} for msl_id, territory in record["msls"]]
        return rows, msls

    def _gap_frames(self) -> gap_snapshot.GapFrames | None:
        """A server's gaps snapshot: followed after writes of touchpoints, mended after
        steward corrections (a whole read takes 13-18 s at L)."""
        return self._store.snapshot(
            "gaps snapshot", gap_snapshot.read_frames, gap_snapshot.followed, gap_snapshot.mended
        )

    def coverage_counts(
        self, as_of: date, stale_days: int, territory: str | None
    ) -> tuple[dict[str | None, tuple[int, int]], list[dict], dict[str, int]]:
        frames = self._gap_frames()
        if frames is not None:
            since, until = engaged_since(as_of, stale_days), as_of.isoformat()
            counts, engaged = gap_snapshot.coverage_counts(frames, since, until)
            return counts, frames.msls, dict(engaged)
        params = {
            "max_tier": COVERAGE_MAX_TIER,
            "territory": territory,
            "engaged_since": engaged_since(as_of, stale_days),
            "as_of": as_of.isoformat(),
        }
        counts = {
            r["territory"]: (r["hcps"], r["engaged"])
            for r in self._store.read("count_territory_coverage", **params)
        }
        engaged = {
            r["msl_id"]: r["engaged"] for r in self._store.read("count_msl_engagement", **params)
        }
        return counts, self._store.read_rows("list_msls"), engaged

    def coauthor_rows(self, hcp_id: str) -> list[dict]:
        rows = self._store.read("read_hcp_coauthors", hcp_id=hcp_id)
        return list(rows[0]["coauthors"]) if rows else []

    def neighbourhood(self, hcp_id: str, limit: int) -> Neighbourhood | None:
        rows = self._store.read(
            "read_collaboration_neighbourhood",
            hcp_id=hcp_id,
            limit=limit,
            margin=PRUNING_MARGIN,
            institution_weight=INSTITUTION_WEIGHT,
        )
        if not rows:
            return None
        (row,) = rows
        theirs: dict[str, list[str]] = {c: [] for c, _name, _n in row["coauthors"]}
        members: dict[str, list[str]] = {i: [] for i, _name in row["institutions"]}
        for candidate, via_coauthors, via_institutions in row["candidates"]:
            for c in via_coauthors:
                theirs[c].append(candidate)
            for i in via_institutions:
                members[i].append(candidate)
        return Neighbourhood.of(
            hcp_id,
            {c: (name, theirs[c]) for c, name, _n in row["coauthors"]},
            {i: (name, members[i]) for i, name in row["institutions"]},
            degrees={c: n for c, _name, n in row["coauthors"]},
        )

    def hcp_details(self, hcp_ids: list[str]) -> dict[str, tuple[str, frozenset]]:
        (row,) = self._store.read("read_hcp_topics", request={"hcp_ids": hcp_ids})
        return {hcp_id: (name, frozenset(topics)) for hcp_id, name, topics in row["rows"]}

    def expand(
        self, nodes: list[Node], window: Window | None
    ) -> tuple[dict[Node, list[Node]], dict[str, str]]:
        frontier = {
            "hcp_ids": [n.id for n in nodes if n.kind == HCP],
            "institution_ids": [n.id for n in nodes if n.kind == INSTITUTION],
        }
        (row,) = self._store.read(
            "expand_path_frontier", frontier=frontier, window=window or NO_WINDOW
        )
        neighbours = {
            Node(node_id, kind): [Node(h, HCP) for h in hcps]
            + [Node(i, INSTITUTION) for i in institutions]
            for node_id, kind, hcps, institutions in row["rows"]
        }
        return neighbours, dict(row["engaged"])

    def engaged(self, hcp_ids: list[str], window: Window) -> dict[str, str]:
        rows = self._store.read("read_engaged_hcps", hcp_ids=hcp_ids, **window)
        return {r["hcp_id"]: r["last_touch"] for r in rows}

    def hop_facts(self, path: list[Node]) -> HopFacts:
        hcps, institutions, pairs = hop_requests(path)
        request = {
            "hcp_ids": hcps,
            "institution_ids": institutions,
            "pairs": [list(p) for p in pairs],
        }
        (row,) = self._store.read("read_path_evidence", path=request)
        return HopFacts(
            names=dict(row["hcps"]),
            institutions=dict(row["institutions"]),
            pairs={(a, b): (p, f, last) for a, b, p, f, last in row["pairs"]},
        )

    def score_runs(self) -> list[tuple[int, str]]:
        return [(int(r["run_id"]), r["scored_on"]) for r in self._store.read("list_score_runs")]

    def score_run(self, run_id: int) -> dict[str, tuple[int, bool]]:
        (row,) = self._store.read("read_score_run", run_id=run_id)
        return {h: (int(t), bool(r)) for h, (t, r) in json.loads(row["tiers_json"]).items()}

    def coverage_days(self, territory: str | None) -> list[dict]:
        return self._store.read("list_coverage_days", territory=territory)

    def insight_counts(self, after: str, through: str, territory: str | None) -> dict:
        rows = self._store.read(
            "count_new_insights", after=after, through=through, territory=territory
        )
        return {r["category"]: r["touchpoints"] for r in rows}

    def insights_by_month(
        self, territory: str | None, narrowing: InsightNarrowing
    ) -> list[Sequence]:
        return self._store.read_rows(
            "count_insights_by_month", territory=territory, **narrowing.params()
        )

    def scored_tiers(self) -> list[int]:
        return [int(row["tier"]) for row in self._store.read("list_scored_tiers")]

    def insight_notes(self, territory: str | None, narrowing: InsightNarrowing) -> list[Sequence]:
        return self._store.read_rows(
            "list_insight_notes", territory=territory, **narrowing.params()
        )

    def window_reach(self, since: str, as_of: str) -> WindowReach:
        graph = self._hop_arrays()
        reaches: WindowCache[WindowReach] = self._store.cached("reach", WindowCache)
        return reaches.window(since, as_of, lambda: WindowReach(graph, self._touched(since, as_of)))

    def msl_hop_counts(
        self, targets: dict[str, list[str]], since: str, as_of: str
    ) -> dict[str, dict[int | None, int]]:
        (row,) = self._store.read("list_engaged_by_msl", since=since, as_of=as_of)
        touched = {msl_id: list(ids) for msl_id, ids in row["rows"]}
        matrices = self._store.cached(
            "matrices", lambda: network_matrices(self._hop_arrays()), of_network=True
        )
        return hop_counts_in(matrices, touched, targets)

    def _hop_arrays(self) -> HopArrays:
        """Co-authors and current memberships as arrays, pulled once per network version (a
        logged touchpoint keeps them; after a steward correction they are mended): reach
        answers every HCP at once from them."""
        return self._store.cached(
            "hop arrays", self._read_hop_arrays, of_network=True, mend=self._mended_hop_arrays
        )

    def _mended_hop_arrays(self, before: HopArrays, corrected: list[str]) -> HopArrays | None:
        """``before`` after steward corrections of the ``corrected`` HCPs, from their links
        alone (a second at 500,000 HCPs, where pulling the arrays takes a minute)."""
        (row,) = self._store.read("read_corrected_links", hcp_ids=corrected)
        links = CorrectedLinks(
            present=list(row["present"]),
            coauthorships=[(a, b, papers) for a, b, papers in row["coauthorships"]],
            memberships=[(hcp_id, place) for hcp_id, place in row["memberships"]],
        )
        return mended(before, corrected, links)

    def _read_hop_arrays(self) -> HopArrays:
        names = ["list_coauthor_lists", "list_current_members"]
        return self._store.read_streams(names, HopArrays.of)

    def _touched(self, since: str, as_of: str) -> np.ndarray:
        """The numbers of the HCPs engaged in the window that the arrays hold."""
        numbers = self._hop_arrays().hcp_numbers(sorted(self._engaged_in(since, as_of)))
        return numbers[numbers != NONE]

    def _engaged_in(self, since: str, as_of: str) -> frozenset[str]:
        """The HCPs with a touchpoint in the window: asked of the server (1.8 s at L), kept
        per window in a server keeping snapshots and followed after touchpoint writes."""
        windows = self._store.snapshot("engaged windows", lambda _fetch: WindowCache(), _followed)
        if windows is None:
            return self._engaged_asked(since, as_of)
        return windows.window(since, as_of, lambda: self._engaged_asked(since, as_of))

    def _engaged_asked(self, since: str, as_of: str) -> frozenset[str]:
        (row,) = self._store.read("list_engaged_in_window", since=since, as_of=as_of)
        return frozenset(row["hcp_ids"])


def _followed(
    windows: WindowCache[frozenset[str]], changed: set[str], fetch: Fetch
) -> WindowCache[frozenset[str]]:
    """Each window's engaged HCPs after writes that rewrote the touchpoints of ``changed``
    (and of no other HCP): theirs read again, the others' kept."""
    touches = fetch("list_hcps_touches", {"hcp_ids": sorted(changed)}) if changed else []

    def follow(window: tuple[str, str], engaged: frozenset[str]) -> frozenset[str]:
        since, as_of = window
        now = {hcp_id for hcp_id, _msl_id, day in touches if since <= day <= as_of}
        return (engaged - changed) | now

    return windows.followed(follow)
