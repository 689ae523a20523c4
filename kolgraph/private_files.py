"""Data files only their owner may read: the graph, users, audit log and identity evidence
hold names, insights and password hashes, so other accounts on the machine get nothing."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def create_private(path: Path) -> None:
    """Create ``path`` (and its folder) with mode 0600 unless it exists; SQLite then gives its
    journal and WAL files the same mode."""
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # another process created it first
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
