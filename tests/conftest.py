"""Shared fixtures.  The Neo4j server fixtures live in ``neo4j_session.py``."""

pytest_plugins = ["neo4j_session"]
