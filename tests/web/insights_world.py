"""A small hand-made graph for the insights page and the touchpoint form tests.

::

    hcp  territory tier  touchpoints (msl, date, category, sentiment, insight)
    H1   North     1     T01 M1 2025-02-10 unmet need / positive   "Needs faster biomarker testing"
    H2   North     2     T02 M1 2025-05-05 safety / negative       SCRIPT (markup)
                         T03 M2 2025-08-20 competitor / neutral    IMG (markup)
    H3   North     3     T04 M1 2025-04-01 (no insight: counts nowhere)
    H4   South     1     T05 M3 2025-03-01 access and reimbursement / negative  "South only: payer pushback"
    H5   South     2     T06 M3 2025-09-01 research interest / positive          "South only: registry idea"

MSLs: M1 Mona North and M2 Nate North (North), M3 Stan South (South).  Every touch is long
past, so every tier 1-2 HCP is a stale gap.  ``mia`` (conftest) is an msl of North.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kolgraph.schema import TABLES_BY_NAME
from kolgraph.store.sqlite import EmbeddedStore

SCRIPT = "<script>alert(1)</script> asked about dosing"
IMG = "<img src=x onerror=alert(1)> switching to competitor"
SOUTH_NOTES = ("South only: payer pushback", "South only: registry idea")
TERRITORY = {"H1": "North", "H2": "North", "H3": "North", "H4": "South", "H5": "South"}
TIERS = {"H1": 1, "H2": 2, "H3": 3, "H4": 1, "H5": 2}
TOUCHES = [
    (
        "T01",
        "M1",
        "H1",
        "2025-02-10",
        "in-person",
        "Biomarkers",
        "Needs faster biomarker testing",
        "unmet need",
        "positive",
    ),
    ("T02", "M1", "H2", "2025-05-05", "virtual", "Dosing", SCRIPT, "safety", "negative"),
    ("T03", "M2", "H2", "2025-08-20", "phone", "Competition", IMG, "competitor", "neutral"),
    ("T04", "M1", "H3", "2025-04-01", "email", "Scheduling", None, None, None),
    (
        "T05",
        "M3",
        "H4",
        "2025-03-01",
        "in-person",
        "Access",
        SOUTH_NOTES[0],
        "access and reimbursement",
        "negative",
    ),
    (
        "T06",
        "M3",
        "H5",
        "2025-09-01",
        "congress",
        "Research",
        SOUTH_NOTES[1],
        "research interest",
        "positive",
    ),
]
#: Recurring notes planted in North for the themes: two subjects, several phrasings each.
PLANTED = {
    "biomarker": [
        "Biomarker testing turnaround at the regional lab is too slow",
        "Slow biomarker testing turnaround delays first-line decisions",
        "Regional lab biomarker turnaround still slow this quarter",
    ],
    "prior authorization": [
        "Payers deny prior authorization for the new therapy",
        "Prior authorization denials keep patients off therapy",
        "Another prior authorization denial from the regional payer",
    ],
}


def frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    """A validated-kind DataFrame (object columns) of ``table`` from row tuples."""
    columns = TABLES_BY_NAME[table].column_names
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, values)})


def world_batch(touches=TOUCHES) -> dict[str, pd.DataFrame]:
    """HCPs, MSLs and touchpoints of the module docstring."""
    hcps = [
        (h, f"First{h}", f"Last{h}", "MD", "Oncology", None, None, None, "US", t, None, None, None)
        for h, t in TERRITORY.items()
    ]
    msls = [
        ("M1", "Mona North", "North", "Oncology", None),
        ("M2", "Nate North", "North", None, None),
        ("M3", "Stan South", "South", None, None),
    ]
    return {
        "hcps": frame("hcps", hcps),
        "msls": frame("msls", msls),
        "touchpoints": frame("touchpoints", list(touches)),
    }


def world_scores() -> pd.DataFrame:
    ranked = sorted(TIERS, key=lambda h: (TIERS[h], h))
    return pd.DataFrame(
        {
            "hcp_id": ranked,
            "influence": [90.0 - 10 * i for i in range(len(ranked))],
            "tier": [TIERS[h] for h in ranked],
            "rank": list(range(1, len(ranked) + 1)),
            "components": [{} for _ in ranked],
            "rising": False,
            "rising_score": 0.0,
        }
    )


def planted_touches() -> list[tuple]:
    """24 North notes: each phrasing of each subject four times, spread over 2025 Q1-Q3."""
    rows, n = [], 0
    for subject, phrasings in PLANTED.items():
        for _ in range(4):
            for phrasing in phrasings:
                n += 1
                month = 1 + n % 9
                category = "unmet need" if subject == "biomarker" else "access and reimbursement"
                rows.append(
                    (
                        f"P{n:02d}",
                        "M1",
                        ("H1", "H2", "H3")[n % 3],
                        f"2025-{month:02d}-15",
                        "virtual",
                        subject,
                        phrasing,
                        category,
                        "neutral",
                    )
                )
    return rows


def load_world(home: Path, touches=TOUCHES) -> None:
    """Load the world (and its scores) into the embedded store of ``home``."""
    with EmbeddedStore(home) as store:
        store.load(world_batch(touches))
        store.write_scores(world_scores())


@pytest.fixture
def world(home):
    """The home folder with the insights world loaded."""
    load_world(home)
    return home


@pytest.fixture
def login(auth, world):
    """Log in as the given user on the world; returns the client."""
    return auth.as_user
