"""The JSON API under ``/api/v1``: every listing of the pages, with the CLI's ``--json`` fields.

Same login, scoping and errors as the pages: an msl gets only their territory (another
territory's HCP is a 404), bad parameters a 400 ``{"error": ...}``.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from kolgraph.answers.gaps import GAP_FIELDS
from kolgraph.scoring import score_breakdown
from kolgraph.web import cached_answers, params, scoping
from kolgraph.web.stores import get_store

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.get("/hcps")
def hcps():
    """Search: ``q`` (name, specialty, institution, topic), ``territory``, ``limit``."""
    territory = scoping.scoped_territory(params.arg_text("territory"))
    limit = params.arg_int("limit", 50, low=1, high=1000)
    return jsonify(get_store().search_hcps(params.arg_text("q"), territory, limit))


@bp.get("/hcps/<hcp_id>")
def hcp(hcp_id: str):
    """One HCP's profile, with the score breakdown."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    found = cached_answers.hcp_profile(store, hcp_id)
    home = current_app.config["KOLGRAPH_SETTINGS"].home
    return jsonify({**found, "score_breakdown": score_breakdown(found["score"], home)})


@bp.get("/top")
def top():
    """HCPs by influence (``limit``, ``territory``): the fields of ``kolgraph top --json``."""
    territory = scoping.scoped_territory(params.arg_text("territory"))
    return jsonify(get_store().top_hcps(params.arg_int("limit", 20, low=1, high=1000), territory))


@bp.get("/gaps")
def gaps():
    """Coverage gaps with the gaps page's filters: the fields of ``kolgraph gaps --json``."""
    rows = cached_answers.gap_rows(get_store(), params.gap_query())
    return jsonify([{f: row[f] for f in GAP_FIELDS} for row in rows])


@bp.get("/coverage")
def coverage():
    """Tier 1-2 coverage per territory and per MSL (``as_of``, ``stale_days``, ``territory``)."""
    territory = scoping.scoped_territory(params.arg_text("territory"))
    return jsonify(get_store().coverage(params.arg_date("as_of"), params.stale_days(), territory))


@bp.get("/hcps/<hcp_id>/collaborators")
def collaborators(hcp_id: str):
    """Existing co-authors: ``hcp_id, name, joint_publications, last_year``."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    return jsonify(cached_answers.coauthors(store, hcp_id))


@bp.get("/hcps/<hcp_id>/suggestions")
def suggestions(hcp_id: str):
    """Suggested new collaborators (``limit``)."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    limit = params.arg_int("limit", 10, low=1, high=200)
    return jsonify(cached_answers.suggestions(store, hcp_id, limit))


@bp.get("/path")
def path():
    """The shortest path between ``from`` and ``to`` (``null`` when none)."""
    store = get_store()
    start, end = params.arg_text("from"), params.arg_text("to")
    if not start or not end:
        return jsonify(error="give both from and to (hcp ids)", status=400), 400
    scoping.require_hcp(store, start)
    scoping.require_hcp(store, end)
    return jsonify(scoping.scoped_path(store, store.shortest_path(start, end)))


@bp.get("/intro/<hcp_id>")
def intro(hcp_id: str):
    """A warm introduction to the HCP from one engaged within ``stale_days`` of ``as_of``."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    return jsonify(
        cached_answers.warm_intro(store, hcp_id, params.arg_date("as_of"), params.stale_days())
    )
