"""A load in another process, paused after its first chunk is written, for a test to kill
with SIGKILL halfway through the write."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_SCRIPT = textwrap.dedent("""
    import sys
    from pathlib import Path
    import pandas as pd
    from kolgraph.store.sqlite import EmbeddedStore

    def col(values):
        return pd.Series(values, dtype=object)

    n = 100_000
    pmids = [f"B{i}" for i in range(n)]
    batch = {
        "publications": pd.DataFrame({"pmid": col(pmids), "title": col(["t"] * n),
            "journal": col([None] * n), "year": col([2020] * n), "mesh_terms": col([[]] * n),
            "citation_count": col([None] * n)}),
        "authorships": pd.DataFrame({"pmid": col(pmids * 3),
            "hcp_id": col(["H1"] * n + ["H2"] * n + ["H6"] * n),
            "position": col([1] * n + [2] * n + [3] * n)}),
    }

    def report(rows):
        print("wrote", rows, flush=True)
        sys.stdin.readline()  # paused until killed

    EmbeddedStore(Path(sys.argv[1])).load(batch, progress=report)
""")


@contextmanager
def load_paused_mid_write(home: Path) -> Iterator[subprocess.Popen]:
    """A load into ``home`` that has written its first chunk and waits; killed with SIGKILL
    when the block ends (its ``returncode`` then says so)."""
    loader = subprocess.Popen(
        [sys.executable, "-c", _SCRIPT, str(home)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        first = loader.stdout.readline()
        assert first.startswith("wrote"), first
        yield loader
    finally:
        loader.send_signal(signal.SIGKILL)
        loader.wait(timeout=60)
        loader.stdin.close()
        loader.stdout.close()
