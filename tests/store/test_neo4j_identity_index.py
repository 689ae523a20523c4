"""Neo4j reads what an identity review needs of every HCP in one query of lists (the whole
HCP maps, read as a table, took half a minute at 500,000 HCPs): the same index as that
read, blocks in the same order."""

from __future__ import annotations

import pytest
from shared_data import SHARED_DATA

from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.base import GraphStore
from kolgraph.store.neo4j import Neo4jStore

pytestmark = pytest.mark.neo4j

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"


def test_the_index_is_the_one_the_tables_give(neo4j_clean, neo4j_server, tmp_path, real_data):
    store = Neo4jStore(neo4j_clean, database=neo4j_server.database, uri=neo4j_server.uri)
    try:
        load_path(MEDLINE, store)
        rescore(store, tmp_path)
        hcps = store.table("hcps", ["hcp_id", "orcid", "npi"])
        plain = sorted(hcps[hcps["orcid"].isna() & hcps["npi"].isna()]["hcp_id"])
        store.merge_hcps(plain[5], plain[3])  # an id order the nodes no longer keep
        found, expected = store.identity_index(), GraphStore.identity_index(store)
        assert found == expected
        assert len(found.by_id) == len(hcps) - 1 and len(found.influence) > 3000
    finally:
        store.close()
