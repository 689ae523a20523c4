"""Make a current embedded store file look like one an older kolgraph wrote, for the
migration tests (each older layout lacks what every later one added)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sample import sample_batch

from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore

#: ``touch_deltas`` as layout 11 made it: no stamp of the state each delta follows.
LAYOUT_11_TOUCH_DELTAS = (
    "CREATE TABLE touch_deltas (version INTEGER PRIMARY KEY, hcp_ids TEXT NOT NULL)"
)


def look_like_layout_12(con: sqlite3.Connection) -> None:
    """No correction deltas."""
    con.execute("DROP TABLE correction_deltas")


def look_like_layout_11(con: sqlite3.Connection) -> None:
    """No stamp in ``store_version``, touch deltas without the stamp they follow, nor
    anything of layout 12."""
    look_like_layout_12(con)
    con.execute("ALTER TABLE store_version DROP COLUMN stamp")
    con.execute("DROP TABLE touch_deltas")
    con.execute(LAYOUT_11_TOUCH_DELTAS)


def look_like_layout_7(con: sqlite3.Connection) -> None:
    """No raw component values, no store epoch, no kept MeSH terms, no tier, rank or
    touchpoint-date indexes, the old touchpoint index, no touch deltas, no store stamp."""
    look_like_layout_11(con)
    con.execute("ALTER TABLE hcp_scores DROP COLUMN components_raw_json")
    con.execute("ALTER TABLE store_version DROP COLUMN epoch")
    con.execute("DROP TABLE hcp_topics")
    con.execute("DROP TABLE touch_deltas")  # layout 11
    for index in (
        "touchpoints_by_hcp_date",
        "touchpoints_by_date",
        "hcp_scores_by_tier",
        "hcp_scores_by_rank",  # layout 9
    ):
        con.execute(f"DROP INDEX {index}")
    con.execute("CREATE INDEX touchpoints_by_hcp ON touchpoints (hcp_id)")


def sample_home_of_layout(home: Path, version: int, *statements: str) -> None:
    """A home holding the sample batch in a file that looks written at layout ``version``:
    layout 7's look, then ``statements`` (what later layouts down to ``version`` added)."""
    with EmbeddedStore(home) as store:
        store.load(sample_batch())
    con = sqlite3.connect(home / DB_FILENAME)
    look_like_layout_7(con)
    for statement in statements:
        con.execute(statement)
    con.execute(f"PRAGMA user_version = {version}")
    con.commit()
    con.close()
