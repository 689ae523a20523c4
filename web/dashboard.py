"""The dashboard: tier 1-2 coverage and reach by territory, the top gaps, recent field
insights, and what is in the graph.

An msl sees their own territory only; graph counts are totals, which name nobody.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template
from markupsafe import Markup

from kolgraph.answers.gaps import DEFAULT_STALE_DAYS, GapQuery
from kolgraph.web import cache, cached_answers
from kolgraph.web.security import current_scope
from kolgraph.web.stores import get_store

bp = Blueprint("dashboard", __name__)

TOP_GAPS = 10
RECENT_INSIGHTS = 5


@bp.get("/")
def index():
    """Coverage, top gaps and counts."""
    scope = current_scope()
    return render_template("dashboard/index.html", content=content(scope), scope=scope)


def content(scope: str | None) -> Markup:
    """The dashboard's sections for ``scope``, rendered once a day per data version for
    every worker: counting a big graph's tables and rendering a table of every MSL cost
    more than the page may.  The fragment comes from our own template with autoescape,
    through the server's private cache file, hence ``Markup``."""
    store, today = get_store(), date.today()

    def render() -> str:
        return render_template(
            "dashboard/_content.html",
            counts=store.stats(),
            coverage=store.coverage(today, DEFAULT_STALE_DAYS, scope, reach=True),
            gaps=cached_answers.gap_rows(store, GapQuery(territory=scope))[:TOP_GAPS],
            stale_days=DEFAULT_STALE_DAYS,
            insights=store.recent_insights(scope, RECENT_INSIGHTS),
        )

    key = (scope, today)
    return Markup(cache.cached_rendering(store, "dashboard", key, render, shared=True))
