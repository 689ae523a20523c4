"""Reading query parameters and applying the user's territory scope, shared by pages and API.

Bad values raise :class:`~kolgraph.errors.InputError` (a 400 page or JSON error, never a
traceback).  Territory scoping happens here on the server: an msl's territory replaces any
territory asked for, and asking for another one is a 404 (as if it did not exist).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

from flask import abort, current_app, request

from kolgraph.answers.browse import NetworkFilters
from kolgraph.answers.gaps import DEFAULT_STALE_DAYS, GAP_FIELDS, GapQuery
from kolgraph.answers.network import why_sentence
from kolgraph.errors import InputError
from kolgraph.store import GraphStore
from kolgraph.web import cache
from kolgraph.web.security import check_territory, current_scope, in_scope

#: Columns the gaps page can sort by.
GAP_SORTS = tuple(f for f in GAP_FIELDS if f != "msl_ids")
OUTSIDE = "(HCP outside your territory)"


def arg_int(
    name: str, default: int | None = None, *, low: int | None = None, high: int | None = None
) -> int | None:
    """Integer query parameter ``name`` (blank: ``default``), checked against the bounds."""
    text = request.args.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InputError(f"{name} must be a whole number (got {text[:40]!r})") from None
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise InputError(f"{name} must be {bounds} (got {value})")
    return value


def arg_date(name: str) -> date:
    """Date query parameter ``name`` (``YYYY-MM-DD``; blank: today)."""
    text = request.args.get(name, "").strip()
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{name} must be a date as YYYY-MM-DD (got {text[:40]!r})") from None


def arg_text(name: str) -> str | None:
    """Text query parameter ``name``, stripped; None when blank."""
    return request.args.get(name, "").strip() or None


def scoped_territory(requested: str | None) -> str | None:
    """The territory to query: the user's own when scoped (another one is a 404), else ``requested``."""
    if requested:
        check_territory(requested)
    return current_scope() or requested


def gap_query() -> GapQuery:
    """A :class:`GapQuery` from the ``top``, ``max_tier``, ``territory``, ``stale_days``,
    ``as_of`` and ``include_engaged`` parameters, scoped to the user's territory."""
    return GapQuery(
        top=arg_int("top", low=1),
        max_tier=arg_int("max_tier", low=1),
        territory=scoped_territory(arg_text("territory")),
        stale_days=arg_int("stale_days", DEFAULT_STALE_DAYS, low=0),
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
        stale_days=arg_int("stale_days", DEFAULT_STALE_DAYS, low=0),
    )


def _ints(values: Iterable[str], name: str) -> list[int]:
    try:
        return [int(v) for v in values if v.strip()]
    except ValueError:
        raise InputError(f"{name} must be a whole number") from None


def require_hcp(store: GraphStore, hcp_id: str) -> str | None:
    """The HCP's territory; 404 when there is no such HCP or it is outside the user's scope."""
    territories = store.hcp_territories([hcp_id])
    if hcp_id not in territories:
        abort(404)
    check_territory(territories[hcp_id])
    return territories[hcp_id]


def visible(store: GraphStore) -> Callable[[Iterable[str]], set[str]]:
    """A function giving the subset of hcp ids the user may see (all of them when unscoped)."""

    def allowed(ids: Iterable[str]) -> set[str]:
        ids = set(ids)
        if current_scope() is None or not ids:
            return ids
        return {h for h, t in store.hcp_territories(sorted(ids)).items() if in_scope(t)}

    return allowed


def scoped_rows(store: GraphStore, rows: list[dict] | None) -> list[dict]:
    """The rows (each with ``hcp_id``) about HCPs the user may see."""
    rows = rows or []
    allowed = visible(store)(r["hcp_id"] for r in rows)
    return [r for r in rows if r["hcp_id"] in allowed]


def gap_rows(store: GraphStore, query: GapQuery) -> list[dict]:
    """The store's coverage gaps for ``query`` (already scoped by its territory), reused while
    the data is unchanged; callers must not change the rows.  An engaged HCP a row is reached
    through (``reach_via``) is named only when the user may see it."""
    rows = cache.cached(store, "gaps", query, lambda: store.coverage_gaps(query))
    if current_scope() is None:
        return rows
    allowed = visible(store)(r["reach_via"] for r in rows if r["reach_via"] is not None)
    return [
        r if r["reach_via"] is None or r["reach_via"] in allowed else {**r, "reach_via": OUTSIDE}
        for r in rows
    ]


def hcp_profile(store: GraphStore, hcp_id: str, *, remember: bool = True) -> dict | None:
    """:meth:`GraphStore.hcp_profile`, shared by every worker while the data is unchanged
    (the most viewed HCPs have hundreds of publications).  Not scoped: check the HCP first.
    ``remember=False``: not kept in this process's memory (see :mod:`kolgraph.web.cache`)."""
    return cache.cached(
        store, "profile", hcp_id, lambda: store.hcp_profile(hcp_id), shared=True, remember=remember
    )


def coauthors(store: GraphStore, hcp_id: str, *, remember: bool = True) -> list[dict]:
    """The HCP's co-authors the user may see (the store's answer cached like :func:`hcp_profile`)."""
    return scoped_rows(
        store,
        cache.cached(
            store,
            "coauthors",
            hcp_id,
            lambda: store.coauthors(hcp_id),
            shared=True,
            remember=remember,
        ),
    )


def top_coauthors(store: GraphStore, hcp_id: str, limit: int) -> list[dict]:
    """The first ``limit`` of :func:`coauthors`, kept in memory per user scope: a profile shows
    ten, and keeping every co-author of the best-connected HCPs (thousands) in each process
    would push other answers out of the cache."""
    return cache.cached(
        store,
        "top_coauthors",
        (hcp_id, limit, current_scope()),
        lambda: coauthors(store, hcp_id, remember=False)[:limit],
        shared=True,
    )


def suggestions(store: GraphStore, hcp_id: str, limit: int) -> list[dict]:
    """Collaborator suggestions for the HCP, scoped to the user (:func:`scoped_suggestions`).

    The unscoped answer is cached for every worker process while the data is unchanged:
    computing it takes up to half a second for the best-connected HCPs, whose profiles are
    also the most viewed.
    """
    rows = cache.cached(
        store,
        "suggestions",
        (hcp_id, limit),
        lambda: store.suggest_collaborators(hcp_id, limit),
        shared=True,
    )
    return scoped_suggestions(store, rows)


def scoped_suggestions(store: GraphStore, rows: list[dict]) -> list[dict]:
    """Suggestions about HCPs the user may see, with shared co-authors outside the user's
    territory shown anonymously (in the list and in the ``why`` sentence)."""
    rows = scoped_rows(store, rows)
    if current_scope() is None:
        return rows
    allowed = visible(store)(i for r in rows for i in r["shared_coauthor_ids"])
    return [_anonymised_suggestion(row, allowed) for row in rows]


def _anonymised_suggestion(row: dict, allowed: set[str]) -> dict:
    names = [
        name if hcp_id in allowed else OUTSIDE
        for name, hcp_id in zip(row["shared_coauthors"], row["shared_coauthor_ids"])
    ]
    why = why_sentence(names, row["shared_institutions"], row["shared_topics"])
    return {**row, "shared_coauthors": names, "why": why}


def scoped_path(store: GraphStore, path: dict | None) -> dict | None:
    """A path (or intro) with HCPs outside the user's territory shown anonymously.

    The path itself stays (it is how the introduction works), but an msl does not learn
    who the out-of-territory people on it are.
    """
    if path is None or current_scope() is None:
        return path
    ids = {path["from"], path["to"], *(h[k] for h in path["hops"] for k in ("from", "to"))}
    allowed = visible(store)(ids)
    hops = [_masked(hop, allowed) for hop in path["hops"]]
    masked = {**_masked(path, allowed), "hops": hops}
    if "via_engaged" in path:
        masked["via_engaged"] = _masked_person(path["via_engaged"], allowed)
    return masked


def _masked(item: dict, allowed: set[str]) -> dict:
    out = dict(item)
    for end in ("from", "to"):
        if out.get(end) is not None and out[end] not in allowed:
            out[end], out[f"{end}_name"] = None, OUTSIDE
    return out


def _masked_person(person: dict, allowed: set[str]) -> dict:
    if person["hcp_id"] in allowed:
        return person
    return {**person, "hcp_id": None, "name": OUTSIDE}


def stale_days() -> int:
    """The engagement window of this request (``stale_days``, default 180)."""
    return arg_int("stale_days", DEFAULT_STALE_DAYS, low=0)


def home():
    """The app's home folder."""
    return current_app.config["KOLGRAPH_SETTINGS"].home
