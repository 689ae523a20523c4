"""Reading, validating and loading canonical CSV bundles.

A rejected load must report each problem as ``file:line: column: message`` and leave the
store exactly as it was: every test of a bad bundle runs against a store already holding
``tests/data/bundle_small`` and compares its stats and every table before and after.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from kolgraph import schema
from kolgraph.errors import InputError, ValidationFailed
from kolgraph.loaders.validate import RawBundle, RawTable, validate
from kolgraph.loading import TableCounts, load_path, validate_path

#: "Today" for the checks of dates and years, so the tests do not depend on the clock.
TODAY = date(2025, 6, 1)
ALL_TABLES = [t.name for t in schema.TABLES] + ["coauthorships"]
EXPECTED_FILES = (
    "hcps.csv, institutions.csv, publications.csv, trials.csv, msls.csv, "
    "affiliations.csv, authorships.csv, trial_roles.csv, touchpoints.csv"
)
TOUCHPOINT_HEADER = (
    "touchpoint_id,msl_id,hcp_id,date,channel,topic,insight,insight_category,sentiment"
)


def csv_text(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def write_bundle(folder: Path, files: dict[str, str | bytes]) -> Path:
    """A bundle folder holding ``files`` (text is written as UTF-8)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content if isinstance(content, bytes) else content.encode())
    return folder


def snapshot(store) -> tuple[dict, dict[str, pd.DataFrame]]:
    return store.stats(), {name: store.table(name) for name in ALL_TABLES}


def assert_unchanged(store, before) -> None:
    stats, tables = snapshot(store)
    assert stats == before[0]
    for name in ALL_TABLES:
        pd.testing.assert_frame_equal(tables[name], before[1][name])


def assert_rejected(store, path: Path, *expected: str) -> None:
    """Loading ``path`` fails with exactly ``expected`` (sorted) and writes nothing."""
    before = snapshot(store)
    with pytest.raises(ValidationFailed) as failed:
        load_path(path, store, today=TODAY)
    assert [str(p) for p in failed.value.problems] == list(expected)
    assert_unchanged(store, before)


# --- a valid bundle ----------------------------------------------------------------------


def test_small_bundle_loads_with_the_right_counts(store, small_bundle):
    summary = load_path(small_bundle, store, today=TODAY)
    rows = {
        "hcps": 6,
        "institutions": 4,
        "publications": 4,
        "trials": 2,
        "msls": 2,
        "affiliations": 7,
        "authorships": 9,
        "trial_roles": 3,
        "touchpoints": 5,
    }
    assert summary.tables == {name: TableCounts(n, n, 0) for name, n in rows.items()}
    assert summary.total_rows == 42
    assert store.stats() == {
        "nodes": {
            "HCP": 6,
            "Institution": 4,
            "Publication": 4,
            "Trial": 2,
            "MSL": 2,
            "Touchpoint": 5,
        },
        "relationships": {
            "AFFILIATED_WITH": 7,
            "AUTHORED": 9,
            "COAUTHORED_WITH": 6,
            "INVESTIGATOR_ON": 3,
            "LOGGED": 5,
            "WITH": 5,
        },
    }


def test_loading_the_same_bundle_again_updates_every_row(loaded, small_bundle):
    before = snapshot(loaded)
    summary = load_path(small_bundle, loaded, today=TODAY)
    assert all(c.created == 0 and c.updated == c.read for c in summary.tables.values())
    assert_unchanged(loaded, before)


def test_cells_are_typed_as_the_schema_says(store, small_bundle):
    batch = validate_path(small_bundle, store, today=TODAY).batch
    publication = batch["publications"].iloc[0].to_dict()
    assert publication["year"] == 2019 and type(publication["year"]) is int
    assert publication["mesh_terms"] == [
        "Carcinoma, Non-Small-Cell Lung",
        "Immunotherapy",
        "Immune Checkpoint Inhibitors",
    ]
    assert batch["publications"].iloc[2]["citation_count"] is None
    silent = batch["touchpoints"].set_index("touchpoint_id").loc["TP0004"]
    assert (silent["insight"], silent["insight_category"], silent["sentiment"]) == (
        None,
        None,
        None,
    )


def test_validate_path_writes_nothing(loaded, small_bundle):
    before = snapshot(loaded)
    validated = validate_path(small_bundle, loaded, today=TODAY)
    assert validated.total_rows == 42
    assert validated.describe().startswith("would load 42 rows")
    assert_unchanged(loaded, before)


# --- one problem each --------------------------------------------------------------------


def test_unknown_column_suggests_the_closest_known_one(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"hcps.csv": csv_text("hcp_id,first_name,last_name,speciality", "H100,Ana,Silva,Oncology")},
    )
    assert_rejected(
        loaded, bundle, "hcps.csv:1: speciality: unknown column; did you mean specialty?"
    )


def test_missing_required_column(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "touchpoints.csv": csv_text(
                "touchpoint_id,msl_id,hcp_id,topic", "TP0100,M01,H001,Dosing"
            )
        },
    )
    assert_rejected(loaded, bundle, "touchpoints.csv:1: date: missing required column")


def test_duplicate_key_names_the_first_line(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcps.csv": csv_text(
                "hcp_id,first_name,last_name", "H100,Ana,Silva", "H101,Ben,Okafor", "H100,Ana,Silva"
            )
        },
    )
    assert_rejected(loaded, bundle, "hcps.csv:4: hcp_id: duplicate key H100 (first on line 2)")


def test_duplicate_composite_key(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"authorships.csv": csv_text("pmid,hcp_id,position", "31000001,H004,4", "31000001,H004,5")},
    )
    assert_rejected(
        loaded,
        bundle,
        "authorships.csv:3: pmid,hcp_id: duplicate key (31000001, H004) (first on line 2)",
    )


def test_authorship_of_an_unknown_publication(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"authorships.csv": csv_text("pmid,hcp_id,position", "31000001,H004,4", "123,H004,1")},
    )
    assert_rejected(loaded, bundle, "authorships.csv:3: pmid: unknown publication 123")


def test_touchpoint_with_an_unknown_msl(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "touchpoints.csv": csv_text(
                TOUCHPOINT_HEADER,
                "TP0100,M01,H001,2025-05-01,,,,,",
                "TP0101,M9,H001,2025-05-02,,,,,",
            )
        },
    )
    assert_rejected(loaded, bundle, "touchpoints.csv:3: msl_id: unknown MSL M9")


def test_bad_dates(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "touchpoints.csv": csv_text(
                TOUCHPOINT_HEADER,
                "TP0100,M01,H001,05/01/2025,,,,,",
                "TP0101,M01,H001,2025-02-30,,,,,",
            )
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "touchpoints.csv:2: date: not a date (expected YYYY-MM-DD): 05/01/2025",
        "touchpoints.csv:3: date: not a date (expected YYYY-MM-DD): 2025-02-30",
    )


def test_future_date_is_rejected_but_today_is_fine(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "touchpoints.csv": csv_text(
                TOUCHPOINT_HEADER,
                f"TP0100,M01,H001,{TODAY.isoformat()},,,,,",
                "TP0101,M01,H001,2025-06-02,,,,,",
            )
        },
    )
    assert_rejected(loaded, bundle, "touchpoints.csv:3: date: date 2025-06-02 is in the future")


def test_bad_npis(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcps.csv": csv_text(
                "hcp_id,first_name,last_name,npi",
                "H100,Ana,Silva,1234567890",
                "H101,Ben,Okafor,12345",
                "H102,Chloe,Martin,1122334455",
            )
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "hcps.csv:2: npi: invalid NPI 1234567890 (check digit does not match)",
        "hcps.csv:3: npi: not a 10-digit NPI: 12345",
    )


def test_postal_codes_us_zip5_and_other_countries_as_given(store, tmp_path):
    header = "hcp_id,first_name,last_name,city,state,postal_code,country"
    good = write_bundle(
        tmp_path / "good",
        {
            "hcps.csv": csv_text(
                header,
                "H1,Ana,Silva,Boston,MA,2115,US",  # leading zero lost by a spreadsheet
                "H2,Ben,Okafor,Cambridge,MA,02139-4307,United States",  # ZIP+4
                "H3,Chloe,Martin,Paris,,75013,France",
                "H4,Dev,Rao,London,,SW1A 1AA,United Kingdom",
                "H5,Eve,Ng,Albany,New York,12207,",  # no country, a US state
                "H6,Fay,Li,,,,",
            )
        },
    )
    load_path(good, store, today=TODAY)
    codes = store.table("hcps").set_index("hcp_id")["postal_code"].to_dict()
    assert codes == {
        "H1": "02115",
        "H2": "02139",
        "H3": "75013",
        "H4": "SW1A 1AA",
        "H5": "12207",
        "H6": None,
    }
    bad = write_bundle(
        tmp_path / "bad",
        {"hcps.csv": csv_text(header, "H7,Gus,Bo,Boston,MA,BOSTON,USA")},
    )
    assert_rejected(store, bad, "hcps.csv:2: postal_code: not a US ZIP code: BOSTON")


def test_empty_required_field(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"hcps.csv": csv_text("hcp_id,first_name,last_name", "H100,Ana,Silva", "H101,Ben,   ")},
    )
    assert_rejected(loaded, bundle, "hcps.csv:3: last_name: required value is empty")


def test_non_utf8_file_names_the_line_of_the_first_bad_byte(loaded, tmp_path):
    latin1 = csv_text("hcp_id,first_name,last_name", "H100,Ana,Silva", "H101,Jürgen,Müller")
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcps.csv": latin1.encode("latin-1"),
            # refers to an HCP of the unreadable file: not reported a second time as unknown
            "touchpoints.csv": csv_text(TOUCHPOINT_HEADER, "TP0100,M01,H101,2025-05-01,,,,,"),
        },
    )
    assert_rejected(
        loaded, bundle, "hcps.csv:3: file: not UTF-8 (byte 0xfc); save the file as UTF-8"
    )


def test_empty_file(loaded, tmp_path):
    bundle = write_bundle(tmp_path / "b", {"msls.csv": b""})
    assert_rejected(loaded, bundle, "msls.csv:1: file: empty file, expected a header row")


def test_header_only_file_loads_nothing(loaded, tmp_path):
    bundle = write_bundle(tmp_path / "b", {"touchpoints.csv": csv_text(TOUCHPOINT_HEADER)})
    before = snapshot(loaded)
    summary = load_path(bundle, loaded, today=TODAY)
    assert summary.tables == {"touchpoints": TableCounts(0, 0, 0)}
    assert summary.total_rows == 0
    assert_unchanged(loaded, before)


def test_rows_with_the_wrong_number_of_fields(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcps.csv": csv_text(
                "hcp_id,first_name,last_name", "H100,Ana,Silva,extra,cells", "H101,Ben"
            )
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "hcps.csv:2: row: 5 fields, expected 3 (as in the header)",
        "hcps.csv:3: row: 2 fields, expected 3 (as in the header)",
    )


def test_repeated_and_blank_column_names(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"msls.csv": csv_text("msl_id,name,territory,name,", "M03,Ana Silva,South,Ana,")},
    )
    assert_rejected(
        loaded,
        bundle,
        "msls.csv:1: column 5: blank column name",
        "msls.csv:1: name: repeated column (also column 2)",
    )


def test_semicolon_separated_file(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b", {"msls.csv": csv_text("msl_id;name;territory", "M03;Ana Silva;South")}
    )
    assert_rejected(
        loaded,
        bundle,
        "msls.csv:1: file: fields must be separated by commas",
        "msls.csv:1: msl_id: missing required column",
        "msls.csv:1: msl_id;name;territory: unknown column; did you mean territory?",
        "msls.csv:1: name: missing required column",
        "msls.csv:1: territory: missing required column",
    )


def test_unterminated_quote(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "msls.csv": csv_text(
                "msl_id,name,territory",
                "M03,Ana Silva,South",
                'M04,"Ben Okafor,West',
                "M05,Chloe Martin,West",
            )
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "msls.csv:3: row: malformed CSV record (a quote opened here is never closed)",
    )


def test_lines_count_quoted_cells_spanning_lines(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "touchpoints.csv": csv_text(
                TOUCHPOINT_HEADER,
                'TP0100,M01,H001,2025-05-01,visit,Dosing,"Two lines,',
                'of insight",unmet need,positive',
                "TP0101,M01,H001,2025-05-02,visit,Dosing,,Unmet Need,great",
            )
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "touchpoints.csv:4: sentiment: must be one of positive, neutral, negative; got great",
    )


def test_unknown_insight_category_lists_the_allowed_ones(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"touchpoints.csv": csv_text(TOUCHPOINT_HEADER, "TP0100,M01,H001,2025-05-01,,,,gossip,")},
    )
    allowed = ", ".join(schema.DEFAULT_INSIGHT_CATEGORIES)
    assert_rejected(
        loaded,
        bundle,
        f"touchpoints.csv:2: insight_category: not an allowed insight category; "
        f"allowed: {allowed}; got gossip",
    )


def test_bad_years_and_positions(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "publications.csv": csv_text(
                "pmid,title,year", "100,Old,1850", "101,Next,2026", "102,Typo,19x9"
            ),
            "authorships.csv": csv_text("pmid,hcp_id,position", "100,H001,0", "101,H001,first"),
            "affiliations.csv": csv_text(
                "hcp_id,institution_id,start_year,end_year", "H002,I01,2020,2019"
            ),
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "affiliations.csv:2: end_year: end_year 2019 is before start_year 2020",
        "authorships.csv:2: position: must be 1 or more, got 0",
        "authorships.csv:3: position: not a whole number: first",
        "publications.csv:2: year: year 1850 is before 1900",
        "publications.csv:3: year: year 2026 is in the future",
        "publications.csv:4: year: not a year: 19x9",
    )


def test_unknown_file_in_the_folder(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcp.csv": csv_text("hcp_id,first_name,last_name", "H100,Ana,Silva"),
            "msls.csv": csv_text("msl_id,name,territory", "M03,Ana Silva,South"),
            "README.md": "not a CSV file: ignored",
        },
    )
    assert_rejected(
        loaded,
        bundle,
        f"hcp.csv:1: file: unknown file; did you mean hcps.csv? expected one of {EXPECTED_FILES}",
    )


# --- several problems at once ------------------------------------------------------------


def test_every_problem_in_every_file_is_reported_together(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcps.csv": csv_text(
                "hcp_id,first_name,last_name,npi", "H100,Ana,Silva,1234567890", "H100,Ana,Silva,"
            ),
            "authorships.csv": csv_text("pmid,hcp_id,position", "99999999,H100,0"),
            "touchpoints.csv": csv_text(TOUCHPOINT_HEADER, "TP0100,M01,H100,2025-13-01,,,,,"),
            "notes.csv": csv_text("anything"),
        },
    )
    assert_rejected(
        loaded,
        bundle,
        "authorships.csv:2: pmid: unknown publication 99999999",
        "authorships.csv:2: position: must be 1 or more, got 0",
        "hcps.csv:2: npi: invalid NPI 1234567890 (check digit does not match)",
        "hcps.csv:3: hcp_id: duplicate key H100 (first on line 2)",
        f"notes.csv:1: file: unknown file; expected one of {EXPECTED_FILES}",
        "touchpoints.csv:2: date: not a date (expected YYYY-MM-DD): 2025-13-01",
    )


# --- what must load ----------------------------------------------------------------------


def test_weekly_touchpoints_refer_to_hcps_loaded_earlier(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "touchpoints.csv": csv_text(
                TOUCHPOINT_HEADER,
                "TP0001,M01,H001,2025-01-14,in person,Adjuvant immunotherapy,Revised view,treatment practice,neutral",
                "TP0100,M02,H005,2025-05-20,video,Interactions,Wants a DDI table,Unmet need,Positive",
                " TP0101 , M01 , H003 ,2025-05-21,email,,,,",
            )
        },
    )
    summary = load_path(bundle, loaded, today=TODAY)
    assert summary.tables == {"touchpoints": TableCounts(3, 2, 1)}
    stored = loaded.table("touchpoints").set_index("touchpoint_id")
    assert len(stored) == 7
    assert stored.loc["TP0001", "sentiment"] == "neutral"
    assert tuple(stored.loc["TP0100", ["insight_category", "sentiment"]]) == (
        "unmet need",
        "positive",
    )
    assert tuple(stored.loc["TP0101", ["msl_id", "hcp_id"]]) == ("M01", "H003")  # trimmed


def test_a_single_canonical_file_can_be_loaded(loaded, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "msls.csv": csv_text("msl_id,name,territory", "M03,Ana Silva,South"),
            "hcps.csv": csv_text("hcp_id,first_name,last_name", "H100,Ana"),  # not read: ragged
        },
    )
    summary = load_path(bundle / "msls.csv", loaded, today=TODAY)
    assert summary.tables == {"msls": TableCounts(1, 1, 0)}
    assert loaded.stats()["nodes"]["MSL"] == 3


def test_bom_is_tolerated(store, tmp_path):
    text = csv_text("hcp_id,first_name,last_name", "H100,Ana,Silva")
    bundle = write_bundle(tmp_path / "b", {"hcps.csv": b"\xef\xbb\xbf" + text.encode()})
    load_path(bundle, store, today=TODAY)
    assert list(store.table("hcps")["hcp_id"]) == ["H100"]


def test_leading_zeros_are_kept_in_ids(store, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {
            "hcps.csv": csv_text("hcp_id,first_name,last_name", "00123,Ana,Silva"),
            "institutions.csv": csv_text("institution_id,name", "0042,Hospital"),
            "affiliations.csv": csv_text("hcp_id,institution_id,start_year", "00123,0042,2001"),
        },
    )
    load_path(bundle, store, today=TODAY)
    assert list(store.table("hcps")["hcp_id"]) == ["00123"]
    assert tuple(store.table("affiliations").iloc[0][["hcp_id", "institution_id"]]) == (
        "00123",
        "0042",
    )


def test_na_and_null_are_names_not_missing_values(store, tmp_path):
    bundle = write_bundle(
        tmp_path / "b",
        {"hcps.csv": csv_text("hcp_id,first_name,last_name", "H100,Ana,NA", "H101,Null,N/A")},
    )
    load_path(bundle, store, today=TODAY)
    hcps = store.table("hcps")
    assert list(hcps["last_name"]) == ["NA", "N/A"]
    assert list(hcps["first_name"]) == ["Ana", "Null"]


def test_other_sources_share_the_validator(loaded):
    """A loader for another format hands over raw string frames and its own line numbers."""
    frame = pd.DataFrame(
        {
            "touchpoint_id": ["TP0100", "TP0101"],
            "msl_id": ["M01", "M7"],
            "hcp_id": ["H002", "H002"],
            "date": ["2025-05-01", "2025-05-02"],
        },
        dtype=object,
    )
    raw = RawBundle({"touchpoints": RawTable("touchpoints", frame, [10, 20], "export.xml")})
    with pytest.raises(ValidationFailed) as failed:
        validate(raw, loaded, today=TODAY)
    assert [str(p) for p in failed.value.problems] == ["export.xml:20: msl_id: unknown MSL M7"]


def test_each_distinct_cell_is_checked_for_every_row_that_holds_it():
    """Checks run once per distinct cell: a bad value repeated is reported on each of its
    lines, ids equal once trimmed are one key, and parts repeated in other combinations
    are no duplicate."""
    authorships = pd.DataFrame(
        {
            "pmid": ["P1", "P1", "P2", " P2 ", "P3", "P3"],
            "hcp_id": ["H1", "H2", "H1", "H1", "H1", None],
            "position": ["1", "x", "1", "2", "x", "1"],
        },
        dtype=object,
    )
    raw = RawBundle(
        {
            "authorships": RawTable("authorships", authorships, [2, 3, 4, 5, 6, 7]),
            "publications": RawTable(
                "publications",
                pd.DataFrame(
                    {"pmid": ["P1", "P2", "P3"], "title": ["a", "b", "c"], "year": ["2020"] * 3},
                    dtype=object,
                ),
                [2, 3, 4],
            ),
            "hcps": RawTable(
                "hcps",
                pd.DataFrame(
                    {"hcp_id": ["H1", "H2"], "first_name": ["A", "B"], "last_name": ["C", "D"]},
                    dtype=object,
                ),
                [2, 3],
            ),
        }
    )
    with pytest.raises(ValidationFailed) as failed:
        validate(raw, None, today=TODAY)
    assert [str(p) for p in failed.value.problems] == [
        "authorships.csv:3: position: not a whole number: x",
        "authorships.csv:5: pmid,hcp_id: duplicate key (P2, H1) (first on line 4)",
        "authorships.csv:6: position: not a whole number: x",
        "authorships.csv:7: hcp_id: required value is empty",
    ]


# --- paths and formats -------------------------------------------------------------------


def test_folder_without_a_canonical_csv_is_an_error(store, tmp_path):
    bundle = write_bundle(tmp_path / "b", {"notes.csv": "x\n"})
    with pytest.raises(InputError, match=r"no canonical CSV file \(found notes.csv\)"):
        load_path(bundle, store, today=TODAY)


def test_a_file_that_is_not_canonical_is_an_error(store, tmp_path):
    bundle = write_bundle(tmp_path / "b", {"notes.csv": "x\n"})
    with pytest.raises(InputError, match=re.escape("notes.csv: unknown file")) as raised:
        load_path(bundle / "notes.csv", store, today=TODAY)
    assert "touchpoints.csv (a bundle's), or a source file kolgraph reads: PubMed" in str(
        raised.value
    )


def test_a_bundle_folder_is_not_read_as_another_format(store, small_bundle):
    with pytest.raises(InputError, match="bundle_small"):
        load_path(small_bundle, store, fmt="pubmed")
