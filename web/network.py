"""The network explorer: ego, institution and territory networks (drawn by :mod:`kolgraph.web.network_render`).

Filters arrive as GET parameters (bookmarkable): ``hops`` (ego only), ``color`` (tier or
engagement), ``tier`` and ``engagement`` (repeatable), ``specialty``, ``territory``,
``min_papers``, ``stale_days``.  An msl's views hold only HCPs of their territory.  The store
reads at most :data:`~kolgraph.web.network_render.DEFAULT_CAP` nodes (the most influential), so a
territory of 10,000 HCPs costs what a drawing of 300 does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import networkx as nx
from flask import Blueprint, jsonify, redirect, render_template, request, url_for
from markupsafe import Markup

from kolgraph.answers.browse import ENGAGEMENT, NetworkFilters
from kolgraph.errors import InputError
from kolgraph.users import ROLES
from kolgraph.web import cache, hcp_picks, params, scoping
from kolgraph.web.network_render import (
    COLOR_BY,
    DEFAULT_CAP,
    Shape,
    layout,
    most_influential,
    network_total,
    render_network,
    vis_records,
)
from kolgraph.web.security import check_territory, current_scope, require_role
from kolgraph.web.stores import get_store

bp = Blueprint("network", __name__, url_prefix="/network")


@bp.get("/")
def explorer():
    """Choose a view: an HCP (by name), an institution or a territory (redirects to it)."""
    hcp = hcp_picks.picked_hcp("hcp_id")
    if hcp.unresolved:
        return hcp_picks.choose_page(hcp, "An HCP's network")
    institution_id = params.arg_text("institution_id")
    named = params.arg_text("institution_name")
    if named and not institution_id:
        found = institutions_named(named)
        if len(found) != 1:
            page = render_template("network/choose_institution.html", text=named, rows=found)
            return page, 200 if found else 404
        institution_id = found[0]["institution_id"]
    territory = params.arg_text("territory")
    if hcp.hcp_id:
        return redirect(url_for("network.ego", hcp_id=hcp.hcp_id))
    if institution_id:
        return redirect(url_for("network.institution", institution_id=institution_id))
    if territory:
        return redirect(url_for("network.territory", name=territory))
    return render_template("network/explorer.html", scope=current_scope())


#: Institutions listed for an ambiguous name.
INSTITUTIONS_LISTED = 50


def institutions_named(text: str) -> list[dict]:
    """Institutions whose name contains ``text`` (any case), by name; an exact name alone
    when one is exact.  The list of names is read once per data version."""
    store = get_store()
    rows = cache.cached(store, "institution_names", None, lambda: _institution_rows(store))
    wanted = text.strip().lower()
    found = [r for r in rows if wanted in (r["name"] or "").lower()]
    exact = [r for r in found if (r["name"] or "").lower() == wanted]
    return (exact if len(exact) == 1 else found)[:INSTITUTIONS_LISTED]


def _institution_rows(store) -> list[dict]:
    table = store.table("institutions")[["institution_id", "name", "city", "state"]]
    rows = table.astype(object).where(table.notna(), None).to_dict("records")
    return sorted(rows, key=lambda r: (r["name"] or "", r["institution_id"]))


@bp.get("/path")
def path():
    """The shortest path between two HCPs chosen by name: the first one's collaborators page."""
    start, end = hcp_picks.picked_hcp("from"), hcp_picks.picked_hcp("to")
    for pick, purpose in ((start, "Path from"), (end, "Path to")):
        if pick.unresolved:
            return hcp_picks.choose_page(pick, purpose)
    if not start.hcp_id or not end.hcp_id:
        raise InputError("give both HCPs of the path (from and to)")
    target = url_for("hcps.collaborators", hcp_id=start.hcp_id, to=end.hcp_id)
    return redirect(f"{target}#path-section")


@bp.get("/intro")
def intro():
    """A warm introduction to an HCP chosen by name: shown on its collaborators page."""
    target = hcp_picks.picked_hcp("hcp_id")
    if target.unresolved:
        return hcp_picks.choose_page(target, "A warm introduction to")
    if not target.hcp_id:
        raise InputError("give the HCP to be introduced to")
    return redirect(url_for("hcps.collaborators", hcp_id=target.hcp_id) + "#warm-intro-section")


@bp.get("/hcp/<hcp_id>")
def ego(hcp_id: str):
    """The HCP and the co-authors within 1 or 2 hops."""
    scoping.require_hcp(get_store(), hcp_id)

    def title(graph) -> str:
        return f"Network of {graph.nodes[hcp_id]['name'] if hcp_id in graph else hcp_id}"

    return _page("hcp", hcp_id, title)


@bp.get("/institution/<institution_id>")
def institution(institution_id: str):
    """The HCPs currently at an institution, and their co-authorships."""
    return _page("institution", institution_id, lambda _graph: f"Institution {institution_id}")


@bp.get("/territory/<name>")
def territory(name: str):
    """The HCPs of a territory, and their co-authorships (another territory is a 404 for an msl)."""
    check_territory(name)
    return _page("territory", name, lambda _graph: f"Territory {name}")


@bp.get("/hcp/<hcp_id>/coauthors.json")
@require_role(*ROLES)
def coauthors_json(hcp_id: str):
    """The HCP's co-authors as vis-network records, for expanding a node of an open view in
    place: the view's filters apply (one hop), and the scope as on every page (another
    territory's HCP is a 404; an msl's co-authors of their territory only).  Every known
    role may view networks; any other (a role added later, a damaged record) gets a 403:
    data leaves as JSON here, so the check fails closed."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    filters = replace(_filters(), hops=1)
    graph = store.network("hcp", hcp_id, filters)
    records = vis_records(most_influential(graph, DEFAULT_CAP), _color())
    return jsonify({"hcp_id": hcp_id, "total": network_total(graph), **records})


def _filters() -> NetworkFilters:
    """The request's filters, capped at what a drawing shows."""
    return replace(params.network_filters(), cap=DEFAULT_CAP)


def _cached_layout(shown) -> dict:
    """The drawn graph's positions, computed once per shape and data version for every
    worker (a few hundred milliseconds for 300 nodes; the same picture on every visit)."""
    shape = Shape.of(shown)
    positions = cache.cached(
        get_store(), "network_layout", shape.key, lambda: layout(shape), shared=True
    )
    return {hcp_id: tuple(xy) for hcp_id, xy in positions.items()}


def _color() -> str:
    color = request.args.get("color", "tier")
    if color not in COLOR_BY:
        raise InputError(f"color must be one of {', '.join(COLOR_BY)}")
    return color


def _page(kind: str, key: str, title: Callable[[nx.Graph], str]):
    """The view of network ``kind`` ``key`` with the request's filters; ``title`` names it
    from its graph."""
    filters, color = _filters(), _color()
    view = _drawn_view(kind, key, title, filters, color)
    drawing = Markup(view["drawing"]) if view["drawing"] is not None else None
    return render_template(
        "network/view.html",
        kind=kind,
        key=key,
        title=view["title"],
        drawing=drawing,
        filters=filters,
        color=color,
        engagement_values=ENGAGEMENT,
        specialties=view["specialties"],
        node_count=view["node_count"],
    )


def _drawn_view(
    kind: str, key: str, title: Callable[[nx.Graph], str], filters: NetworkFilters, color: str
) -> dict:
    """What a network view shows: its title, the drawing (HTML), its graph's specialties and
    size.

    Shared by every worker while the data is unchanged, per view, filters, colouring and
    user scope: a first view reads the network, lays it out and builds the drawing, which
    costs more than the page may.  The drawing comes from our own templates with
    autoescape, through the server's private cache file, hence ``Markup`` in :func:`_page`.
    """
    scope = current_scope()

    def draw() -> dict:
        graph = get_store().network(kind, key, filters)
        note = f"Only HCPs of your territory ({scope}) are shown." if scope else None
        drawing = None
        if graph.number_of_nodes():
            drawing = render_network(graph, color_by=color, note=note, place=_cached_layout)
        return {
            "title": title(graph),
            "drawing": None if drawing is None else str(drawing),
            "specialties": sorted({s for _, s in graph.nodes(data="specialty") if s}),
            "node_count": network_total(graph),
        }

    view_key = (kind, key, filters, color, scope)
    return cache.cached_rendering(get_store(), "network_view", view_key, draw, shared=True)
