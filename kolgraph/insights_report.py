"""The field-insights report, one function for ``kolgraph insights`` and the web's insights pages.

:func:`insights_report` asks the store for its insights counted by category, sentiment,
territory, tier and month (a few thousand rows however many touchpoints it holds) and for the
newest insights, and hands them to :func:`kolgraph.analytics.insights.summarise`: the numbers
are those of :func:`~kolgraph.analytics.insights.insight_summary` over the whole tables,
without reading them.  Themes need the text of every insight the filters keep: the store
reads those, with their id, date and HCP.
:func:`report_text` and :func:`report_rows` render the result as a readable report or as flat
``dimension, value, count`` rows for CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import pandas as pd

from kolgraph.analytics.insights import (
    DIMENSIONS,
    NEWEST_LIMIT,
    NOTE_COLUMNS,
    InsightFilter,
    count_frame,
    summarise,
    themes_of,
)
from kolgraph.answers.browse import InsightNarrowing
from kolgraph.errors import InputError
from kolgraph.output import table_text
from kolgraph.store import GraphStore

CSV_COLUMNS = ("dimension", "value", "count")


def insights_report(
    store: GraphStore,
    categories: Sequence[str],
    *,
    territory: str | None = None,
    since: date | str | None = None,
    tier: int | str | None = None,
    category: str | None = None,
    as_of: date | str | None = None,
    themes: bool = False,
    n_themes: int | None = None,
    seed: int = 0,
    check_territory: bool = True,
) -> dict:
    """The insight report of ``store``: what
    :func:`~kolgraph.analytics.insights.insight_summary` gives for its tables, plus ``themes``
    (a list when asked for, else ``None``), for the CLI and the web alike.

    ``categories`` is the vocabulary (:func:`~kolgraph.analytics.insights.load_insight_categories`).
    A territory counts the insights about its HCPs, so a territory without insights yet gives
    zeros rather than an error.  Raises :class:`InputError` for an unknown territory (one no
    HCP, MSL or alignment rule names; not checked when ``check_territory`` is false, e.g. for
    a user's own territory), a tier above every scored HCP's and other bad filter values.
    """
    if territory is not None and check_territory:
        _check_known(territory, store.known_territories())
    chosen = InsightFilter.checked(
        categories,
        known_territories=None,
        known_tiers=store.scored_tiers(),
        territory=territory,
        since=since,
        tier=tier,
        category=category,
        as_of=as_of,
    )
    narrowing = chosen.narrowing()
    report = summarise(
        chosen,
        count_frame(store.insights_by_month(territory, narrowing)),
        store.recent_insights(territory, NEWEST_LIMIT, narrowing),
        categories,
    )
    report["themes"] = (
        themes_of(_notes(store, territory, narrowing), n_themes=n_themes, seed=seed)
        if themes
        else None
    )
    return report


def report_choices(store: GraphStore) -> dict:
    """What a report can be narrowed to: ``territories`` and ``tiers`` present in ``store``."""
    return {"territories": store.known_territories(), "tiers": store.scored_tiers()}


def _notes(store: GraphStore, territory: str | None, narrowing: InsightNarrowing) -> pd.DataFrame:
    """The insights themes read: :data:`~kolgraph.analytics.insights.NOTE_COLUMNS` only."""
    return pd.DataFrame(store.insight_notes(territory, narrowing), columns=list(NOTE_COLUMNS))


def _check_known(territory: str, known: list[str]) -> None:
    if territory not in known:
        shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        raise InputError(f"unknown territory {territory!r}; territories: {shown or '(none)'}")


def report_rows(report: dict) -> list[dict]:
    """The report flattened to ``dimension, value, count`` rows (see docs/insights.md)."""
    rows = [{"dimension": "total", "value": "insights", "count": report["total"]}]
    for dimension in DIMENSIONS:
        rows += [
            {"dimension": dimension, "value": value, "count": n}
            for value, n in report["counts"][dimension].items()
        ]
    for category, by_quarter in report["category_by_quarter"].items():
        rows += [
            {"dimension": "category_by_quarter", "value": f"{category}|{quarter}", "count": n}
            for quarter, n in by_quarter.items()
        ]
    for theme in report.get("themes") or []:
        rows.append({"dimension": "theme", "value": theme["label"], "count": theme["size"]})
    return rows


def report_text(report: dict) -> str:
    """A readable report: counts tables, category by quarter, newest insights, themes."""
    total = report["total"]
    active = {k: v for k, v in report["filters"].items() if v is not None}
    lines = [
        f"{total:,} insights"
        + (" (" + ", ".join(f"{k} {v}" for k, v in active.items()) + ")" if active else "")
    ]
    for dimension in DIMENSIONS:
        rows = [
            {dimension: value, "insights": n, "share": _percent(n, total)}
            for value, n in report["counts"][dimension].items()
        ]
        lines += ["", table_text(rows, [dimension, "insights", "share"])]
    lines += ["", "Category by quarter:", _category_quarter_table(report["category_by_quarter"])]
    lines += ["", "Newest insights from tier 1-2 HCPs:"] + _newest_lines(report["newest"])
    if report.get("themes") is not None:
        lines += ["", "Themes:"] + _theme_lines(report["themes"])
    return "\n".join(lines)


def _percent(n: int, total: int) -> str:
    return f"{100 * n / total:.0f}%" if total else "-"


def _category_quarter_table(by_category: dict[str, dict[str, int]]) -> str:
    quarters = next(iter(by_category.values()), {}).keys()
    rows = [{"category": cat, **counts} for cat, counts in by_category.items()]
    return table_text(rows, ["category", *quarters])


def _newest_lines(newest: list[dict]) -> list[str]:
    if not newest:
        return ["  (none)"]
    lines = []
    for row in newest:
        lines.append(
            f"  {row['date']}  {row['hcp_name'] or row['hcp_id']} ({row['hcp_id']}), "
            f"tier {row['tier']}, {row['territory'] or 'no territory'}; "
            f"MSL {row['msl_name'] or row['msl_id']}"
        )
        lines.append(
            "    "
            + " / ".join(
                v or "-" for v in (row["insight_category"], row["sentiment"], row["topic"])
            )
        )
        lines.append("    " + " ".join(str(row["insight"]).split()))  # one line per note
    return lines


def _theme_lines(themes: list[dict]) -> list[str]:
    if not themes:
        return ["  (too few insights to find themes)"]
    lines = []
    for theme in themes:
        trend = " ".join(str(n) for n in theme["trend"].values())
        lines.append(
            f"  {theme['theme']:>2}. {theme['label']}: {theme['size']:,} insights "
            f"({theme['share']:.0%}), {theme['direction']}; by quarter: {trend}"
        )
        lines += [f"      - {' '.join(str(e['insight']).split())}" for e in theme["examples"]]
    return lines
