"""The "What changed" page: changes since a date and tier 1-2 coverage by quarter.

An msl sees their own territory only (the store answers for that territory alone).
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, render_template

from kolgraph.answers.changes import CHANGE_KINDS
from kolgraph.web import cache, params, scoping
from kolgraph.web.security import current_scope
from kolgraph.web.stores import get_store

bp = Blueprint("changes", __name__)

#: The default comparison date: a quarter ago.
DEFAULT_DAYS_BACK = 90
#: The chart's size in SVG user units.
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 640, 220, 32


@bp.get("/changes")
def index():
    """Changes since ``since`` of the user's territory scope (default: 90 days ago, or the
    oldest kept scoring run when the history is shorter)."""
    store = get_store()
    today = date.today()
    since = params.arg_date("since") if params.arg_text("since") else default_since(store, today)
    territory = scoping.scoped_territory(params.arg_text("territory"))
    stale_days = params.stale_days()
    answer = cache.cached(
        store,
        "changes",
        (since, today, stale_days, territory),
        lambda: store.changes(since, today, stale_days, territory),
    )
    counts = {kind: sum(r["change"] == kind for r in answer["changes"]) for kind in CHANGE_KINDS}
    return render_template(
        "changes/index.html",
        answer=answer,
        counts=counts,
        since=since,
        territory=territory,
        stale_days=stale_days,
        scoped=current_scope() is not None,
        chart=chart(answer["coverage_by_quarter"]),
    )


def default_since(store, today: date) -> date:
    """A quarter ago, or the oldest kept scoring run when the history is shorter."""
    start = store.history_start()
    back = today - timedelta(days=DEFAULT_DAYS_BACK)
    return max(back, start) if start else back


def chart(quarters: list[dict]) -> dict:
    """Polylines (one per territory) of coverage share by quarter, in SVG coordinates."""
    labels = sorted({q["quarter"] for q in quarters})
    step = (CHART_WIDTH - 2 * CHART_PAD) / max(len(labels) - 1, 1)
    x = {label: CHART_PAD + i * step for i, label in enumerate(labels)}
    lines: dict[str, list[tuple[float, float]]] = {}
    for q in quarters:
        if q["share"] is not None:
            y = CHART_HEIGHT - CHART_PAD - q["share"] * (CHART_HEIGHT - 2 * CHART_PAD)
            lines.setdefault(q["territory"], []).append((round(x[q["quarter"]], 1), round(y, 1)))
    return {
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "pad": CHART_PAD,
        "labels": [(label, round(x[label], 1)) for label in labels],
        "lines": lines,
    }
