"""The whole content of a Neo4j database as plain, sorted values, to compare two databases.

Every node (labels, properties, each property's Cypher type), every relationship (type,
its ends by label and key, properties and types), every constraint and every index.  The
``DataVersion`` node is left out (its epoch is random and its count of write transactions
depends on how the data was written), and so is each HCP's ``touch_seq`` (the write count
that last rewrote its touch dates); compare their semantics separately.

Reads send no bookmark: a database replaced by an import starts its transaction ids again,
so a bookmark of the database before it would never be reached.
"""

from __future__ import annotations

import json

#: The key property of each node label.
KEYS = {
    "HCP": "hcp_id",
    "Institution": "institution_id",
    "Publication": "pmid",
    "Trial": "nct_id",
    "MSL": "msl_id",
    "Touchpoint": "touchpoint_id",
}

_NODES = """
MATCH (n) WHERE NOT n:DataVersion
RETURN labels(n) AS labels,
       [k IN keys(n) WHERE k <> 'touch_seq' | [k, n[k], valueType(n[k])]] AS properties
"""
_RELATIONSHIPS = """
MATCH (a)-[r]->(b)
RETURN type(r) AS type,
       [labels(a)[0], CASE labels(a)[0] WHEN 'HCP' THEN a.hcp_id WHEN 'MSL' THEN a.msl_id
        WHEN 'Touchpoint' THEN a.touchpoint_id ELSE elementId(a) END] AS start,
       [labels(b)[0], coalesce(b.hcp_id, b.institution_id, b.pmid, b.nct_id, b.touchpoint_id,
        elementId(b))] AS end,
       [k IN keys(r) | [k, r[k], valueType(r[k])]] AS properties
"""
_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name, type, entityType, labelsOrTypes, properties"
_INDEXES = (
    "SHOW INDEXES YIELD name, state, type, entityType, labelsOrTypes, properties, "
    "indexProvider, owningConstraint"
)


def _sorted(rows: list[dict]) -> list[str]:
    return sorted(json.dumps(row, sort_keys=True, default=str) for row in rows)


def graph_snapshot(driver, database: str = "neo4j") -> dict[str, list[str]]:
    """Nodes, relationships, constraints and indexes of ``database``, each sorted."""

    def rows(query: str) -> list[dict]:
        records, _, _ = driver.execute_query(query, database_=database, bookmark_manager_=None)
        return [dict(record) for record in records]

    nodes = [{**r, "properties": sorted(r["properties"])} for r in rows(_NODES)]
    links = [{**r, "properties": sorted(r["properties"])} for r in rows(_RELATIONSHIPS)]
    return {
        "nodes": _sorted(nodes),
        "relationships": _sorted(links),
        "constraints": _sorted(rows(_CONSTRAINTS)),
        "indexes": _sorted(rows(_INDEXES)),
    }


def data_version(driver, database: str = "neo4j") -> tuple[str, int] | None:
    """The ``DataVersion`` node's epoch and version (None: no node)."""
    records, _, _ = driver.execute_query(
        "MATCH (v:DataVersion) RETURN v.epoch AS epoch, v.version AS version",
        database_=database,
        bookmark_manager_=None,
    )
    return (records[0]["epoch"], records[0]["version"]) if records else None
