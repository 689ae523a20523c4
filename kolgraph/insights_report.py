"""Field insights as the CLI and the web app use them: pulled from a store, summarised.

Reads the touchpoints, HCPs, MSLs and scores from the store once, hands them to the pure
functions of :mod:`kolgraph.analytics.insights`, and renders the result as a readable report
or as flat ``dimension, value, count`` rows for CSV.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from kolgraph.analytics.insights import (
    DIMENSIONS,
    insight_summary,
    insight_themes,
    load_insight_categories,
)
from kolgraph.output import table_text
from kolgraph.store import GraphStore

CSV_COLUMNS = ("dimension", "value", "count")


def insights_report(
    store: GraphStore,
    home: Path,
    *,
    territory: str | None = None,
    since: date | str | None = None,
    tier: int | str | None = None,
    category: str | None = None,
    as_of: date | str | None = None,
    themes: bool = False,
    n_themes: int | None = None,
    seed: int = 0,
) -> dict:
    """:func:`~kolgraph.analytics.insights.insight_summary` of ``store`` (vocabulary from
    ``home/insights.toml``), plus ``themes``: a list when asked for, else ``None``."""
    tables = {name: store.table(name) for name in ("touchpoints", "hcps", "msls")}
    scores = store.scores()
    filters = dict(
        territory=territory,
        since=since,
        tier=tier,
        category=category,
        as_of=as_of,
        categories=load_insight_categories(home),
    )
    report = insight_summary(
        tables["touchpoints"], tables["hcps"], scores, msls=tables["msls"], **filters
    )
    report["themes"] = (
        insight_themes(
            tables["touchpoints"], tables["hcps"], scores, n_themes=n_themes, seed=seed, **filters
        )
        if themes
        else None
    )
    return report


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
