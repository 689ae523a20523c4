"""A server's snapshot for coverage gaps and coverage, on either store.

Both questions are answered from a :class:`GapFrames` snapshot held in memory: scored HCPs as
arrays, and every touchpoint as one sorted int64 key ``position * DAY_SPAN + day``, so an HCP's
last touch up to any as-of date and its touch count in any window are two binary searches
(``numpy.searchsorted``) over the selected HCPs at once, where a store would look up each HCP.

A store fetches the rows by statement name (``list_scored_hcps``, ``list_touches``,
``list_msls``; ``list_hcps_touches`` to follow) and keeps the snapshot by its data version:
the embedded store in :meth:`~kolgraph.store.sqlite.store.EmbeddedStore.cached`, read in one
transaction with ``store_version``; Neo4j in
:meth:`~kolgraph.store.neo4j.store.Neo4jStore.snapshot`.  After writes that only changed
touchpoints it is followed (:func:`followed`: the touches of the HCPs they changed read
again); after steward corrections it is mended (:func:`mended`: the corrected HCPs' rows
and touches read again); after any other write it is read whole.
"""

from __future__ import annotations

import bisect
import itertools
from collections import Counter
from dataclasses import dataclass, replace

import numpy as np

from kolgraph.answers.gaps import COVERAGE_MAX_TIER, GapQuery
from kolgraph.store.common import Fetch

#: Days are counted from this date in touch keys; each HCP owns DAY_SPAN consecutive keys,
#: which hold every date from year 1 to 2738, so two HCPs' touches never share a key range.
DAY_ZERO = np.datetime64("0001-01-01", "D")
DAY_SPAN = 1_000_000
_HCP_COLUMNS = ("hcp_id", "name", "territory", "specialty", "tier", "influence", "rank")


@dataclass(frozen=True)
class GapFrames:
    """What gaps and coverage read, as of one ``store_version``.

    HCP lists are in answer order (influence desc, rank, hcp_id); ``keys`` are sorted, with
    ``dates`` / ``msl_ids`` the touchpoint's date text and MSL in the same order.
    """

    hcps: dict[str, list]  # column -> values (plain Python values, as stored)
    position: dict[str, int]  # hcp_id -> its index in the HCP lists
    tier: np.ndarray
    rank: np.ndarray
    territory: np.ndarray  # object
    keys: np.ndarray  # int64
    dates: np.ndarray  # object, YYYY-MM-DD
    msl_ids: np.ndarray  # object
    msls: list[dict]


# --- building the snapshot ------------------------------------------------------------------


def read_frames(fetch: Fetch) -> GapFrames:
    """The snapshot, from ``fetch(statement name)``."""
    hcps = _hcp_columns(fetch("list_scored_hcps"))
    position = _positions(hcps)
    touches = _touch_keys(fetch("list_touches"), position)
    return _frames(hcps, position, touches, _msls(fetch("list_msls")))


def _positions(hcps: dict[str, list]) -> dict[str, int]:
    return {hcp_id: i for i, hcp_id in enumerate(hcps["hcp_id"])}


def _frames(
    hcps: dict[str, list],
    position: dict[str, int],
    touches: tuple[np.ndarray, np.ndarray, np.ndarray],
    msls: list[dict],
) -> GapFrames:
    """The snapshot of HCP columns in answer order and sorted touches (keys, dates, MSLs)."""
    keys, dates, msl_ids = touches
    return GapFrames(
        hcps=hcps,
        position=position,
        tier=np.asarray(hcps["tier"], dtype=np.int64),
        rank=np.asarray(hcps["rank"], dtype=np.int64),
        territory=np.asarray(hcps["territory"], dtype=object),
        keys=keys,
        dates=dates,
        msl_ids=msl_ids,
        msls=msls,
    )


def followed(frames: GapFrames, hcp_ids: set[str], fetch: Fetch) -> GapFrames:
    """``frames`` after writes that changed only the touchpoints of ``hcp_ids`` (and MSLs):
    those HCPs' touches read again, every other HCP's kept."""
    msls = _msls(fetch("list_msls"))
    scored = sorted(h for h in hcp_ids if h in frames.position)
    if not scored:
        return replace(frames, msls=msls)
    touches = fetch("list_hcps_touches", {"hcp_ids": scored})
    new_keys, new_dates, new_msl_ids = _touch_keys(touches, frames.position)
    positions = np.array([frames.position[h] for h in scored], dtype=np.int64)
    kept = ~np.isin(frames.keys // DAY_SPAN, positions)
    keys = frames.keys[kept]
    # into the sorted keys, after equal ones: no sort of millions of keys again
    at = np.searchsorted(keys, new_keys, "right")
    return replace(
        frames,
        keys=np.insert(keys, at, new_keys),
        dates=np.insert(frames.dates[kept], at, new_dates),
        msl_ids=np.insert(frames.msl_ids[kept], at, new_msl_ids),
        msls=msls,
    )


def mended(frames: GapFrames, hcp_ids: list[str], fetch: Fetch) -> GapFrames:
    """``frames`` after steward corrections of ``hcp_ids`` (a merged HCP's row gone, its
    touches now the kept one's): their rows read again (``list_scored_hcps_of``) and put in
    answer order among the others, every touch renumbered, then their touches
    :func:`followed`."""
    gone = sorted(frames.position[h] for h in set(hcp_ids) if h in frames.position)
    kept = {c: _without(values, gone) for c, values in frames.hcps.items()}
    fresh = sorted(
        map(tuple, fetch("list_scored_hcps_of", {"hcp_ids": hcp_ids})), key=_answer_order
    )
    at = [_insertion_point(kept, row) for row in fresh]  # in the kept rows, before which
    hcps = {c: _with(kept[c], [row[k] for row in fresh], at) for k, c in enumerate(_HCP_COLUMNS)}
    position = dict(zip(hcps["hcp_id"], range(len(hcps["hcp_id"]))))
    # an old row's new place: its place among the kept rows, after the fresh rows before it
    old = np.arange(len(frames.hcps["hcp_id"]), dtype=np.int64)
    in_kept = old - np.searchsorted(np.asarray(gone, dtype=np.int64), old, "right")
    now_at = in_kept + np.searchsorted(np.asarray(at, dtype=np.int64), in_kept, "right")
    now_at[gone] = -1
    carried = now_at[frames.keys // DAY_SPAN] >= 0
    held = frames.keys[carried]  # renumbered in the same order: still sorted
    keys = now_at[held // DAY_SPAN] * DAY_SPAN + held % DAY_SPAN
    touches = (keys, frames.dates[carried], frames.msl_ids[carried])
    return followed(_frames(hcps, position, touches, frames.msls), set(hcp_ids), fetch)


def _without(values: list, gone: list[int]) -> list:
    """``values`` without the items at the sorted places ``gone`` (slices, not a loop)."""
    if not gone:
        return values
    kept: list = []
    for start, stop in itertools.pairwise([-1, *gone, len(values)]):
        kept += values[start + 1 : stop]
    return kept


def _with(values: list, added: list, at: list[int]) -> list:
    """``values`` with ``added[i]`` put before ``values[at[i]]`` (``at`` ascending)."""
    joined, start = [], 0
    for value, place in zip(added, at):
        joined += values[start:place]
        joined.append(value)
        start = place
    return joined + values[start:]


def _insertion_point(hcps: dict[str, list], row: tuple) -> int:
    """Where ``row`` goes among rows in answer order (a binary search)."""
    influence, rank, ids = hcps["influence"], hcps["rank"], hcps["hcp_id"]
    return bisect.bisect_left(
        range(len(ids)), _answer_order(row), key=lambda i: (-influence[i], rank[i], ids[i])
    )


def _answer_order(row: tuple) -> tuple:
    """``list_scored_hcps``' order: influence descending, rank, hcp_id."""
    return (-row[5], row[6], row[0])


def _hcp_columns(rows: list[tuple]) -> dict[str, list]:
    if not rows:
        return {c: [] for c in _HCP_COLUMNS}
    return {c: list(v) for c, v in zip(_HCP_COLUMNS, zip(*rows))}


def _msls(rows: list[tuple]) -> list[dict]:
    return [dict(zip(("msl_id", "name", "territory", "therapeutic_area"), m)) for m in rows]


def _touch_keys(touchpoints: list[tuple], position: dict[str, int]):
    """Sorted touch keys of scored HCPs, with each touch's date text and MSL."""
    kept = [(position[h], m, d) for h, m, d in touchpoints if h in position]
    if not kept:
        empty = np.array([], dtype=object)
        return np.array([], dtype=np.int64), empty, empty
    pos, msl, dates = (np.asarray(v, dtype=object) for v in zip(*kept))
    keys = pos.astype(np.int64) * DAY_SPAN + days(dates)
    order = np.argsort(keys, kind="stable")
    return keys[order], dates[order], msl[order]


def days(dates: np.ndarray) -> np.ndarray:
    """``YYYY-MM-DD`` dates as day numbers (from :data:`DAY_ZERO`)."""
    return (dates.astype("datetime64[D]") - DAY_ZERO).astype(np.int64)


def day(text: str) -> int:
    """One ``YYYY-MM-DD`` date as a day number."""
    return int((np.datetime64(text, "D") - DAY_ZERO).astype(np.int64))


# --- answering ------------------------------------------------------------------------------


def _window(
    frames: GapFrames, positions: np.ndarray, after: int, through: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each HCP position, the index range ``[low, high)`` in ``keys`` of its touches
    dated after day ``after`` and up to day ``through`` (``after=-1``: from the first)."""
    base = positions.astype(np.int64) * DAY_SPAN
    return (
        np.searchsorted(frames.keys, base + after, "right"),
        np.searchsorted(frames.keys, base + through, "right"),
    )


def candidates(frames: GapFrames, query: GapQuery) -> list[dict]:
    """Rows of the selected HCPs that may be gaps (all selected, with include_engaged)."""
    params = query.params()
    mask = (frames.rank <= params["max_rank"]) & (frames.tier <= params["max_tier"])
    if query.territory is not None:
        mask &= frames.territory == query.territory
    selected = np.flatnonzero(mask)
    as_of = day(params["as_of"])
    start, end = _window(frames, selected, -1, as_of)
    year_start, _ = _window(frames, selected, day(params["year_ago"]), as_of)
    if params["engaged_since"] is not None:
        recent, _ = _window(frames, selected, day(params["engaged_since"]) - 1, as_of)
        covered = {m["territory"] for m in frames.msls}
        uncovered = np.array([t not in covered for t in frames.territory[selected]], dtype=bool)
        keep = (recent == end) | uncovered  # no touch in the engaged window, or no MSL
        selected, start, end, year_start = (a[keep] for a in (selected, start, end, year_start))
    return _rows(frames, selected, start, end, year_start)


def _rows(
    frames: GapFrames,
    positions: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
    year_start: np.ndarray,
) -> list[dict]:
    """Candidate rows of the HCPs at ``positions``, each column picked at once (tens of
    thousands of rows at L)."""
    at = positions.tolist()
    columns = [list(map(frames.hcps[c].__getitem__, at)) for c in _HCP_COLUMNS]
    touched = end > start
    last_touch = np.full(len(positions), None, dtype=object)
    last_touch[touched] = frames.dates[end[touched] - 1]
    return [
        {
            "hcp_id": hcp_id,
            "name": name,
            "territory": territory,
            "specialty": specialty,
            "tier": tier,
            "influence": influence,
            "rank": rank,
            "last_touch": last,
            "touches_12m": touches,
        }
        for hcp_id, name, territory, specialty, tier, influence, rank, last, touches in zip(
            *columns, last_touch.tolist(), (end - year_start).tolist()
        )
    ]


def coverage_counts(frames: GapFrames, since: str, until: str):
    """(territory -> (tier 1-2 HCPs, engaged); None: the HCPs of no territory), (msl_id ->
    own-territory tier 1-2 HCPs engaged) for touches dated from ``since`` through ``until``
    (``YYYY-MM-DD``)."""
    since_day, until_day = day(since), day(until)
    tier12 = np.flatnonzero(frames.tier <= COVERAGE_MAX_TIER)
    low, high = _window(frames, tier12, since_day - 1, until_day)
    engaged = high > low
    territories = frames.territory[tier12]
    hcps, hits = Counter(territories), Counter(territories[engaged])
    counts = {t: (n, hits.get(t, 0)) for t, n in hcps.items()}
    home = {m["msl_id"]: m["territory"] for m in frames.msls}
    pairs = set()
    for position, lo, hi in zip(tier12, low, high):
        territory = frames.territory[position]
        if territory is None:  # counted as of no territory, and no MSL's own
            continue
        for msl_id in frames.msl_ids[lo:hi]:
            if home.get(msl_id) == territory:
                pairs.add((msl_id, int(position)))
    return counts, Counter(msl_id for msl_id, _ in pairs)
