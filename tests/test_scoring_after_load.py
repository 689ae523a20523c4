"""The scoring ``kolgraph load`` runs after writing forks its betweenness workers, as
``kolgraph score`` does: no thread (a progress bar's monitor) left running makes it
compute the estimate in one process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date

from kolgraph.generate import generate_bundle

#: Runs the command line in a fresh process, recording what the estimate saw.
SPY = """
import json, sys, threading
from kolgraph.analytics import influence
from kolgraph.cli import main
seen = []
counted = influence._worker_count
def spied(graph, parts):
    workers = counted(graph, parts)
    seen.append({"threads": [t.name for t in threading.enumerate()], "workers": workers})
    return workers
influence._worker_count = spied
influence.PARALLEL_MIN_EDGES = 0  # the bundle is small: fork as at scale
sys.argv = ["kolgraph", *sys.argv[1:]]
try:
    main()
finally:
    print("SEEN" + json.dumps(seen), file=sys.stderr)
"""


def test_the_scoring_after_a_load_runs_its_estimate_in_worker_processes(tmp_path):
    generate_bundle(tmp_path / "bundle", "S", seed=7, as_of=date(2026, 6, 30))
    home = tmp_path / "home"
    home.mkdir()
    (home / "scoring.toml").write_text("betweenness_pivots = 40\n")  # an estimate, not exact
    done = subprocess.run(
        [sys.executable, "-c", SPY, "--home", str(home), "load", str(tmp_path / "bundle")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (seen,) = [json.loads(line[4:]) for line in done.stderr.splitlines() if line.startswith("SEEN")]
    assert seen == [{"threads": ["MainThread"], "workers": seen[0]["workers"]}]
    assert seen[0]["workers"] == min(3, len(os.sched_getaffinity(0)))  # 40 pivots: 3 parts
