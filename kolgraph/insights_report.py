"""The field-insights report, one function for ``kolgraph insights`` and the web's insights pages.

:func:`insights_report` reads the touchpoints, HCPs, MSLs and scores from the store once and
hands them to the pure functions of :mod:`kolgraph.analytics.insights`; :func:`report_text`
and :func:`report_rows` render the result as a readable report or as flat
``dimension, value, count`` rows for CSV.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from kolgraph.analytics.insights import DIMENSIONS, insight_summary, insight_themes
from kolgraph.errors import InputError
from kolgraph.output import table_text
from kolgraph.store import GraphStore

CSV_COLUMNS = ("dimension", "value", "count")


@dataclass(frozen=True)
class InsightTables:
    """What the insights read from a store: its touchpoints, HCPs, MSLs and scores."""

    touchpoints: pd.DataFrame
    hcps: pd.DataFrame
    msls: pd.DataFrame
    scores: pd.DataFrame

    @classmethod
    def read(cls, store: GraphStore) -> InsightTables:
        """The tables of ``store``, read once."""
        return cls(
            touchpoints=store.table("touchpoints"),
            hcps=store.table("hcps"),
            msls=store.table("msls"),
            scores=store.scores(),
        )

    def territories(self) -> list[str]:
        """Every territory an HCP or an MSL has, sorted."""
        return sorted({t for t in (*self.hcps["territory"], *self.msls["territory"]) if t})

    def tiers(self) -> list[int]:
        """Every tier some HCP has, in order."""
        return sorted({int(t) for t in self.scores["tier"].dropna()})


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
    """The insight report of ``store``: :func:`~kolgraph.analytics.insights.insight_summary`
    plus ``themes`` (a list when asked for, else ``None``), for the CLI and the web alike.

    ``categories`` is the vocabulary (:func:`~kolgraph.analytics.insights.load_insight_categories`).
    The touchpoints are narrowed to the territory's HCPs before summarising, so a territory
    without insights yet gives zeros rather than an error.  Raises :class:`InputError` for an
    unknown territory (one no HCP or MSL has; not checked when ``check_territory`` is false,
    e.g. for a user's own territory) and for bad filter values.
    """
    tables = InsightTables.read(store)
    if territory is not None and check_territory:
        _check_known(territory, tables.territories())
    touchpoints = _about_territory(tables.touchpoints, tables.hcps, territory)
    chosen: dict[str, Any] = {
        "since": since,
        "tier": tier,
        "category": category,
        "as_of": as_of,
        "categories": tuple(categories),
    }
    report = insight_summary(touchpoints, tables.hcps, tables.scores, msls=tables.msls, **chosen)
    report["filters"]["territory"] = territory
    report["themes"] = (
        insight_themes(
            touchpoints,
            tables.hcps,
            tables.scores,
            n_themes=n_themes,
            seed=seed,
            **chosen,
        )
        if themes
        else None
    )
    return report


def report_choices(store: GraphStore) -> dict:
    """What a report can be narrowed to: ``territories`` and ``tiers`` present in ``store``."""
    tables = InsightTables.read(store)
    return {"territories": tables.territories(), "tiers": tables.tiers()}


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
