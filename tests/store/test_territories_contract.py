"""Territory alignment on every store: precedence, explicit territories, realignment, loads.

Runs once per store (see ``conftest.py``).  The places and rules are chosen so that each
HCP is decided by one level of the precedence ZIP5 > ZIP3 > state > country.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from sample import frame

from kolgraph.errors import ValidationFailed
from kolgraph.territories import read_alignment, report

RULES = """territory,country,state,postal_code
USA,US,,
New England,,MA,
Boston,,,021
Back Bay,,,02115
Texas,United States,TX,
"""


def _hcp(hcp_id, country, state, postal, territory=None) -> tuple:
    return (
        hcp_id,
        "F",
        hcp_id,
        None,
        None,
        None,
        state,
        postal,
        country,
        territory,
        None,
        None,
        None,
    )


PLACES = [
    _hcp("Z5", "US", "MA", "02115"),  # ZIP5 beats ZIP3, state and country
    _hcp("Z3", "United States", "Massachusetts", "02139"),  # ZIP3 beats state
    _hcp("ST", "USA", "MA", "01003"),  # state beats country
    _hcp("TX", "United States", "Texas", "75001"),  # state rule with a country
    _hcp("CO", "US", "CA", "94305"),  # only the country rule matches
    _hcp("DE", "Germany", None, "10115"),  # a place no rule matches
    _hcp("NO", None, None, None),  # no place at all
    _hcp("EX", "US", "MA", "02115", "Explicit"),  # the source gave a territory
]
EXPECTED = {
    "Z5": "Back Bay",
    "Z3": "Boston",
    "ST": "New England",
    "TX": "Texas",
    "CO": "USA",
    "DE": None,
    "NO": None,
    "EX": "Explicit",
}


def territories_of(store) -> dict[str, str | None]:
    hcps = store.table("hcps")
    return dict(zip(hcps["hcp_id"], hcps["territory"]))


def alignment(tmp_path, text: str = RULES, override: bool = False, name: str = "align.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_alignment(path, override)


@pytest.fixture
def placed(store):
    store.load({"hcps": frame("hcps", PLACES)})
    return store


def test_the_most_specific_rule_wins_and_explicit_territories_are_kept(placed, tmp_path):
    changed = placed.set_alignment(alignment(tmp_path))
    assert territories_of(placed) == EXPECTED
    assert changed == 5  # every HCP a rule matches, except the explicit one


def test_override_lets_rules_win_and_a_later_alignment_gives_the_explicit_one_back(
    placed, tmp_path
):
    placed.set_alignment(alignment(tmp_path, override=True))
    assert territories_of(placed) == {**EXPECTED, "EX": "Back Bay"}
    placed.set_alignment(alignment(tmp_path))
    assert territories_of(placed)["EX"] == "Explicit"


def test_realignment_without_a_reload(placed, tmp_path):
    placed.set_alignment(alignment(tmp_path))
    placed.set_alignment(alignment(tmp_path, "territory,country,state,postal_code\nEast,,MA,\n"))
    assert territories_of(placed) == {
        **dict.fromkeys(EXPECTED),
        "Z5": "East",
        "Z3": "East",
        "ST": "East",
        "EX": "Explicit",
    }


def test_later_loads_are_aligned_and_their_explicit_territories_kept(placed, tmp_path):
    placed.set_alignment(alignment(tmp_path))
    placed.load(
        {
            "hcps": frame(
                "hcps",
                [
                    _hcp("NEW", "US", "MA", "02115"),
                    _hcp("Z3", "US", "MA", "02139", "Given"),  # reloaded with a territory
                    _hcp("EX", "US", "MA", "02115"),  # reloaded without one
                ],
            )
        }
    )
    found = territories_of(placed)
    assert (found["NEW"], found["Z3"], found["EX"]) == ("Back Bay", "Given", "Back Bay")


def test_the_alignment_is_stored(placed, tmp_path):
    assert placed.alignment() is None
    given = alignment(tmp_path, override=True)
    placed.set_alignment(given)
    stored = placed.alignment()
    assert (stored.rules, stored.override, stored.source) == (given.rules, True, "align.csv")


def test_a_conflicting_file_stores_nothing(placed, tmp_path):
    placed.set_alignment(alignment(tmp_path))
    with pytest.raises(ValidationFailed) as failed:
        alignment(tmp_path, RULES + "Cambridge,,,021\n", name="bad.csv")
    assert [str(p) for p in failed.value.problems] == [
        "bad.csv:7: territory: conflicts with bad.csv:4: both match ZIP prefix 021 "
        "(ZIP3 level) but say 'Cambridge' and 'Boston'"
    ]
    assert placed.alignment().source == "align.csv"
    assert territories_of(placed) == EXPECTED


def test_report_counts_territories_and_why_hcps_have_none(placed, tmp_path):
    placed.set_alignment(alignment(tmp_path))
    result = report(placed.hcp_places())
    assert result["unassigned"] == {"no location": 1, "no matching rule": 1}
    by_name = {
        r["territory"]: (r["hcps"], r["aligned"], r["explicit"]) for r in result["territories"]
    }
    assert by_name == {
        "Back Bay": (1, 1, 0),
        "Boston": (1, 1, 0),
        "New England": (1, 1, 0),
        "Texas": (1, 1, 0),
        "USA": (1, 1, 0),
        "Explicit": (1, 0, 1),
    }


def test_known_territories_include_rules_hcps_and_msls(placed, tmp_path):
    placed.load({"msls": frame("msls", [("M1", "Mona", "Field", None, None)])})
    placed.set_alignment(
        alignment(tmp_path, "territory,country,state,postal_code\nEmpty,,,99999\n")
    )
    assert placed.known_territories() == ["Empty", "Explicit", "Field"]


def test_postal_codes_round_trip(placed):
    hcps = placed.table("hcps").set_index("hcp_id")
    assert (hcps.loc["Z5", "postal_code"], hcps.loc["NO", "postal_code"]) == ("02115", None)


# --- coverage per ZIP3 prefix (the coverage map's detail) -------------------------------------


def scored_and_touched(store):
    """Every placed HCP tier 1; Z5 touched on 2024-05-01 by MSL M1 (Boston)."""
    ids = [p[0] for p in PLACES]
    scores = pd.DataFrame(
        {
            "hcp_id": ids,
            "influence": [50.0 - n for n in range(len(ids))],
            "tier": 1,
            "rank": list(range(1, len(ids) + 1)),
            "components": [{} for _ in ids],
            "rising": False,
            "rising_score": 0.0,
        }
    )
    store.load(
        {
            "msls": frame("msls", [("M1", "Mo One", "Boston", None, None)]),
            "touchpoints": frame(
                "touchpoints", [("T1", "M1", "Z5", "2024-05-01", None, None, None, None, None)]
            ),
        }
    )
    store.write_scores(scores)
    return store


def test_coverage_by_zip3_counts_the_prefixes_the_alignment_names(placed, tmp_path):
    as_of = date(2024, 6, 30)
    assert placed.coverage_by_zip3(as_of, 180) == []  # no alignment, no ZIP3 detail
    placed.set_alignment(alignment(tmp_path))
    scored_and_touched(placed)
    # 021 is named (ZIP3 rule, and the ZIP5 rule's prefix); Z5, Z3 and EX are in it; ST's
    # 01003 is not named; DE's 10115 is no US ZIP.
    assert placed.coverage_by_zip3(as_of, 180) == [
        {
            "zip3": "021",
            "state": "MA",
            "territories": ["Back Bay", "Boston", "Explicit"],
            "tier12_hcps": 3,
            "engaged": 1,
            "share": 0.333,
        }
    ]
    (boston,) = placed.coverage_by_zip3(as_of, 180, "Boston")
    assert (boston["territories"], boston["tier12_hcps"], boston["engaged"]) == (["Boston"], 1, 0)
