"""Make a current embedded store file look like one an older kolgraph wrote, for the
migration tests (each older layout lacks what every later one added)."""

from __future__ import annotations

import sqlite3


def look_like_layout_7(con: sqlite3.Connection) -> None:
    """No raw component values, no store epoch, no kept MeSH terms, no tier or
    touchpoint-date indexes, the old touchpoint index."""
    con.execute("ALTER TABLE hcp_scores DROP COLUMN components_raw_json")
    con.execute("ALTER TABLE store_version DROP COLUMN epoch")
    con.execute("DROP TABLE hcp_topics")
    for index in ("touchpoints_by_hcp_date", "touchpoints_by_date", "hcp_scores_by_tier"):
        con.execute(f"DROP INDEX {index}")
    con.execute("CREATE INDEX touchpoints_by_hcp ON touchpoints (hcp_id)")
