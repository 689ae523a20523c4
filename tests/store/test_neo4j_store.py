"""What only the Neo4j store has: constraints, connection errors, retries, graph shape.

Runs against the real server of the test session (``tests/neo4j_session.py``).  The checks
read the graph with plain Cypher, independently of the store's own queries.
"""

from __future__ import annotations

import pandas as pd
import pytest
from neo4j.exceptions import TransientError
from sample import (
    SAMPLE_COAUTHORSHIPS,
    TOUCHPOINT_ROWS,
    followup_batch,
    frame,
    rows,
    sample_batch,
)

from kolgraph.config import Neo4jSettings
from kolgraph.errors import ConfigError, InputError, StoreUnavailable
from kolgraph.ports import free_port
from kolgraph.schema import SCORE_COLUMNS
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.neo4j import store as neo4j_module

KEYS = {
    ("HCP", "hcp_id"),
    ("Institution", "institution_id"),
    ("Publication", "pmid"),
    ("Trial", "nct_id"),
    ("MSL", "msl_id"),
    ("Touchpoint", "touchpoint_id"),
}


@pytest.fixture
def store(neo4j_clean, neo4j_server):
    """A store on the session's driver, on an emptied graph."""
    opened = Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)
    yield opened
    opened.close()


def cypher(driver, text: str, **params) -> list[tuple]:
    """Rows of a test-side read, as tuples."""
    records, _, _ = driver.execute_query(text, params, database_="neo4j")
    return [tuple(r.values()) for r in records]


# --- schema ----------------------------------------------------------------------------------


def test_load_creates_a_uniqueness_constraint_on_every_key(store, neo4j_clean):
    store.load(sample_batch())
    found = cypher(
        neo4j_clean,
        "SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties "
        "WHERE type = 'UNIQUENESS' RETURN labelsOrTypes, properties",
    )
    assert {(labels[0], props[0]) for labels, props in found} >= KEYS


def test_creating_constraints_again_is_harmless(store):
    store.ensure_constraints()
    store.ensure_constraints()
    store.load(sample_batch())
    assert store.stats()["nodes"]["HCP"] == 6


# --- connecting ------------------------------------------------------------------------------


@pytest.mark.parametrize("scheme", ["neo4j", "bolt"])
def test_connect_and_close_an_owned_driver(neo4j_server, scheme):
    uri = neo4j_server.uri.replace("neo4j://", f"{scheme}://", 1)
    settings = Neo4jSettings(
        uri=uri,
        username=neo4j_server.username,
        password=neo4j_server.password,
        database=neo4j_server.database,
    )
    with Neo4jStore.connect(settings) as connected:
        assert set(connected.stats()) == {"nodes", "relationships"}


def test_closing_a_store_leaves_a_driver_passed_in_open(neo4j_clean):
    Neo4jStore(neo4j_clean).close()
    neo4j_clean.verify_connectivity()


def test_an_unreachable_server_is_store_unavailable():
    uri = f"neo4j://127.0.0.1:{free_port()}"
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore.connect(Neo4jSettings(uri=uri, password="s3cret-pw"))
    message = str(caught.value)
    assert message.startswith(f"cannot reach Neo4j at {uri}")
    assert "\n" not in message and "s3cret-pw" not in message


def test_a_wrong_password_is_store_unavailable(neo4j_server):
    settings = Neo4jSettings(
        uri=neo4j_server.uri,
        username=neo4j_server.username,
        password="wrong-s3cret",
        database=neo4j_server.database,
    )
    with pytest.raises(StoreUnavailable) as caught:
        Neo4jStore.connect(settings)
    message = str(caught.value)
    assert message == (
        f"Neo4j at {neo4j_server.uri} rejected the credentials "
        "(check NEO4J_USERNAME and NEO4J_PASSWORD)"
    )
    assert "wrong-s3cret" not in message


def test_a_missing_password_is_store_unavailable_without_connecting():
    with pytest.raises(
        StoreUnavailable, match="no password for Neo4j at neo4j://nowhere:1: set NEO4J_PASSWORD"
    ):
        Neo4jStore.connect(Neo4jSettings(uri="neo4j://nowhere:1", password=None))


def test_an_unknown_database_is_store_unavailable(neo4j_server):
    settings = Neo4jSettings(
        uri=neo4j_server.uri,
        username=neo4j_server.username,
        password=neo4j_server.password,
        database="nosuchdb",
    )
    with pytest.raises(StoreUnavailable, match="has no database 'nosuchdb'"):
        Neo4jStore.connect(settings)


def test_a_uri_that_is_not_neo4j_is_a_config_error():
    with pytest.raises(ConfigError, match="NEO4J_URI 'http://localhost:7474'"):
        Neo4jStore.connect(Neo4jSettings(uri="http://localhost:7474", password="pw"))


# --- retries and idempotency -----------------------------------------------------------------


def test_a_batch_retried_after_a_transient_failure_is_written_once(store, monkeypatch):
    """Each batch fails once after its statement ran; the driver rolls back and retries."""
    real_run, failed = neo4j_module._run_all, set()

    def flaky_run(tx, statements):
        real_run(tx, statements)
        text = statements[0][0]
        if text not in failed:
            failed.add(text)
            raise TransientError("injected: try again")

    monkeypatch.setattr(neo4j_module, "_run_all", flaky_run)
    store.batch_size = 3  # several batches per table
    store.load(sample_batch())
    monkeypatch.undo()
    assert len(failed) > 10  # every write statement was retried
    assert rows(store.table("coauthorships")) == SAMPLE_COAUTHORSHIPS
    assert store.stats()["relationships"]["AUTHORED"] == 10
    assert store.stats()["nodes"]["Touchpoint"] == 4


def test_a_retried_batch_gives_the_single_run_graph(store, monkeypatch):
    """The driver reruns a write after a transient error (a deadlock), in a new transaction,
    the failed one rolled back: every batch failing once must give the single-run graph."""
    real_run = neo4j_module._run_all
    failed: list[list] = []  # the driver passes a retry the same statements object

    def fail_first_attempt(tx, statements):
        real_run(tx, statements)
        if not any(statements is seen for seen in failed):
            failed.append(statements)
            raise TransientError("simulated deadlock")

    monkeypatch.setattr(neo4j_module, "_run_all", fail_first_attempt)
    store.load(sample_batch())
    monkeypatch.undo()
    assert failed  # every batch did fail once
    stats = store.stats()
    assert stats["nodes"]["HCP"] == 6 and stats["relationships"]["LOGGED"] == 4
    assert stats["relationships"]["AUTHORED"] == 10
    assert rows(store.table("coauthorships")) == SAMPLE_COAUTHORSHIPS


# --- graph shape -----------------------------------------------------------------------------


def test_coauthored_with_is_one_relationship_per_pair_from_smaller_to_larger(store, neo4j_clean):
    store.load(sample_batch())
    found = cypher(
        neo4j_clean,
        "MATCH (a:HCP)-[r:COAUTHORED_WITH]->(b:HCP) RETURN a.hcp_id, b.hcp_id, r.papers",
    )
    assert len(found) == len(SAMPLE_COAUTHORSHIPS)
    assert all(a < b for a, b, _ in found)


def test_a_refresh_repairs_reversed_and_unsupported_coauthorships(store, neo4j_clean):
    store.load(sample_batch())
    cypher(
        neo4j_clean,
        "MATCH (a:HCP {hcp_id: 'H1'})-[r:COAUTHORED_WITH]->(b:HCP {hcp_id: 'H2'}) "
        "DELETE r CREATE (b)-[:COAUTHORED_WITH {papers: 9}]->(a)",
    )
    cypher(
        neo4j_clean,
        "MATCH (a:HCP {hcp_id: 'H1'}), (b:HCP {hcp_id: 'H6'}) "
        "CREATE (a)-[:COAUTHORED_WITH {papers: 1}]->(b)",
    )
    store.load({"publications": sample_batch()["publications"].iloc[:1]})  # touches P1
    assert rows(store.table("coauthorships")) == SAMPLE_COAUTHORSHIPS
    assert store.stats()["relationships"]["COAUTHORED_WITH"] == len(SAMPLE_COAUTHORSHIPS)


def test_a_touchpoint_moved_to_another_msl_and_hcp_moves(store):
    store.load(sample_batch())
    store.load(
        {
            "touchpoints": frame(
                "touchpoints", [("T1", "M2", "H5", "2024-01-15", "phone", None, None, None, None)]
            )
        }
    )
    moved = store.table("touchpoints").set_index("touchpoint_id").loc["T1"]
    assert (moved["msl_id"], moved["hcp_id"], moved["channel"], moved["sentiment"]) == (
        "M2",
        "H5",
        "phone",
        None,
    )
    relationships = store.stats()["relationships"]
    assert (relationships["LOGGED"], relationships["WITH"]) == (4, 4)


def test_missing_values_and_none_list_items_are_not_sent(store, neo4j_clean):
    pubs = pd.DataFrame(
        {
            "pmid": ["P7"],
            "title": ["T"],
            "journal": [pd.NA],
            "year": [2020],
            "mesh_terms": [["A", None, float("nan"), "B"]],
            "citation_count": [float("nan")],
        },
        dtype=object,
    )
    store.load({"publications": pubs})
    found = cypher(neo4j_clean, "MATCH (p:Publication {pmid: 'P7'}) RETURN properties(p)")
    assert found == [({"pmid": "P7", "title": "T", "year": 2020, "mesh_terms": ["A", "B"]},)]


def test_unknown_tables_are_caller_errors(store):
    with pytest.raises(ValueError, match="unknown table 'doctors'"):
        store.table("doctors")
    with pytest.raises(ValueError, match="not an entity table"):
        store.existing_keys("authorships", ["P1"])


# --- scores ----------------------------------------------------------------------------------


def score_frame(rows_: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(rows_, columns=list(SCORE_COLUMNS))


def test_scores_round_trip_and_replace_the_previous_run(store):
    store.load(sample_batch())
    store.write_scores(
        score_frame(
            [
                ("H2", 80.5, 1, 1, {"pagerank": 0.7, "trials": 1}, True, 0.25),
                ("H1", 50.0, 2, 2, {"pagerank": 0.2}, False, None),
            ]
        )
    )
    scores = store.scores()
    assert list(scores.columns) == list(SCORE_COLUMNS)
    assert list(scores["hcp_id"]) == ["H1", "H2"]
    h2 = scores.iloc[1]
    assert (
        h2["influence"],
        h2["tier"],
        h2["rank"],
        h2["components"],
        h2["rising"],
        h2["rising_score"],
    ) == (80.5, 1, 1, {"pagerank": 0.7, "trials": 1}, True, 0.25)
    assert type(h2["tier"]) is int and pd.isna(scores.iloc[0]["rising_score"])
    store.write_scores(score_frame([("H3", 10.0, 3, 1, {}, False, None)]))
    assert list(store.scores()["hcp_id"]) == ["H3"]


def test_reloading_hcps_keeps_their_scores(store):
    store.load(sample_batch())
    store.write_scores(score_frame([("H1", 50.0, 2, 1, {"pagerank": 0.2}, False, None)]))
    store.load({"hcps": sample_batch()["hcps"]})
    assert list(store.scores()["influence"]) == [50.0]
    assert "influence" not in store.table("hcps").columns


def test_a_score_frame_without_every_column_is_an_input_error(store):
    with pytest.raises(InputError, match="missing column"):
        store.write_scores(pd.DataFrame({"hcp_id": ["H1"], "influence": [1.0]}))


def test_a_store_takes_over_the_caches_a_closed_one_handed_down(store, neo4j_clean, neo4j_server):
    store.load(sample_batch())
    built = store.cached("answer", lambda: ["built"])
    store.hand_down_caches()

    def successor() -> Neo4jStore:
        return Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)

    def fail() -> list[str]:
        raise AssertionError("built again")

    assert successor().cached("answer", fail) is built
    assert successor().cached("answer", lambda: ["again"]) == ["again"]  # handed down once
    store.hand_down_caches()
    after_a_write = successor()
    after_a_write.load(followup_batch())
    assert after_a_write.cached("answer", lambda: ["new data"]) == ["new data"]


def test_what_is_kept_of_the_network_outlives_touchpoints_and_scores_only(store):
    store.load(sample_batch())
    network = store.cached("network", lambda: ["co-authors"], of_network=True)
    store.cached("data", lambda: ["answers"])
    logged = list(TOUCHPOINT_ROWS[0])
    logged[0], logged[3] = "T9", "2024-06-01"
    store.load({"touchpoints": frame("touchpoints", [tuple(logged)])})
    store.write_scores(score_frame([("H1", 50.0, 2, 1, {}, False, None)]))

    assert store.cached("network", lambda: ["pulled again"], of_network=True) is network
    assert store.cached("data", lambda: ["answered again"]) == ["answered again"]
    store.load(followup_batch())  # new co-authors
    assert store.cached("network", lambda: ["new co-authors"], of_network=True) == [
        "new co-authors"
    ]


def test_network_neutral_writes_touch_no_coauthorship_affiliation_or_node_of_the_network():
    catalog = neo4j_module.default_catalog()
    for name in sorted(neo4j_module.NETWORK_NEUTRAL_QUERIES):
        text = catalog.get(name)
        for touched in ("COAUTHORED_WITH", "AFFILIATED_WITH", "AUTHORED", "DETACH DELETE h"):
            assert touched not in text, f"{name} names {touched}"
        assert "CREATE (h:HCP" not in text and "MERGE (h:HCP" not in text, name


def test_a_database_that_flagged_stale_scores_as_true_reads_one_stale_mark(store, neo4j_clean):
    """Databases of before held ``stale = true``: that is one write no score run has seen."""
    store.load(sample_batch())
    with neo4j_clean.session() as session:
        session.run("MATCH (s:ScoreState {id: 1}) SET s.stale = true").consume()
    assert store.stale_marks() == 1 and store.scores_stale() is True
    store.load(followup_batch())
    assert store.stale_marks() == 2
    store.write_scores(pd.DataFrame(columns=list(SCORE_COLUMNS)), seen=2)
    assert store.scores_stale() is False
