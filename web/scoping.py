"""Territory scoping of what a user sees, applied on the server to every answer.

An msl's territory replaces any territory asked for, and asking for another one is a 404
(as if it did not exist).  HCPs outside the user's territory are left out of lists, and shown
anonymously (:data:`OUTSIDE`) where they are part of an answer, such as a step of a path.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from flask import abort

from kolgraph.answers.network import why_sentence
from kolgraph.store import GraphStore
from kolgraph.web import cache
from kolgraph.web.security import check_territory, current_scope, in_scope

OUTSIDE = "(HCP outside your territory)"


def scoped_territory(requested: str | None) -> str | None:
    """The territory to query: the user's own when scoped (another one is a 404), else ``requested``."""
    if requested:
        check_territory(requested)
    return current_scope() or requested


def require_hcp(store: GraphStore, hcp_id: str) -> str | None:
    """The HCP's territory; 404 when there is no such HCP or it is outside the user's scope."""
    territories = cache.cached(
        store, "hcp_territory", hcp_id, lambda: store.hcp_territories([hcp_id])
    )
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


def scoped_suggestions(store: GraphStore, rows: list[dict]) -> list[dict]:
    """Suggestions about HCPs the user may see, with shared co-authors outside the user's
    territory shown anonymously (name and id, in the list and in the ``why`` sentence)."""
    rows = scoped_rows(store, rows)
    if current_scope() is None:
        return rows
    allowed = visible(store)(i for r in rows for i in r["shared_coauthor_ids"])
    return [_anonymised_suggestion(row, allowed) for row in rows]


def _anonymised_suggestion(row: dict, allowed: set[str]) -> dict:
    pairs = zip(row["shared_coauthors"], row["shared_coauthor_ids"])
    shown = [(name, hcp_id) if hcp_id in allowed else (OUTSIDE, None) for name, hcp_id in pairs]
    names = [name for name, _ in shown]
    why = why_sentence(names, row["shared_institutions"], row["shared_topics"])
    ids = [hcp_id for _, hcp_id in shown]
    return {**row, "shared_coauthors": names, "shared_coauthor_ids": ids, "why": why}


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
