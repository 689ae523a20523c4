"""Source formats load the same way on every store: same counts, and loading again changes
nothing (the ``store`` fixture runs each test on the embedded store and on Neo4j)."""

from __future__ import annotations

import pytest
from shared_data import SHARED_DATA

from kolgraph.loading import load_path

pytestmark = pytest.mark.usefixtures("real_data")

SOURCES = [
    SHARED_DATA / "pubmed" / "medline16n0902.xml.gz",
    SHARED_DATA / "nppes" / "nppes_sample.csv",
    SHARED_DATA / "ctgov" / "json_v2",
    SHARED_DATA / "open_payments" / "OP_RSRCH_IA_2013.csv",
]


#: What the four sources make together (the same on every store).
EXPECTED = {
    "nodes": {
        "HCP": 4444,  # 11 of them physicians paid directly by Open Payments, not investigators
        "Institution": 1372,
        "Publication": 604,
        "Trial": 87,
        "MSL": 0,
        "Touchpoint": 0,
    },
    "relationships": {
        "AFFILIATED_WITH": 3722,
        "AUTHORED": 3580,
        # 25,122 without the co-author cap: one paper has 158 authors (12,403 pairs).
        "COAUTHORED_WITH": 12719,
        "INVESTIGATOR_ON": 118,  # 2 as "research payment recipient"
        "LOGGED": 0,
        "WITH": 0,
    },
}


def test_sources_load_with_the_same_counts_and_idempotently(store):
    summaries = [load_path(path, store) for path in SOURCES]
    stats = store.stats()
    assert stats == EXPECTED
    assert stats["nodes"]["Publication"] == summaries[0].tables["publications"].read == 604
    assert stats["nodes"]["HCP"] == sum(
        s.tables["hcps"].created for s in summaries if "hcps" in s.tables
    )
    assert stats["relationships"]["AUTHORED"] == summaries[0].tables["authorships"].read
    again = [load_path(path, store) for path in SOURCES]
    assert store.stats() == stats
    assert all(t.created == 0 for s in again for t in s.tables.values())
