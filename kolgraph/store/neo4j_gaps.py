"""Coverage gaps and coverage on Neo4j (a mixin of ``Neo4jStore``).

The server selects HCPs and counts touches (``list_gap_candidates_by_*``, ``count_*`` in
``queries/``); :mod:`kolgraph.analytics.gaps` applies the rules, as for the embedded store.
The candidate queries already drop HCPs engaged within the window in a covered territory,
so only possible gaps cross the wire, collected into one record as lists (cheaper than maps
to build and decode) together with the MSLs (one round trip).  There are two of them
because the planner seeks the index of whichever bound appears: ``by_rank`` when ``--top``
is given, ``by_tier`` (no rank predicate at all) otherwise.
"""

from __future__ import annotations

from datetime import date

from kolgraph.analytics.gaps import (
    COVERAGE_MAX_TIER,
    GapQuery,
    check_window,
    current_institution,
    engaged_since,
    finish_coverage,
    finish_gaps,
)

#: The values of a candidate row, in the order ``list_gap_candidates_by_*`` returns them.
CANDIDATE_FIELDS = ("hcp_id", "name", "territory", "specialty", "tier", "influence", "rank",
                    "last_touch", "touches_12m")


class Neo4jGapQueries:
    """``coverage_gaps`` and ``coverage`` for :class:`~kolgraph.store.neo4j.Neo4jStore`."""

    def coverage_gaps(self, query: GapQuery) -> list[dict]:
        """Influential HCPs never engaged, engaged too long ago, or with no MSL in their
        territory (every selected HCP with ``include_engaged``), highest influence first."""
        params = query.params()
        if query.top is None:
            name = "list_gap_candidates_by_tier"
            del params["max_rank"]
        else:
            name = "list_gap_candidates_by_rank"
        (record,) = self._read(name, **params)
        rows = [dict(zip(CANDIDATE_FIELDS, values)) for values in record["rows"]]
        msls = [{"msl_id": msl_id, "territory": territory} for msl_id, territory in record["msls"]]
        if query.with_institution:
            self._add_institutions(rows)
        return finish_gaps(rows, msls, query)

    def _add_institutions(self, rows: list[dict]) -> None:
        """Set each row's ``institution`` (see :func:`current_institution`)."""
        (record,) = self._read("list_current_affiliations",
                                hcp_ids=[r["hcp_id"] for r in rows])
        current: dict[str, list[tuple]] = {}
        for hcp_id, start, institution_id, name in record["rows"]:
            current.setdefault(hcp_id, []).append((start, institution_id, name))
        for row in rows:
            row["institution"] = current_institution(current.get(row["hcp_id"], ()))

    def coverage(self, as_of: date, stale_days: int, territory: str | None = None) -> dict:
        """Per territory and per MSL: tier 1-2 HCPs and the share engaged within the window."""
        check_window(as_of, stale_days)
        params = {"max_tier": COVERAGE_MAX_TIER, "territory": territory,
                  "engaged_since": engaged_since(as_of, stale_days), "as_of": as_of.isoformat()}
        counts = {r["territory"]: (r["hcps"], r["engaged"])
                  for r in self._read("count_territory_coverage", **params)}
        engaged = {r["msl_id"]: r["engaged"] for r in self._read("count_msl_engagement", **params)}
        return finish_coverage(counts, self._read_rows("list_msls"), engaged, territory)
