"""The embedded store's read primitives (:class:`~kolgraph.store.base.GraphReads`).

Most are a few indexed look-ups (``sql/*.sql``), bounded by the HCPs a question names.
The path graph that paths, suggestions and reach walk is read from memory-mapped arrays
written once per data version (:mod:`.network_file`, :mod:`.reach_arrays`).  A long-running
server also keeps whole-table snapshots in memory, built once per ``store_version`` and
shared by every connection to the file
(:meth:`~kolgraph.store.sqlite.store.EmbeddedStore.cached`): the gaps snapshot
(:mod:`kolgraph.store.gap_snapshot`), which a one-off process replaces by bounded SQL, and
the search index (:mod:`kolgraph.store.search_index`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from kolgraph.answers.gaps import COVERAGE_MAX_TIER, GapQuery, engaged_since
from kolgraph.answers.network import HCP, INSTITUTION, HopFacts, Neighbourhood, Node, hop_requests
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.store import gap_snapshot, search_index
from kolgraph.store.base import Edges, Window
from kolgraph.store.common import ENTITY_ROWS, LINK_KEYS, Affiliation, Place, grouped, unchanged
from kolgraph.store.reach_arrays import NONE, WindowReach, network_matrices
from kolgraph.store.reach_index import WindowCache, hop_counts_in
from kolgraph.store.sqlite.catalog import json_list

if TYPE_CHECKING:
    from kolgraph.answers.browse import InsightNarrowing
    from kolgraph.store.sqlite.network_file import NetworkArrays
    from kolgraph.store.sqlite.store import EmbeddedStore

_JSON_COLUMNS = ("mesh_terms", "conditions")
#: The statement that reads each part of a profile (publications apart: all, or the latest).
_PROFILE_PARTS = {
    "affiliations": "read_hcp_affiliations",
    "trials": "read_hcp_trials",
    "touchpoints": "read_hcp_touchpoints",
}


class SqliteReads:
    """:class:`~kolgraph.store.base.GraphReads` over an open :class:`EmbeddedStore`."""

    def __init__(self, store: EmbeddedStore):
        self._store = store

    def hcp_territories(self, hcp_ids: list[str]) -> dict[str, str | None]:
        return dict(self._rows("read_hcp_territories", hcp_ids=json_list(hcp_ids)))

    def identity_rows(self, hcp_ids: list[str] | None) -> list[Sequence]:
        if hcp_ids is None:
            return self._rows("list_identity_index_rows")
        return self._rows("list_identity_index_rows_of", hcp_ids=json_list(hcp_ids))

    def hcp_places(self, hcp_ids: list[str]) -> dict[str, Place]:
        rows = self._rows("read_hcp_places", hcp_ids=json_list(hcp_ids))
        return {hcp_id: (country, state, postal) for hcp_id, country, state, postal in rows}

    def slot_holders(self, pmids: list[str]) -> dict[tuple[str, int], str]:
        rows = self._rows("read_slot_holders", pmids=json_list(pmids))
        return {(pmid, int(position)): hcp_id for pmid, position, hcp_id in rows}

    def entity_rows(self, table: str, keys: list[str]) -> list[Sequence]:
        return self._rows(ENTITY_ROWS[table], keys=json_list(keys))

    def affiliation_places(self, hcp_ids: list[str]) -> dict[str, list[tuple[str, str | None]]]:
        rows = self._rows("read_affiliation_places", hcp_ids=json_list(hcp_ids))
        return grouped((hcp_id, (institution_id, city)) for hcp_id, institution_id, city in rows)

    def link_fields(self) -> list[Sequence]:
        return self._rows("list_link_fields")

    def link_keys(self, table: str, hcp_ids: list[str]) -> set[tuple[str, str]]:
        return set(self._rows(LINK_KEYS[table], hcp_ids=json_list(hcp_ids)))

    def current_affiliations(self, hcp_ids: list[str]) -> list[Affiliation]:
        return self._rows("read_current_affiliations", hcp_ids=json_list(hcp_ids))

    def search_rows(self, text: str, territory: str | None, limit: int) -> list[dict]:
        return self._search_index().rows(text, territory, limit)

    def _search_index(self) -> search_index.SearchIndex:
        """The search index, kept over touchpoint writes and mended after steward
        corrections (a whole read takes 7-10 s at L)."""
        return self._store.cached("search", search_index.read_index, unchanged, search_index.mended)

    def top_rows(self, limit: int, territory: str | None) -> list[dict]:
        return self._records("list_top_hcps", territory=territory, limit=limit)

    def rising_rows(self, limit: int, territory: str | None) -> list[dict]:
        return self._records("list_rising_hcps", territory=territory, limit=limit)

    def profile_parts(self, hcp_id: str, latest: int | None = None) -> dict | None:
        hcp = self._records("read_hcp", hcp_id=hcp_id)
        if not hcp:
            return None
        score = self._records("read_hcp_score", hcp_id=hcp_id)
        parts = {part: self._records(name, hcp_id=hcp_id) for part, name in _PROFILE_PARTS.items()}
        if latest is None:
            publications = self._records("read_hcp_publications", hcp_id=hcp_id)
            count = len(publications)
        else:
            publications = self._records(
                "read_hcp_latest_publications", hcp_id=hcp_id, latest=latest
            )
            ((count,),) = self._rows("count_hcp_publications", hcp_id=hcp_id)
        return {
            "hcp": hcp[0],
            "score": score[0] if score else None,
            "publications": publications,
            "publication_count": count,
            **parts,
        }

    def institution_members(self, institution_id: str) -> list[str] | None:
        if not self._rows("read_institution", institution_id=institution_id):
            return None
        return [h for (h,) in self._rows("read_institution_members", institution_id=institution_id)]

    def territory_members(self, territory: str) -> list[str]:
        return [h for (h,) in self._rows("read_territory_members", territory=territory)]

    def coauthor_edges(self, hcp_ids: list[str], min_papers: int) -> Edges:
        return self._store.path_graph().coauthorships_of(hcp_ids, min_papers)

    def coauthor_numbers(self, hcp_ids: list[str]) -> CoauthorEdges:
        return self._store.path_graph().coauthor_numbers_of(hcp_ids)

    def coauthor_edges_among(self, hcp_ids: list[str], min_papers: int) -> Edges:
        return self._store.path_graph().coauthorships_among(hcp_ids, min_papers)

    def coauthor_edges_through(self, hcp_id: str, others: list[str]) -> Edges:
        return self._store.path_graph().coauthorships_through(hcp_id, others)

    def network_nodes(self, hcp_ids: list[str], as_of: str) -> list[dict]:
        return self._records("read_network_nodes", hcp_ids=json_list(hcp_ids), as_of=as_of)

    def recent_insight_rows(
        self, territory: str | None, limit: int, through: str | None = None
    ) -> list[dict]:
        return self._records(
            "read_recent_insights", territory=territory, limit=limit, through=through
        )

    def gap_candidates(self, query: GapQuery) -> tuple[list[dict], list[dict]]:
        frames = self._gap_frames()
        if frames is not None:
            return gap_snapshot.candidates(frames, query), frames.msls
        return self._records("read_gap_candidates", **query.params()), self._msls()

    def _gap_frames(self) -> gap_snapshot.GapFrames | None:
        """The gaps snapshot in a server (:meth:`EmbeddedStore.snapshot`), else None."""
        return self._store.snapshot(
            "gaps", gap_snapshot.read_frames, gap_snapshot.followed, gap_snapshot.mended
        )

    def coverage_counts(
        self, as_of: date, stale_days: int, territory: str | None
    ) -> tuple[dict[str | None, tuple[int, int]], list[dict], dict[str, int]]:
        since, until = engaged_since(as_of, stale_days), as_of.isoformat()
        frames = self._gap_frames()
        if frames is not None:
            counts, engaged = gap_snapshot.coverage_counts(frames, since, until)
            return counts, frames.msls, dict(engaged)
        window = {"since": since, "until": until, "max_tier": COVERAGE_MAX_TIER}
        return (
            {t: (n, engaged) for t, n, engaged in self._rows("count_tier12_engaged", **window)},
            self._msls(),
            dict(self._rows("count_msl_engaged", **window)),
        )

    def _msls(self) -> list[dict]:
        return self._records("list_msls")

    def coauthor_rows(self, hcp_id: str) -> list[dict]:
        return self._records("read_hcp_coauthors", hcp_id=hcp_id)

    def neighbourhood(self, hcp_id: str, limit: int) -> Neighbourhood | None:
        graph = self._store.path_graph()
        (hcp,) = graph.hcp_numbers([hcp_id])
        if hcp == NONE:
            return None
        coauthors, their_ptr, their_idx = graph.coauthor_lists(int(hcp))
        places, member_ptr, member_idx = graph.member_lists(int(hcp))
        coauthor_ids = graph.hcp_ids[coauthors].tolist()
        names, place_names = self._hcp_names(coauthor_ids), self._institution_names(places)
        return Neighbourhood(
            ids=graph.hcp_ids,
            hcp=int(hcp),
            coauthors=coauthors,
            coauthor_names=[names.get(c) for c in coauthor_ids],
            coauthor_degrees=np.diff(their_ptr),
            their_ptr=their_ptr,
            their_idx=their_idx,
            institutions=places,
            institution_names=[place_names.get(i) for i in places],
            member_ptr=member_ptr,
            member_idx=member_idx,
        )

    def hcp_details(self, hcp_ids: list[str]) -> dict[str, tuple[str, frozenset]]:
        names = self._hcp_names(hcp_ids)
        topics = grouped(self._rows("read_hcp_topics", hcp_ids=json_list(hcp_ids)))
        return {i: (names.get(i, i), frozenset(topics.get(i, ()))) for i in hcp_ids}

    def expand(
        self, nodes: list[Node], window: Window | None
    ) -> tuple[dict[Node, list[Node]], dict[str, str]]:
        graph = self._store.path_graph()
        found = {}
        for node in nodes:
            if node.kind == HCP:
                found[node] = [Node(c, HCP) for c in graph.coauthors(node.id)] + [
                    Node(i, INSTITUTION) for i in graph.institutions(node.id)
                ]
            else:
                found[node] = [Node(h, HCP) for h in graph.members(node.id)]
        if window is None:
            return found, {}
        hcps = sorted({n.id for near in found.values() for n in near if n.kind == HCP})
        return found, self.engaged(hcps, window) if hcps else {}

    def engaged(self, hcp_ids: list[str], window: Window) -> dict[str, str]:
        return dict(self._rows("read_engaged_hcps", hcp_ids=json_list(hcp_ids), **window))

    def hop_facts(self, path: list[Node]) -> HopFacts:
        hcps, institutions, pairs = hop_requests(path)
        rows = self._rows("read_coauthor_pairs", pairs=json.dumps(pairs))
        names = self._hcp_names(hcps)
        return HopFacts(
            names={h: names.get(h) for h in hcps},
            institutions=self._institution_names(institutions),
            pairs={(a, b): (p, f, last) for a, b, p, f, last in rows},
        )

    def _hcp_names(self, hcp_ids: list[str]) -> dict[str, str]:
        return dict(self._rows("read_hcp_names", hcp_ids=json_list(hcp_ids)))

    def _institution_names(self, institution_ids: list[str]) -> dict[str, str]:
        return dict(
            self._rows("read_institution_names", institution_ids=json_list(institution_ids))
        )

    def score_runs(self) -> list[tuple[int, str]]:
        return [(int(i), d) for i, d in self._rows("list_score_runs")]

    def score_run(self, run_id: int) -> dict[str, tuple[int, bool]]:
        (row,) = self._rows("read_score_run", run_id=run_id)
        return {h: (int(t), bool(r)) for h, (t, r) in json.loads(row[0]).items()}

    def coverage_days(self, territory: str | None) -> list[dict]:
        return self._records("list_coverage_days", territory=territory)

    def insight_counts(self, after: str, through: str, territory: str | None) -> dict:
        rows = self._rows("count_new_insights", after=after, through=through, territory=territory)
        return dict(rows)

    def insights_by_month(
        self, territory: str | None, narrowing: InsightNarrowing
    ) -> list[Sequence]:
        return self._rows("count_insights_by_month", territory=territory, **narrowing.params())

    def scored_tiers(self) -> list[int]:
        return [int(tier) for (tier,) in self._rows("list_scored_tiers")]

    def insight_notes(self, territory: str | None, narrowing: InsightNarrowing) -> list[Sequence]:
        return self._rows("list_insight_notes", territory=territory, **narrowing.params())

    def window_reach(self, since: str, as_of: str) -> WindowReach:
        graph = self._store.path_graph()
        reaches: WindowCache[WindowReach] = self._store.cached("reach", lambda _f: WindowCache())
        return reaches.window(
            since, as_of, lambda: WindowReach(graph, self._touched(graph, since, as_of))
        )

    def _touched(self, graph: NetworkArrays, since: str, as_of: str) -> np.ndarray:
        """The path graph's numbers of the HCPs touched from ``since`` through ``as_of``."""
        rows = self._rows("list_touched_hcps", since=since, as_of=as_of)
        numbers = graph.hcp_numbers(list(dict.fromkeys(hcp_id for (hcp_id,) in rows)))
        return numbers[numbers != NONE]

    def msl_hop_counts(
        self, targets: dict[str, list[str]], since: str, as_of: str
    ) -> dict[str, dict[int | None, int]]:
        touched = grouped(self._rows("list_engaged_by_msl", since=since, as_of=as_of))
        graph = self._store.path_graph()
        matrices = self._store.cached("matrices", lambda _fetch: network_matrices(graph), unchanged)
        return hop_counts_in(matrices, touched, targets)

    # --- running statements ------------------------------------------------------------------

    def _rows(self, name: str, **params: object) -> list:
        return self._store.select(name, _doing(name), params)

    def _records(self, name: str, **params: object) -> list[dict]:
        rows = self._store.records(name, _doing(name), params)
        for row in rows:
            for column in _JSON_COLUMNS:
                if isinstance(row.get(column), str):
                    row[column] = json.loads(row[column])
        return rows


def _doing(name: str) -> str:
    """What an error message says the store was doing: ``read_hcp_score`` -> "read hcp score"."""
    return name.replace("_", " ")
