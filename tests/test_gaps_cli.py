"""``kolgraph gaps``, ``coverage`` and ``export targets`` through click, on an embedded store.

The store (as of 2024-06-30, stale after 180 days)::

    H1 NE tier 1 95.0 rank 1  touched 2024-06-01 by M1   engaged
    H2 NE tier 1 90.0 rank 2  touched 2023-12-01 by M2   stale (212 days)
    H3 W  tier 2 80.0 rank 3  never touched              no MSL covers territory
    H4 NE tier 2 70.0 rank 4  never touched              never engaged
    H5 NE tier 3 50.0 rank 5  never touched              (tier 3: not selected by default)
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pandas as pd
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from kolgraph.audit import recent
from kolgraph.cli import cli
from kolgraph.schema import TABLES_BY_NAME
from kolgraph.store.sqlite import EmbeddedStore

AS_OF = "2024-06-30"


def table(name: str, rows: list[tuple]) -> pd.DataFrame:
    columns = TABLES_BY_NAME[name].column_names
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, zip(*rows))})


def _hcp(n: int, territory: str) -> tuple:
    return (
        f"H{n}",
        f"First{n}",
        f"Last{n}",
        None,
        "Oncology",
        None,
        None,
        None,
        None,
        territory,
        None,
        None,
        None,
    )


@pytest.fixture
def home(tmp_path):
    """A home folder whose embedded store holds the module docstring's data."""
    home = tmp_path / "home"
    with EmbeddedStore(home) as store:
        store.load(
            {
                "hcps": table(
                    "hcps",
                    [_hcp(1, "NE"), _hcp(2, "NE"), _hcp(3, "W"), _hcp(4, "NE"), _hcp(5, "NE")],
                ),
                "institutions": table(
                    "institutions", [("I1", "=General Hospital", None, None, None, None)]
                ),
                "affiliations": table("affiliations", [("H2", "I1", None, 2010, None)]),
                "msls": table(
                    "msls",
                    [
                        ("M1", "Mary One", "NE", "Oncology", None),
                        ("M2", "Mark Two", "NE", None, None),
                    ],
                ),
                "touchpoints": table(
                    "touchpoints",
                    [
                        ("T1", "M1", "H1", "2024-06-01", None, None, None, None, None),
                        ("T2", "M2", "H2", "2023-12-01", None, None, None, None, None),
                    ],
                ),
            }
        )
        scores = [
            ("H1", 95.0, 1, 1),
            ("H2", 90.0, 1, 2),
            ("H3", 80.0, 2, 3),
            ("H4", 70.0, 2, 4),
            ("H5", 50.0, 3, 5),
        ]
        store.write_scores(
            pd.DataFrame(scores, columns=["hcp_id", "influence", "tier", "rank"]).assign(
                components=[{}] * 5, rising=False, rising_score=0.0
            )
        )
    return home


def run(home, *args):
    return CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])


# --- gaps -----------------------------------------------------------------------------------


def test_gaps_json_has_exactly_the_issue_fields(home):
    result = run(home, "gaps", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows == [
        {
            "hcp_id": "H2",
            "name": "First2 Last2",
            "territory": "NE",
            "tier": 1,
            "influence": 90.0,
            "last_touch": "2023-12-01",
            "days_since_touch": 212,
            "touches_12m": 1,
            "msl_ids": ["M1", "M2"],
            "reason": "stale",
            "reach_hops": None,
            "reach_via": None,
        },
        {
            "hcp_id": "H3",
            "name": "First3 Last3",
            "territory": "W",
            "tier": 2,
            "influence": 80.0,
            "last_touch": None,
            "days_since_touch": None,
            "touches_12m": 0,
            "msl_ids": [],
            "reason": "no MSL covers territory",
            "reach_hops": None,
            "reach_via": None,
        },
        {
            "hcp_id": "H4",
            "name": "First4 Last4",
            "territory": "NE",
            "tier": 2,
            "influence": 70.0,
            "last_touch": None,
            "days_since_touch": None,
            "touches_12m": 0,
            "msl_ids": ["M1", "M2"],
            "reason": "never engaged",
            "reach_hops": None,
            "reach_via": None,
        },
    ]


def test_gaps_filters_reach_the_query(home):
    def ids(*args):
        result = run(home, "gaps", "--as-of", AS_OF, "--json", *args)
        assert result.exit_code == 0, result.output
        return [r["hcp_id"] for r in json.loads(result.output)]

    assert ids("--top", "2") == ["H2"]
    assert ids("--max-tier", "3") == ["H2", "H3", "H4", "H5"]
    assert ids("--territory", "W") == ["H3"]
    assert ids("--stale-days", "300") == ["H3", "H4"]
    assert ids("--stale-days", "20") == ["H1", "H2", "H3", "H4"]


def test_gaps_csv_and_table(home):
    result = run(home, "gaps", "--as-of", AS_OF, "--csv")
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["hcp_id"] for r in rows] == ["H2", "H3", "H4"]
    assert rows[0]["msl_ids"] == "M1; M2" and rows[1]["last_touch"] == ""
    table_out = run(home, "gaps", "--as-of", AS_OF).output
    lines = table_out.splitlines()
    assert lines[0].split()[:3] == ["hcp_id", "name", "territory"]
    assert "no MSL covers territory" in table_out and len(lines) == 5


@pytest.mark.parametrize(
    "args, message",
    [
        (["--top", "0"], "'--top': 0 is not in the range 1<=x"),
        (["--max-tier", "0"], "'--max-tier': 0 is not in the range 1<=x"),
        (["--stale-days", "-1"], "'--stale-days': -1 is not in the range 0<=x"),
        (["--as-of", (date.today() + timedelta(days=2)).isoformat()], "is in the future"),
        (["--as-of", "2024-02-30"], "'2024-02-30' does not match the format"),
        (["--as-of", "yesterday"], "does not match the format"),
        (["--top", "ten"], "'ten' is not a valid integer"),
    ],
)
def test_gaps_bad_input_is_one_clear_error(home, args, message):
    result = run(home, "gaps", *args)
    assert result.exit_code != 0
    assert message in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash


def test_gaps_json_and_csv_together_is_a_usage_error(home):
    result = run(home, "gaps", "--json", "--csv")
    assert result.exit_code == 2 and "choose one of --json and --csv" in result.output


# --- coverage -------------------------------------------------------------------------------


def test_coverage_json_is_the_whole_object(home):
    result = run(home, "coverage", "--as-of", AS_OF, "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "territories": [
            {"territory": "NE", "tier12_hcps": 3, "engaged": 1, "share": 0.333, "msls": 2},
            {"territory": "W", "tier12_hcps": 1, "engaged": 0, "share": 0.0, "msls": 0},
        ],
        "unassigned": {"tier12_hcps": 0, "engaged": 0, "share": None},
        "msls": [
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
        ],
    }


def test_coverage_window_territory_and_by(home):
    result = run(
        home,
        "coverage",
        "--as-of",
        AS_OF,
        "--stale-days",
        "365",
        "--territory",
        "NE",
        "--by",
        "msl",
        "--json",
    )
    assert [(m["msl_id"], m["engaged_by_msl"]) for m in json.loads(result.output)] == [
        ("M1", 1),
        ("M2", 1),
    ]
    csv_out = run(home, "coverage", "--as-of", AS_OF, "--csv").output
    assert csv_out.splitlines()[0] == "territory,tier12_hcps,engaged,share,msls"
    assert csv_out.splitlines()[1] == "NE,3,1,0.333,2"
    msl_csv = run(home, "coverage", "--as-of", AS_OF, "--csv", "--by", "msl").output
    assert msl_csv.splitlines()[0].startswith("msl_id,name,territory")
    text = run(home, "coverage", "--as-of", AS_OF).output
    assert "TERRITORIES" in text and "MSLS" in text


def test_coverage_counts_the_tier12_hcps_of_no_territory(home):
    """H3 loses its territory: its tier 1-2 count moves from W to the row of no territory
    (the load leaves the scores stale, which stderr says; the answers are on stdout)."""
    with EmbeddedStore(home) as store:
        store.load({"hcps": table("hcps", [_hcp(3, None)])})

    def stdout(*args: str) -> str:
        result = run(home, "coverage", "--as-of", AS_OF, *args)
        assert result.exit_code == 0, result.output
        return result.stdout

    whole = json.loads(stdout("--json"))
    assert whole["unassigned"] == {"tier12_hcps": 1, "engaged": 0, "share": 0.0}
    assert [t["territory"] for t in whole["territories"]] == ["NE"]
    assert stdout("--csv").splitlines()[1:] == ["NE,3,1,0.333,2", ",1,0,0.0,0"]
    assert stdout("--by", "territory").splitlines()[-1].split() == [
        "(no",
        "territory)",
        "1",
        "0",
        "0.0",
        "0",
    ]
    assert json.loads(stdout("--territory", "NE", "--json"))["unassigned"] is None


def test_coverage_future_as_of_is_an_error(home):
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    result = run(home, "coverage", "--as-of", tomorrow)
    assert result.exit_code == 1 and "is in the future" in result.output


# --- export targets -------------------------------------------------------------------------


def test_export_csv_writes_the_targets_and_audits(home, tmp_path):
    out = tmp_path / "targets.csv"
    result = run(home, "export", "targets", "--out", str(out), "--as-of", AS_OF)
    assert result.exit_code == 0, result.output
    assert "wrote 3 targets" in result.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["name"] for r in rows] == ["First2 Last2", "First3 Last3", "First4 Last4"]
    assert rows[0]["institution"] == "'=General Hospital"  # never a formula in a spreadsheet
    (entry, *_) = recent(home)
    assert (entry["action"], entry["what"], entry["rows"], entry["via"]) == (
        "export",
        str(out),
        3,
        "cli",
    )


def test_export_all_includes_engaged_hcps(home, tmp_path):
    out = tmp_path / "all.xlsx"
    result = run(home, "export", "targets", "--out", str(out), "--as-of", AS_OF, "--all")
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out)["Targets"]
    column = [c.value for c in sheet[1]].index("reason")
    reasons = [row[column] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert reasons == ["engaged", "stale", "no MSL covers territory", "never engaged"]
    about = dict(load_workbook(out)["About"].iter_rows(min_row=2, values_only=True))
    assert about["listed"] == "every selected HCP" and about["rows"] == 4


def test_export_never_overwrites_without_force(home, tmp_path):
    out = tmp_path / "targets.csv"
    out.write_text("keep me")
    result = run(home, "export", "targets", "--out", str(out), "--as-of", AS_OF)
    assert result.exit_code == 1 and "already exists; use --force" in result.output
    assert out.read_text() == "keep me"
    assert recent(home) == []
    result = run(home, "export", "targets", "--out", str(out), "--as-of", AS_OF, "--force")
    assert result.exit_code == 0 and out.read_text().startswith("rank,tier,influence")


def test_export_unknown_extension_is_an_error(home, tmp_path):
    result = run(home, "export", "targets", "--out", str(tmp_path / "targets.txt"))
    assert result.exit_code == 1 and "must end in .csv or .xlsx" in result.output
    assert not (tmp_path / "targets.txt").exists()


# --- top ------------------------------------------------------------------------------------


def test_top_lists_by_rank_and_rising_stars_by_growth(home):
    with EmbeddedStore(home) as store:
        scores = store.scores()
        scores["rising"] = scores["hcp_id"].isin(["H3", "H5"])
        scores["rising_score"] = [0.5 if h == "H5" else 0.2 for h in scores["hcp_id"]]
        store.write_scores(scores)
    top = run(home, "top", "--limit", "2", "--json")
    assert top.exit_code == 0, top.output
    assert [r["hcp_id"] for r in json.loads(top.output)] == ["H1", "H2"]
    rising = run(home, "top", "--rising", "--json")
    assert rising.exit_code == 0, rising.output
    assert [(r["hcp_id"], r["rising_score"]) for r in json.loads(rising.output)] == [
        ("H5", 0.5),
        ("H3", 0.2),
    ]
    assert [
        r["hcp_id"]
        for r in json.loads(run(home, "top", "--rising", "--territory", "W", "--json").output)
    ] == ["H3"]


def test_coverage_reach_adds_the_hop_counts(home):
    """H2 shares I1 with nobody engaged; H3 (W), H4 and H5 have no neighbours at all."""
    result = run(home, "coverage", "--as-of", AS_OF, "--reach", "--json")
    assert result.exit_code == 0, result.output
    ne = next(t for t in json.loads(result.output)["territories"] if t["territory"] == "NE")
    assert (ne["engaged"], ne["within_1_hop"], ne["within_2_hops"], ne["out_of_reach"]) == (
        1,
        0,
        0,
        2,
    )
    table = run(home, "coverage", "--as-of", AS_OF, "--reach")
    assert "within_1_hop" in table.output and "out_of_reach" in table.output
