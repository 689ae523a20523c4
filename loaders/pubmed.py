"""Read PubMed / MEDLINE XML into publications, HCPs (resolved authors), authorships,
institutions and affiliations.

Handles ``.xml`` and ``.xml.gz`` (gzip is recognised by its magic bytes), both roots
(``MedlineCitationSet``, the old MEDLINE DTD without a ``PubmedArticle`` wrapper, and
``PubmedArticleSet``), baseline / update files and single efetch records.  The file is
streamed: chunks are fed to an ``XMLPullParser`` and every citation is cleared once read, so
memory holds the compact per-paper facts, never the XML tree.

``DeleteCitation`` is honoured: its PMIDs are left out of the load (``skipped["deleted
citation"]``).  A PMID that occurs twice is taken from its last record.  Records without a
usable title or year are skipped and counted by reason.  ``CollectiveName`` authors are groups,
not people: skipped and counted in the notes.

Years: ``JournalIssue/PubDate/Year``, else the first year in ``MedlineDate`` ("1998 Dec-1999
Jan"), else ``ArticleDate``, else ``DateCompleted``; an issue dated in the future (journals
print next year's issues early) falls back to the electronic ``ArticleDate`` when that is not.

Affiliations (HCP -> institution) get ``start_year`` = the earliest paper year at which the
person wrote that affiliation (in this file, or in a paper of theirs loaded before), and a
blank ``end_year``: the paper proves the
affiliation from then, and nothing in the paper says when it ended.

The authors are resolved together with those of the papers loaded before that share their name
blocks (:mod:`kolgraph.loaders.author_archive`, when a home folder's archive is given): an
author of a new file joins the person the store already has when the evidence says so.

Row ``lines`` are the line in the (decompressed) XML where the citation's ``<MedlineCitation``
starts; the source named in problems is the file name.
"""

from __future__ import annotations

import gzip
import re
import zlib
from collections import Counter, deque
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import IO, cast
from xml.etree import ElementTree as ET

import numpy as np
import pandas as pd

from kolgraph.collector import cyclic_gc_paused
from kolgraph.errors import InputError
from kolgraph.loaders import authors as authorship
from kolgraph.loaders import linkage
from kolgraph.loaders.author_archive import AuthorArchive, Earlier
from kolgraph.loaders.authors import AuthorSlot, normalise_orcid
from kolgraph.loaders.institutions import (
    Institution,
    author_marked_parts,
    fold,
    merged_variants,
    parse_affiliation,
)
from kolgraph.loaders.linkage import emails_in
from kolgraph.loaders.source import SourceRead
from kolgraph.loaders.validate import RawBundle, RawTable

#: Bytes read and parsed at a time.
CHUNK_BYTES = 1 << 16
#: The most bytes one record (or whatever lies between two records) may take: the largest
#: real citations (thousands of authors) take a few hundred KB.  Beyond it the file is
#: refused, so a small .xml.gz expanding to a 1 GB comment or title never fills memory.
MAX_RECORD_BYTES = 16 << 20
#: Root (or record) elements of a PubMed / MEDLINE file.
ROOTS = frozenset(
    [
        "PubmedArticleSet",
        "MedlineCitationSet",
        "PubmedArticle",
        "MedlineCitation",
        "PubmedBookArticleSet",
    ]
)
_SNIFF = re.compile(
    rb"<(!DOCTYPE\s+)?(PubmedArticleSet|MedlineCitationSet|PubmedArticle|"
    rb"MedlineCitation|PubmedBookArticleSet)[\s>]"
)
_GZIP_MAGIC = b"\x1f\x8b"
# Elements cleared once read: everything a citation holds hangs below one of them
_RECORD_ENDS = frozenset(["PubmedArticle", "PubmedBookArticle", "DeleteCitation"])
# Elements read (records) or cleared (their wrappers) as they end
_CLEARED = _RECORD_ENDS | {"MedlineCitation"}
_END_TAGS = (
    b"</MedlineCitation>",
    b"</PubmedArticle>",
    b"</PubmedBookArticle>",
    b"</DeleteCitation>",
)


def looks_like_pubmed(path: Path | str) -> bool:
    """Whether the first KB of ``path`` (gunzipped when gzip) is PubMed / MEDLINE XML; a
    folder, whether its first ``.xml`` / ``.xml.gz`` file is."""
    path = Path(path)
    if path.is_dir():
        files = _xml_files(path)
        return bool(files) and looks_like_pubmed(files[0])
    try:
        with _open(Path(path)) as stream:
            head = stream.read(1024)
    except (OSError, EOFError, zlib.error, InputError):
        return False
    return bool(_SNIFF.search(head))


def pubmed_files(folder: Path) -> list[Path]:
    """The ``.xml`` and ``.xml.gz`` files of a folder, in name order (MEDLINE's numbered
    baseline and update files in the order NLM made them); ``InputError`` when there is none,
    or when one is not PubMed XML (named, before anything is loaded)."""
    files = _xml_files(folder)
    if not files:
        raise InputError(f"{folder}: no .xml or .xml.gz file in the folder")
    odd = [f.name for f in files if not looks_like_pubmed(f)]
    if odd:
        shown = ", ".join(odd[:3]) + (f" and {len(odd) - 3} more" if len(odd) > 3 else "")
        raise InputError(
            f"{folder}: not PubMed/MEDLINE XML: {shown}; nothing was loaded "
            "(a folder is loaded when every .xml / .xml.gz file in it is PubMed XML)"
        )
    return files


def _xml_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.name.lower().endswith(_SUFFIXES)
    )


_SUFFIXES = (".xml", ".xml.gz")


def read_pubmed(
    path: Path | str,
    store=None,
    *,
    today: date | None = None,
    archive: AuthorArchive | None = None,
) -> SourceRead:
    """The raw canonical tables of a PubMed / MEDLINE XML file, authors resolved to persons.

    ``store`` (optional, anything with ``slot_holders``) says who holds the author slots of
    papers loaded before, so their persons keep their ids; with ``archive`` (the home's author
    slots) the file's authors are also compared with those papers' authors, and the file's
    slots are kept there once the load is written (``SourceRead.written``).  The store links
    HCPs across sources after the load.  Raises ``InputError`` naming the file and line when
    the XML is malformed or truncated, or the file is not PubMed XML.
    """
    path = Path(path)
    settings = linkage.default_settings()
    with cyclic_gc_paused():
        papers, counts = _read_papers(path, (today or date.today()).year)
        slots = [slot for paper in papers for slot in paper.authors]
        facts = {p.pmid: (p.journal, p.mesh_terms, p.title) for p in papers}
        resolution = authorship.resolve_authors(
            slots,
            held=_slot_holders(store, list(facts)),
            papers=facts,
            settings=settings,
            earlier=_earlier(archive, store, slots, facts),
        )
        raw = _raw_bundle(path.name, papers, resolution)
        identities = authorship.identities(resolution, resolution.slots)
    notes = resolution.notes() + [_institution_note(slots)]
    notes += [f"{counts.pop(k):,} {k}" for k in _NOTE_COUNTS if k in counts]
    return SourceRead(
        raw,
        records_read=counts.pop("records", 0),
        skipped=counts,
        notes=notes,
        identities=identities,
        written=(lambda: archive.record(papers, settings)) if archive else None,
    )


def _earlier(
    archive: AuthorArchive | None, store, slots: list[AuthorSlot], facts: Mapping[str, tuple]
) -> Earlier | None:
    """The slots of papers loaded before that share a name block with the file's."""
    if archive is None or store is None:
        return None
    blocks = {slot.block for slot in slots}
    return archive.earlier(blocks, facts, lambda pmids: _slot_holders(store, pmids))


def _institution_note(slots: list[AuthorSlot]) -> str:
    found, merged = merged_variants(i for slot in slots for i in slot.institutions)
    return f"institutions: {found:,} ({merged:,} written variants merged into them)"


_NOTE_COUNTS = (
    "collective-name authors skipped",
    "author slots without a name skipped",
    "invalid author entries (ValidYN=N) skipped",
    "invalid ORCIDs ignored",
    "deleted PMIDs not in this file (the store is not changed)",
)


# --- reading -------------------------------------------------------------------------------


@dataclass
class Paper:
    """The facts of one citation the load keeps."""

    pmid: str
    title: str
    journal: str
    year: int
    mesh_terms: list[str]
    authors: list[AuthorSlot]
    line: int


def _read_papers(path: Path, this_year: int) -> tuple[list[Paper], Counter]:
    """Every kept paper, in file order (a re-listed PMID at its last place), and the counts."""
    papers: dict[str, Paper] = {}
    deleted: set[str] = set()
    counts: Counter = Counter()
    for element, line in _records(path):
        if element.tag == "DeleteCitation":
            deleted.update(t.strip() for t in element.itertext() if t.strip())
            continue
        counts["records"] += 1
        if element.tag == "PubmedBookArticle":  # a book chapter: no journal article to load
            counts["book record (no MedlineCitation)"] += 1
            continue
        paper = _paper(element, line, this_year, counts)
        if paper is not None:
            if papers.pop(paper.pmid, None) is not None:
                counts["superseded by a later record of the same PMID"] += 1
            papers[paper.pmid] = paper
    if deleted:
        counts["deleted citation"] += len(deleted)
    for pmid in deleted:
        if papers.pop(pmid, None) is None:
            counts["deleted PMIDs not in this file (the store is not changed)"] += 1
    return list(papers.values()), counts


def _records(path: Path) -> Iterator[tuple[ET.Element, int]]:
    """Each ``MedlineCitation`` (with its start line), ``DeleteCitation`` and
    ``PubmedBookArticle``, streamed; each is cleared once the caller has read it."""
    parser: ET.XMLPullParser[ET.Element] = ET.XMLPullParser(events=("end",))
    starts = _StartLines(b"<MedlineCitation")
    root_tag, records = None, 0
    try:
        with _open(path) as stream:
            for chunk in _feeds(_chunks(stream, path), path):
                starts.scan(chunk)
                parser.feed(chunk)
                element: ET.Element | None = None
                for _end, element in _ended(parser):
                    tag = element.tag
                    if tag not in _CLEARED:  # nearly every element: one look-up, then the next
                        continue
                    if tag == "MedlineCitation":
                        records += 1
                        yield element, starts.next(records)
                    elif tag != "PubmedArticle":  # its citation was yielded already
                        yield element, 0
                    element.clear()
                root_tag = root_tag if element is None else element.tag
            parser.close()
            for _end, element in _ended(parser):
                root_tag = element.tag
    except ET.ParseError as error:
        line, column = error.position
        reason = str(error).split(":")[0]
        raise InputError(
            f"{path.name}: line {line}, column {column}: malformed XML ({reason}); "
            f"nothing was loaded"
        ) from None
    if root_tag not in ROOTS:
        raise InputError(
            f"{path.name}: not PubMed/MEDLINE XML (root element <{root_tag}>); "
            f"expected <PubmedArticleSet> or <MedlineCitationSet>"
        )


def _ended(parser: ET.XMLPullParser[ET.Element]) -> Iterator[tuple[str, ET.Element]]:
    """The parser's pending events: "end" events only, so always of elements.  The parser's
    own iterator, not a generator around it: a citation ends some 250 elements."""
    return cast("Iterator[tuple[str, ET.Element]]", parser.read_events())


def _feeds(chunks: Iterator[bytes], path: Path) -> Iterator[bytes]:
    """The bytes to feed the parser, joined so that each feed is at least as long as the
    input since the last record end, and no record longer than :data:`MAX_RECORD_BYTES`.

    Expat scans an unfinished token (a comment, a tag) again from its start at every feed:
    growing the feeds with it keeps a long token's cost linear instead of quadratic.
    """
    held: list[bytes] = []
    size = since_record = 0
    for chunk in chunks:
        held.append(chunk)
        size += len(chunk)
        since_record += len(chunk)
        if since_record > MAX_RECORD_BYTES:
            raise InputError(
                f"{path.name}: a record (or the text between two records) is longer than "
                f"{MAX_RECORD_BYTES >> 20} MB; the file is damaged or not PubMed XML; "
                "nothing was loaded"
            )
        if size >= since_record - size:
            feed = b"".join(held)
            held, size = [], 0
            since_record = _after_last_record_end(feed, since_record)
            yield feed
    if held:
        yield b"".join(held)


def _after_last_record_end(feed: bytes, since_record: int) -> int:
    """Bytes since the last record's end tag, if one lies in ``feed`` (else unchanged)."""
    end = max(feed.rfind(tag) for tag in _END_TAGS)
    return since_record if end < 0 else len(feed) - end


def _open(path: Path) -> IO[bytes]:
    """The file, gunzipped when it starts with the gzip magic bytes."""
    try:
        with path.open("rb") as probe:
            magic = probe.read(2)
        return cast(IO[bytes], gzip.open(path, "rb")) if magic == _GZIP_MAGIC else path.open("rb")
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a PubMed XML file") from None
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None


def _chunks(stream: IO[bytes], path: Path) -> Iterator[bytes]:
    while True:
        try:
            chunk = stream.read(CHUNK_BYTES)
        except (EOFError, zlib.error, gzip.BadGzipFile) as error:
            raise InputError(
                f"{path.name}: damaged gzip: the data is corrupt or truncated ({error}); "
                "nothing was loaded"
            ) from None
        if not chunk:
            return
        yield chunk


class _StartLines:
    """Line numbers of an opening tag, found in the raw bytes as they are fed to the parser.

    The parser reports no positions for elements; the n-th ``<MedlineCitation`` in the bytes
    is the n-th ``MedlineCitation`` element, so counting newlines before each gives its line.
    """

    def __init__(self, tag: bytes):
        self.pattern = re.compile(re.escape(tag) + rb"[\s>/]")
        self.keep = len(tag)  # a tag cut by a chunk end is completed by the next chunk
        self.tail, self.tail_line = b"", 1
        self.lines: deque[int] = deque()

    def scan(self, chunk: bytes) -> None:
        data, line, position = self.tail + chunk, self.tail_line, 0
        for match in self.pattern.finditer(data):
            line += data.count(b"\n", position, match.start())
            position = match.start()
            self.lines.append(line)
        # a match needs len(tag) + 1 bytes, so none starts in the kept tail: never counted twice
        cut = max(len(data) - self.keep, position)
        self.tail_line = line + data.count(b"\n", position, cut)
        self.tail = data[cut:]

    def next(self, record: int) -> int:
        """The start line of the next record (its record number if the bytes said otherwise)."""
        return self.lines.popleft() if self.lines else record


# --- one citation --------------------------------------------------------------------------
# Children are walked directly rather than found by path: ElementPath costs several times
# more, and a baseline file holds 30,000 citations of ~100 elements each.


def _paper(citation: ET.Element, line: int, this_year: int, counts: Counter) -> Paper | None:
    """The paper of one ``MedlineCitation``, or ``None`` (counted) when it cannot be used."""
    parts = _children(citation)
    pmid, article = _leaf(parts.get("PMID")), parts.get("Article")
    if not pmid or article is None:
        counts["no PMID or no Article"] += 1
        return None
    fields = _children(article)
    title = _text(fields.get("ArticleTitle")) or _text(fields.get("VernacularTitle"))
    if not title:
        counts["no title"] += 1
        return None
    year = _year(parts, fields, this_year)
    if not isinstance(year, int):
        counts[year] += 1
        return None
    journal = fields.get("Journal")
    journal_title = _leaf(journal.find("Title")) if journal is not None else ""
    if not journal_title and "MedlineJournalInfo" in parts:
        journal_title = _leaf(parts["MedlineJournalInfo"].find("MedlineTA"))
    authors = list(_authors(pmid, fields, year, line, counts))
    return Paper(
        pmid, title, journal_title, year, _mesh(parts.get("MeshHeadingList")), authors, line
    )


def _children(element: ET.Element) -> dict[str, ET.Element]:
    """Child elements by tag (the first of each tag)."""
    found: dict[str, ET.Element] = {}
    for child in element:
        found.setdefault(child.tag, child)
    return found


def _leaf(element: ET.Element | None) -> str:
    """The text of an element without markup inside, spaces collapsed."""
    if element is None or not element.text:
        return _text(element) if element is not None and len(element) else ""
    return " ".join(element.text.split()) if len(element) == 0 else _text(element)


def _text(element: ET.Element | None) -> str:
    """All text of an element, nested markup (``<i>``, ``<sup>``) included, spaces collapsed."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())


def _mesh(headings: ET.Element | None) -> list[str]:
    """MeSH descriptor names (a ``;`` inside one would split it in the list column: made ``,``)."""
    if headings is None:
        return []
    names = (_leaf(heading.find("DescriptorName")) for heading in headings)
    return [name.replace(";", ",") for name in names if name]


_YEAR = re.compile(r"\b(1[89]\d\d|2\d\d\d)\b")


def _year(
    citation: dict[str, ET.Element], article: dict[str, ET.Element], this_year: int
) -> int | str:
    """The publication year, or the reason there is none usable."""
    journal = article.get("Journal")
    pub = journal.find("JournalIssue/PubDate") if journal is not None else None
    candidates = [
        _leaf(pub.find("Year")) if pub is not None else "",
        _first_year(_leaf(pub.find("MedlineDate")) if pub is not None else ""),
        _year_of(article.get("ArticleDate")),
        _year_of(citation.get("DateCompleted")),
    ]
    years = [int(y) for y in candidates if len(y) == 4 and y.isdigit()]
    if not years:
        return "no usable year"
    usable = [y for y in years if 1900 <= y <= this_year]
    if not usable:
        return "year in the future" if any(y > this_year for y in years) else "year before 1900"
    return usable[0]


def _year_of(date_element: ET.Element | None) -> str:
    return _leaf(date_element.find("Year")) if date_element is not None else ""


def _first_year(medline_date: str) -> str:
    match = _YEAR.search(medline_date)
    return match.group(1) if match else ""


def _authors(
    pmid: str, article: dict[str, ET.Element], year: int, line: int, counts: Counter
) -> Iterator[AuthorSlot]:
    """The person authors of a paper, positions counted over the whole byline."""
    author_list = article.get("AuthorList")
    if author_list is None:
        return
    # old records: one affiliation for the article, which MEDLINE gave for the first author
    article_affiliation = _text(article.get("Affiliation"))
    position = 0
    for author in author_list:
        if author.tag != "Author":
            continue
        if author.get("ValidYN", "Y") == "N":
            counts["invalid author entries (ValidYN=N) skipped"] += 1
            continue
        position += 1
        slot = _slot(pmid, position, author, year, line, counts)
        if slot is None:
            continue
        if position == 1 and article_affiliation and not slot.institutions:
            slot = replace(
                slot,
                institutions=parse_affiliation(article_affiliation),
                emails=emails_in(article_affiliation),
            )
        yield slot


def _slot(
    pmid: str, position: int, author: ET.Element, year: int, line: int, counts: Counter
) -> AuthorSlot | None:
    """One person author, or ``None`` (counted) for a group or a slot without a name."""
    last = fore = initials = ""
    orcids, affiliations, collective = [], [], False
    for field in author:
        tag = field.tag
        if tag == "LastName":
            last = _leaf(field)
        elif tag in ("ForeName", "FirstName"):
            fore = fore or _leaf(field)
        elif tag == "Initials":
            initials = _leaf(field)
        elif tag == "Identifier" and field.get("Source") == "ORCID":
            orcids.append(field.text or "")
        elif tag == "AffiliationInfo":
            affiliations += [_text(a) for a in field if a.tag == "Affiliation"]
        elif tag == "Affiliation":
            affiliations.append(_text(field))
        elif tag == "CollectiveName":
            collective = True
    if not last:
        counts[
            "collective-name authors skipped"
            if collective
            else "author slots without a name skipped"
        ] += 1
        return None
    if not (fore or initials):
        counts["author slots without a name skipped"] += 1
        return None
    orcid = next(filter(None, map(normalise_orcid, orcids)), "")
    if orcids and not orcid:
        counts["invalid ORCIDs ignored"] += 1
    mark = "".join(c for c in initials if c.isalpha()) + fold(last)[:1].upper()
    institutions = tuple(i for text in affiliations if text for i in _institutions_of(text, mark))
    emails = tuple(dict.fromkeys(e for text in affiliations for e in emails_in(text)))
    return AuthorSlot(
        pmid,
        position,
        last,
        fore,
        initials,
        orcid,
        tuple(dict.fromkeys(institutions)),
        year,
        line,
        emails,
    )


@lru_cache(maxsize=65536)  # one affiliation is often written for many authors of a paper
def _institutions_of(affiliation: str, mark: str) -> tuple[Institution, ...]:
    """The institutions of one author; of a joint affiliation, only the parts marked for them."""
    marked = author_marked_parts(affiliation)
    if not marked:
        return parse_affiliation(affiliation)
    return tuple(i for chunk, marks in marked if mark in marks for i in parse_affiliation(chunk))


# --- tables --------------------------------------------------------------------------------


def _slot_holders(store, pmids: Sequence[str]) -> dict[tuple[str, int], str]:
    """Who the store says holds each author slot of these papers ({} without a store)."""
    if store is None or not hasattr(store, "slot_holders"):
        return {}
    return store.slot_holders(sorted(pmids))


def _raw_bundle(source: str, papers: list[Paper], resolution: authorship.Resolution) -> RawBundle:
    """The file's tables: its papers, and the persons holding its author slots (a person's
    papers loaded before count for the name and place of the HCP, and for the first year of
    an institution the file names)."""
    tables = {
        "publications": _publications(papers),
        "hcps": _hcps(resolution),
        "institutions": _institutions(resolution),
        "affiliations": _affiliations(resolution),
        "authorships": _authorships(resolution),
    }
    return RawBundle(
        {name: RawTable(name, frame, lines, source) for name, (frame, lines) in tables.items()}
    )


def _frame(rows: list[dict], columns: list[str]) -> tuple[pd.DataFrame, np.ndarray]:
    """String cells of ``columns``, and the ``line`` of each row."""
    frame = pd.DataFrame(rows, columns=[*columns, "line"], dtype=object)
    lines = frame.pop("line").to_numpy(dtype=np.int64)
    return frame.fillna("").astype(str), lines


def _publications(papers: list[Paper]) -> tuple[pd.DataFrame, np.ndarray]:
    rows = [
        {
            "pmid": p.pmid,
            "title": p.title,
            "journal": p.journal,
            "year": str(p.year),
            "mesh_terms": "; ".join(p.mesh_terms),
            "line": p.line,
        }
        for p in papers
    ]
    return _frame(rows, ["pmid", "title", "journal", "year", "mesh_terms"])


def _hcps(resolution: authorship.Resolution) -> tuple[pd.DataFrame, np.ndarray]:
    slots, own = resolution.slots, resolution.own
    rows = []
    for person in resolution.persons:
        row: dict[str, object] = {**authorship.hcp_row(person, slots)}
        row["line"] = min(slots[i].line for i in person.slots if i < own)
        rows.append(row)
    columns = ["hcp_id", "first_name", "last_name", "city", "state", "postal_code", "country"]
    return _frame(rows, [*columns, "orcid"])


def _institutions(resolution: authorship.Resolution) -> tuple[pd.DataFrame, np.ndarray]:
    """One row per institution id the file names: the name written most often, the first
    place given."""
    names: dict[str, Counter] = {}
    first: dict[str, tuple[Institution, int]] = {}
    for slot in resolution.slots[: resolution.own]:
        for inst in slot.institutions:
            names.setdefault(inst.institution_id, Counter())[inst.name] += 1
            seen = first.get(inst.institution_id)
            if seen is None or (not seen[0].city and inst.city):
                first[inst.institution_id] = (inst, seen[1] if seen else slot.line)
    rows = [
        {
            "institution_id": key,
            "name": names[key].most_common(1)[0][0],
            "type": inst.type,
            "city": inst.city,
            "state": inst.state,
            "country": inst.country,
            "line": line,
        }
        for key, (inst, line) in first.items()
    ]
    return _frame(rows, ["institution_id", "name", "type", "city", "state", "country"])


def _affiliations(resolution: authorship.Resolution) -> tuple[pd.DataFrame, np.ndarray]:
    """Each person's institutions the file names, from the first year any paper of theirs
    named it (the line: the file's first slot naming it)."""
    slots, own = resolution.slots, resolution.own
    rows = []
    for person in resolution.persons:
        named = {
            inst.institution_id: slots[i].line
            for i in reversed(person.slots)
            if i < own
            for inst in slots[i].institutions
        }
        rows += [
            {
                "hcp_id": person.hcp_id,
                "institution_id": inst.institution_id,
                "start_year": str(year) if year else "",
                "end_year": "",
                "line": named[inst.institution_id],
            }
            for inst, year, _line in authorship.person_institutions(person, slots)
            if inst.institution_id in named
        ]
    return _frame(rows, ["hcp_id", "institution_id", "start_year", "end_year"])


def _authorships(resolution: authorship.Resolution) -> tuple[pd.DataFrame, np.ndarray]:
    """(pmid, hcp_id, position); a person listed twice on one paper keeps the first position."""
    seen, rows = set(), []
    for slot, hcp_id in zip(resolution.slots, resolution.slot_hcp):
        if (slot.pmid, hcp_id) not in seen:
            seen.add((slot.pmid, hcp_id))
            rows.append(
                {
                    "pmid": slot.pmid,
                    "hcp_id": hcp_id,
                    "position": str(slot.position),
                    "line": slot.line,
                }
            )
    return _frame(rows, ["pmid", "hcp_id", "position"])
