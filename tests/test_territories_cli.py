"""``kolgraph align`` and ``kolgraph load --format crm`` through click, on an embedded store.

A bundle with five HCPs (one without a place, one abroad) and two MSLs is loaded first.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.store.sqlite import EmbeddedStore

HCPS = """hcp_id,first_name,last_name,state,postal_code,country,territory,npi
H1,Ada,One,MA,02115,US,,1234567893
H2,Bo,Two,MA,2139,USA,,
H3,Cy,Three,TX,75001,United States,,
H4,Di,Four,,,,,
H5,Ed,Five,,10115,Germany,Berlin,
"""
MSLS = """msl_id,name,territory,email
M1,Mona North,Boston,Mona@Example.com
"""
RULES = """territory,country,state,postal_code
Boston,,,021
South,US,TX,
"""
MAPPING = """date_format = "%d.%m.%Y"
hcp_key = "npi"
msl_key = "email"

[columns]
touchpoint_id = "ID"
date = "Datum"
hcp = "NPI"
msl = "Owner"
topic = "Thema"
"""


@pytest.fixture
def home(tmp_path) -> Path:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "hcps.csv").write_text(HCPS, encoding="utf-8")
    (bundle / "msls.csv").write_text(MSLS, encoding="utf-8")
    home = tmp_path / "home"
    result = run(home, "load", str(bundle))
    assert result.exit_code == 0, result.output
    return home


def run(home, *args):
    return CliRunner().invoke(cli, ["--backend", "embedded", "--home", str(home), *args])


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def territories(home) -> dict:
    with EmbeddedStore(home) as store:
        hcps = store.table("hcps")
    return dict(zip(hcps["hcp_id"], hcps["territory"]))


# --- align ----------------------------------------------------------------------------------


def test_align_prints_hcps_per_territory_and_why_some_have_none(home, tmp_path):
    result = run(home, "align", str(write(tmp_path, "rules.csv", RULES)))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "rules.csv: 2 rules stored; 3 HCPs changed territory"
    assert lines[1].split() == ["territory", "hcps", "aligned", "explicit"]
    assert [line.split() for line in lines[3:6]] == [
        ["Berlin", "1", "0", "1"],
        ["Boston", "2", "2", "0"],
        ["South", "1", "1", "0"],
    ]
    assert lines[6] == "without a territory: 1 HCPs (no location: 1, no matching rule: 0)"
    assert territories(home) == {
        "H1": "Boston",
        "H2": "Boston",
        "H3": "South",
        "H4": None,
        "H5": "Berlin",
    }


def test_align_json_and_override(home, tmp_path):
    rules = write(tmp_path, "rules.csv", RULES + "Europe,Germany,,\n")
    result = run(home, "align", str(rules), "--override", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "territories": [
            {"territory": "Boston", "hcps": 2, "aligned": 2, "explicit": 0},
            {"territory": "Europe", "hcps": 1, "aligned": 1, "explicit": 0},
            {"territory": "South", "hcps": 1, "aligned": 1, "explicit": 0},
        ],
        "unassigned": {"no location": 1, "no matching rule": 0},
    }


def test_conflicting_rules_fail_naming_both_lines_and_change_nothing(home, tmp_path):
    bad = write(tmp_path, "rules.csv", RULES + "Houston,,Texas,\nMetro,,,2\n")
    result = run(home, "align", str(bad))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "rules.csv:4: territory: conflicts with rules.csv:3: both match state Texas "
        "(state level) but say 'Houston' and 'South'",
        "rules.csv:5: postal_code: not a US ZIP5 or 3-digit ZIP prefix: 2",
        "Error: 2 problem(s); nothing was written",
    ]
    assert territories(home)["H1"] is None


def test_later_loads_are_aligned(home, tmp_path):
    run(home, "align", str(write(tmp_path, "rules.csv", RULES)))
    more = tmp_path / "more"
    more.mkdir()
    write(
        more,
        "hcps.csv",
        "hcp_id,first_name,last_name,state,postal_code,country\nH6,Fe,Six,MA,02116,US\n",
    )
    assert run(home, "load", str(more)).exit_code == 0
    assert territories(home)["H6"] == "Boston"


# --- CRM call exports ----------------------------------------------------------------------


def test_crm_load_reports_rows_by_line_and_writes_nothing(home, tmp_path):
    mapping = write(tmp_path, "m.toml", MAPPING)
    calls = write(
        tmp_path,
        "calls.csv",
        "ID,Datum,NPI,Owner,Thema,Extra\n"
        'C1,15.03.2025,1234567893,MONA@example.com,=HYPERLINK("x"),a\n'
        "C2,31.02.2025,1234567893,mona@example.com,Dosing,b\n",
    )
    args = ("load", str(calls), "--format", "crm", "--mapping", str(mapping))
    result = run(home, *args)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "calls.csv:3: Datum: not a date (%d.%m.%Y): 31.02.2025",
        "Error: 1 problem(s); nothing was written",
    ]
    result = run(home, *args, "--skip-invalid")
    assert result.exit_code == 0, result.output
    assert "skipped 1: rejected (written to calls.rejects.csv)" in result.output
    assert "touchpoints  1 rows  1 new  0 updated" in result.output
    rejects = (tmp_path / "calls.rejects.csv").read_text(encoding="utf-8")
    assert rejects == (
        "ID,Datum,NPI,Owner,Thema,Extra,reason\n"
        "C2,31.02.2025,1234567893,mona@example.com,Dosing,b,"
        "Datum: not a date (%d.%m.%Y): 31.02.2025\n"
    )
    with EmbeddedStore(home) as store:
        topic = store.table("touchpoints").set_index("touchpoint_id").loc["C1", "topic"]
    assert topic == '=HYPERLINK("x")'  # text stays text


def test_crm_options_go_together(home, tmp_path):
    calls = write(tmp_path, "calls.csv", "ID\n")
    result = run(home, "load", str(calls), "--format", "crm")
    assert result.exit_code == 2 and "--format crm needs --mapping" in result.output
    result = run(home, "load", str(calls), "--skip-invalid")
    assert result.exit_code == 2 and "go with --format crm" in result.output


def test_a_bad_mapping_is_one_clear_error(home, tmp_path):
    mapping = write(
        tmp_path, "m.toml", 'date_format = "%Y"\nhcp_key = "name"\n[columns]\nwhen = "D"\n'
    )
    calls = write(tmp_path, "calls.csv", "ID\n")
    result = run(home, "load", str(calls), "--format", "crm", "--mapping", str(mapping))
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    for expected in (
        "hcp_key must be one of npi, hcp_id",
        "msl_key must be one of msl_id, email",
        "[columns] when: unknown field",
        "[columns] touchpoint_id is required",
    ):
        assert expected in result.output
    assert "Traceback" not in result.output


def test_validate_checks_a_crm_export_and_writes_nothing(home, tmp_path):
    mapping = write(tmp_path, "m.toml", MAPPING)
    calls = write(
        tmp_path,
        "calls.csv",
        "ID,Datum,NPI,Owner,Thema\nC1,15.03.2025,1234567893,mona@example.com,x\n",
    )
    result = run(home, "validate", str(calls), "--format", "crm", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "valid; crm: 1 records read" in result.output
    with EmbeddedStore(home) as store:
        assert store.table("touchpoints").empty


def test_unmapped_columns_of_an_export_may_be_blank_or_repeated(home, tmp_path):
    mapping = write(tmp_path, "m.toml", MAPPING)
    calls = write(
        tmp_path,
        "calls.csv",
        "ID,Datum,NPI,Owner,Thema,Note,Note,\nC1,15.03.2025,1234567893,mona@example.com,x,a,b,c\n",
    )
    result = run(home, "load", str(calls), "--format", "crm", "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    calls = write(tmp_path, "calls.csv", "ID,Datum,NPI,Owner,Thema,Thema\nC1,x,y,z,a,b\n")
    result = run(home, "load", str(calls), "--format", "crm", "--mapping", str(mapping))
    assert result.exit_code == 1
    assert "calls.csv:1: Thema: repeated column (also column 5)" in result.output
