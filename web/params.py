"""Reading a request's query parameters, shared by pages and API.

Bad values raise :class:`~kolgraph.errors.InputError` (a 400 page or JSON error, never a
traceback).  Parameters naming a territory are scoped on the way in
(:func:`~kolgraph.web.scoping.scoped_territory`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from typing import overload

from flask import request

from kolgraph.answers.browse import NetworkFilters
from kolgraph.answers.gaps import DEFAULT_STALE_DAYS, GAP_FIELDS, GapQuery
from kolgraph.errors import InputError
from kolgraph.limits import MAX_COUNT, MAX_STALE_DAYS, MAX_TIER, check_date, check_int
from kolgraph.web.scoping import scoped_territory

#: Columns the gaps page can sort by.
GAP_SORTS = tuple(f for f in GAP_FIELDS if f != "msl_ids")
_INTEGER = re.compile(r"[+-]?[0-9]{1,20}")


@overload
def arg_int(name: str, default: int, *, low: int | None = None, high: int | None = None) -> int: ...


@overload
def arg_int(
    name: str, default: None = None, *, low: int | None = None, high: int | None = None
) -> int | None: ...


def arg_int(
    name: str, default: int | None = None, *, low: int | None = None, high: int | None = None
) -> int | None:
    """Integer query parameter ``name`` (blank: ``default``), checked against the bounds
    (``high`` defaults to :data:`~kolgraph.limits.MAX_COUNT`, so nothing overflows later)."""
    text = request.args.get(name, "").strip()
    if not text:
        return default
    value = _int(text, name)
    return check_int(name, value, -MAX_COUNT if low is None else low, high or MAX_COUNT)


def _int(text: str, name: str) -> int:
    # Digits only, and few: int() of a 10 MB digit string is slow (and refused by Python).
    if not _INTEGER.fullmatch(text):
        raise InputError(f"{name} must be a whole number (got {text[:40]!r})")
    return int(text)


def arg_date(name: str) -> date:
    """Date query parameter ``name`` (``YYYY-MM-DD``; blank: today)."""
    text = request.args.get(name, "").strip()
    if not text:
        return date.today()
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD (got {text[:40]!r})") from None
    return check_date(name, value)


def arg_text(name: str) -> str | None:
    """Text query parameter ``name``, stripped; None when blank."""
    return request.args.get(name, "").strip() or None


def gap_query() -> GapQuery:
    """A :class:`GapQuery` from the ``top``, ``max_tier``, ``territory``, ``stale_days``,
    ``as_of`` and ``include_engaged`` parameters, scoped to the user's territory."""
    return GapQuery(
        top=arg_int("top", low=1),
        max_tier=arg_int("max_tier", low=1, high=MAX_TIER),
        territory=scoped_territory(arg_text("territory")),
        stale_days=stale_days(),
        as_of=arg_date("as_of"),
        include_engaged=request.args.get("include_engaged", "") in ("1", "true", "on"),
        state=(arg_text("state") or "").upper() or None,
    )


def gap_filters() -> dict:
    """The gap filters given in this request (for links that keep them)."""
    names = ("top", "max_tier", "territory", "state", "stale_days", "as_of", "include_engaged")
    return {n: request.args[n] for n in names if request.args.get(n, "").strip()}


def sort_order(default: str = "influence") -> tuple[str, str]:
    """The ``sort`` column (one of :data:`GAP_SORTS`) and ``order`` (asc / desc) asked for."""
    column = request.args.get("sort", default)
    if column not in GAP_SORTS:
        raise InputError(f"sort must be one of {', '.join(GAP_SORTS)}")
    order = request.args.get(
        "order", "desc" if column in ("influence", "days_since_touch") else "asc"
    )
    if order not in ("asc", "desc"):
        raise InputError("order must be asc or desc")
    return column, order


def sort_rows(rows: list[dict], column: str, order: str) -> list[dict]:
    """``rows`` sorted by ``column`` in ``order``; missing values last in both directions."""
    present = [r for r in rows if r.get(column) is not None]
    missing = [r for r in rows if r.get(column) is None]
    present.sort(key=lambda r: r[column], reverse=order == "desc")
    return present + missing


def network_filters() -> NetworkFilters:
    """Network filters from ``hops``, ``min_papers``, ``tier`` (repeatable), ``specialty``,
    ``territory``, ``engagement`` (repeatable), ``stale_days``, ``as_of``; scoped."""
    tiers = frozenset(_ints(request.args.getlist("tier"), "tier"))
    engagement = frozenset(e for e in request.args.getlist("engagement") if e)
    return NetworkFilters(
        hops=arg_int("hops", 1, low=1, high=2),
        min_papers=arg_int("min_papers", 1, low=1),
        tiers=tiers,
        specialty=arg_text("specialty"),
        territory=scoped_territory(arg_text("territory")),
        engagement=engagement,
        as_of=arg_date("as_of"),
        stale_days=stale_days(),
    )


def _ints(values: Iterable[str], name: str) -> list[int]:
    return [check_int(name, _int(v.strip(), name), 1, MAX_TIER) for v in values if v.strip()]


def stale_days() -> int:
    """The engagement window of this request (``stale_days``, default 180)."""
    return arg_int("stale_days", DEFAULT_STALE_DAYS, low=0, high=MAX_STALE_DAYS)
