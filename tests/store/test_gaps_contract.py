"""Coverage gaps and coverage: known answers on hand-made data, the same on every store.

The data (as of 2024-06-30; stale after 180 days, so engaged means a touch on 2024-01-02 or
later; the 12-month window is 2023-07-02 .. 2024-06-30)::

    hcp  territory tier influence rank  touches (msl date)                       reason
    H1   NE        1    95.0      1     M1 2023-01-15, M1 2024-06-01             engaged (29 days)
    H6   W         1    92.5      2     M1 2024-06-10                            no MSL covers territory
    H2   NE        1    90.0      3     M2 2023-07-01, 2023-07-02, 2023-12-01    stale (212 days)
    H3   NE        2    80.0      4     M1 2024-07-05 (after as-of)              never engaged
    H4   SE        2    70.0      5     M3 2024-01-02                            engaged (180 days)
    H5   SE        2    70.0      6     M3 2024-01-01                            stale (181 days)
    H7   (none)    3    40.0      7     -                                        no MSL covers territory
    H8   NE        3    30.0      8     -                                        never engaged
    H9   NE        4    10.0      9     -                                        never engaged
    H10  NE        -    -         -     - (not scored: never selected)

MSLs: M1, M2 in NE; M3 in SE; M4 in N (a territory without HCPs).  Current institutions:
H1 I2 (earliest start), H2 I3 (unknown start sorts last), H3 I2 (tie on start: lower id),
H4 none (only an ended affiliation).
"""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest
from sample import frame

from kolgraph.answers.gaps import GAP_FIELDS, ROW_FIELDS, GapQuery
from kolgraph.errors import InputError
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.touchpoints import log_touchpoint

AS_OF = date(2024, 6, 30)
NE_MSLS = ["M1", "M2"]


@pytest.fixture
def store(store_or_neo4j_server):
    return store_or_neo4j_server


def _hcp(n: int, territory: str | None, specialty: str = "Oncology") -> tuple:
    return (
        f"H{n}",
        f"First{n}",
        f"Last{n}",
        "MD",
        specialty,
        "Boston",
        "MA",
        "02115",
        "US",
        territory,
        None,
        None,
        None,
    )


def gap_batch() -> dict[str, pd.DataFrame]:
    """The batch of the module docstring."""
    territories = {
        1: "NE",
        2: "NE",
        3: "NE",
        4: "SE",
        5: "SE",
        6: "W",
        7: None,
        8: "NE",
        9: "NE",
        10: "NE",
    }
    touches = [
        ("M1", "H1", "2023-01-15"),
        ("M1", "H1", "2024-06-01"),
        ("M2", "H2", "2023-07-01"),
        ("M2", "H2", "2023-07-02"),
        ("M2", "H2", "2023-12-01"),
        ("M1", "H3", "2024-07-05"),
        ("M3", "H4", "2024-01-02"),
        ("M3", "H5", "2024-01-01"),
        ("M1", "H6", "2024-06-10"),
    ]
    return {
        "hcps": frame("hcps", [_hcp(n, t) for n, t in territories.items()]),
        "institutions": frame(
            "institutions",
            [
                ("I1", "General Hospital", None, None, None, None),
                ("I2", "State University", None, None, None, None),
                ("I3", "City Clinic", None, None, None, None),
            ],
        ),
        "affiliations": frame(
            "affiliations",
            [
                ("H1", "I1", None, 2015, None),
                ("H1", "I2", None, 2010, None),
                ("H2", "I1", None, None, None),
                ("H2", "I3", None, 2018, None),
                ("H3", "I1", None, 2005, 2011),
                ("H3", "I3", None, 2012, None),
                ("H3", "I2", None, 2012, None),
                ("H4", "I1", None, 2001, 2020),
            ],
        ),
        "msls": frame(
            "msls",
            [
                ("M1", "Mary One", "NE", "Oncology", None),
                ("M2", "Mark Two", "NE", None, None),
                ("M3", "Sue Three", "SE", "Oncology", None),
                ("M4", "Ned Four", "N", None, None),
            ],
        ),
        "touchpoints": frame(
            "touchpoints",
            [
                (f"T{i}", m, h, d, None, None, None, None, None)
                for i, (m, h, d) in enumerate(touches, 1)
            ],
        ),
    }


SCORES = [
    ("H1", 95.0, 1, 1),
    ("H6", 92.5, 1, 2),
    ("H2", 90.0, 1, 3),
    ("H3", 80.0, 2, 4),
    ("H4", 70.0, 2, 5),
    ("H5", 70.0, 2, 6),
    ("H7", 40.0, 3, 7),
    ("H8", 30.0, 3, 8),
    ("H9", 10.0, 4, 9),
]


def score_frame(scores=SCORES) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "hcp_id": [s[0] for s in scores],
            "influence": [s[1] for s in scores],
            "tier": [s[2] for s in scores],
            "rank": [s[3] for s in scores],
            "components": [{} for _ in scores],
            "rising": False,
            "rising_score": 0.0,
        }
    )


@pytest.fixture
def gap_store(store):
    store.load(gap_batch())
    store.write_scores(score_frame())
    return store


def gaps(store, **kwargs) -> list[dict]:
    return store.coverage_gaps(GapQuery(as_of=kwargs.pop("as_of", AS_OF), **kwargs))


def summary(rows: list[dict]) -> list[tuple]:
    """(hcp_id, reason) in answer order."""
    return [(r["hcp_id"], r["reason"]) for r in rows]


# --- the default query ----------------------------------------------------------------------


def test_default_query_lists_every_kind_of_gap_in_tiers_1_2_by_influence(gap_store):
    assert summary(gaps(gap_store)) == [
        ("H6", "no MSL covers territory"),
        ("H2", "stale"),
        ("H3", "never engaged"),
        ("H5", "stale"),
    ]


def test_rows_carry_every_field_with_plain_types(gap_store):
    rows = {r["hcp_id"]: r for r in gaps(gap_store, with_institution=True)}
    assert list(rows["H2"]) == list(ROW_FIELDS)
    assert set(GAP_FIELDS) <= set(ROW_FIELDS)
    assert rows["H2"] == {
        "hcp_id": "H2",
        "name": "First2 Last2",
        "territory": "NE",
        "tier": 1,
        "influence": 90.0,
        "last_touch": "2023-12-01",
        "days_since_touch": 212,
        "touches_12m": 2,
        "msl_ids": NE_MSLS,
        "reason": "stale",
        "reach_hops": 1,  # H1, engaged, shares I1 with H2
        "reach_via": "H1",
        "rank": 3,
        "specialty": "Oncology",
        "institution": "City Clinic",
    }
    assert rows["H6"] == {
        "hcp_id": "H6",
        "name": "First6 Last6",
        "territory": "W",
        "tier": 1,
        "influence": 92.5,
        "last_touch": "2024-06-10",
        "days_since_touch": 20,
        "touches_12m": 1,
        "msl_ids": [],
        "reason": "no MSL covers territory",
        "reach_hops": 0,  # engaged itself
        "reach_via": "H6",
        "rank": 2,
        "specialty": "Oncology",
        "institution": None,
    }
    for row in rows.values():
        assert type(row["tier"]) is int and type(row["rank"]) is int
        assert type(row["touches_12m"]) is int and type(row["influence"]) is float


def test_institution_only_when_asked_for(gap_store):
    assert list(gaps(gap_store)[0]) == list(ROW_FIELDS[:-1])


def test_never_engaged_ignores_touches_after_as_of(gap_store):
    (h3,) = [r for r in gaps(gap_store, with_institution=True) if r["hcp_id"] == "H3"]
    assert (h3["last_touch"], h3["days_since_touch"], h3["touches_12m"]) == (None, None, 0)
    assert h3["institution"] == "State University"  # tie on start year: lower institution_id


def test_include_engaged_lists_every_selected_hcp_ties_by_rank(gap_store):
    rows = gaps(gap_store, include_engaged=True, with_institution=True)
    assert summary(rows) == [
        ("H1", "engaged"),
        ("H6", "no MSL covers territory"),
        ("H2", "stale"),
        ("H3", "never engaged"),
        ("H4", "engaged"),
        ("H5", "stale"),
    ]
    h1, h4 = rows[0], rows[4]
    assert (h1["last_touch"], h1["days_since_touch"], h1["touches_12m"]) == ("2024-06-01", 29, 1)
    assert h1["institution"] == "State University"  # earliest current start year
    assert (h4["days_since_touch"], h4["institution"]) == (180, None)  # ended affiliation only


# --- filters --------------------------------------------------------------------------------


def test_stale_is_strictly_more_than_stale_days(gap_store):
    rows = {r["hcp_id"]: r for r in gaps(gap_store, include_engaged=True, territory="SE")}
    assert (rows["H4"]["days_since_touch"], rows["H4"]["reason"]) == (180, "engaged")
    assert (rows["H5"]["days_since_touch"], rows["H5"]["reason"]) == (181, "stale")
    assert summary(gaps(gap_store, territory="SE", stale_days=181)) == []
    assert summary(gaps(gap_store, territory="SE", stale_days=179)) == [
        ("H4", "stale"),
        ("H5", "stale"),
    ]


def test_top_alone_selects_by_rank_whatever_the_tier(gap_store):
    assert summary(gaps(gap_store, top=3)) == [("H6", "no MSL covers territory"), ("H2", "stale")]
    assert [r["hcp_id"] for r in gaps(gap_store, top=8)] == ["H6", "H2", "H3", "H5", "H7", "H8"]


def test_a_selection_of_one_hcp(gap_store):
    (row,) = gaps(gap_store, top=1, include_engaged=True)
    assert (row["hcp_id"], row["rank"]) == ("H1", 1)
    assert gaps(gap_store, top=1) == []  # H1 is engaged


def test_top_and_max_tier_both_apply(gap_store):
    assert [r["hcp_id"] for r in gaps(gap_store, top=8, max_tier=2)] == ["H6", "H2", "H3", "H5"]
    assert [r["hcp_id"] for r in gaps(gap_store, top=3, max_tier=4)] == ["H6", "H2"]


def test_max_tier_widens_the_selection_and_keeps_hcps_without_territory(gap_store):
    rows = gaps(gap_store, max_tier=4)
    assert summary(rows)[4:] == [
        ("H7", "no MSL covers territory"),
        ("H8", "never engaged"),
        ("H9", "never engaged"),
    ]
    assert (rows[4]["territory"], rows[4]["msl_ids"]) == (None, [])
    assert [r["hcp_id"] for r in gaps(gap_store, max_tier=1)] == ["H6", "H2"]


def test_unscored_hcps_are_never_selected(gap_store):
    assert "H10" not in {r["hcp_id"] for r in gaps(gap_store, max_tier=4, include_engaged=True)}


def test_territory_filter_is_exact(gap_store):
    assert summary(gaps(gap_store, territory="NE")) == [("H2", "stale"), ("H3", "never engaged")]
    assert gaps(gap_store, territory="ne") == []
    assert gaps(gap_store, territory="Nowhere") == []


def test_as_of_moves_the_window(gap_store):
    rows = {r["hcp_id"]: r for r in gaps(gap_store, as_of=date(2023, 12, 31), include_engaged=True)}
    h2 = rows["H2"]  # every H2 touch is within the year before 2023-12-31
    assert (h2["last_touch"], h2["days_since_touch"], h2["touches_12m"], h2["reason"]) == (
        "2023-12-01",
        30,
        3,
        "engaged",
    )
    assert rows["H1"]["last_touch"] == "2023-01-15"
    assert rows["H5"]["reason"] == "never engaged"  # its touch is on 2024-01-01
    # H3's touch of 2024-07-05 counts once as-of reaches it.
    assert "H3" not in {r["hcp_id"] for r in gaps(gap_store, as_of=date(2024, 7, 10))}


def test_touches_12m_window_is_open_at_its_start(gap_store):
    # as of 2024-06-30 the window starts after 2023-07-01 (365 days before).
    def h2_touches(as_of):
        (row,) = [r for r in gaps(gap_store, as_of=as_of, territory="NE") if r["hcp_id"] == "H2"]
        return row["touches_12m"]

    assert h2_touches(AS_OF) == 2
    assert h2_touches(date(2024, 6, 29)) == 3  # window starts after 2023-06-30
    assert h2_touches(date(2024, 11, 29)) == 1  # only 2023-12-01 left (364 days back)
    assert h2_touches(date(2024, 11, 30)) == 0  # 2023-12-01 is exactly 365 days back


def test_new_data_is_seen_by_the_next_query(gap_store):
    before = summary(gaps(gap_store))
    gap_store.load(
        {
            "touchpoints": frame(
                "touchpoints", [("T99", "M1", "H3", "2024-06-15", None, None, None, None, None)]
            )
        }
    )
    assert summary(gaps(gap_store)) == [r for r in before if r[0] != "H3"]
    gap_store.write_scores(score_frame([s if s[0] != "H9" else ("H9", 99.0, 1, 1) for s in SCORES]))
    assert summary(gaps(gap_store))[0] == ("H9", "never engaged")


def touch_fields(rows: list[dict], hcp_id: str) -> tuple:
    """(last_touch, days_since_touch, touches_12m, reason) of one HCP's row."""
    (row,) = [r for r in rows if r["hcp_id"] == hcp_id]
    return row["last_touch"], row["days_since_touch"], row["touches_12m"], row["reason"]


def test_a_touchpoint_moved_to_another_hcp_on_reload_leaves_one_and_reaches_the_other(gap_store):
    # T2 (H1's touch of 2024-06-01) now names H8, which had none.
    gap_store.load(
        {
            "touchpoints": frame(
                "touchpoints", [("T2", "M1", "H8", "2024-06-01", None, None, None, None, None)]
            )
        }
    )
    rows = gaps(gap_store, max_tier=3, include_engaged=True)
    assert touch_fields(rows, "H1") == ("2023-01-15", 532, 0, "stale")
    assert touch_fields(rows, "H8") == ("2024-06-01", 29, 1, "engaged")
    assert ("H1", "stale") in summary(gaps(gap_store, max_tier=3))
    assert "H8" not in {r["hcp_id"] for r in gaps(gap_store, max_tier=3)}


def test_a_touchpoint_reloaded_with_another_date_counts_at_its_new_date(gap_store):
    # T5 (H2's touch of 2023-12-01) moves to 2024-05-01, and T4 back before the year window.
    gap_store.load(
        {
            "touchpoints": frame(
                "touchpoints",
                [
                    ("T5", "M2", "H2", "2024-05-01", None, None, None, None, None),
                    ("T4", "M2", "H2", "2023-06-01", None, None, None, None, None),
                ],
            )
        }
    )
    rows = gaps(gap_store, include_engaged=True)
    assert touch_fields(rows, "H2") == ("2024-05-01", 60, 1, "engaged")


def test_a_touchpoint_logged_later_for_an_hcp_without_any(gap_store, tmp_path):
    assert touch_fields(gaps(gap_store, max_tier=3), "H8") == (None, None, 0, "never engaged")
    log_touchpoint(
        gap_store, tmp_path, {"msl_id": "M2", "hcp_id": "H8", "date": "2024-06-20"}, today=AS_OF
    )
    rows = gaps(gap_store, max_tier=3, include_engaged=True)
    assert touch_fields(rows, "H8") == ("2024-06-20", 10, 1, "engaged")


def test_touches_after_as_of_do_not_count(gap_store):
    # As of 2024-05-31, H1's touch of 2024-06-01 is still in the future.
    rows = gaps(gap_store, as_of=date(2024, 5, 31), include_engaged=True)
    assert touch_fields(rows, "H1") == ("2023-01-15", 502, 0, "stale")
    # As of 2023-07-01: only the first of H2's three touches has happened.
    rows = gaps(gap_store, as_of=date(2023, 7, 1), include_engaged=True)
    assert touch_fields(rows, "H2") == ("2023-07-01", 0, 1, "engaged")
    assert touch_fields(rows, "H1") == ("2023-01-15", 167, 1, "engaged")


def test_an_empty_store_has_no_gaps(store):
    assert store.coverage_gaps(GapQuery(as_of=AS_OF, include_engaged=True)) == []
    assert store.coverage(AS_OF, 180) == {"territories": [], "unassigned": NOBODY, "msls": []}


# --- impossible queries ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"top": 0}, "--top must be at least 1"),
        ({"max_tier": 0}, "--max-tier must be at least 1"),
        ({"stale_days": -1}, "--stale-days must be 0 or more"),
        ({"as_of": "tomorrow"}, "is in the future"),
    ],
)
def test_impossible_queries_are_input_errors(kwargs, message):
    # tomorrow as the test runs, not as it was collected: a run may cross midnight
    if kwargs.get("as_of") == "tomorrow":
        kwargs = {"as_of": date.today() + timedelta(days=1)}
    with pytest.raises(InputError, match=message):
        GapQuery(**kwargs)


def test_coverage_rejects_a_future_as_of_or_negative_window(gap_store):
    with pytest.raises(InputError, match="in the future"):
        gap_store.coverage(date.today() + timedelta(days=1), 180)
    with pytest.raises(InputError, match="--stale-days"):
        gap_store.coverage(AS_OF, -5)


# --- coverage -------------------------------------------------------------------------------

EXPECTED_TERRITORIES = [
    {"territory": "N", "tier12_hcps": 0, "engaged": 0, "share": None, "msls": 1},
    {"territory": "NE", "tier12_hcps": 3, "engaged": 1, "share": 0.333, "msls": 2},
    {"territory": "SE", "tier12_hcps": 2, "engaged": 1, "share": 0.5, "msls": 1},
    {"territory": "W", "tier12_hcps": 1, "engaged": 1, "share": 1.0, "msls": 0},
]
EXPECTED_MSLS = [
    {
        "msl_id": "M1",
        "name": "Mary One",
        "territory": "NE",
        "therapeutic_area": "Oncology",
        "tier12_hcps": 3,
        "engaged_by_msl": 1,
        "share": 0.333,
    },
    {
        "msl_id": "M2",
        "name": "Mark Two",
        "territory": "NE",
        "therapeutic_area": None,
        "tier12_hcps": 3,
        "engaged_by_msl": 0,
        "share": 0.0,
    },
    {
        "msl_id": "M3",
        "name": "Sue Three",
        "territory": "SE",
        "therapeutic_area": "Oncology",
        "tier12_hcps": 2,
        "engaged_by_msl": 1,
        "share": 0.5,
    },
    {
        "msl_id": "M4",
        "name": "Ned Four",
        "territory": "N",
        "therapeutic_area": None,
        "tier12_hcps": 0,
        "engaged_by_msl": 0,
        "share": None,
    },
]


#: No tier 1-2 HCP is of no territory (H7, of none, is tier 3).
NOBODY = {"tier12_hcps": 0, "engaged": 0, "share": None}


def test_coverage_per_territory_and_msl(gap_store):
    assert gap_store.coverage(AS_OF, 180) == {
        "territories": EXPECTED_TERRITORIES,
        "unassigned": NOBODY,
        "msls": EXPECTED_MSLS,
    }


def test_coverage_of_one_territory(gap_store):
    assert (
        gap_store.coverage(AS_OF, 180, territory="NE")
        == {
            "territories": [EXPECTED_TERRITORIES[1]],
            "unassigned": None,  # they are in no territory, so not in this one
            "msls": EXPECTED_MSLS[:2],
        }
    )


def test_coverage_counts_the_tier12_hcps_of_no_territory(gap_store):
    """H7 (of no territory) at tier 2, at I1 with H1 (engaged): one HCP of no territory, one
    hop from an engaged one; once M3 (of SE) touches H7, engaged, and not counted as M3's own."""
    gap_store.write_scores(score_frame([(h, i, 2 if h == "H7" else t, r) for h, i, t, r in SCORES]))
    gap_store.load({"affiliations": frame("affiliations", [("H7", "I1", None, 2019, None)])})
    reach = gap_store.coverage(AS_OF, 180, reach=True)["unassigned"]
    assert reach == {"tier12_hcps": 1, "engaged": 0, "share": 0.0} | {
        "within_1_hop": 1,
        "within_2_hops": 0,
        "out_of_reach": 0,
    }
    touch = ("T99", "M3", "H7", "2024-05-01", None, None, None, None, None)
    gap_store.load({"touchpoints": frame("touchpoints", [touch])})
    cover = gap_store.coverage(AS_OF, 180)
    assert cover["unassigned"] == {"tier12_hcps": 1, "engaged": 1, "share": 1.0}
    assert (cover["territories"], cover["msls"]) == (EXPECTED_TERRITORIES, EXPECTED_MSLS)
    assert gap_store.coverage(AS_OF, 180, territory="SE")["unassigned"] is None


def test_coverage_window_edges(gap_store):
    # 181 days: H5's touch of 2024-01-01 now counts; M3 engaged both SE HCPs.
    cover = gap_store.coverage(AS_OF, 181, territory="SE")
    assert cover["territories"][0]["engaged"] == 2
    assert cover["msls"][0]["engaged_by_msl"] == 2
    # 0 days: only a touch on the as-of date counts.
    assert [t["engaged"] for t in gap_store.coverage(AS_OF, 0)["territories"]] == [0, 0, 0, 0]
    # Touches after as-of never count.
    cover = gap_store.coverage(date(2024, 6, 5), 10, territory="NE")
    assert (cover["territories"][0]["engaged"], cover["msls"][0]["engaged_by_msl"]) == (1, 1)


# --- embedded only: the snapshot follows writes made through another connection -------------


def test_embedded_snapshot_sees_another_connections_write(tmp_path):
    with EmbeddedStore(tmp_path) as reader, EmbeddedStore(tmp_path) as writer:
        writer.load(gap_batch())
        writer.write_scores(score_frame())
        assert ("H3", "never engaged") in summary(gaps(reader))
        writer.load(
            {
                "touchpoints": frame(
                    "touchpoints", [("T99", "M1", "H3", "2024-06-15", None, None, None, None, None)]
                )
            }
        )
        assert "H3" not in {r["hcp_id"] for r in gaps(reader)}


# --- states (the coverage map) ----------------------------------------------------------------


@pytest.fixture
def state_store(gap_store):
    """The gaps data with H4 and H5 moved to Florida and H6 to California."""
    hcps = gap_batch()["hcps"]
    hcps.loc[hcps["hcp_id"].isin(["H4", "H5"]), "state"] = "FL"
    hcps.loc[hcps["hcp_id"] == "H6", "state"] = "CA"
    gap_store.load({"hcps": hcps})
    return gap_store


def test_coverage_by_state(state_store):
    assert state_store.coverage_by_state(AS_OF, 180) == [
        {"state": "CA", "tier12_hcps": 1, "engaged": 1, "share": 1.0},
        {"state": "FL", "tier12_hcps": 2, "engaged": 1, "share": 0.5},
        {"state": "MA", "tier12_hcps": 3, "engaged": 1, "share": 0.333},
    ]
    assert state_store.coverage_by_state(AS_OF, 180, territory="SE") == [
        {"state": "FL", "tier12_hcps": 2, "engaged": 1, "share": 0.5}
    ]


def test_gaps_of_one_state(state_store):
    assert summary(gaps(state_store, state="FL")) == [("H5", "stale")]
    assert summary(gaps(state_store, state="FL", include_engaged=True)) == [
        ("H4", "engaged"),
        ("H5", "stale"),
    ]
    assert gaps(state_store, state="TX") == []
