"""A first load into the empty database of a local server, through the import tool.

``neo4j-admin database import full`` writes a whole database from CSV files several times
faster than transactions can, but only offline and only into an empty database.  So when a
load targets the *empty* database of the server ``kolgraph neo4j start`` runs in the home
folder (:class:`LocalServer`), :func:`import_first_load` writes the batch, derived data
included, as import files (:mod:`.import_files`) while the server stops, runs the import
with the server's jars, starts the server again and finishes with what Cypher must write:
the store's constraints and indexes, and empty lists (the bookkeeping nodes, schema
version, data version and stale scores, are in the files).  The graph is the one a normal
load makes.

Nothing is left half-written: the database's folders are moved aside before the import and
moved back if anything fails before the end, so the database is then as empty as before
(the server running again) and the error says why, with the tool's last lines.  Every other
load, and a batch the tool cannot take (:func:`.import_files.importable`), goes through
Bolt (:mod:`.load`).
"""

from __future__ import annotations

import re
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from kolgraph import neo4j_server
from kolgraph.config import Settings, local_server_dir
from kolgraph.schema import TABLES_BY_NAME, Batch
from kolgraph.store.base import Progress, changes_scores
from kolgraph.store.neo4j.bulk import chunks
from kolgraph.store.neo4j.import_files import ImportFiles, importable, write_import_files
from kolgraph.territories import aligned_hcps

if TYPE_CHECKING:
    from kolgraph.store.neo4j.store import Neo4jStore

Notify = Callable[[str], None]
#: ``with step("what"):`` reports a step and how long it took.
Step = Callable[[str], AbstractContextManager[None]]
#: The statement that stores an empty list, per (table, list column).
EMPTY_LIST_QUERIES = {
    ("publications", "mesh_terms"): "set_empty_mesh_terms",
    ("trials", "conditions"): "set_empty_conditions",
}
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_SCHEMA_NAME = re.compile(r"^CREATE\s+(?:CONSTRAINT|INDEX)\s+(\w+)", re.MULTILINE)


def _quiet(_text: str) -> None:
    """The default notifier: say nothing."""


@dataclass
class LocalServer:
    """The local server a first load may import into; ``notify`` receives its messages."""

    directory: Path
    notify: Notify = field(default=_quiet)


def local_server(settings: Settings) -> LocalServer | None:
    """The server ``kolgraph neo4j start`` runs in the home folder, when it is the one
    ``settings`` connect to (loopback host, its port) and the import tool is not refused."""
    if not settings.import_tool:
        return None
    directory = local_server_dir(settings.home)
    running = neo4j_server.status(directory)
    if not running.running or running.port is None:
        return None
    try:
        uri = urlparse(settings.neo4j.uri)
        port = uri.port or neo4j_server.DEFAULT_PORT
    except ValueError:
        return None
    if uri.hostname not in _LOOPBACK or port != running.port:
        return None
    return LocalServer(running.directory)


def can_import(store: Neo4jStore, batch: Batch) -> bool:
    """Whether ``batch`` may go through the import tool: rows to write, a database holding
    no data and no index kolgraph did not make, and a batch the tool can take (when it
    cannot, the notifier says why before the load goes through Bolt)."""
    server = store.local_server
    if server is None or not any(len(frame) for frame in batch.values()):
        return False
    (row,) = store.read("read_database_contents")
    if row["has_data"]:
        return False
    (names,) = store.read("list_schema_names")
    if set(names["names"]) - kolgraph_schema_names(store):
        server.notify("the database holds indexes kolgraph did not make: loading through Bolt")
        return False
    reason = importable(batch)
    if reason:
        server.notify(f"not using the import tool ({reason}): loading through Bolt")
        return False
    return True


def kolgraph_schema_names(store: Neo4jStore) -> set[str]:
    """The names of the constraints and indexes kolgraph creates (read from its statements)."""
    names = set()
    for query in store.schema_queries():
        names.update(_SCHEMA_NAME.findall(store.query_text(query)))
    return names


def import_first_load(store: Neo4jStore, batch: Batch, progress: Progress) -> None:
    """Write ``batch`` into the empty database of ``store.local_server`` with the import
    tool, then finish it as a normal load would have (see the module's documentation)."""
    server = store.local_server
    assert server is not None
    notify = server.notify
    notify(
        "first load into an empty local database: writing it with neo4j-admin database "
        "import (the server restarts; --no-import-tool loads through Bolt instead)"
    )
    batch = {**batch, "hcps": aligned_hcps(batch["hcps"], None)} if "hcps" in batch else batch
    work = Path(tempfile.mkdtemp(prefix="kolgraph-import-", dir=_import_dir(server)))
    try:
        with _steps(notify) as step:
            files = _import(store, batch, server, work, step)
            _finish(store, files, step)
    finally:
        # Not waited for (a few seconds at scale); the interpreter waits for it at exit.
        threading.Thread(target=shutil.rmtree, args=(work, True), name="kolgraph-cleanup").start()
    progress(files.rows)


def _import_dir(server: LocalServer) -> Path:
    folder = server.directory / "import"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _import(
    store: Neo4jStore, batch: Batch, server: LocalServer, work: Path, step: Step
) -> ImportFiles:
    """Write the files while the server stops, import them with the database's folders
    kept aside, and start the server; on any failure (the server not starting on the
    imported database too) the folders come back."""
    database = store.database
    layout = neo4j_server.Layout(server.directory)
    kept = work / "kept"
    with ThreadPoolExecutor(1, thread_name_prefix="kolgraph-import-files") as pool:
        written = pool.submit(
            write_import_files,
            batch,
            work,
            store.coauthor_max_authors,
            store.bookkeeping_nodes(stale_scores=changes_scores(batch)),
        )
        try:
            with neo4j_server.offline(
                server.directory,
                echo=server.notify,
                if_start_fails=lambda: _put_back(layout, database, kept),
            ):
                files = _files(written, step)
                _keep_aside(layout, database, kept)
                try:
                    with step("neo4j-admin database import"):
                        neo4j_server.import_database(
                            server.directory,
                            database,
                            files.arguments(),
                            report=work / "import.report",
                            echo=server.notify,
                        )
                except BaseException:
                    _put_back(layout, database, kept)
                    raise
        finally:
            written.cancel()
    store.forget_bookmarks()  # the new database's transaction ids start again
    try:
        store.check()
    except BaseException:
        _restore(store, layout, kept)
        raise
    return files


def _files(written: Future, step: Step) -> ImportFiles:
    with step("writing the import files"):
        return written.result()


def _finish(store: Neo4jStore, files: ImportFiles, step: Step) -> None:
    """What Cypher writes after the import: the schema and empty lists; a failure here also
    brings the empty database back."""
    server = store.local_server
    assert server is not None
    layout = neo4j_server.Layout(server.directory)
    try:
        with step("constraints and indexes"):
            store.create_schema()
        if files.empty_lists:
            with step("empty lists"):
                _write_empty_lists(store, files)
    except BaseException:
        _restore(store, layout, files.folder / "kept")
        raise
    server.notify(
        f"imported {files.rows:,} rows and {files.coauthorships:,} derived co-author pairs"
    )


def _write_empty_lists(store: Neo4jStore, files: ImportFiles) -> None:
    for (table, column), keys in files.empty_lists.items():
        query = EMPTY_LIST_QUERIES.get((table, column))
        if query is None:
            raise AssertionError(f"no statement stores an empty {TABLES_BY_NAME[table]}.{column}")
        for chunk in chunks(keys, store.batch_size):
            store.execute(query, keys=list(chunk))


# --- the database's folders ------------------------------------------------------------------


def _keep_aside(layout: neo4j_server.Layout, database: str, kept: Path) -> None:
    """Move the (empty) database's folders into ``kept``: the import writes new ones."""
    kept.mkdir()
    for index, folder in enumerate(neo4j_server.database_folders(layout, database)):
        if folder.exists():
            folder.rename(kept / str(index))


def _put_back(layout: neo4j_server.Layout, database: str, kept: Path) -> None:
    """Replace whatever the import left with the folders kept aside (if they were)."""
    if not kept.is_dir():
        return
    for index, folder in enumerate(neo4j_server.database_folders(layout, database)):
        shutil.rmtree(folder, ignore_errors=True)
        if (kept / str(index)).exists():
            (kept / str(index)).rename(folder)


def _restore(store: Neo4jStore, layout: neo4j_server.Layout, kept: Path) -> None:
    """After the import: stop the server, put the empty database back, start it again."""
    server = store.local_server
    assert server is not None
    server.notify("the first load failed after the import: putting the empty database back")
    with neo4j_server.offline(server.directory, echo=server.notify):
        _put_back(layout, store.database, kept)
    store.forget_bookmarks()


# --- progress messages -----------------------------------------------------------------------


@contextmanager
def _steps(notify: Notify) -> Iterator[Step]:
    """A ``step(name)`` context manager that reports each step with its duration."""

    @contextmanager
    def step(name: str) -> Iterator[None]:
        notify(f"{name} ...")
        started = time.perf_counter()
        yield
        notify(f"{name}: {time.perf_counter() - started:.1f} s")

    yield step
