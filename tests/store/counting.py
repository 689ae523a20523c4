"""Helpers of the tests of a server's caches: a scored home, counting whole reads, comparing
gaps snapshots, and a backup restored over the store's file in place."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np

from kolgraph.generate import generate_bundle
from kolgraph.loading import load_path
from kolgraph.scoring import rescore
from kolgraph.store.gap_snapshot import GapFrames
from kolgraph.store.sqlite import EmbeddedStore


def scored_home(root: Path, seed: int, as_of: date) -> Path:
    """The generator's S bundle, loaded and scored into ``root / "home"``."""
    generate_bundle(root / "bundle", "S", seed=seed, as_of=as_of)
    with EmbeddedStore(root / "home") as store:
        load_path(root / "bundle", store, today=as_of)
        rescore(store, root / "home", as_of=as_of)
    return root / "home"


def backup_of(store: EmbeddedStore) -> bytes:
    """The file's bytes with every committed write in them (the WAL checkpointed)."""
    store.con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return store.path.read_bytes()


def restore_in_place(path: Path, backup: bytes) -> None:
    """Write ``backup`` over the closed store's file, keeping its inode (as ``cp`` does)."""
    inode = path.stat().st_ino
    for side in ("-wal", "-shm"):
        path.with_name(path.name + side).unlink(missing_ok=True)
    with open(path, "r+b") as file:
        file.write(backup)
        file.truncate()
    assert path.stat().st_ino == inode


class Reads:
    """Counts whole reads of a snapshot, by wrapping the function that makes it."""

    def __init__(self, monkeypatch, module, name: str):
        self.count = 0
        whole = getattr(module, name)

        def counted(*args):
            self.count += 1
            return whole(*args)

        monkeypatch.setattr(module, name, counted)


def assert_same_frames(held: GapFrames, whole: GapFrames) -> None:
    """Same HCPs and MSLs, and the same touches (the MSLs of one HCP's day in any order)."""
    assert held.hcps == whole.hcps and held.msls == whole.msls
    assert np.array_equal(held.keys, whole.keys)
    assert np.array_equal(held.dates, whole.dates)
    touches = zip(held.keys.tolist(), held.dates.tolist(), held.msl_ids.tolist())
    assert sorted(touches) == sorted(
        zip(whole.keys.tolist(), whole.dates.tolist(), whole.msl_ids.tolist())
    )
