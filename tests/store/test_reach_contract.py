"""Reach: how far each gap is from an HCP engaged in the window, the same on every store.

The data (as of 2024-06-30, stale after 180 days: engaged means a touch from 2024-01-02)::

    R1 -co- R2 -co- R3 =J1= R4*        (co: co-authors; =J1=: current co-members of J1)
    R5 -co- R6*,  R5 -co- R9*          (two engaged co-authors: the smaller id is the via)
    R7 =J2=  (R8 was at J2 until 2020; R8's only touch is after the as-of date)
    R10 =J3= R11 -co- R6*              (an institution hop, then a co-author hop)
    R3 has only a stale touch; * engaged (R4, R6 by MSL M1; R9 by M2)

    hcp  reach_hops  reach_via
    R1   -           -          (R4 is three hops away: out of reach)
    R2   2           R4
    R3   1           R4
    R4   0           R4
    R5   1           R6
    R6   0           R6
    R7   -           -
    R8   -           -
    R9   0           R9
    R10  2           R6
    R11  1           R6
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sample import frame

from kolgraph.answers.gaps import REACH_FIELDS, GapQuery

AS_OF = date(2024, 6, 30)
EXPECTED = {
    "R1": (None, None),
    "R2": (2, "R4"),
    "R3": (1, "R4"),
    "R4": (0, "R4"),
    "R5": (1, "R6"),
    "R6": (0, "R6"),
    "R7": (None, None),
    "R8": (None, None),
    "R9": (0, "R9"),
    "R10": (2, "R6"),
    "R11": (1, "R6"),
}


def _hcp(n: int) -> tuple:
    hcp = frame("hcps", [])
    values = {"hcp_id": f"R{n}", "first_name": f"First{n}", "last_name": f"Last{n}"}
    values["territory"] = "NE"
    return tuple(values.get(c) for c in hcp.columns)


def reach_batch() -> dict[str, pd.DataFrame]:
    papers = {"P1": ["R1", "R2"], "P2": ["R2", "R3"], "P3": ["R5", "R6"], "P4": ["R9", "R5"]}
    papers["P5"] = ["R11", "R6"]
    touches = [("M1", "R4", "2024-03-01"), ("M1", "R3", "2023-05-01")]
    touches += [("M1", "R6", "2024-06-01"), ("M2", "R9", "2024-01-02"), ("M1", "R8", "2024-07-01")]
    return {
        "hcps": frame("hcps", [_hcp(n) for n in range(1, 12)]),
        "institutions": frame(
            "institutions",
            [
                ("J1", "Lakeside Hospital", None, None, None, None),
                ("J2", "Hill Clinic", None, None, None, None),
                ("J3", "River Institute", None, None, None, None),
            ],
        ),
        "affiliations": frame(
            "affiliations",
            [
                ("R3", "J1", None, 2010, None),
                ("R4", "J1", None, 2015, None),
                ("R7", "J2", None, 2012, None),
                ("R8", "J2", None, 2012, 2020),
                ("R10", "J3", None, 2019, None),
                ("R11", "J3", None, 2019, None),
            ],
        ),
        "publications": frame(
            "publications", [(p, f"Paper {p}", None, 2022, [], None) for p in papers]
        ),
        "authorships": frame(
            "authorships",
            [(p, h, i) for p, authors in papers.items() for i, h in enumerate(authors, 1)],
        ),
        "msls": frame(
            "msls", [("M1", "Mary One", "NE", None, None), ("M2", "Mo Two", "NE", None, None)]
        ),
        "touchpoints": frame(
            "touchpoints",
            [
                (f"T{i}", m, h, d, None, None, None, None, None)
                for i, (m, h, d) in enumerate(touches, 1)
            ],
        ),
    }


def scores() -> pd.DataFrame:
    ids = [f"R{n}" for n in range(1, 12)]
    return pd.DataFrame(
        {
            "hcp_id": ids,
            "influence": [90.0 - n for n in range(len(ids))],
            "tier": 1,
            "rank": list(range(1, len(ids) + 1)),
            "components": [{} for _ in ids],
            "rising": False,
            "rising_score": 0.0,
        }
    )


@pytest.fixture
def reach_store(store):
    store.load(reach_batch())
    store.write_scores(scores())
    return store


def reach_of(rows: list[dict]) -> dict[str, tuple]:
    return {r["hcp_id"]: (r["reach_hops"], r["reach_via"]) for r in rows}


def test_every_row_knows_its_nearest_engaged_hcp(reach_store):
    rows = reach_store.coverage_gaps(GapQuery(as_of=AS_OF, max_tier=4, include_engaged=True))
    assert reach_of(rows) == EXPECTED


def test_gap_rows_carry_reach_and_engaged_hcps_are_not_gaps(reach_store):
    rows = reach_store.coverage_gaps(GapQuery(as_of=AS_OF, max_tier=4))
    assert reach_of(rows) == {h: r for h, r in EXPECTED.items() if r[0] != 0}


def test_an_earlier_as_of_date_moves_the_window(reach_store):
    """On 2023-06-01 only R3's touch (2023-05-01) is in the window: R2 is then 1 hop away
    and R4, R1 2 hops (R1 -co- R2 -co- R3)."""
    query = GapQuery(as_of=date(2023, 6, 1), max_tier=4, include_engaged=True)
    found = reach_of(reach_store.coverage_gaps(query))
    assert found["R3"] == (0, "R3")
    assert found["R2"] == (1, "R3") and found["R4"] == (1, "R3")
    assert found["R1"] == (2, "R3") and found["R5"] == (None, None)


def test_coverage_counts_the_not_engaged_by_reach(reach_store):
    answer = reach_store.coverage(AS_OF, 180, reach=True)
    # R3 R5 R11 | R2 R10 | R1 R7 R8
    reach_counts = {"within_1_hop": 3, "within_2_hops": 2, "out_of_reach": 3}
    (territory,) = answer["territories"]
    assert territory == {
        "territory": "NE",
        "tier12_hcps": 11,
        "engaged": 3,
        "share": 0.273,
        "msls": 2,
        **reach_counts,
    }


def test_each_msl_counts_reach_from_the_hcps_it_engaged(reach_store):
    answer = reach_store.coverage(AS_OF, 180, reach=True)
    found = {
        m["msl_id"]: {k: m[k] for k in ("engaged_by_msl", *REACH_FIELDS)} for m in answer["msls"]
    }
    assert found == {
        # M1 engaged R4 and R6: R3 R5 R11 | R2 R10 R9 (via R5) | R1 R7 R8
        "M1": {"engaged_by_msl": 2, "within_1_hop": 3, "within_2_hops": 3, "out_of_reach": 3},
        # M2 engaged R9 only: R5 | R6 (via R5) | the other eight
        "M2": {"engaged_by_msl": 1, "within_1_hop": 1, "within_2_hops": 1, "out_of_reach": 8},
    }


def test_coverage_without_reach_reads_no_reach(reach_store):
    answer = reach_store.coverage(AS_OF, 180)
    assert "within_1_hop" not in answer["territories"][0]
