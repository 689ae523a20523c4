"""``kolgraph export bundle DIR``: the whole store written as a canonical bundle.

Every table of :mod:`kolgraph.schema` becomes its CSV file, with exactly the columns of the
input contract, rows sorted by key, cells written as a bundle is read (lists ``;``-joined,
blanks empty), so ``kolgraph load DIR`` into either store gives the same tables back.  This is
how a team moves from the embedded store to a Neo4j server.

What a bundle cannot carry is written beside it or left to be recomputed:

* an HCP's ``territory`` is the one its source gave (explicit), not one an alignment set;
  the stored alignment goes to ``DIR/alignment/alignment.csv`` (a subfolder the bundle loader
  does not read), to be stored again with ``kolgraph align``;
* scores, the score and coverage history and the co-author pairs are derived: a load
  recomputes them;
* steward corrections (``kolgraph identity merge|split``) are in the exported rows, but their
  records are not: a store that never had them will not replay them on a later reload of
  the same source files;
* identity evidence and web users live in the home folder, whatever the store;
* the home's author archive (the author slots of every PubMed file loaded, which later files'
  authors are compared with: :mod:`kolgraph.loaders.author_archive`) goes to
  ``DIR/authors/papers.csv`` and ``DIR/authors/author_slots.csv``, which ``kolgraph load
  DIR`` keeps in the new home's archive.

Cells are written as stored: a bundle is data for kolgraph, not a spreadsheet, so text that
starts like a formula is not neutralised (the target-list exports do that).

The files are written into a new folder beside ``DIR`` and renamed into place at the end, so
an interrupted export (a lost database, a full disk, Ctrl-C) leaves no half-written bundle.
An existing non-empty ``DIR`` is replaced only with ``force``, and only when it holds nothing
but a bundle's files: ``--force`` is for writing over an earlier export, never a way to delete
a folder of other things (a home folder, a working copy) by a slip of the path.
"""

from __future__ import annotations

import csv
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import pandas as pd

from kolgraph import territories
from kolgraph.errors import InputError
from kolgraph.loaders.author_archive import EXPORTED, AuthorArchive
from kolgraph.schema import TABLES, Table
from kolgraph.store.base import GraphStore, Progress, no_progress

ALIGNMENT_FILE = Path("alignment") / "alignment.csv"
ARCHIVE_FILES = [relative for relative, _columns in EXPORTED.values()]
#: Every path a bundle export writes, relative to its folder: all ``--force`` may replace.
BUNDLE_PATHS = frozenset(
    [t.filename for t in TABLES]
    + [p.as_posix() for f in (ALIGNMENT_FILE, *ARCHIVE_FILES) for p in (f.parent, f)]
)
#: Rows written between two progress reports.
PROGRESS_EVERY = 10_000


def export_bundle(
    store: GraphStore,
    out: Path,
    *,
    force: bool = False,
    progress: Progress = no_progress,
    home: Path | None = None,
) -> dict[str, int]:
    """Write every table of ``store`` to the bundle folder ``out``; rows written per file
    (the alignment's rules as ``alignment/alignment.csv`` when one is stored, and ``home``'s
    author archive under ``authors/`` when it has one)."""
    check_bundle_destination(out, force)
    written: dict[str, int] = {}
    with _new_folder(out) as folder:
        for table in TABLES:
            rows = _rows(table, _exported(store, table))
            path = folder / table.filename
            written[table.filename] = _write_csv(path, table.column_names, rows, progress)
        alignment = store.alignment()
        if alignment is not None:
            (folder / ALIGNMENT_FILE).parent.mkdir()
            rules = [[r[c] or "" for c in territories.COLUMNS] for r in _rules(alignment)]
            written[ALIGNMENT_FILE.as_posix()] = _write_csv(
                folder / ALIGNMENT_FILE, territories.COLUMNS, rules, no_progress
            )
        if home is not None:
            written |= _write_archive(AuthorArchive(home), folder)
    return written


def _write_archive(archive: AuthorArchive, folder: Path) -> dict[str, int]:
    written: dict[str, int] = {}
    for table, (relative, columns) in EXPORTED.items():
        rows = archive.exported_rows(table)
        first = next(rows, None)
        if first is None:
            continue
        (folder / relative).parent.mkdir(exist_ok=True)
        cells = ([_cell(v) for v in row] for row in (first, *rows))
        written[relative.as_posix()] = _write_csv(folder / relative, columns, cells, no_progress)
    return written


def bundle_rows(store: GraphStore) -> int:
    """How many rows an export of ``store`` writes to its tables (for a progress bar)."""
    stats = store.stats()
    return sum(
        stats["nodes"][t.label] if t.label else stats["relationships"][t.rel_type or ""]
        for t in TABLES
    )


def check_bundle_destination(out: Path, force: bool) -> None:
    """Refuse a destination that is a file, the current folder or one holding it, or a
    folder that is not empty (unless ``force``, and then only an earlier bundle)."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} is a file; give a folder for the bundle")
    if not out.resolve().parent.is_dir():
        raise InputError(f"{out.parent} does not exist; create it first")
    if out.is_dir() and Path.cwd().resolve().is_relative_to(out.resolve()):
        raise InputError(f"{out} holds the current folder; it cannot be replaced")
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not force:
        raise InputError(f"{out} is not empty; choose a new folder, or --force to replace it")
    # a few are enough to refuse; a slip of the path may name a folder of millions of files
    foreign = sorted(islice(_foreign_paths(out), 4))
    if foreign:
        shown = ", ".join(foreign[:3]) + (", ..." if len(foreign) > 3 else "")
        raise InputError(
            f"{out} holds files no bundle export writes ({shown}); "
            "--force replaces only an earlier bundle: choose a new folder"
        )


def _foreign_paths(folder: Path) -> Iterator[str]:
    """Paths under ``folder`` that an export would not have written."""
    for path in folder.rglob("*"):
        relative = path.relative_to(folder).as_posix()
        if relative not in BUNDLE_PATHS or path.is_symlink():
            yield relative


def _exported(store: GraphStore, table: Table) -> pd.DataFrame:
    frame = store.table(table.name)
    if table.name == "hcps" and len(frame):
        frame = frame.assign(territory=frame["hcp_id"].map(_explicit_territories(store)))
    return frame


def _explicit_territories(store: GraphStore) -> dict[str, str | None]:
    """hcp_id -> the territory its source gave (None when an alignment set the one in force
    and the source gave none)."""
    places = store.hcp_places()
    return {
        hcp_id: (kept if aligned else territory)
        for hcp_id, territory, aligned, kept in zip(
            places["hcp_id"],
            places["territory"],
            places["territory_aligned"],
            places["source_territory"],
        )
    }


def _rules(alignment: territories.Alignment) -> list[dict]:
    return sorted(territories.rule_rows(alignment), key=lambda rule: rule["line"])


def _rows(table: Table, frame: pd.DataFrame) -> Iterator[list[str]]:
    columns = [frame[c].tolist() for c in table.column_names]
    for values in zip(*columns):
        yield [_cell(v) for v in values]


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def _write_csv(
    path: Path, header: Iterable[str], rows: Iterable[list[str]], progress: Progress
) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(row)
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
    progress(count % PROGRESS_EVERY)
    return count


@contextmanager
def _new_folder(out: Path) -> Iterator[Path]:
    """A fresh folder beside ``out`` to write into; on success it replaces ``out``.

    The folder is the owner's only (``mkdtemp``): a bundle holds names and field insights.
    A failure to write (disk full, no permission) is reported as the user's problem to fix,
    and whatever failed leaves nothing behind.
    """
    target = out.resolve()
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    except OSError as error:
        raise _cannot_write(out, error) from None
    try:
        yield folder
        _move_into_place(folder, target)
    except OSError as error:
        shutil.rmtree(folder, ignore_errors=True)
        raise _cannot_write(out, error) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def _move_into_place(folder: Path, target: Path) -> None:
    """Rename ``folder`` to ``target``; an earlier bundle there is moved aside first and
    deleted only once the new one is in place."""
    if not target.exists():
        folder.rename(target)
        return
    stale = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
    target.rename(stale / target.name)
    try:
        folder.rename(target)
    except OSError:
        (stale / target.name).rename(target)  # the earlier bundle back where it was
        stale.rmdir()
        raise
    shutil.rmtree(stale, ignore_errors=True)


def _cannot_write(out: Path, error: OSError) -> InputError:
    reason = error.strerror or str(error)
    return InputError(f"cannot write the bundle to {out}: {reason}; nothing was written")
