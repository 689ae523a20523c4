"""The load pipeline the CLI calls: read a source, validate all of it, then write it once.

:func:`validate_path` reads and checks a source and writes nothing; :func:`load_path` also
hands the batch to the store in one :meth:`~kolgraph.store.base.GraphStore.load`.  Either
raises :class:`~kolgraph.errors.ValidationFailed` carrying every problem found.  How many
rows a load creates or updates is worked out from the store before anything is written.
"""

from __future__ import annotations

import gzip
import zlib
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph import corrections, cross_source, schema
from kolgraph.collector import cyclic_gc_paused, return_freed_memory
from kolgraph.corrections import Correction
from kolgraph.cross_source import RANK, Link, source_of
from kolgraph.errors import InputError, ValidationFailed
from kolgraph.loaders import crm, ctgov, nppes, open_payments, pubmed
from kolgraph.loaders.author_archive import AuthorArchive, read_exported
from kolgraph.loaders.bundle import read_bundle
from kolgraph.loaders.source import SourceRead
from kolgraph.loaders.validate import RawBundle, validate
from kolgraph.schema import Batch
from kolgraph.store.base import GraphStore, Progress, no_progress

#: Reads one source: (path, store, today, home folder) -> raw canonical tables and an account
#: of the source.
Reader = Callable[[Path, GraphStore, date | None, Path | None], SourceRead]


def _read_pubmed(path: Path, store: GraphStore, today: date | None, home: Path | None):
    archive = AuthorArchive(home) if home is not None else None
    return pubmed.read_pubmed(path, store, today=today, archive=archive)


def _read_bundle(
    path: Path, _store: GraphStore, _today: date | None, home: Path | None
) -> SourceRead:
    """A bundle's tables; and the author archive an export wrote beside them, kept in the
    home's archive once the load is written."""
    raw = read_bundle(path)
    read = SourceRead(raw, records_read=sum(len(t.frame) for t in raw.tables.values()))
    if home is not None and path.is_dir():
        papers, slots = read_exported(path)
        if papers:
            read.notes.append(
                f"author archive: {len(slots):,} author slots of {len(papers):,} papers"
            )
            read.written = lambda: AuthorArchive(home).add_exported(papers, slots)
    return read


#: Format name (``--format``) -> reader, in the order formats are detected.
READERS: dict[str, Reader] = {
    "pubmed": _read_pubmed,
    "nppes": lambda path, store, _today, _home: nppes.read_nppes(path, store),
    "ctgov": lambda path, store, _today, _home: ctgov.read_ctgov(path, store),
    "open-payments": lambda path, store, _t, _h: open_payments.read_open_payments(path, store),
    "bundle": _read_bundle,
}
SNIFFERS: dict[str, Callable[[Path], bool]] = {
    "pubmed": pubmed.looks_like_pubmed,
    "nppes": nppes.looks_like_nppes,
    "ctgov": ctgov.looks_like_ctgov,
    "open-payments": open_payments.looks_like_open_payments,
}


def detect_format(path: Path) -> str:
    """The format of ``path``: a source format its first bytes show, else the canonical bundle.

    A gzip file whose start cannot be decompressed is refused as a damaged gzip here, rather
    than taken for an unknown bundle file.
    """
    _check_gzip_start(Path(path))
    return next((fmt for fmt, sniff in SNIFFERS.items() if sniff(path)), "bundle")


def _check_gzip_start(path: Path, size: int = 1 << 16) -> None:
    try:
        with path.open("rb") as probe:
            if probe.read(2) != b"\x1f\x8b":
                return
        with gzip.open(path, "rb") as stream:
            stream.read(size)
    except (IsADirectoryError, FileNotFoundError):
        return  # a bundle folder, or left for the reader to report
    except (OSError, EOFError, zlib.error) as error:
        raise InputError(
            f"{path.name}: damaged gzip: the data is corrupt or truncated ({error}); "
            "nothing was loaded"
        ) from None


@dataclass(frozen=True)
class TableCounts:
    """What a load does to one table: rows read, keys new to the store, keys it had."""

    read: int
    created: int
    updated: int


@dataclass
class LoadSummary:
    """Per canonical table (in load order), the counts of a load."""

    tables: dict[str, TableCounts] = field(default_factory=dict)
    fmt: str = "bundle"
    records_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    #: Identity evidence per resolved person (source formats only), see kolgraph.identities.
    identities: pd.DataFrame | None = field(default=None, repr=False)
    #: HCPs of other sources this load's HCPs turned out to be (kolgraph.cross_source), with
    #: the merge records that joined them.
    links: list[tuple[Link, Correction]] = field(default_factory=list, repr=False)

    @property
    def total_rows(self) -> int:
        return sum(c.read for c in self.tables.values())

    def describe(self, verb: str = "loaded") -> str:
        """One line for the total, then one per table."""
        lines = self._source_lines()
        if not self.total_rows:
            return "\n".join([*lines, f"{verb} 0 rows (nothing to load)"])
        lines.append(f"{verb} {self.total_rows:,} rows")
        width = max(len(name) for name in self.tables)
        digits = len(f"{max(c.read for c in self.tables.values()):,}")
        for name, c in self.tables.items():
            lines.append(
                f"  {name:<{width}}  {c.read:>{digits},} rows  {c.created:>{digits},} new"
                f"  {c.updated:>{digits},} updated"
            )
        return "\n".join(lines + self._link_lines())

    def _link_lines(self) -> list[str]:
        """How many HCPs were found to be HCPs of other sources, and on what evidence."""
        if not self.links:
            return []
        methods = Counter(link.method for link, _done in self.links)
        how = ", ".join(f"{method}: {n:,}" for method, n in sorted(methods.items()))
        return [f"one person across sources: {len(self.links):,} HCP(s) joined ({how})"]

    def _source_lines(self) -> list[str]:
        """For a source format: records read, skipped (and why), and the source's notes."""
        if self.fmt == "bundle":
            return [f"  {note}" for note in self.notes]
        lines = [f"{self.fmt}: {self.records_read:,} records read"]
        lines += [f"  skipped {n:,}: {reason}" for reason, n in sorted(self.skipped.items())]
        return lines + [f"  {note}" for note in self.notes]


@dataclass
class ValidatedLoad:
    """A checked load, not yet written: the batch and what writing it would do."""

    batch: Batch
    summary: LoadSummary
    #: What the source keeps once the batch is written (see ``SourceRead.written``).
    written: Callable[[], None] | None = None

    @property
    def total_rows(self) -> int:
        return self.summary.total_rows

    def describe(self) -> str:
        return self.summary.describe(verb="would load")


def validate_path(
    path: Path | str,
    store: GraphStore,
    *,
    fmt: str | None = None,
    today: date | None = None,
    insight_categories: Sequence[str] = schema.DEFAULT_INSIGHT_CATEGORIES,
    home: Path | None = None,
) -> ValidatedLoad:
    """Read and check ``path`` against ``store``; raises ``ValidationFailed``; writes nothing.

    ``home``: the home folder, whose author archive a PubMed file's authors are compared
    with (:mod:`kolgraph.loaders.author_archive`); without it, with the file's alone.
    """
    path = Path(path)
    fmt = _checked_format(path, fmt)
    source = _reader(fmt)(path, store, today, home)
    notes, identities = _keep_corrections(source, store)
    keep_stored_fields(source.raw, store, fmt)
    batch = validate(source.raw, store, today=today, insight_categories=insight_categories)
    summary = LoadSummary(
        count_changes(batch, store),
        fmt,
        source.records_read,
        Counter(source.skipped),
        list(source.notes) + notes,
        identities,
    )
    return ValidatedLoad(batch, summary, source.written)


def _keep_corrections(
    source: SourceRead, store: GraphStore
) -> tuple[list[str], pd.DataFrame | None]:
    """Rewrite the source's tables so they keep every steward correction
    (:func:`kolgraph.corrections.replay`); the notes to show and the identity evidence with
    merged ids replaced and persons not created again left out."""
    done = store.corrections()
    if not done:
        return [], source.identities
    orphans, merged = corrections.replay(
        source.raw, done, lambda ids: store.existing_keys("hcps", ids)
    )
    identities = source.identities
    if identities is not None and len(identities):
        identities = identities[~identities["hcp_id"].isin(list(orphans))].copy()
        identities["hcp_id"] = identities["hcp_id"].replace(merged)
    automatic = sum(1 for c in done if c.steward == cross_source.STEWARD)
    by_stewards = len(done) - automatic
    kept = f"by stewards {by_stewards:,}, links across sources {automatic:,}"
    return [f"identity corrections kept: {len(done):,} ({kept})"], identities


#: The source (in :data:`kolgraph.cross_source.RANK`) whose HCPs each source format makes.
FORMAT_SOURCES = {
    "pubmed": "PubMed",
    "nppes": "NPPES",
    "ctgov": "ClinicalTrials.gov",
    "open-payments": "Open Payments",
}
#: What a source load keeps of the rows it meets in the store, per table (an HCP's territory
#: is the alignment's to set).
KEPT_FIELDS = {
    "hcps": tuple(c for c in schema.HCPS.column_names if c not in ("hcp_id", "territory")),
    "institutions": ("name", "type", "city", "state", "country"),
}
#: Formats whose institutions are parsed from free text (affiliations, trial sites): the
#: name and place an institution was first stored with stand; NPPES and Open Payments
#: institutions are records of their own, and update.
PARSED_INSTITUTIONS = frozenset(["pubmed", "ctgov"])


def keep_stored_fields(raw: RawBundle, store: GraphStore, fmt: str) -> None:
    """Make a source's rows of HCPs and institutions the store holds keep what it knows.

    A field the source leaves blank keeps its stored value.  On an HCP a source of higher
    rank made (the Open Payments physician a PubMed author was found to be), the stored values
    stand and the source only fills blanks: without this, a PubMed file with one more paper of
    that physician would write its blanks over the specialty, credentials and address.  So do
    an institution's, when it was parsed from free text: a file that writes "Columbia
    University, New York" does not take away the state and country an earlier file gave, and
    loading a file again changes nothing.  A bundle (the team's own files) is written as given.
    """
    source = FORMAT_SOURCES.get(fmt)
    if source is None:
        return
    for name, fields in KEPT_FIELDS.items():
        table = raw.tables.get(name)
        if table is None or not len(table.frame):
            continue
        frame = table.frame
        key = frame[schema.TABLES_BY_NAME[name].key[0]]
        stored = store.stored_rows(name, key.tolist())
        if not stored:
            continue
        held = key.isin(list(stored)).to_numpy()
        if name == "hcps":
            standing = key[held].map(lambda i: RANK[source_of(i)] < RANK[source])
        else:
            standing = pd.Series(fmt in PARSED_INSTITUTIONS, index=key[held].index)
        _fill(frame, held, key[held], stored, fields, standing.to_numpy(dtype=bool))


def _fill(
    frame: pd.DataFrame,
    held: np.ndarray,
    keys: pd.Series,
    stored: dict[str, dict[str, str]],
    fields: tuple[str, ...],
    standing: np.ndarray,
) -> None:
    """Rows ``held`` of ``frame`` (keyed ``keys``) take each stored value where theirs is
    blank, or where the stored row stands."""
    for column in fields:
        if column not in frame:
            frame[column] = ""
        old = keys.map(lambda k, c=column: stored[k][c]).to_numpy(dtype=object)
        new = frame[column][held].to_numpy(dtype=object)
        keep_old = (old != "") & (standing | (new == ""))
        frame.loc[held, column] = np.where(keep_old, old, new)


def load_path(
    path: Path | str,
    store: GraphStore,
    *,
    fmt: str | None = None,
    progress: Progress = no_progress,
    today: date | None = None,
    insight_categories: Sequence[str] = schema.DEFAULT_INSIGHT_CATEGORIES,
    home: Path | None = None,
) -> LoadSummary:
    """Validate ``path`` and, only when every check passes, write it to ``store`` (and
    keep a PubMed file's author slots in ``home``'s archive: :func:`validate_path`)."""
    with cyclic_gc_paused():  # millions of rows as Python objects (kolgraph.collector)
        validated = validate_path(
            path, store, fmt=fmt, today=today, insight_categories=insight_categories, home=home
        )
        return_freed_memory()  # what reading the source left, before the write's peak
        store.load(validated.batch, progress)
        if validated.written is not None:
            validated.written()
    if "hcps" in validated.batch:
        validated.summary.links = store.link_sources(validated.batch["hcps"]["hcp_id"])
    return validated.summary


def load_crm(
    path: Path | str,
    store: GraphStore,
    mapping: crm.CrmMapping,
    *,
    skip_invalid: bool = False,
    write: bool = True,
    progress: Progress = no_progress,
    today: date | None = None,
    insight_categories: Sequence[str] = schema.DEFAULT_INSIGHT_CATEGORIES,
) -> LoadSummary:
    """Load a CRM call export as touchpoints (see :mod:`kolgraph.loaders.crm`).

    Without ``skip_invalid`` any problem raises ``ValidationFailed`` listing them all and
    nothing is written.  With it, the valid rows load and the others are written, unchanged
    plus a ``reason`` column, to ``FILE.rejects.csv`` beside the export (counted in the
    summary's ``skipped``).  ``write=False`` checks only (no store write, no rejects file).
    """
    path = Path(path)
    read = crm.read_crm(path, store, mapping, today=today, insight_categories=insight_categories)
    if read.problems and not skip_invalid:
        raise ValidationFailed(read.problems)
    batch, rejected = crm.checked_batch(
        read, store, today=today, insight_categories=insight_categories
    )
    summary = LoadSummary(count_changes(batch, store), "crm", len(read.export.frame))
    summary.notes.append(
        f"mapping {mapping.source}: HCPs by {mapping.hcp_key}, MSLs by {mapping.msl_key}"
    )
    if write:
        store.load(batch, progress)
    if len(rejected):
        out = crm.rejects_path(path)
        summary.skipped[f"rejected (written to {out.name})"] = len(rejected)
        if write:
            crm.write_rejects(rejected, out)
    return summary


def source_files(path: Path | str, fmt: str | None = None) -> list[Path]:
    """What ``kolgraph load PATH`` loads, one after the other: each PubMed file of a folder
    of them (one load per file, so memory holds one file, and each file's authors are
    compared with those loaded before it), else PATH itself."""
    path = Path(path)
    if path.is_dir() and (fmt or detect_format(path)) == "pubmed":
        return pubmed.pubmed_files(path)
    return [path]


def _checked_format(path: Path, fmt: str | None) -> str:
    """``fmt`` when given and plausible, else the detected format."""
    detected = detect_format(path)
    if fmt and detected != "bundle" and detected != fmt:
        raise InputError(
            f"{path}: looks like {detected}, not {fmt}; "
            f"use --format {detected} or leave --format out"
        )
    return fmt or detected


def _reader(fmt: str) -> Reader:
    if fmt not in READERS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(READERS)}")
    return READERS[fmt]


# --- created / updated ---------------------------------------------------------------------


def count_changes(batch: Batch, store: GraphStore) -> dict[str, TableCounts]:
    """Per table of ``batch``: rows, and how many keys are new to ``store`` or already in it."""
    existed = _stored_entities(batch, store)
    counts = {}
    for table in schema.TABLES:
        if table.name not in batch:
            continue
        frame = batch[table.name]
        if table.label:
            updated = int(frame[table.key[0]].isin(existed[table.name]).sum())
        else:
            updated = _stored_links(table, frame, existed, store)
        counts[table.name] = TableCounts(len(frame), len(frame) - updated, updated)
    return counts


def _stored_entities(batch: Batch, store: GraphStore) -> dict[str, set[str]]:
    """Per entity table, the keys the batch names (as rows or references) the store holds."""
    named: dict[str, list[np.ndarray]] = {t.name: [] for t in schema.ENTITY_TABLES}
    for name, frame in batch.items():
        table = schema.TABLES_BY_NAME[name]
        if table.label:
            named[name].append(frame[table.key[0]].to_numpy(dtype=object))
            continue  # an entity's counts need only its own keys (touchpoints: not its ends)
        for column, target in table.references:
            named[target].append(frame[column].to_numpy(dtype=object))
    return {
        name: store.existing_keys(name, _distinct(columns)) if columns else set()
        for name, columns in named.items()
    }


def _distinct(columns: list[np.ndarray]) -> Iterator[str]:
    """The distinct values of ``columns``, found only when read: a store holding none of a
    table's rows answers without them (at L, 4 s of a first load)."""
    yield from pd.unique(np.concatenate(columns))


def _stored_links(
    table: schema.Table, frame: pd.DataFrame, existed: dict[str, set[str]], store: GraphStore
) -> int:
    """How many relationships of ``frame`` the store already holds.

    Only a row whose ends both existed can; only those rows' HCPs' links are read (none on
    a first load, nor on one that adds only new HCPs).
    """
    possible = np.logical_and.reduce(
        [frame[column].isin(existed[target]).to_numpy() for column, target in table.references]
    )
    if not possible.any():
        return 0
    rows = frame.loc[possible]
    (other,) = (column for column, _target in table.references if column != "hcp_id")
    stored = store.link_keys(table.name, rows["hcp_id"])
    return sum(key in stored for key in zip(rows["hcp_id"], rows[other]))
