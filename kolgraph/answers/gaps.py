"""Coverage gaps and coverage: the query, its checks, and the rules every store applies.

A store only fetches raw numbers (each selected HCP's last touch and 12-month touch count,
touch counts per territory and MSL); the rules that turn them into answers live here, so the
embedded store and Neo4j give the same dicts in the same order.

Rules (also in ``docs/queries.md``, "Gaps and coverage"):

* **Selection**: scored HCPs with ``rank <= top`` (when given) and ``tier <= max_tier`` (when
  given); when neither is given, ``max_tier`` is 2.  ``territory`` matches exactly.
* Only touchpoints dated on or before ``as_of`` count.  ``last_touch`` is the latest of them;
  ``days_since_touch`` is ``(as_of - last_touch).days``; ``touches_12m`` counts those with
  ``as_of - 365 days < date <= as_of``.
* ``msl_ids``: the MSLs whose territory is the HCP's territory, sorted.
* ``reason``: ``no MSL covers territory`` when ``msl_ids`` is empty; else ``never engaged``
  when there is no touch; else ``stale`` when ``days_since_touch > stale_days``; else
  ``engaged`` (not a gap; listed only with ``include_engaged``).
* Sorted by influence, highest first, then rank, then ``hcp_id``.
* With ``with_institution`` (exports), rows also carry ``institution``: see
  :func:`current_institution`.  It is off by default because it costs Neo4j a third of the
  query time, and ``gaps`` does not show it.

>>> reasons = GapReasons(GapQuery(stale_days=30, as_of=date(2024, 3, 31)))
>>> reasons(True, "2024-01-15")  # an MSL covers the territory
(76, 'stale')
>>> reasons(False, "2024-03-30")
(1, 'no MSL covers territory')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter

from kolgraph.errors import InputError
from kolgraph.territories import us_zip5

DEFAULT_STALE_DAYS = 180
#: The tier bound when neither ``top`` nor ``max_tier`` is given.
DEFAULT_MAX_TIER = 2
#: Coverage counts the HCPs of tiers 1 to this.
COVERAGE_MAX_TIER = 2
#: Days of the ``touches_12m`` window.
YEAR_DAYS = 365
#: Stands for "no bound" in a rank or tier parameter, so a query needs no optional branch.
NO_BOUND = 2**62

NO_MSL = "no MSL covers territory"
NEVER = "never engaged"
STALE = "stale"
ENGAGED = "engaged"

#: The fields of ``kolgraph gaps`` (and the issue's JSON objects), in order.
GAP_FIELDS = (
    "hcp_id",
    "name",
    "territory",
    "tier",
    "influence",
    "last_touch",
    "days_since_touch",
    "touches_12m",
    "msl_ids",
    "reason",
    "reach_hops",
    "reach_via",
)
#: Every field of a row of :meth:`GraphStore.coverage_gaps` (export targets need the extras);
#: ``institution`` only with ``GapQuery.with_institution``.
ROW_FIELDS = GAP_FIELDS + ("rank", "specialty", "institution")
TERRITORY_FIELDS = ("territory", "tier12_hcps", "engaged", "share", "msls")
MSL_FIELDS = (
    "msl_id",
    "name",
    "territory",
    "therapeutic_area",
    "tier12_hcps",
    "engaged_by_msl",
    "share",
)
#: What ``coverage --reach`` adds to each territory and MSL row: of the territory's tier 1-2
#: HCPs not engaged in the window, how many are one hop, two hops, or farther from one that is
#: (for an MSL: not engaged by that MSL, and hops from one it engaged).
REACH_FIELDS = ("within_1_hop", "within_2_hops", "out_of_reach")


@dataclass(frozen=True)
class GapQuery:
    """Which HCPs to check, and the engagement window.  Impossible values raise InputError."""

    top: int | None = None
    max_tier: int | None = None
    territory: str | None = None
    stale_days: int = DEFAULT_STALE_DAYS
    as_of: date = field(default_factory=date.today)
    include_engaged: bool = False
    with_institution: bool = False
    state: str | None = None  # a US state's USPS code: only HCPs located there

    def __post_init__(self) -> None:
        if self.top is not None and self.top < 1:
            raise InputError(f"--top must be at least 1 (got {self.top})")
        if self.max_tier is not None and self.max_tier < 1:
            raise InputError(
                f"--max-tier must be at least 1; tier 1 is the highest (got {self.max_tier})"
            )
        check_window(self.as_of, self.stale_days)

    @property
    def tier_bound(self) -> int | None:
        """The tier filter in effect (``max_tier``, or the default when nothing is given)."""
        if self.max_tier is not None:
            return self.max_tier
        return DEFAULT_MAX_TIER if self.top is None else None

    def params(self) -> dict:
        """Query parameters both stores use: bounds as ints, dates as ``YYYY-MM-DD`` text.

        ``engaged_since`` is the first date that still counts as engaged; it is ``None`` with
        ``include_engaged``, which turns the stores' "possible gaps only" pre-filter off.
        """
        return {
            "max_rank": self.top or NO_BOUND,
            "max_tier": self.tier_bound or NO_BOUND,
            "territory": self.territory,
            "as_of": self.as_of.isoformat(),
            "year_ago": (self.as_of - timedelta(days=YEAR_DAYS)).isoformat(),
            "engaged_since": None
            if self.include_engaged
            else engaged_since(self.as_of, self.stale_days),
        }

    def describe(self) -> dict[str, str]:
        """The filters in words, for an export's "About" sheet."""
        return {
            "top": str(self.top) if self.top else "(any rank)",
            "max tier": str(self.tier_bound) if self.tier_bound else "(any tier)",
            "territory": self.territory or "(all territories)",
            **({"state": self.state} if self.state else {}),
            "stale after (days)": str(self.stale_days),
            "as of": self.as_of.isoformat(),
            "listed": "every selected HCP" if self.include_engaged else "gaps only",
        }


def check_window(as_of: date, stale_days: int) -> None:
    """Reject a negative window or an as-of date in the future (InputError)."""
    if stale_days < 0:
        raise InputError(f"--stale-days must be 0 or more (got {stale_days})")
    if as_of > date.today():
        raise InputError(
            f"--as-of {as_of.isoformat()} is in the future; "
            f"use a date up to today ({date.today().isoformat()})"
        )


def engaged_since(as_of: date, stale_days: int) -> str:
    """The earliest touch date that still counts as engaged (``days_since <= stale_days``)."""
    return (as_of - timedelta(days=stale_days)).isoformat()


def current_institution(affiliations: Iterable[tuple]) -> str | None:
    """The name of the HCP's main current institution, from ``(start_year, institution_id,
    name)`` of affiliations without an end year: the earliest start (unknown start last),
    ties broken by ``institution_id``; ``None`` when there is none."""
    ranked = sorted(affiliations, key=lambda a: (a[0] is None, a[0] or 0, a[1]))
    return ranked[0][2] if ranked else None


def msl_ids_by_territory(msls: Iterable[Mapping]) -> dict[str, list[str]]:
    """Territory -> sorted ids of the MSLs assigned to it."""
    found: dict[str, list[str]] = {}
    for msl in msls:
        found.setdefault(msl["territory"], []).append(msl["msl_id"])
    return {territory: sorted(ids) for territory, ids in found.items()}


def finish_gaps(rows: Iterable[Mapping], msls: Iterable[Mapping], query: GapQuery) -> list[dict]:
    """The answer of ``coverage_gaps`` from a store's candidate rows.

    ``rows`` hold ``hcp_id, name, territory, specialty, tier, influence, rank, last_touch,
    touches_12m`` (and ``institution`` with ``query.with_institution``); ``msls`` every MSL's
    ``msl_id`` and ``territory``.  A store may
    leave out rows that cannot be gaps; this applies every rule again, so it need not be exact.
    At L an answer holds 50,000 rows: each date's days and reason are worked out once, and
    the rows of one territory share its ``msl_ids`` list (half the objects the collector
    then walks), so an answer is read-only, as the web app's answer cache already treats it.
    """
    by_territory = msl_ids_by_territory(msls)
    uncovered: list[str] = []
    reasons = GapReasons(query)
    answer = []
    for row in rows:
        msl_ids = by_territory.get(row["territory"], uncovered)
        days, reason = reasons(bool(msl_ids), row["last_touch"])
        if query.include_engaged or reason != ENGAGED:
            answer.append(_gap_row(row, msl_ids, days, reason, query.with_institution))
    # Two stable sorts: (rank, hcp_id), then influence high to low, as one sort on
    # (-influence, rank, hcp_id) with keys made in C.
    answer.sort(key=itemgetter("rank", "hcp_id"))
    answer.sort(key=itemgetter("influence"), reverse=True)
    return answer


def _gap_row(
    row: Mapping, msl_ids: list[str], days: int | None, reason: str, with_institution: bool
) -> dict:
    """One answer row, with the fields of :data:`ROW_FIELDS` in order and plain types."""
    gap = {
        "hcp_id": row["hcp_id"],
        "name": row["name"],
        "territory": row["territory"],
        "tier": int(row["tier"]),
        "influence": float(row["influence"]),
        "last_touch": row["last_touch"],
        "days_since_touch": days,
        "touches_12m": int(row["touches_12m"]),
        "msl_ids": msl_ids,
        "reason": reason,
        # Set by GraphStore.coverage_gaps, which reads the graph (WindowReach.reach).
        "reach_hops": None,
        "reach_via": None,
        "rank": int(row["rank"]),
        "specialty": row["specialty"],
    }
    if with_institution:
        gap["institution"] = row["institution"]
    return gap


class GapReasons:
    """``(days_since_touch, reason)`` of a row from whether an MSL covers its territory and
    its last touch (the rules of the module docstring; the first that applies wins), each
    distinct last touch parsed once."""

    def __init__(self, query: GapQuery):
        self._query = query
        self._days: dict[str, int] = {}

    def __call__(self, covered: bool, last_touch: str | None) -> tuple[int | None, str]:
        if last_touch is None:
            return None, NEVER if covered else NO_MSL
        days = self._days.get(last_touch)
        if days is None:
            days = self._days[last_touch] = (
                self._query.as_of - date.fromisoformat(last_touch)
            ).days
        if not covered:
            return days, NO_MSL
        return days, STALE if days > self._query.stale_days else ENGAGED


def finish_coverage(
    territory_counts: Mapping[str | None, tuple[int, int]],
    msls: Iterable[Mapping],
    msl_engaged: Mapping[str, int],
    territory: str | None = None,
) -> dict:
    """The answer of ``coverage`` from a store's counts.

    ``territory_counts``: territory -> (tier 1-2 HCPs, of them engaged by any MSL in the
    window), for territories that have such HCPs, and None -> those of the HCPs of no
    territory; ``msls``: every MSL's properties; ``msl_engaged``: msl_id -> tier 1-2 HCPs of
    the MSL's own territory it engaged in the window.  Territories listed: those with a tier
    1-2 HCP or an MSL (``territory`` only, if given); ``unassigned``: the HCPs of no territory
    (None when a territory is asked for: they are in none).
    """
    msls = sorted(
        (m for m in msls if territory is None or m["territory"] == territory),
        key=lambda m: m["msl_id"],
    )
    names = {t for t in territory_counts if t is not None and territory in (None, t)}
    names |= {m["territory"] for m in msls}
    per_territory = msl_ids_by_territory(msls)
    territories = [
        _territory_row(t, territory_counts.get(t, (0, 0)), per_territory.get(t, []))
        for t in sorted(names)
    ]
    unassigned = None
    if territory is None:
        unassigned = _counted(territory_counts.get(None, (0, 0)))
    return {
        "territories": territories,
        "unassigned": unassigned,
        "msls": [
            _msl_row(
                m, territory_counts.get(m["territory"], (0, 0))[0], msl_engaged.get(m["msl_id"], 0)
            )
            for m in msls
        ],
    }


def _territory_row(name: str, counts: tuple[int, int], msl_ids: list[str]) -> dict:
    return {"territory": name, **_counted(counts), "msls": len(msl_ids)}


def _counted(counts: tuple[int, int]) -> dict:
    hcps, engaged = int(counts[0]), int(counts[1])
    return {"tier12_hcps": hcps, "engaged": engaged, "share": share(engaged, hcps)}


def _msl_row(msl: Mapping, hcps: int, engaged: int) -> dict:
    return {
        "msl_id": msl["msl_id"],
        "name": msl["name"],
        "territory": msl["territory"],
        "therapeutic_area": msl.get("therapeutic_area"),
        "tier12_hcps": int(hcps),
        "engaged_by_msl": int(engaged),
        "share": share(engaged, hcps),
    }


def add_reach(
    coverage: dict, rows: Sequence[Mapping], msl_hops: Mapping[str, Mapping[int | None, int]]
) -> dict:
    """``coverage`` (a :func:`finish_coverage` answer) with :data:`REACH_FIELDS` on every
    territory row and on ``unassigned``, from gap rows of every tier 1-2 HCP (engaged ones
    included) with ``reach_hops``, and on every MSL row, from ``msl_hops``: msl_id -> how many
    tier 1-2 HCPs of its territory are 0, 1, 2 or more (None) hops from the HCPs that MSL
    engaged."""
    hops = by_territory(rows, "reach_hops")
    for row in coverage["territories"]:
        row.update(reach_counts(Counter(hops.get(row["territory"], []))))
    if coverage["unassigned"] is not None:
        unassigned = Counter(r["reach_hops"] for r in rows if r["territory"] is None)
        coverage["unassigned"].update(reach_counts(unassigned))
    for row in coverage["msls"]:
        row.update(reach_counts(msl_hops.get(row["msl_id"], {})))
    return coverage


def reach_counts(hops: Mapping[int | None, int]) -> dict[str, int]:
    """:data:`REACH_FIELDS` from how many HCPs are at each ``reach_hops`` (0, an engaged HCP,
    is in none; None, or more than 2, is out of reach).

    >>> reach_counts({0: 1, 1: 2, 2: 1, None: 1})
    {'within_1_hop': 2, 'within_2_hops': 1, 'out_of_reach': 1}
    """
    far = sum(n for near, n in hops.items() if near is None or near > 2)
    return {"within_1_hop": hops.get(1, 0), "within_2_hops": hops.get(2, 0), "out_of_reach": far}


def by_territory(rows: Iterable[Mapping], field: str) -> dict[str, list]:
    """The ``field`` of gap rows, per territory (rows without one are left out)."""
    found: dict[str, list] = {}
    for row in rows:
        if row["territory"] is not None:
            found.setdefault(row["territory"], []).append(row[field])
    return found


#: The fields of a row of ``GraphStore.coverage_by_state``.
STATE_FIELDS = ("state", "tier12_hcps", "engaged", "share")
#: The fields of a row of ``GraphStore.coverage_by_zip3``: ``state`` and ``territories`` are
#: those of its tier 1-2 HCPs (the most frequent state; every territory, sorted).
ZIP3_FIELDS = ("zip3", "state", "territories", "tier12_hcps", "engaged", "share")


def coverage_by_state(
    rows: Iterable[Mapping], states: Mapping[str, str | None], since: str
) -> list[dict]:
    """Tier 1-2 HCPs and how many were engaged (a touch from ``since``), per state
    (:data:`STATE_FIELDS`), from gap rows of every tier 1-2 HCP (engaged ones included) and
    each HCP's state; HCPs without a state are in no row.

    >>> rows = [{"hcp_id": "a", "last_touch": "2024-05-01"}, {"hcp_id": "b", "last_touch": None},
    ...         {"hcp_id": "c", "last_touch": "2023-01-01"}]
    >>> coverage_by_state(rows, {"a": "MA", "b": "MA", "c": None}, "2024-01-01")
    [{'state': 'MA', 'tier12_hcps': 2, 'engaged': 1, 'share': 0.5}]
    """
    counts: dict[str, list[int]] = {}
    for row in rows:
        state = states.get(row["hcp_id"])
        if state:
            held = counts.setdefault(state, [0, 0])
            held[0] += 1
            held[1] += (row["last_touch"] or "") >= since
    return [
        {"state": s, "tier12_hcps": n, "engaged": e, "share": share(e, n)}
        for s, (n, e) in sorted(counts.items())
    ]


def share(part: int, whole: int) -> float | None:
    """``part / whole`` rounded to 3 decimals; ``None`` when ``whole`` is 0.

    >>> share(1, 3), share(0, 0)
    (0.333, None)
    """
    return round(part / whole, 3) if whole else None


def coverage_by_zip3(
    rows: Iterable[Mapping],
    places: Mapping[str, tuple[str | None, str | None, str | None]],
    zip3s: frozenset[str],
    since: str,
) -> list[dict]:
    """Tier 1-2 HCPs and how many were engaged (a touch from ``since``), per ZIP3 of
    ``zip3s`` that has any (:data:`ZIP3_FIELDS`), from gap rows of every tier 1-2 HCP and
    each HCP's (country, state, postal_code); only US ZIP5s count.

    >>> rows = [{"hcp_id": "a", "territory": "E", "last_touch": "2024-05-01"},
    ...         {"hcp_id": "b", "territory": "W", "last_touch": None},
    ...         {"hcp_id": "c", "territory": "E", "last_touch": None}]
    >>> places = {"a": ("US", "IA", "52242"), "b": ("US", "IA", "52240"), "c": ("DE", None, "52062")}
    >>> coverage_by_zip3(rows, places, frozenset({"522", "520"}), "2024-01-01")
    [{'zip3': '522', 'state': 'IA', 'territories': ['E', 'W'], 'tier12_hcps': 2, 'engaged': 1, 'share': 0.5}]
    """
    found: dict[str, list[Mapping]] = {}
    for row in rows:
        country, _state, postal = places.get(row["hcp_id"], (None, None, None))
        zip5 = us_zip5(country, postal)
        if zip5 and zip5[:3] in zip3s:
            found.setdefault(zip5[:3], []).append(row)
    return [_zip3_row(zip3, found[zip3], places, since) for zip3 in sorted(found)]


def _zip3_row(zip3: str, rows: list[Mapping], places: Mapping, since: str) -> dict:
    states = Counter(places[r["hcp_id"]][1] for r in rows if places[r["hcp_id"]][1])
    engaged = sum((r["last_touch"] or "") >= since for r in rows)
    return {
        "zip3": zip3,
        "state": states.most_common(1)[0][0] if states else None,
        "territories": sorted({r["territory"] for r in rows if r["territory"]}),
        "tier12_hcps": len(rows),
        "engaged": engaged,
        "share": share(engaged, len(rows)),
    }
