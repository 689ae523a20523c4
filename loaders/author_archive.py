"""The author slots of the MEDLINE papers loaded before, so a later file's authors meet them.

MEDLINE comes as many files (a yearly baseline of some 1,200, then daily updates), and a team
adds its own PubMed exports month after month.  An author's papers are spread over those
files, so a file's authors are resolved together with the slots of the papers loaded before
that share their name blocks (:func:`kolgraph.loaders.authors.resolve_authors`, ``earlier``):
a new paper joins the person it belongs to instead of making another HCP of them.

The slots are kept as the file wrote them, with what the linkage compares of their papers
(journal, MeSH terms, title, co-author name keys, the places of the paper's authors), in
``KOLGRAPH_HOME/author_slots.sqlite3`` whatever the backend: the graph keeps persons, not how
each paper wrote them.  It is written once a load succeeds; a store filled from a bundle, or
by a version before this one, has papers the archive lacks: loading their files again adds
them.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from kolgraph.errors import InputError, StoreUnavailable
from kolgraph.loaders import linkage
from kolgraph.loaders.authors import AuthorSlot, _letters, given_name
from kolgraph.loaders.institutions import Institution
from kolgraph.private_files import create_private

if TYPE_CHECKING:
    from kolgraph.loaders.pubmed import Paper

FILENAME = "author_slots.sqlite3"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS papers (
    pmid TEXT PRIMARY KEY, journal TEXT, mesh TEXT, title TEXT, coauthors TEXT, places TEXT
);
CREATE TABLE IF NOT EXISTS slots (
    pmid TEXT NOT NULL, position INTEGER NOT NULL, block TEXT NOT NULL, last_name TEXT,
    fore_name TEXT, initials TEXT, orcid TEXT, year INTEGER, emails TEXT, institutions TEXT,
    PRIMARY KEY (pmid, position)
);
CREATE INDEX IF NOT EXISTS slots_by_block ON slots (block);
"""
#: A slot as :func:`_slot` reads it back (the ``block`` it is found by is stored beside them).
_WRITTEN = ("last_name", "fore_name", "initials", "orcid", "year", "emails", "institutions")
_SLOT_COLUMNS = ", ".join(("pmid", "position", *_WRITTEN))
#: The archive as a bundle export writes it (``kolgraph export bundle``), and a bundle load
#: takes it back: table -> (file in the bundle folder, columns).
EXPORTED = {
    "papers": (
        Path("authors") / "papers.csv",
        ("pmid", "journal", "mesh", "title", "coauthors", "places"),
    ),
    "slots": (
        Path("authors") / "author_slots.csv",
        ("pmid", "position", "block", *_WRITTEN),
    ),
}
_INSTITUTION_FIELDS = tuple(f.name for f in dataclasses.fields(Institution))


@dataclass
class Earlier:
    """The stored author slots that share a name block with a file's, each with the HCP that
    holds it, and what the linkage compares of their papers."""

    slots: list[AuthorSlot]
    holders: list[str]
    papers: dict[str, tuple]  # pmid -> (journal, MeSH terms, title)
    coauthors: dict[str, frozenset[str] | None]  # pmid -> co-author name keys (None: too many)
    places: dict[str, tuple[Institution, ...]]  # pmid -> its authors' institutions

    def __len__(self) -> int:
        return len(self.slots)


class AuthorArchive:
    """The archive of one home folder (read only until a load writes to it)."""

    def __init__(self, home: Path):
        self.path = Path(home) / FILENAME

    def record(self, papers: Sequence[Paper], settings: linkage.LinkageSettings) -> None:
        """Keep the author slots of ``papers`` (a paper loaded again replaces its slots)."""
        with self._connect(create=True) as con:
            con.executemany("DELETE FROM slots WHERE pmid = ?", [(p.pmid,) for p in papers])
            con.executemany(
                "INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?, ?, ?)",
                [_paper_row(p, settings.max_coauthor_evidence) for p in papers],
            )
            con.executemany(
                f"INSERT INTO slots (block, {_SLOT_COLUMNS}) VALUES ({', '.join('?' * 10)})",
                [_slot_row(s) for p in papers for s in p.authors],
            )

    def earlier(
        self,
        blocks: Iterable[tuple[str, str]],
        excluding: Iterable[str],
        holders: Callable[[list[str]], Mapping[tuple[str, int], str]],
    ) -> Earlier:
        """The stored slots of ``blocks`` outside the papers ``excluding`` (the file's own),
        each held by the HCP ``holders(pmids)`` names; a slot the store no longer holds (the
        store was emptied, the archive kept) is left out."""
        found = Earlier([], [], {}, {}, {})
        if not self.path.is_file():
            return found
        keys = json.dumps(sorted({_block_key(b) for b in blocks}))
        with self._connect() as con:
            con.execute("CREATE TEMP TABLE own (pmid TEXT PRIMARY KEY)")
            con.executemany("INSERT OR IGNORE INTO temp.own VALUES (?)", ((p,) for p in excluding))
            rows = con.execute(
                f"SELECT {_SLOT_COLUMNS} FROM slots WHERE block IN (SELECT value FROM "
                "json_each(?)) AND pmid NOT IN (SELECT pmid FROM temp.own) "
                "ORDER BY pmid, position",
                (keys,),
            ).fetchall()
            pmids = sorted({row[0] for row in rows})
            papers = _papers(con, pmids)
        held = holders(pmids)
        for row in rows:
            holder = held.get((row[0], row[1]))
            if holder is not None and row[0] in papers:
                found.slots.append(_slot(row))
                found.holders.append(holder)
        for pmid in {s.pmid for s in found.slots}:
            journal, mesh, title, coauthors, places = papers[pmid]
            found.papers[pmid] = (journal, mesh, title)
            found.coauthors[pmid] = coauthors
            found.places[pmid] = places
        return found

    def exported_rows(self, table: str) -> Iterator[tuple]:
        """Every row of ``papers`` or ``slots`` in key order, with the :data:`EXPORTED`
        columns (nothing when the home has no archive)."""
        if not self.path.is_file():
            return
        columns = ", ".join(EXPORTED[table][1])
        order = "pmid" if table == "papers" else "pmid, position"
        with self._connect() as con:
            yield from con.execute(f"SELECT {columns} FROM {table} ORDER BY {order}")

    def add_exported(self, papers: list[tuple], slots: list[tuple]) -> None:
        """Keep the rows of an exported archive (:func:`read_exported`); a paper the archive
        holds takes the exported slots instead of its own."""
        if not papers:
            return
        with self._connect(create=True) as con:
            con.executemany("DELETE FROM slots WHERE pmid = ?", [(row[0],) for row in papers])
            con.executemany("INSERT OR REPLACE INTO papers VALUES (?, ?, ?, ?, ?, ?)", papers)
            columns = ", ".join(EXPORTED["slots"][1])
            con.executemany(
                f"INSERT OR REPLACE INTO slots ({columns}) VALUES ({', '.join('?' * 10)})", slots
            )

    @contextlib.contextmanager
    def _connect(self, create: bool = False) -> Iterator[sqlite3.Connection]:
        if create and not self.path.exists():
            create_private(self.path)
        try:
            con = sqlite3.connect(self.path)
        except sqlite3.Error as error:
            raise _unusable(self.path, error, create) from None
        try:
            with con:
                con.executescript(_SCHEMA)
                yield con
        except sqlite3.DatabaseError as error:  # not a database, damaged, or a full disk
            raise _unusable(self.path, error, create) from None
        finally:
            con.close()


def _unusable(path: Path, error: Exception, writing: bool) -> StoreUnavailable:
    """What a user reads when the archive cannot be used: before a load (nothing written) or
    after it (the load stands; its slots are not kept for later files)."""
    if writing:
        what = "the load is written, but its author slots are not kept for later files"
    else:
        what = "nothing was loaded; move the file aside to load without it"
    return StoreUnavailable(f"{path}: cannot use the author archive ({error}); {what}")


def _block_key(block: tuple[str, str]) -> str:
    return "\t".join(block)


def _paper_row(paper: Paper, max_authors: int) -> tuple:
    """What the linkage reads of a paper besides its slot, as
    :func:`kolgraph.loaders.linkage.profiles` derives it from the whole byline."""
    few = 0 < len(paper.authors) <= max_authors  # None: no co-author evidence
    coauthors = sorted({_author_key(s) for s in paper.authors}) if few else None
    places = tuple(dict.fromkeys(i for s in paper.authors for i in s.institutions)) if few else ()
    return (
        paper.pmid,
        paper.journal,
        _lines(paper.mesh_terms),
        paper.title,
        None if coauthors is None else _lines(coauthors),
        _institutions_text(places),
    )


def _author_key(slot: AuthorSlot) -> str:
    return linkage.author_key(slot.last_name, given_name(slot.fore_name), _letters(slot.initials))


def _slot_row(slot: AuthorSlot) -> tuple:
    return (
        _block_key(slot.block),
        slot.pmid,
        slot.position,
        slot.last_name,
        slot.fore_name,
        slot.initials,
        slot.orcid,
        slot.year,
        _lines(slot.emails),
        _institutions_text(slot.institutions),
    )


def _lines(texts: Iterable[str]) -> str:
    """A list of one-line texts (MeSH terms, name keys, e-mail addresses) as one text."""
    return "\n".join(texts)


def _split(text: str | None) -> list[str]:
    return text.split("\n") if text else []


# Slots naming one affiliation share its parsed institutions (one tuple): each is written,
# and read back, once.
@lru_cache(maxsize=65536)
def _institutions_text(institutions: tuple[Institution, ...]) -> str:
    return json.dumps(
        [{f: getattr(i, f) for f in _INSTITUTION_FIELDS if getattr(i, f)} for i in institutions]
    )


@lru_cache(maxsize=65536)
def _institutions(text: str) -> tuple[Institution, ...]:
    return tuple(
        Institution(**{k: v for k, v in item.items() if k in _INSTITUTION_FIELDS})
        for item in json.loads(text)
    )


def _papers(con: sqlite3.Connection, pmids: list[str]) -> dict[str, tuple]:
    rows = con.execute(
        "SELECT pmid, journal, mesh, title, coauthors, places FROM papers "
        "WHERE pmid IN (SELECT value FROM json_each(?))",
        (json.dumps(pmids),),
    )
    found = {}
    for pmid, journal, mesh, title, coauthors, places in rows:
        keys = None if coauthors is None else frozenset(_split(coauthors))
        found[pmid] = (journal, _split(mesh), title, keys, _institutions(places))
    return found


def _slot(row: Sequence) -> AuthorSlot:
    pmid, position, last_name, fore_name, initials, orcid, year, emails, institutions = row
    return AuthorSlot(
        pmid,
        int(position),
        last_name,
        fore_name,
        initials,
        orcid,
        _institutions(institutions),
        int(year or 0),
        0,
        tuple(_split(emails)),
    )


def read_exported(folder: Path) -> tuple[list[tuple], list[tuple]]:
    """The papers and slots of an archive a bundle export wrote under ``folder`` (empty when
    it wrote none).  Raises ``InputError`` naming the file and line of a row that cannot be
    one; nothing is kept then."""
    found = []
    for table in ("papers", "slots"):
        relative, columns = EXPORTED[table]
        path = folder / relative
        found.append(_exported_rows(path, columns, table == "slots") if path.is_file() else [])
    papers, slots = found
    known = {row[0] for row in papers}
    for line, row in enumerate(slots, start=2):
        if row[0] not in known:
            raise InputError(
                f"{EXPORTED['slots'][0]}: line {line}: pmid: {row[0]} is not in papers.csv"
            )
    return papers, slots


def _exported_rows(path: Path, columns: tuple[str, ...], numbered: bool) -> list[tuple]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header != list(columns):
            raise InputError(f"{path.name}: line 1: expected the columns {', '.join(columns)}")
        return [_exported_row(path, reader.line_num, row, columns, numbered) for row in reader]


def _exported_row(path: Path, line: int, row: list[str], columns, numbered: bool) -> tuple:
    if len(row) != len(columns) or not row[0]:
        raise InputError(f"{path.name}: line {line}: expected {len(columns)} cells and a pmid")
    if not numbered:
        return (*row[:4], row[4] or None, row[5])  # coauthors: blank = too many to compare
    for name in ("position", "year"):
        value = row[columns.index(name)]
        if not (value.isdigit() or (name == "year" and value == "")):
            raise InputError(f"{path.name}: line {line}: {name}: not a whole number: {value!r}")
    return tuple(row)
