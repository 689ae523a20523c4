"""What changed since a date, and coverage quarter by quarter: the rules.

Each scoring run leaves a **score run** (every HCP of tier 1 to :data:`KEPT_MAX_TIER` or
rising, with its tier and whether it is rising) and a **coverage day** per territory (tier
1-2 HCPs and how many were engaged on the run's date).  The store keeps the newest runs and
days (:class:`History`); ``kolgraph changes --since DATE`` compares the newest run on or
before DATE with the scores now:

* ``new tier 1-2``: tier 1 or 2 now, lower (or unscored) then;
* ``tier up`` / ``tier down``: a tier 1-2 HCP whose tier changed (down includes falling out
  of tiers 1-2 and losing the score);
* ``new rising star``: rising now, not then;
* ``coverage decay``: a tier 1-2 HCP (now) engaged within the window at DATE and not now;
* ``new insights``: touchpoints with insight text dated after DATE, by category.

Coverage by quarter takes, per territory, the last coverage day of each quarter.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from kolgraph.answers.gaps import COVERAGE_MAX_TIER, share
from kolgraph.errors import InputError

#: A score run keeps the HCPs of tiers 1 to this (and every rising star).
KEPT_MAX_TIER = 3
#: The fields of a change row (``kolgraph changes --csv``), in order.
CHANGE_FIELDS = ("change", "hcp_id", "name", "territory", "before", "after")
CHANGE_KINDS = (
    "new tier 1-2",
    "tier up",
    "tier down",
    "new rising star",
    "coverage decay",
    "new insights",
)
QUARTER_FIELDS = ("territory", "quarter", "day", "tier12_hcps", "engaged", "share")
NO_CATEGORY = "(none)"

#: hcp_id -> (tier, rising) of one score run.
Tiers = Mapping[str, tuple[int | None, bool]]


@dataclass(frozen=True)
class History:
    """How much history a store keeps: score runs, and days of coverage."""

    runs: int = 40
    days: int = 1100

    @classmethod
    def from_env(cls) -> History:
        """``KOLGRAPH_HISTORY_RUNS`` and ``KOLGRAPH_HISTORY_DAYS``, else the defaults."""
        return cls(
            runs=_positive("KOLGRAPH_HISTORY_RUNS", cls.runs),
            days=_positive("KOLGRAPH_HISTORY_DAYS", cls.days),
        )


def _positive(name: str, default: int) -> int:
    text = os.environ.get(name)
    if not text:
        return default
    if not text.isdigit() or int(text) < 1:
        raise InputError(f"{name} must be a whole number of at least 1 (got {text!r})")
    return int(text)


def run_tiers(scores: Iterable[Mapping]) -> dict[str, tuple[int, bool]]:
    """What a score run keeps of score rows (``hcp_id, tier, rising``).

    >>> run_tiers([{"hcp_id": "a", "tier": 1, "rising": False},
    ...            {"hcp_id": "b", "tier": 5, "rising": True},
    ...            {"hcp_id": "c", "tier": 4, "rising": False}])
    {'a': (1, False), 'b': (5, True)}
    """
    return {
        s["hcp_id"]: (int(s["tier"]), bool(s["rising"]))
        for s in scores
        if s["tier"] is not None and (int(s["tier"]) <= KEPT_MAX_TIER or bool(s["rising"]))
    }


def tier_changes(before: Tiers, after: Tiers) -> list[tuple[str, str, int | None, int | None]]:
    """``(change, hcp_id, tier before, tier after)`` between two score runs, by hcp_id.

    >>> tier_changes({"a": (2, False), "b": (1, False), "c": (3, True)},
    ...              {"a": (1, False), "b": (4, False), "c": (2, True), "d": (6, True)})
    [('tier up', 'a', 2, 1), ('tier down', 'b', 1, 4), ('new tier 1-2', 'c', 3, 2), \
('new rising star', 'd', None, 6)]
    """
    changes: list[tuple[str, str, int | None, int | None]] = []
    for hcp_id in sorted(set(before) | set(after)):
        old, was_rising = before.get(hcp_id, (None, False))
        new, rising = after.get(hcp_id, (None, False))
        old_top, new_top = _top(old), _top(new)
        if new_top and not old_top:
            changes.append(("new tier 1-2", hcp_id, old, new))
        elif old is not None and new is not None and old_top and new_top and new != old:
            changes.append(("tier up" if new < old else "tier down", hcp_id, old, new))
        elif old_top and not new_top:  # after: None when below the kept tiers or unscored
            changes.append(("tier down", hcp_id, old, new))
        if rising and not was_rising:
            changes.append(("new rising star", hcp_id, old, new))
    return changes


def _top(tier: int | None) -> bool:
    return tier is not None and tier <= COVERAGE_MAX_TIER


def decayed(
    then: Iterable[Mapping], now: Iterable[Mapping], since: str, today_since: str
) -> list[str]:
    """The HCPs engaged in the window at the earlier date (``last_touch >= since`` in gap
    rows as of then) and not in today's (``last_touch >= today_since`` as of today)."""
    engaged_then = {r["hcp_id"] for r in then if (r["last_touch"] or "") >= since}
    engaged_now = {r["hcp_id"] for r in now if (r["last_touch"] or "") >= today_since}
    return sorted(engaged_then - engaged_now)


def quarter(day: str) -> str:
    """``YYYY-Qn`` of a ``YYYY-MM-DD`` date.

    >>> quarter("2024-05-31"), quarter("2024-12-01")
    ('2024-Q2', '2024-Q4')
    """
    return f"{day[:4]}-Q{(int(day[5:7]) - 1) // 3 + 1}"


def coverage_by_quarter(days: Iterable[Mapping]) -> list[dict]:
    """Per territory and quarter, the last coverage day of the quarter
    (:data:`QUARTER_FIELDS`), by territory then quarter."""
    last: dict[tuple[str, str], Mapping] = {}
    for row in sorted(days, key=lambda r: r["day"]):
        last[(row["territory"], quarter(row["day"]))] = row
    return [
        {
            "territory": territory,
            "quarter": q,
            "day": row["day"],
            "tier12_hcps": int(row["tier12_hcps"]),
            "engaged": int(row["engaged"]),
            "share": share(int(row["engaged"]), int(row["tier12_hcps"])),
        }
        for (territory, q), row in sorted(last.items())
    ]


def check_since(since: date, today: date) -> None:
    """InputError for a date after today."""
    if since > today:
        raise InputError(f"--since {since.isoformat()} is in the future")
