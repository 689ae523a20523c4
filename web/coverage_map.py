"""The coverage map: US states shaded by the share of their tier 1-2 HCPs engaged recently;
a state links to its gaps.  Where the territory alignment names ZIP3 prefixes, each of them
is a dot (sized by its tier 1-2 HCPs, shaded the same way), and those states are drawn again,
enlarged.  Drawn on the server as inline SVG from the bundled geometry
(:mod:`kolgraph.web.us_map`), so it works offline and without script.  An msl sees the HCPs
of their own territory only.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template

from kolgraph.web import cache, params, scoping
from kolgraph.web.security import current_scope
from kolgraph.web.stores import get_store
from kolgraph.web.us_map import HEIGHT, WIDTH, bounds, state_outlines, zip3_points

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
    zip3_rows = cache.cached(
        store,
        "coverage_by_zip3",
        (territory, stale_days, as_of),
        lambda: store.coverage_by_zip3(as_of, stale_days, territory),
    )
    return render_template(
        "coverage_map/index.html",
        states=states,
        elsewhere=elsewhere,
        zip3_rows=zip3_rows,
        zip3s=zip3_marks(zip3_rows),
        detail=detail_view(zip3_rows),
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


#: Radius of a ZIP3 dot on the whole map: from the smallest to the one with most HCPs.
DOT_RADIUS = (2.0, 7.0)
#: Margin around the enlarged states, in map units.
DETAIL_MARGIN = 8


def zip3_marks(rows: list[dict]) -> list[dict]:
    """The ZIP3 rows that have a place on the map, with ``x``, ``y``, radius ``r`` (growing
    with the square root of its tier 1-2 HCPs, so the dot's area follows them) and ``fill``."""
    points = zip3_points()
    placed = [r for r in rows if r["zip3"] in points]
    most = max((r["tier12_hcps"] for r in placed), default=1)
    small, large = DOT_RADIUS
    return [
        {
            **row,
            "x": points[row["zip3"]][0],
            "y": points[row["zip3"]][1],
            "r": round(small + (large - small) * (row["tier12_hcps"] / most) ** 0.5, 1),
            "fill": fill(row),
        }
        for row in placed
    ]


def detail_view(rows: list[dict]) -> dict | None:
    """The enlarged view of the states that hold the ZIP3 rows: its ``view_box`` and
    ``scale`` (map units per screen unit there), or None without ZIP3 rows."""
    outlines = state_outlines()
    shown = sorted({r["state"] for r in rows if r["state"] in outlines})
    if not shown:
        return None
    boxes = [bounds(outlines[s][1]) for s in shown]
    x0 = min(b[0] for b in boxes) - DETAIL_MARGIN
    y0 = min(b[1] for b in boxes) - DETAIL_MARGIN
    width = max(b[2] for b in boxes) + DETAIL_MARGIN - x0
    height = max(b[3] for b in boxes) + DETAIL_MARGIN - y0
    scale = max(width / WIDTH, height / HEIGHT)
    return {
        "states": shown,
        "view_box": f"{x0:.1f} {y0:.1f} {width:.1f} {height:.1f}",
        "scale": round(scale, 4),
    }
