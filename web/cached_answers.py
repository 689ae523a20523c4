"""The store's answers the views share, reused while the data is unchanged (:mod:`kolgraph.web.cache`)
and scoped to the user (:mod:`kolgraph.web.scoping`) after they are read.
"""

from __future__ import annotations

from datetime import date

from flask import abort

from kolgraph.answers.gaps import GapQuery
from kolgraph.store import GraphStore
from kolgraph.web import cache
from kolgraph.web.scoping import OUTSIDE, scoped_path, scoped_rows, scoped_suggestions, visible
from kolgraph.web.security import current_scope


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


def hcp_profile(store: GraphStore, hcp_id: str, *, remember: bool = True) -> dict:
    """:meth:`GraphStore.hcp_profile`, shared by every worker while the data is unchanged
    (the most viewed HCPs have hundreds of publications); 404 when there is no such HCP.
    Not scoped: check the HCP first.  ``remember=False``: not kept in this process's memory
    (see :mod:`kolgraph.web.cache`)."""
    found = cache.cached(
        store, "profile", hcp_id, lambda: store.hcp_profile(hcp_id), shared=True, remember=remember
    )
    if found is None:
        abort(404)
    return found


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


def warm_intro(store: GraphStore, hcp_id: str, as_of: date, stale_days: int) -> dict | None:
    """The warm introduction to the HCP, from an HCP engaged in the user's territory.

    The store's answer (a breadth-first search and a few reads, on every profile view) is
    shared by every worker while the data is unchanged; the key holds the window
    and the scope the search was given."""
    scope = current_scope()
    found = cache.cached(
        store,
        "warm_intro",
        (hcp_id, as_of.isoformat(), stale_days, scope),
        lambda: store.warm_intro(hcp_id, as_of, stale_days, scope),
        shared=True,
    )
    return scoped_path(store, found)
