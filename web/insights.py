"""Field insights: the ``/insights`` page, its CSV export and ``/api/v1/insights``.

All three take the same GET parameters, so a filtered view is a bookmark: ``territory``,
``since`` (``YYYY-MM-DD``), ``tier``, ``category`` and ``themes=1``.  The numbers are those
of ``kolgraph insights`` (:func:`kolgraph.analytics.insights.insight_summary`; see
docs/insights.md), the JSON has the shape of ``kolgraph insights --json``.

Scoping: an msl sees only their own territory.  The territory is forced to theirs when
absent, and asking for another one is a 404, as for every page (``check_territory``):
silently showing other numbers than the URL asks for would mislead.

Themes take seconds on 100,000 touchpoints, so they are computed only when asked for:
``themes=1`` (the page links to it, keeping the filters).  Nothing is cached: the store has
no public data version to key a cache by, and a theme list older than the counts next to it
(e.g. just after a touchpoint is logged) would contradict them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

import pandas as pd
from flask import Blueprint, Response, current_app, jsonify, render_template, request

from kolgraph.analytics.insights import insight_summary, insight_themes, load_insight_categories
from kolgraph.errors import InputError
from kolgraph.insights_report import report_rows
from kolgraph.store import GraphStore
from kolgraph.web import audit
from kolgraph.web.security import check_territory, current_scope
from kolgraph.web.stores import get_store
from kolgraph.web.touchpoints import profile_url

bp = Blueprint("insights", __name__)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet would run as a formula


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

    def query(self, **extra) -> dict:
        """URL parameters for these filters (given ones only), plus ``extra``."""
        return {k: v for k, v in {**asdict(self), **extra}.items() if v is not None}


@dataclass(frozen=True)
class InsightTables:
    """What the insights read from the store, read once per request."""

    touchpoints: pd.DataFrame
    hcps: pd.DataFrame
    msls: pd.DataFrame
    scores: pd.DataFrame

    @classmethod
    def read(cls, store: GraphStore) -> InsightTables:
        """The tables of ``store``."""
        return cls(
            touchpoints=store.table("touchpoints"),
            hcps=store.table("hcps"),
            msls=store.table("msls"),
            scores=store.scores(),
        )


def build_report(
    tables: InsightTables,
    categories,
    filters: PageFilters,
    *,
    themes: bool = False,
    check_territory: bool = True,
) -> dict:
    """The insight summary (and themes, when asked) of ``tables`` for ``filters``.

    The touchpoints are narrowed to the territory's HCPs before summarising, so a territory
    without insights yet gives zeros rather than an error.  Raises :class:`InputError` for an
    unknown territory (when ``check_territory``) and bad filter values.
    """
    hcps, scores = tables.hcps, tables.scores
    if filters.territory is not None and check_territory:
        _check_known(filters.territory, territories(hcps, tables.msls))
    touchpoints = _about_territory(tables.touchpoints, hcps, filters.territory)
    chosen = dict(
        since=filters.since, tier=filters.tier, category=filters.category, categories=categories
    )
    report = insight_summary(touchpoints, hcps, scores, msls=tables.msls, **chosen)
    report["filters"]["territory"] = filters.territory
    report["themes"] = insight_themes(touchpoints, hcps, scores, **chosen) if themes else None
    return report


def territories(hcps: pd.DataFrame, msls: pd.DataFrame) -> list[str]:
    """Every territory an HCP or an MSL has, sorted."""
    return sorted({t for t in (*hcps["territory"], *msls["territory"]) if t})


@bp.get("/insights")
def index():
    """The insights page: counts, trends, newest notes from tier 1-2 HCPs, themes on demand."""
    filters, themes = PageFilters.from_request(), _wants_themes()
    tables = InsightTables.read(get_store())
    try:
        report, error = _report(tables, filters, themes), None
    except InputError as problem:
        report, error = None, str(problem)
    page = render_template(
        "insights/index.html",
        report=report,
        error=error,
        filters=filters,
        themes=themes,
        options=_options(tables),
        charts=charts(report),
        hcp_url=profile_url,
        scoped=current_scope() is not None,
    )
    return page, 400 if error else 200


@bp.get("/insights/export.csv")
def export_csv():
    """The counts as ``dimension,value,count`` rows (as ``kolgraph insights --csv``); audited."""
    filters = PageFilters.from_request()
    rows = report_rows(_report(InsightTables.read(get_store()), filters, themes=False))
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
    return jsonify(_report(InsightTables.read(get_store()), filters, _wants_themes()))


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


def _report(tables: InsightTables, filters: PageFilters, themes: bool) -> dict:
    # an msl's own territory needs no check: it may simply have no HCP yet
    return build_report(
        tables, _categories(), filters, themes=themes, check_territory=current_scope() is None
    )


def _about_territory(
    touchpoints: pd.DataFrame, hcps: pd.DataFrame, territory: str | None
) -> pd.DataFrame:
    if territory is None:
        return touchpoints
    members = hcps.loc[hcps["territory"] == territory, "hcp_id"]
    return touchpoints[touchpoints["hcp_id"].isin(members)]


def _check_known(territory: str, known: list[str]) -> None:
    if territory not in known:
        shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        raise InputError(f"unknown territory {territory!r}; territories: {shown or '(none)'}")


def _options(tables: InsightTables) -> dict:
    """The choices of the filter form."""
    return {
        "territories": [] if current_scope() else territories(tables.hcps, tables.msls),
        "tiers": sorted({int(t) for t in tables.scores["tier"].dropna()}),
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
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
