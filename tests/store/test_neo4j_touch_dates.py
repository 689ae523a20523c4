"""``HCP.touch_dates`` on Neo4j: the sorted touch dates the gaps queries read instead of the
touchpoints, kept right by every load and backfilled on a database written without them.

Runs against the real server of the test session; the checks read the graph with plain
Cypher, independently of the store's own queries.  The answers themselves (gaps after moves,
new touches, earlier as-of dates) are checked on both stores in ``test_gaps_contract.py``.
"""

from __future__ import annotations

import pytest
from sample import frame
from test_gaps_contract import gap_batch, gaps, score_frame, summary

from kolgraph.cypher import default_catalog
from kolgraph.store.neo4j import SCHEMA_VERSION, Neo4jStore

#: touch_dates of the gap sample (docstring of ``test_gaps_contract``); others have none.
SAMPLE_DATES = {
    "H1": ["2023-01-15", "2024-06-01"],
    "H2": ["2023-07-01", "2023-07-02", "2023-12-01"],
    "H3": ["2024-07-05"],
    "H4": ["2024-01-02"],
    "H5": ["2024-01-01"],
    "H6": ["2024-06-10"],
}


@pytest.fixture
def store(neo4j_clean, neo4j_server):
    """The gap sample, scored, in a store on the session's driver."""
    opened = Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)
    opened.load(gap_batch())
    opened.write_scores(score_frame())
    yield opened
    opened.close()


def cypher(driver, text: str, **params) -> list:
    records, _, _ = driver.execute_query(text, params, database_="neo4j")
    return records


def touch_dates(driver) -> dict[str, list[str]]:
    """hcp_id -> touch_dates of every HCP that has the property."""
    return {
        r["id"]: r["dates"]
        for r in cypher(
            driver,
            "MATCH (h:HCP) WHERE h.touch_dates IS NOT NULL "
            "RETURN h.hcp_id AS id, h.touch_dates AS dates",
        )
    }


def touchpoint(touchpoint_id: str, msl_id: str, hcp_id: str, day: str) -> tuple:
    return (touchpoint_id, msl_id, hcp_id, day, None, None, None, None, None)


def forget_touch_dates(driver) -> None:
    """Make the graph look written by kolgraph before it kept touch_dates (schema version 0)."""
    cypher(driver, "MATCH (h:HCP) REMOVE h.touch_dates")
    cypher(driver, "MATCH (s:KolgraphSchema) DELETE s")


def schema_versions(driver) -> list[int]:
    return [r["v"] for r in cypher(driver, "MATCH (s:KolgraphSchema) RETURN s.version AS v")]


def test_a_load_stores_each_hcps_sorted_touch_dates_and_records_the_schema(store, neo4j_clean):
    assert touch_dates(neo4j_clean) == SAMPLE_DATES
    assert schema_versions(neo4j_clean) == [SCHEMA_VERSION]


def test_the_migration_removes_the_marker_older_versions_wrote(store, neo4j_clean, neo4j_server):
    forget_touch_dates(neo4j_clean)
    cypher(neo4j_clean, "CREATE (:StoreState {name: 'touch_dates'})")
    Neo4jStore(neo4j_clean, database=neo4j_server.database).migrate()
    assert touch_dates(neo4j_clean) == SAMPLE_DATES
    assert schema_versions(neo4j_clean) == [SCHEMA_VERSION]
    assert cypher(neo4j_clean, "MATCH (s:StoreState) RETURN s") == []


def test_an_earlier_date_loaded_later_is_sorted_in(store, neo4j_clean):
    store.load({"touchpoints": frame("touchpoints", [touchpoint("T20", "M1", "H1", "2023-06-01")])})
    assert touch_dates(neo4j_clean)["H1"] == ["2023-01-15", "2023-06-01", "2024-06-01"]


def test_a_moved_touchpoint_updates_both_hcps_and_the_last_one_drops_the_property(
    store, neo4j_clean
):
    # T7 (H4's only touch) moves to H5; T2 (one of H1's two) moves to H8, in one load.
    store.load(
        {
            "touchpoints": frame(
                "touchpoints",
                [
                    touchpoint("T7", "M3", "H5", "2024-01-02"),
                    touchpoint("T2", "M1", "H8", "2024-06-01"),
                ],
            )
        }
    )
    expected = {
        **SAMPLE_DATES,
        "H1": ["2023-01-15"],
        "H5": ["2024-01-01", "2024-01-02"],
        "H8": ["2024-06-01"],
    }
    del expected["H4"]
    assert touch_dates(neo4j_clean) == expected


def test_the_refresh_writes_only_the_hcps_whose_dates_changed(store, neo4j_clean):
    def refresh() -> int:
        _, result, _ = neo4j_clean.execute_query(
            default_catalog().get("refresh_touch_dates"),
            {"rows": [{"hcp_id": f"H{n}"} for n in range(1, 11)]},
            database_="neo4j",
        )
        return result.counters.properties_set

    store.load({"touchpoints": gap_batch()["touchpoints"]})  # an unchanged reload
    assert refresh() == 0
    cypher(neo4j_clean, "MATCH (t:Touchpoint {touchpoint_id: 'T1'}) SET t.date = '2023-02-01'")
    assert refresh() == 1
    assert touch_dates(neo4j_clean)["H1"] == ["2023-02-01", "2024-06-01"]


def test_a_query_on_a_database_without_touch_dates_backfills_them(store, neo4j_clean, neo4j_server):
    before = gaps(store, max_tier=4, include_engaged=True)
    forget_touch_dates(neo4j_clean)
    assert touch_dates(neo4j_clean) == {}
    fresh = Neo4jStore(neo4j_clean, database=neo4j_server.database)
    assert gaps(fresh, max_tier=4, include_engaged=True) == before
    assert touch_dates(neo4j_clean) == SAMPLE_DATES
    assert schema_versions(neo4j_clean) == [SCHEMA_VERSION]


def test_a_long_lived_store_notices_a_database_without_touch_dates(store, neo4j_clean):
    before = summary(gaps(store))
    forget_touch_dates(neo4j_clean)
    assert summary(gaps(store)) == before
    assert touch_dates(neo4j_clean) == SAMPLE_DATES


def test_a_load_into_a_database_without_touch_dates_migrates_it_first(
    store, neo4j_clean, neo4j_server
):
    forget_touch_dates(neo4j_clean)
    fresh = Neo4jStore(neo4j_clean, database=neo4j_server.database)
    fresh.load({"touchpoints": frame("touchpoints", [touchpoint("T20", "M2", "H8", "2024-06-02")])})
    assert touch_dates(neo4j_clean) == {**SAMPLE_DATES, "H8": ["2024-06-02"]}
    assert schema_versions(neo4j_clean) == [SCHEMA_VERSION]
    rows = gaps(fresh, max_tier=4, include_engaged=True)
    assert ("H8", "engaged") in summary(rows) and ("H2", "stale") in summary(rows)


def test_a_first_load_sorts_each_hcps_dates_whatever_the_row_order(neo4j_clean, neo4j_server):
    batch = gap_batch()
    batch["touchpoints"] = batch["touchpoints"].iloc[::-1].reset_index(drop=True)
    fresh = Neo4jStore(neo4j_clean, database=neo4j_server.database)
    fresh.load(batch)
    assert touch_dates(neo4j_clean) == SAMPLE_DATES
