"""Coverage gaps and coverage on Neo4j (a mixin of ``Neo4jStore``), and ``HCP.touch_dates``.

The server selects HCPs and counts touches (``list_gap_candidates_by_*``, ``count_*`` in
``queries/``); :mod:`kolgraph.analytics.gaps` applies the rules, as for the embedded store.
The candidate queries already drop HCPs engaged within the window in a covered territory,
so only possible gaps cross the wire, collected into one record as lists (cheaper than maps
to build and decode) together with the MSLs (one round trip).  There are two of them
because the planner seeks the index of whichever bound appears: ``by_rank`` when ``--top``
is given, ``by_tier`` (no rank predicate at all) otherwise.

**touch_dates.**  The candidate queries do not read touchpoints: each HCP node keeps
``touch_dates``, the dates (``YYYY-MM-DD``) of its touchpoints, sorted, and no such property
when it has none.  Last touch and the 12-month count up to the as-of date come from that
list, which costs the server far less than reading the touchpoints of ~10,000 HCPs.
Every touchpoint write goes through ``Neo4jStore.load`` (bundles, sources, the web form),
which keeps the lists right (:meth:`Neo4jGapQueries._touch_date_jobs`): into a store without
touchpoints, the lists are computed from the batch and written along with the
relationships; otherwise they are recomputed in the server after the touchpoints are
written, for the HCPs the batch names and those that moved touchpoints left (read before
writing).  A recompute writes only lists that changed.

A database written before kolgraph kept the property is backfilled once, by the first
gaps query that finds it so.  The node ``(:StoreState {name: 'touch_dates'})`` records that
every HCP's list is right: a full backfill writes it, and so does a load into a store that
held no touchpoints.  The candidate queries return whether it exists (same round trip, no
check at connect), and without it the store backfills and asks again.  A load that dies
after writing touchpoints and before the refresh leaves those HCPs stale until the load is
run again, as it leaves the rest of its rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from kolgraph.analytics.gaps import (
    COVERAGE_MAX_TIER,
    GapQuery,
    check_window,
    current_institution,
    engaged_since,
    finish_coverage,
    finish_gaps,
)
from kolgraph.store.base import no_progress
from kolgraph.store.neo4j_bulk import Job, chunks, link_jobs, weightless

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

#: The node a touch_dates batch locks, for :func:`link_jobs`: the HCP of column ``hcp_id``.
HCP_END = [("HCP", "hcp_id")]


class Neo4jGapQueries:
    """``coverage_gaps`` and ``coverage`` for :class:`~kolgraph.store.neo4j.Neo4jStore`,
    and the upkeep of ``HCP.touch_dates`` its loads run."""

    def coverage_gaps(self, query: GapQuery) -> list[dict]:
        """Influential HCPs never engaged, engaged too long ago, or with no MSL in their
        territory (every selected HCP with ``include_engaged``), highest influence first."""
        name, params = candidate_query(query)
        (record,) = self._read(name, **params)
        if not record["touch_dates_ready"]:
            self._backfill_touch_dates()
            (record,) = self._read(name, **params)
        rows = [dict(zip(CANDIDATE_FIELDS, values)) for values in record["rows"]]
        msls = [{"msl_id": msl_id, "territory": territory} for msl_id, territory in record["msls"]]
        if query.with_institution:
            self._add_institutions(rows)
        return finish_gaps(rows, msls, query)

    def _add_institutions(self, rows: list[dict]) -> None:
        """Set each row's ``institution`` (see :func:`current_institution`)."""
        (record,) = self._read("list_current_affiliations", hcp_ids=[r["hcp_id"] for r in rows])
        current: dict[str, list[tuple]] = {}
        for hcp_id, start, institution_id, name in record["rows"]:
            current.setdefault(hcp_id, []).append((start, institution_id, name))
        for row in rows:
            row["institution"] = current_institution(current.get(row["hcp_id"], ()))

    def coverage(self, as_of: date, stale_days: int, territory: str | None = None) -> dict:
        """Per territory and per MSL: tier 1-2 HCPs and the share engaged within the window."""
        check_window(as_of, stale_days)
        params = {
            "max_tier": COVERAGE_MAX_TIER,
            "territory": territory,
            "engaged_since": engaged_since(as_of, stale_days),
            "as_of": as_of.isoformat(),
        }
        counts = {
            r["territory"]: (r["hcps"], r["engaged"])
            for r in self._read("count_territory_coverage", **params)
        }
        engaged = {r["msl_id"]: r["engaged"] for r in self._read("count_msl_engagement", **params)}
        return finish_coverage(counts, self._read_rows("list_msls"), engaged, territory)

    # -- touch_dates upkeep (run by Neo4jStore.load) ---------------------------------------

    def _backfill_touch_dates(self) -> None:
        """Recompute ``touch_dates`` of every HCP that has touchpoints or the property, then
        record that the database keeps them."""
        (row,) = self._read("list_touch_date_hcps")
        self._refresh_touch_dates(row["hcp_ids"])
        self._execute("mark_touch_dates_ready")

    def _touch_date_jobs(
        self, touchpoints: pd.DataFrame | None, first: bool
    ) -> tuple[list[Job], set[str] | None]:
        """How a load of ``touchpoints`` keeps ``touch_dates``: jobs to run with its
        relationship batches, and the HCPs to refresh after them (``None``: the lists are
        all set by the jobs; see :meth:`_finish_touch_dates`).

        Into a store without touchpoints (``first``), the batch holds every touch of each
        HCP: the lists are computed here and written among the relationship batches (their
        tokens keep them apart from batches touching the same HCPs), which costs the load far
        less than a refresh after it.  Otherwise the HCPs that stored touchpoints will leave
        (a row names another HCP) are read now, before the touchpoints are written; they and
        the HCPs the batch names are refreshed after.
        """
        if touchpoints is None or not len(touchpoints):
            return [], set()
        if first:
            jobs = link_jobs(
                "set_touch_dates", batch_touch_dates(touchpoints), HCP_END, self.batch_size
            )
            return weightless(jobs), None
        return [], set(touchpoints["hcp_id"]) | self._moved_touchpoint_owners(touchpoints)

    def _finish_touch_dates(self, refresh: set[str] | None) -> None:
        """After the relationships: refresh the HCPs :meth:`_touch_date_jobs` named, or,
        when its jobs set every list (a store without touchpoints before), record that the
        database keeps them, so no query backfills it."""
        if refresh is None:
            self._execute("mark_touch_dates_ready")
        else:
            self._refresh_touch_dates(refresh)

    def _moved_touchpoint_owners(self, touchpoints: pd.DataFrame) -> set[str]:
        """The HCPs stored touchpoints of ``touchpoints`` link to, where a row names another."""
        rows = touchpoints[["touchpoint_id", "hcp_id"]].astype(object).to_dict("records")
        owners: set[str] = set()
        for chunk in chunks(rows, self.batch_size):
            (row,) = self._read("read_moved_touchpoint_owners", rows=chunk)
            owners.update(row["hcp_ids"])
        return owners

    def _refresh_touch_dates(self, hcp_ids: Iterable[str]) -> None:
        """Recompute ``touch_dates`` of ``hcp_ids`` in the server, in batches written by
        parallel sessions that never share an HCP (:func:`link_jobs` colours)."""
        frame = pd.DataFrame({"hcp_id": pd.Series(sorted(set(hcp_ids)), dtype=object)})
        jobs = link_jobs("refresh_touch_dates", frame, HCP_END, self.batch_size)
        self._run_jobs(jobs, no_progress)


def batch_touch_dates(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """``hcp_id`` and ``touch_dates`` (sorted dates) of each HCP a touchpoints frame names."""
    ordered = touchpoints.sort_values(["hcp_id", "date"], kind="stable")
    lists = ordered.groupby("hcp_id", sort=False)["date"].agg(list)
    return pd.DataFrame(
        {
            "hcp_id": pd.Series(lists.index, dtype=object),
            "touch_dates": pd.Series(lists.to_list(), dtype=object),
        }
    )


def candidate_query(query: GapQuery) -> tuple[str, dict]:
    """The candidate query for ``query`` and its parameters: ``by_rank`` only with ``top``,
    so the planner seeks the tier index otherwise."""
    params = query.params()
    if query.top is None:
        del params["max_rank"]
        return "list_gap_candidates_by_tier", params
    return "list_gap_candidates_by_rank", params
