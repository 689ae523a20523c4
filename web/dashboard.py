"""The dashboard: tier 1-2 coverage by territory, the top gaps, recent field insights, and
what is in the graph.

An msl sees their own territory only; graph counts are totals, which name nobody.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, current_app, render_template

from kolgraph.analytics.gaps import DEFAULT_STALE_DAYS, GapQuery
from kolgraph.errors import InputError
from kolgraph.insights import insights_report
from kolgraph.web.security import current_scope
from kolgraph.web.stores import get_store

bp = Blueprint("dashboard", __name__)

TOP_GAPS = 10
RECENT_INSIGHTS = 5


@bp.get("/")
def index():
    """Coverage, top gaps and counts."""
    store = get_store()
    scope = current_scope()
    coverage = store.coverage(date.today(), DEFAULT_STALE_DAYS, scope)
    gaps = store.coverage_gaps(GapQuery(territory=scope))[:TOP_GAPS]
    return render_template("dashboard/index.html", counts=store.stats(), coverage=coverage,
                           gaps=gaps, stale_days=DEFAULT_STALE_DAYS, scope=scope,
                           insights=_recent_insights(store, scope))


def _recent_insights(store, scope: str | None) -> list[dict]:
    """The newest insights from tier 1-2 HCPs (none yet in a territory: an empty list)."""
    try:
        report = insights_report(store, current_app.config["KOLGRAPH_SETTINGS"].home, territory=scope)
    except InputError:
        return []
    return report["newest"][:RECENT_INSIGHTS]
