"""The coverage map: US states shaded by the share of their tier 1-2 HCPs engaged recently;
a state links to its gaps.  Drawn on the server as inline SVG from the bundled geometry
(:mod:`kolgraph.web.us_map`), so it works offline and without script.  An msl sees the HCPs
of their own territory only.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from kolgraph.web import cache, params, scoping
from kolgraph.web.security import current_scope
from kolgraph.web.stores import get_store
from kolgraph.web.us_map import HEIGHT, WIDTH, state_outlines

bp = Blueprint("coverage_map", __name__)

#: Fill of a state without tier 1-2 HCPs.
NO_DATA = "#e5e5e5"


@bp.get("/map")
def index():
    """The map of the user's scope (``territory``, ``stale_days``, ``as_of``)."""
    store = get_store()
    territory = scoping.scoped_territory(params.arg_text("territory"))
    stale_days = params.stale_days()
    as_of = params.arg_date("as_of")
    rows = cache.cached(
        store,
        "coverage_by_state",
        (territory, stale_days, as_of),
        lambda: store.coverage_by_state(as_of, stale_days, territory),
    )
    by_state = {r["state"]: r for r in rows}
    states = [
        {
            "code": code,
            "name": name,
            "path": path,
            "fill": fill(by_state.get(code)),
            **by_state.get(code, {}),
        }
        for code, (name, path) in sorted(state_outlines().items())
    ]
    elsewhere = [r for r in rows if r["state"] not in state_outlines()]
    return render_template(
        "coverage_map/index.html",
        states=states,
        elsewhere=elsewhere,
        width=WIDTH,
        height=HEIGHT,
        territory=territory,
        stale_days=stale_days,
        as_of=as_of,
        today=date.today(),
        scoped=current_scope() is not None,
    )


def fill(row: dict | None) -> str:
    """A state's colour: from red (no tier 1-2 HCP engaged) through amber to green (all).

    >>> fill(None), fill({"share": 0.0}), fill({"share": 1.0})
    ('#e5e5e5', 'hsl(0, 65%, 55%)', 'hsl(120, 65%, 55%)')
    """
    if row is None or row.get("share") is None:
        return NO_DATA
    return f"hsl({round(120 * row['share'])}, 65%, 55%)"
