"""Score runs in the background, for the web app: ``kolgraph score`` in a process of its own,
at most one per home folder at a time.

An admin's merge or split in the web app makes the scores stale (the command line rescores at
once); scoring takes minutes and gigabytes at 500,000 HCPs, too long for a request and too
big for a web worker.  The run is a child process started in a session of its own (a worker
restarting does not end it) that holds an exclusive lock on ``score-run.lock`` in the home
folder for its whole life: a second start while one runs does nothing, and :func:`running`
tells the pages.  It scores again while a correction made during a run left the new scores
out of date (``kolgraph score --until-fresh``), so a steward working down the review page
need not press again.  Its output goes to ``score-run.log`` beside it.  A run that fails leaves
the scores stale (the banner stays) and says why in that log.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kolgraph.config import Settings

try:
    import fcntl
except ImportError:  # Windows: no lock, runs may overlap (each writes complete scores)
    fcntl = None  # type: ignore[assignment]

LOCK = "score-run.lock"
LOG = "score-run.log"


def start(settings: Settings) -> bool:
    """Start ``kolgraph score`` for ``settings`` unless a run holds the home's lock; whether
    one was started."""
    home = Path(settings.home)
    lock = os.open(home / LOCK, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        if not _locked(lock):
            return False
        log_fd = os.open(home / LOG, os.O_CREAT | os.O_WRONLY | os.O_APPEND, 0o600)
        with os.fdopen(log_fd, "ab") as log:  # its owner's only, as every file of a home
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "kolgraph.cli",
                    "--backend",
                    settings.backend,
                    "--home",
                    str(home),
                    "score",
                    "--until-fresh",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=_child_env(settings),
                pass_fds=(lock,),  # the child holds the lock until it ends
                start_new_session=True,
            )
        return True
    finally:
        os.close(lock)  # this process's copy: the lock stays with the child


def running(home: Path) -> bool:
    """Whether a score run started by :func:`start` is still going."""
    if fcntl is None or not (Path(home) / LOCK).exists():
        return False
    lock = os.open(Path(home) / LOCK, os.O_RDWR)
    try:
        if not _locked(lock):
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
        return False
    finally:
        os.close(lock)


def _locked(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` if free (True), or False when a run holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _child_env(settings: Settings) -> dict[str, str]:
    """The environment, with the settings a command line would read from it: the app's may
    have been given in code (a Neo4j server's address and password)."""
    env = dict(os.environ)
    neo4j = settings.neo4j
    env.update(NEO4J_URI=neo4j.uri, NEO4J_USERNAME=neo4j.username, NEO4J_DATABASE=neo4j.database)
    if neo4j.password:
        env["NEO4J_PASSWORD"] = neo4j.password
    env["KOLGRAPH_COAUTHOR_MAX_AUTHORS"] = str(settings.coauthor_max_authors)
    return env
