"""Stores written before steward corrections existed gain their storage when opened (embedded:
layout 6 -> 7) or migrated (Neo4j: schema version 1 -> 2), keeping their data."""

from __future__ import annotations

import sqlite3

from layouts import sample_home_of_layout
from sample import sample_batch

from kolgraph.store.neo4j import SCHEMA_VERSION as NEO4J_VERSION
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore
from kolgraph.store.sqlite import SCHEMA_VERSION as EMBEDDED_VERSION


def test_a_layout_6_file_gains_the_corrections_table(tmp_path):
    home = tmp_path / "home"
    sample_home_of_layout(home, 6, "DROP TABLE identity_corrections")
    with EmbeddedStore(home, create=False) as store:
        assert store.corrections() == []
        store.merge_hcps("H3", "H1")
        assert [c.other_id for c in store.corrections()] == ["H1"]
        assert len(store.table("hcps")) == 5
    con = sqlite3.connect(home / DB_FILENAME)
    assert con.execute("PRAGMA user_version").fetchone()[0] == EMBEDDED_VERSION
    con.close()


def constraints(driver) -> set[str]:
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name", database_="neo4j")
    return {r["name"] for r in records}


def test_a_version_1_database_gains_the_correction_key(neo4j_clean, neo4j_server):
    store = Neo4jStore(neo4j_clean, database=neo4j_server.database)
    store.load(sample_batch())
    neo4j_clean.execute_query("DROP CONSTRAINT identity_correction_key IF EXISTS")
    neo4j_clean.execute_query("MATCH (s:KolgraphSchema) SET s.version = 1")
    assert "identity_correction_key" not in constraints(neo4j_clean)
    fresh = Neo4jStore(neo4j_clean, database=neo4j_server.database)
    fresh.split_hcp("H2", "P3")  # a correction makes sure the schema is current first
    assert "identity_correction_key" in constraints(neo4j_clean)
    assert fresh.schema_version() == NEO4J_VERSION == 2
    assert [c.kind for c in fresh.corrections()] == ["split"]
