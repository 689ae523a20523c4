"""Field insights: the ``/insights`` page, its CSV export and ``/api/v1/insights``.

All three take the same GET parameters, so a filtered view is a bookmark: ``territory``,
``since`` (``YYYY-MM-DD``), ``tier``, ``category`` and ``themes=1``.  The numbers are those
of ``kolgraph insights`` (both use :func:`kolgraph.insights_report.insights_report`; see
docs/insights.md), the JSON has the shape of ``kolgraph insights --json``.

Scoping: an msl sees only their own territory.  The territory is forced to theirs when
absent, and asking for another one is a 404, as for every page (``check_territory``):
silently showing other numbers than the URL asks for would mislead.

Themes take seconds on 100,000 touchpoints, so they are computed only when asked for:
``themes=1`` (the page links to it, keeping the filters).  Reports are cached under the
store's data version (:mod:`kolgraph.web.cache`), counts and themes together, so a theme
list never disagrees with the counts beside it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kolgraph.analytics.insights import load_insight_categories
from kolgraph.errors import InputError
from kolgraph.insights_report import insights_report, report_choices, report_rows
from kolgraph.output import spreadsheet_text
from kolgraph.store import GraphStore
from kolgraph.web import audit, cache
from kolgraph.web.links import profile_url
from kolgraph.web.security import check_territory, current_scope
from kolgraph.web.stores import get_store

bp = Blueprint("insights", __name__)


@dataclass(frozen=True)
class PageFilters:
    """The filters of a request, as text (blank = not given); checked when the report is built."""

    territory: str | None = None
    since: str | None = None
    tier: str | None = None
    category: str | None = None

    @classmethod
    def from_request(cls) -> PageFilters:
        """The request's filters, the territory forced to the user's scope (404 for another)."""
        given = {
            name: (request.args.get(name) or "").strip() or None for name in cls.__annotations__
        }
        if given["territory"] is not None:
            check_territory(given["territory"])
        given["territory"] = current_scope() or given["territory"]
        return cls(**given)

    def as_arguments(self) -> dict:
        """These filters as keyword arguments of :func:`~kolgraph.insights_report.insights_report`."""
        return asdict(self)

    def query(self, **extra) -> dict:
        """URL parameters for these filters (given ones only), plus ``extra``."""
        return {k: v for k, v in {**asdict(self), **extra}.items() if v is not None}


@bp.get("/insights")
def index():
    """The insights page: counts, trends, newest notes from tier 1-2 HCPs, themes on demand."""
    filters, themes = PageFilters.from_request(), _wants_themes()
    store = get_store()
    try:
        report, error = _report(store, filters, themes), None
    except InputError as problem:
        report, error = None, str(problem)
    page = render_template(
        "insights/index.html",
        report=report,
        error=error,
        filters=filters,
        themes=themes,
        options=_options(store),
        charts=charts(report),
        hcp_url=profile_url,
        scoped=current_scope() is not None,
    )
    return page, 400 if error else 200


@bp.get("/insights/export.csv")
def export_csv():
    """The counts as ``dimension,value,count`` rows (as ``kolgraph insights --csv``); audited."""
    filters = PageFilters.from_request()
    rows = report_rows(_report(get_store(), filters, themes=False))
    audit.record("export", "insights.csv " + _describe(filters), len(rows))
    return Response(
        csv_text(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="insights.csv"'},
    )


@bp.get("/api/v1/insights")
def api():
    """The report as JSON (the shape of ``kolgraph insights --json``); ``themes=1`` adds themes."""
    filters = PageFilters.from_request()
    return jsonify(_report(get_store(), filters, _wants_themes()))


def charts(report: dict | None) -> dict:
    """What ``static/insights.js`` draws: insights per quarter (bars), categories per quarter
    (one line per category with any insight) and each theme's trend (sparklines)."""
    if report is None:
        return {}
    quarters = list(report["counts"]["quarter"])
    series = [
        {"name": name, "values": list(by_quarter.values())}
        for name, by_quarter in report["category_by_quarter"].items()
        if sum(by_quarter.values())
    ]
    return {
        "quarters": {
            "kind": "bars",
            "labels": quarters,
            "values": list(report["counts"]["quarter"].values()),
        },
        "categories": {"kind": "lines", "labels": quarters, "series": series},
        "themes": [
            {"kind": "spark", "labels": list(t["trend"]), "values": list(t["trend"].values())}
            for t in report["themes"] or []
        ],
    }


def csv_text(rows: list[dict]) -> str:
    """``rows`` as CSV text; cells a spreadsheet would run as formulas get a leading ``'``."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["dimension", "value", "count"])
    for row in rows:
        writer.writerow([_cell(row["dimension"]), _cell(row["value"]), row["count"]])
    return out.getvalue()


def _report(store: GraphStore, filters: PageFilters, themes: bool) -> dict:
    """The report for ``filters``, reused while the store's data (and the vocabulary) is
    unchanged; callers must not change it."""
    # an msl's own territory needs no check: it may simply have no HCP yet
    unscoped = current_scope() is None
    categories = _categories()
    key = (filters, themes, categories, unscoped)
    return cache.cached(
        store,
        "insights",
        key,
        lambda: insights_report(
            store,
            categories,
            **filters.as_arguments(),
            themes=themes,
            check_territory=unscoped,
        ),
    )


def _options(store: GraphStore) -> dict:
    """The choices of the filter form."""
    choices = cache.cached(store, "insight_choices", None, lambda: report_choices(store))
    return {
        "territories": [] if current_scope() else choices["territories"],
        "tiers": choices["tiers"],
        "categories": _categories(),
    }


def _categories() -> tuple[str, ...]:
    return load_insight_categories(current_app.config["KOLGRAPH_SETTINGS"].home)


def _wants_themes() -> bool:
    return request.args.get("themes", "").strip().lower() in ("1", "true", "yes", "on")


def _describe(filters: PageFilters) -> str:
    given = filters.query()
    return "(" + ", ".join(f"{k} {v}" for k, v in given.items()) + ")" if given else "(all)"


def _cell(value) -> object:
    return spreadsheet_text("" if value is None else str(value))
