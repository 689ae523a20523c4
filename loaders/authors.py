"""Author disambiguation: an author is a person, not a string.

Every author slot of a publication (one ``<Author>`` of one paper) is resolved to a person
(an HCP id) in three steps:

1. **ORCID** (confidence 1.0): slots with the same ORCID are one person, whatever the spelling.
   ORCIDs are normalised (``https://orcid.org/`` prefix, lower-case ``x``) and checked with
   their ISO 7064 check digit; an invalid one is ignored.  Two different ORCIDs never merge.
2. **Name + evidence** (:mod:`kolgraph.loaders.linkage`): within a block (same folded last
   name and first initial), a logistic regression trained on labelled MEDLINE pairs weighs
   what two slots share (first names, middle initials, how common the name is, institution,
   city, country, e-mail, co-authors by full name, MeSH, title words, journal, year gap), and
   average-linkage clustering merges them under hard constraints: two ORCIDs, two slots of
   one paper, incompatible full first names (``Smith John`` / ``Smith Jane``) or initials
   (``JA`` / ``JB``) are never one person.  Confidence: the probability of the weakest merge.
3. **What is left** stays apart: a person seen once, with no ORCID, has confidence 0.6
   ("name only"); same-name persons not merged are counted as *ambiguous*.

See ``docs/identity.md`` for the evidence, the weights and the measured precision / recall.

The author slots the store already holds (papers loaded before: those of earlier files
sharing a name block, from :mod:`kolgraph.loaders.author_archive`, and the file's own on a
reload) stay with the HCPs holding them, which are never made one here; a new slot joins one
of them when the evidence says so, and takes its id.  Persons are not linked here to
HCPs other sources made: after the load, the store does that for every source alike
(:mod:`kolgraph.cross_source`), so the order of loads does not matter.

HCP ids are deterministic: ``ORCID-<orcid>``, else ``PM-<last name>-<initials>-<pmid>-<position>``
of the person's first slot (lowest PMID, then position), so loading a file twice, or two files
holding the same paper, gives the same ids.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, cast

import pandas as pd

from kolgraph.loaders import linkage
from kolgraph.loaders.institutions import Institution, fold

if TYPE_CHECKING:
    from kolgraph.loaders.author_archive import Earlier

#: Confidence of each way of resolving an author slot to a person.
CONFIDENCE = {
    "orcid": 1.0,
    "name": 0.6,
}
#: How the identity evidence introduces the weakest model merge of a person.
WEAKEST_MERGE = "weakest merge: "
IDENTITY_COLUMNS = (
    "hcp_id",
    "source",
    "source_ref",
    "name_as_written",
    "method",
    "confidence",
    "evidence",
    "split_pmids",
)

_ORCID = re.compile(r"(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")


@dataclass(frozen=True)
class AuthorSlot:
    """One author of one paper, as written."""

    pmid: str
    position: int
    last_name: str
    fore_name: str
    initials: str
    orcid: str = ""  # normalised; "" when absent or invalid
    institutions: tuple[Institution, ...] = ()
    year: int = 0
    line: int = 0
    emails: tuple[str, ...] = ()  # e-mail addresses written in the slot's affiliations

    # Properties over cached functions, not cached_property: caching on the instance gives
    # every slot a dictionary of its own (some 750 bytes; 60 MB for a baseline file's 79,000).

    @property
    def block(self) -> tuple[str, str]:
        """Last name and first initial: slots of different blocks are never one person by name."""
        return (block_surname(self.last_name), self.first_initial)

    @property
    def first_initial(self) -> str:
        source = self.initials or fold(self.fore_name)
        return source[:1].lower()

    @property
    def given_name(self) -> str:
        """The full first name, folded, or "" when only initials are written."""
        return given_name(self.fore_name)

    @property
    def written(self) -> str:
        return f"{self.last_name}, {self.fore_name or self.initials}"


@lru_cache(maxsize=65536)
def block_surname(last_name: str) -> str:
    """The folded last name without spaces, German umlaut spellings made one
    (``Schüttler`` = ``Schuettler`` = ``Schuttler``).

    >>> block_surname("Schuettler"), block_surname("Schüttler"), block_surname("van der Berg")
    ('schuttler', 'schuttler', 'vanderberg')
    """
    return _UMLAUT_SPELLING.sub(r"\1", fold(last_name).replace(" ", ""))


_UMLAUT_SPELLING = re.compile(r"([aou])e")


@lru_cache(maxsize=65536)
def given_name(fore_name: str) -> str:
    """The first word of a fore name, folded, unless it is an initial (``J``, ``JA``, ``J.``)."""
    words = fore_name.replace(".", " ").split()
    if not words:
        return ""
    first = words[0]
    if (len(first) <= 2 and first.isupper()) or all(len(p) <= 1 for p in first.split("-")):
        return ""  # initials: "J", "JA", "J-L"
    return fold(first).replace(" ", "")  # "Zi-bo" = "Zibo"


def normalise_orcid(text: str | None) -> str:
    """``0000-0002-1825-0097`` from any written form, or "" when it is not a valid ORCID.

    >>> normalise_orcid("https://orcid.org/0000-0002-1825-0097")
    '0000-0002-1825-0097'
    >>> normalise_orcid("0000-0002-1825-0098")  # wrong check digit
    ''
    """
    match = _ORCID.search((text or "").strip().upper())
    if not match:
        return ""
    digits = "".join(match.groups())
    if _orcid_check_digit(digits[:15]) != digits[15]:
        return ""
    return "-".join(match.groups())


def _orcid_check_digit(base: str) -> str:
    """ISO 7064 MOD 11-2, as ORCID specifies it."""
    total = 0
    for digit in base:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


# --- clusters ------------------------------------------------------------------------------


@dataclass
class _Cluster:
    """What a union-find root knows about its slots."""

    slots: list[int]
    orcid: str
    pmids: set[str]
    names: set[str]  # full first names written
    initials: set[str]
    methods: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)
    weakest: float = 1.0  # probability of the weakest model merge inside the cluster
    #: the PMIDs a split at that merge would take off (its smaller side), and its evidence
    weak_side: tuple[str, ...] = ()
    weak_link: str = ""
    held: str = ""  # the stored HCP holding the cluster's slots of papers loaded before


class _Clusters:
    """Union-find over author slots that refuses merges two persons could not share."""

    def __init__(self, slots: Sequence[AuthorSlot]):
        self.slots = slots
        self.parent = list(range(len(slots)))
        self._data: dict[int, _Cluster] = {}  # made on first use: most persons are one slot

    def get(self, root: int) -> _Cluster:
        """The cluster data of a root."""
        cluster = self._data.get(root)
        if cluster is None:
            s = self.slots[root]
            cluster = _Cluster(
                [root], s.orcid, {s.pmid}, {s.given_name} - {""}, {_letters(s.initials)} - {""}
            )
            self._data[root] = cluster
        return cluster

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def can_merge(self, a: int, b: int) -> bool:
        """Whether roots ``a`` and ``b`` may be one person (ORCIDs, papers and names agree)."""
        x, y = self.get(a), self.get(b)
        if x.orcid and y.orcid and x.orcid != y.orcid:
            return False
        if x.held and y.held and x.held != y.held:  # earlier loads kept them apart
            return False
        if x.pmids & y.pmids:
            return False
        if not all(linkage.names_compatible(p, q) for p in x.names for q in y.names):
            return False
        return all(p.startswith(q) or q.startswith(p) for p in x.initials for q in y.initials)

    def members(self, root: int) -> list[int]:
        """The slots of a root's cluster."""
        return self.get(root).slots

    def merge(
        self,
        a: int,
        b: int,
        method: str,
        evidence: str = "",
        force: bool = False,
        probability: float = 1.0,
    ) -> bool:
        """Merge the clusters of slots ``a`` and ``b``; False when refused or already one."""
        a, b = self.find(a), self.find(b)
        if a == b or not (force or self.can_merge(a, b)):
            return False
        if len(self.get(a).slots) < len(self.get(b).slots):
            a, b = b, a
        self.parent[b] = a
        x, y = self.get(a), self._data.pop(b)
        _keep_weakest_merge(x, y, probability, evidence)
        x.slots += y.slots
        x.orcid = x.orcid or y.orcid
        x.held = x.held or y.held
        x.pmids |= y.pmids
        x.names |= y.names
        x.initials |= y.initials
        x.methods |= y.methods | ({method} - {""})
        x.evidence += y.evidence + ([evidence] if evidence else [])
        return True

    def roots(self) -> list[int]:
        return [i for i, parent in enumerate(self.parent) if parent == i]


def _keep_weakest_merge(x: _Cluster, y: _Cluster, probability: float, evidence: str) -> None:
    """Make ``x`` (the larger cluster, about to take ``y``) remember the weakest model merge
    of the two and of this one: what a steward doubting the person would undo first."""
    weaker = y if y.weakest < x.weakest else x
    if probability < weaker.weakest:
        x.weak_side = tuple(sorted(y.pmids, key=_pmid_order))
        x.weak_link = evidence
        x.weakest = probability
    else:
        x.weak_side, x.weak_link, x.weakest = weaker.weak_side, weaker.weak_link, weaker.weakest


@lru_cache(maxsize=4096)
def _letters(initials: str) -> str:
    return "".join(c for c in initials.upper() if c.isalpha())


# --- resolution ----------------------------------------------------------------------------


@dataclass
class Person:
    """One resolved person: the slots that are them, and why."""

    hcp_id: str
    slots: list[int]
    orcid: str
    methods: set[str]
    confidence: float
    evidence: list[str]
    #: the PMIDs a split at the weakest model merge would take off, and that merge's evidence
    weak_side: tuple[str, ...] = ()
    weak_link: str = ""


@dataclass
class Resolution:
    """Author slots resolved to persons: a file's slots, and the persons they are."""

    slot_hcp: list[str]  # hcp_id of each of the file's slots
    persons: list[Person]  # those holding a slot of the file
    counts: Counter
    unweighed: tuple[str, ...] = ()  # features the linkage model file gave no weight
    #: every slot compared: the file's, then those of papers loaded before (``earlier``);
    #: a person's ``slots`` index this list
    slots: Sequence[AuthorSlot] = ()

    @property
    def own(self) -> int:
        """How many of :attr:`slots` are the file's."""
        return len(self.slot_hcp)

    def notes(self) -> list[str]:
        """One-line facts for the load summary."""
        c = self.counts
        notes = [
            f"author slots: {c['slots']:,} -> {len(self.persons):,} persons",
            f"merged by ORCID: {c['merged by orcid']:,} slots "
            f"({c['orcid persons']:,} persons with an ORCID)",
            f"merged by name+evidence (linkage model): {c['merged by name+evidence']:,} slots",
            f"ambiguous: {c['ambiguous']:,} persons share a name with another person "
            f"and no evidence (kept apart)",
            f"persons of papers loaded before: {c['kept stored ids']:,} took the stored id "
            "of their papers' author slots",
        ]
        if c["earlier slots"]:
            notes.append(
                f"compared with papers loaded before: {c['earlier slots']:,} author slots "
                f"sharing a name block; {c['joined earlier']:,} persons of this file are "
                "persons of those papers"
            )
        if self.unweighed:
            weighed_0 = ", ".join(self.unweighed)
            notes.append(
                f"linkage model: no weight for {weighed_0} (weighed 0: an older model file)"
            )
        return notes


def resolve_authors(
    slots: Sequence[AuthorSlot],
    *,
    held: Mapping[tuple[str, int], str] | None = None,
    papers: Mapping[str, tuple] | None = None,
    settings: linkage.LinkageSettings | None = None,
    earlier: Earlier | None = None,
) -> Resolution:
    """Resolve every author slot to a person.

    ``held``: (pmid, position) -> the stored HCP already holding that slot (a person keeps
    that id); ``papers`` gives each PMID's (journal, MeSH terms, title) as evidence;
    ``settings`` is the linkage model (the shipped one by default); ``earlier``: the slots of
    papers loaded before that share a name block with ``slots``
    (:mod:`kolgraph.loaders.author_archive`).  Every slot the store holds (``earlier``'s, and
    the file's own on a reload) stays with the person holding it, two stored persons are
    never made one here, and a slot new to the store may join one: loading a file again
    changes no one, and a new paper joins the person it belongs to.
    """
    settings = settings or linkage.default_settings()
    own = len(slots)
    everyone = [*slots, *earlier.slots] if earlier else list(slots)
    facts = {**(earlier.papers if earlier else {}), **(papers or {})}
    clusters = _Clusters(everyone)
    counts = Counter(slots=own)
    held = dict(held or {})
    if earlier:
        counts["earlier slots"] = len(earlier)
        held.update(((s.pmid, s.position), h) for s, h in zip(earlier.slots, earlier.holders))
    _hold_stored(clusters, everyone, held)
    counts["merged by orcid"] = _merge_orcids(everyone, clusters)
    blocks = _blocks(everyone)
    bylines = (
        {pmid: (earlier.coauthors[pmid], earlier.places[pmid]) for pmid in earlier.papers}
        if earlier
        else None
    )
    counts["merged by name+evidence"] = _link_blocks(
        everyone, blocks, clusters, facts, settings, bylines
    )
    roots = [root for root in clusters.roots() if _holds_own(clusters, root, own)]
    persons = [_person(clusters, root, everyone) for root in roots]
    counts["orcid persons"] = sum(1 for p in persons if p.orcid)
    counts["joined earlier"] = sum(1 for p in persons if p.slots[-1] >= own)
    counts["ambiguous"] = _ambiguous(
        {block: [i for i in members if i < own] for block, members in blocks.items()}, clusters
    )
    if held:
        counts["kept stored ids"] = _keep_stored_ids(persons, everyone, held)
    slot_hcp = [""] * own
    for person in persons:
        for i in person.slots:
            if i < own:
                slot_hcp[i] = person.hcp_id
    return Resolution(slot_hcp, persons, counts, settings.unweighed, everyone)


def _hold_stored(
    clusters: _Clusters, slots: Sequence[AuthorSlot], held: Mapping[tuple[str, int], str]
) -> None:
    """Make the slots the store holds the persons holding them."""
    first: dict[str, int] = {}
    for i, slot in enumerate(slots):
        hcp_id = held.get((slot.pmid, slot.position))
        if hcp_id is None:
            continue
        clusters.get(i).held = hcp_id
        if hcp_id in first:
            clusters.merge(first[hcp_id], i, "", force=True)
        else:
            first[hcp_id] = i


def _holds_own(clusters: _Clusters, root: int, own: int) -> bool:
    """Whether a cluster holds a slot of the file (the first ``own`` slots)."""
    data = clusters._data.get(root)
    return root < own if data is None else any(i < own for i in data.slots)


def _keep_stored_ids(
    persons: list[Person], slots: Sequence[AuthorSlot], held: Mapping[tuple[str, int], str]
) -> int:
    """Give each person the id of the stored HCP that holds most of its author slots (then
    the smallest id), each stored id to one person, largest persons first: a later file
    re-resolving papers loaded before (a new paper can move a person's anchor) keeps their
    ids, an id a cross-source link gave them included.  Returns how many ids changed."""
    claimed: set[str] = set()
    changed = 0
    for person in sorted(persons, key=lambda p: (-len(p.slots), p.hcp_id)):
        votes = Counter(
            held[key]
            for key in ((slots[i].pmid, slots[i].position) for i in person.slots)
            if key in held
        )
        ranked = sorted(votes.items(), key=lambda vote: (-vote[1], vote[0]))
        best = next((hcp_id for hcp_id, _n in ranked if hcp_id not in claimed), None)
        if best is None:
            continue
        claimed.add(best)
        if best != person.hcp_id:
            person.hcp_id = best
            changed += 1
    return changed


def _merge_orcids(slots: Sequence[AuthorSlot], clusters: _Clusters) -> int:
    first: dict[str, int] = {}
    merged = 0
    for i, slot in enumerate(slots):
        if slot.orcid:
            if slot.orcid in first:
                # same ORCID, whatever the spelling: one person (even on one paper, a data error)
                merged += clusters.merge(first[slot.orcid], i, "orcid", force=True)
            else:
                first[slot.orcid] = i
                clusters.get(i).methods.add("orcid")
    return merged


def _blocks(slots: Sequence[AuthorSlot]) -> dict[tuple[str, str], list[int]]:
    blocks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, slot in enumerate(slots):
        blocks[slot.block].append(i)
    return blocks


def _link_blocks(
    slots: Sequence[AuthorSlot],
    blocks: dict[tuple[str, str], list[int]],
    clusters: _Clusters,
    papers: Mapping[str, tuple],
    settings: linkage.LinkageSettings,
    bylines: Mapping[str, tuple] | None = None,
) -> int:
    """Cluster each block of two or more slots with the linkage model; the merges made."""
    shared = [members for members in blocks.values() if len(members) > 1]
    if not shared:
        return 0
    needed = [i for members in shared for i in members]
    # every slot of a shared block is needed, so the profiles scored here are never None
    profiles = cast(
        "list[linkage.Profile]",
        linkage.profiles(slots, papers, settings, given_name, _letters, needed, bylines),
    )

    def order(i: int) -> tuple:
        return (_pmid_order(slots[i].pmid), slots[i].position)

    def score(i: int, j: int) -> float:
        return linkage.pair_score(profiles[i], profiles[j], settings)

    def describe(i: int, j: int) -> str:
        return linkage.explain(profiles[i], profiles[j])

    merged = 0
    for members in shared:
        scored = linkage.block_scores(members, profiles, settings)
        merged += linkage.agglomerate(scored, clusters, settings.threshold, order, score, describe)
    return merged


def _ambiguous(blocks: dict[tuple[str, str], list[int]], clusters: _Clusters) -> int:
    """Persons sharing a compatible name with another person of the block, not told apart by
    ORCID: the load kept them apart for want of evidence."""
    ambiguous = 0
    for members in blocks.values():
        roots = list(dict.fromkeys(clusters.find(i) for i in members))
        for root in roots:
            others = (r for r in roots if r != root)
            if any(_same_name(clusters, root, r) for r in others):
                ambiguous += 1
    return ambiguous


def _same_name(clusters: _Clusters, a: int, b: int) -> bool:
    x, y = clusters.get(a), clusters.get(b)
    if x.orcid and y.orcid:
        return False
    if x.names and y.names and not x.names & y.names:
        return False
    return all(p.startswith(q) or q.startswith(p) for p in x.initials for q in y.initials)


def _person(clusters: _Clusters, root: int, slots: Sequence[AuthorSlot]) -> Person:
    cluster = clusters._data.get(root)
    if cluster is None:  # one slot, never compared: the common case, kept cheap
        slot = slots[root]
        method = "orcid" if slot.orcid else "name"
        initials = _letters(slot.initials) or slot.first_initial.upper() or "X"
        return Person(
            _hcp_id(slot.orcid, slot, initials),
            [root],
            slot.orcid,
            {method},
            CONFIDENCE[method],
            [],
        )
    methods = set(cluster.methods) or {"name"}
    if cluster.orcid:
        methods.add("orcid")
    confidence = min(CONFIDENCE.get(m, cluster.weakest) for m in methods)
    anchor = slots[
        min(cluster.slots, key=lambda i: (_pmid_order(slots[i].pmid), slots[i].position))
    ]
    initials = max(cluster.initials, key=len, default="") or anchor.first_initial.upper() or "X"
    return Person(
        _hcp_id(cluster.orcid, anchor, initials),
        sorted(cluster.slots),
        cluster.orcid,
        methods,
        confidence,
        list(cluster.evidence),
        cluster.weak_side,
        cluster.weak_link,
    )


def _pmid_order(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (0, pmid)


def _hcp_id(orcid: str, anchor: AuthorSlot, initials: str) -> str:
    if orcid:
        return f"ORCID-{orcid}"
    last = fold(anchor.last_name).replace(" ", "-") or "x"
    return f"PM-{last}-{initials}-{anchor.pmid}-{anchor.position}"


# --- outputs -------------------------------------------------------------------------------


def identities(resolution: Resolution, slots: Sequence[AuthorSlot]) -> pd.DataFrame:
    """One row per person: the evidence behind the identity (``SourceRead.identities``)."""
    rows = []
    for person in resolution.persons:
        if len(person.slots) == 1 and not person.evidence:
            rows.append(_single_identity(person, slots[person.slots[0]]))
            continue
        mine = [slots[i] for i in person.slots]
        pmids = sorted({s.pmid for s in mine}, key=_pmid_order)
        years = sorted({s.year for s in mine if s.year})
        written = list(dict.fromkeys(s.written for s in mine))
        evidence = [f"ORCID {person.orcid}"] if person.orcid else []
        evidence.append(
            f"{len(pmids)} paper(s)" + (f" {_span(years[0], years[-1])}" if years else "")
        )
        places = list(dict.fromkeys(i.name for s in mine for i in s.institutions))
        if places:
            evidence.append("institutions: " + "; ".join(places[:5]))
        if person.weak_link:
            evidence.append(f"{WEAKEST_MERGE}{person.weak_link}")
        evidence += [e for e in dict.fromkeys(person.evidence) if e != person.weak_link][:10]
        rows.append(
            (
                person.hcp_id,
                "pubmed",
                ";".join(pmids),
                "; ".join(written),
                "+".join(sorted(person.methods)),
                person.confidence,
                ". ".join(evidence),
                ",".join(person.weak_side) or None,
            )
        )
    return pd.DataFrame(rows, columns=list(IDENTITY_COLUMNS))


def _span(first: int, last: int) -> str:
    """A range of years, one year written once."""
    return str(first) if first == last else f"{first}-{last}"


def _single_identity(person: Person, slot: AuthorSlot) -> tuple:
    evidence = [f"ORCID {person.orcid}"] if person.orcid else []
    evidence.append(f"1 paper(s) {slot.year}" if slot.year else "1 paper(s)")
    if slot.institutions:
        evidence.append("institutions: " + "; ".join(i.name for i in slot.institutions[:5]))
    return (
        person.hcp_id,
        "pubmed",
        slot.pmid,
        slot.written,
        "+".join(sorted(person.methods)),
        person.confidence,
        ". ".join(evidence),
        None,
    )


def hcp_row(person: Person, slots: Sequence[AuthorSlot]) -> dict[str, str]:
    """The HCP row of a person: most written names, place of the latest affiliation."""
    if len(person.slots) == 1:
        slot = slots[person.slots[0]]
        place = next((i for i in slot.institutions if i.city or i.country), None)
        return _hcp_dict(person, slot.fore_name or slot.initials, slot.last_name, place)
    # in paper order, so ties are broken alike whichever file brought which paper
    mine = sorted((slots[i] for i in person.slots), key=lambda s: (_pmid_order(s.pmid), s.position))
    fore = Counter(s.fore_name for s in mine if s.given_name)
    first = (
        max(fore, key=lambda n: (fore[n], len(n)))
        if fore
        else max((s.fore_name or s.initials for s in mine), key=len)
    )
    last = Counter(s.last_name for s in mine).most_common(1)[0][0]
    placed = [s for s in mine if any(i.city or i.country for i in s.institutions)]
    latest = max(placed, key=lambda s: (s.year, _pmid_order(s.pmid))) if placed else None
    where = latest.institutions if latest else ()
    place = next((i for i in where if i.city or i.country), None)
    return _hcp_dict(person, first, last, place)


def _hcp_dict(person: Person, first: str, last: str, place: Institution | None) -> dict[str, str]:
    return {
        "hcp_id": person.hcp_id,
        "first_name": first,
        "last_name": last,
        "city": place.city if place else "",
        "state": place.state if place else "",
        "postal_code": place.postal_code if place else "",
        "country": place.country if place else "",
        "orcid": person.orcid,
    }


def person_institutions(
    person: Person,
    slots: Sequence[AuthorSlot],
) -> Iterable[tuple[Institution, int, int]]:
    """(institution, first year, line of the first slot naming it) per institution of a person."""
    first: dict[str, tuple[Institution, int, int]] = {}
    for i in person.slots:
        slot = slots[i]
        for inst in slot.institutions:
            seen = first.get(inst.institution_id)
            if seen is None or (slot.year or 9999) < (seen[1] or 9999):
                first[inst.institution_id] = (inst, slot.year, seen[2] if seen else slot.line)
    return first.values()
