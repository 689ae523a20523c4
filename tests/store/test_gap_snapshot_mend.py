"""The gaps snapshot mend on the embedded store's rows: its statements answer as Neo4j's do
(``test_neo4j_mends.py`` mends a server's snapshot), so the mended snapshot is the one a
whole read gives."""

from __future__ import annotations

from gap_frames import AS_OF, assert_same_gaps
from sample import sample_batch

from kolgraph.scoring import rescore
from kolgraph.store import gap_snapshot
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.store.sqlite.catalog import json_list


def test_a_merge_mends_the_snapshot_to_what_a_whole_read_gives(tmp_path):
    with EmbeddedStore(tmp_path / "home") as store:

        def fetch(name: str, params: dict | tuple = ()) -> list[tuple]:
            listed = {k: json_list(v) for k, v in dict(params).items()}
            return store.select(name, "read the snapshot", listed)

        store.load(sample_batch())
        rescore(store, tmp_path, as_of=AS_OF)
        before = gap_snapshot.read_frames(fetch)
        store.merge_hcps("H3", "H1")  # H1's touchpoint is H3's now
        mended = gap_snapshot.mended(before, ["H1", "H3"], fetch)
        assert "H1" in before.position and "H1" not in mended.position
        assert_same_gaps(mended, gap_snapshot.read_frames(fetch))
