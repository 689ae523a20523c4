"""Author disambiguation: an author is a person, not a string.

Every author slot of a publication (one ``<Author>`` of one paper) is resolved to a person
(an HCP id) in three steps:

1. **ORCID** (confidence 1.0): slots with the same ORCID are one person, whatever the spelling.
   ORCIDs are normalised (``https://orcid.org/`` prefix, lower-case ``x``) and checked with
   their ISO 7064 check digit; an invalid one is ignored.  Two different ORCIDs never merge.
2. **Name + evidence**: slots whose names are compatible (same folded last name and first
   initial; full first names, when both are written, equal; initials one a prefix of the
   other: ``Smith J`` ~ ``Smith John`` ~ ``Smith JA``, but not ``Smith John`` ~ ``Smith Jane``)
   merge when they share an institution (from the affiliation, confidence 0.9) or a co-author
   (confidence 0.8).  Two slots of one paper are never one person.
3. **What is left** stays apart: a person seen once, with no ORCID, has confidence 0.6
   ("name only"); same-name persons with no shared evidence are counted as *ambiguous*.

Persons are then linked to HCPs already in the store, by ORCID, or by full name plus the city
(and state, when both sides have one) of an affiliation; a link must be unique.  A linked
person takes the stored ``hcp_id`` and gets no new HCP row.

HCP ids are deterministic: ``ORCID-<orcid>``, else ``PM-<last name>-<initials>-<pmid>-<position>``
of the person's first slot (lowest PMID, then position), so loading a file twice, or two files
holding the same paper, gives the same ids.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from kolgraph.loaders.institutions import Institution, fold

#: Confidence of each way of resolving an author slot to a person.
CONFIDENCE = {
    "orcid": 1.0,
    "name+affiliation": 0.9,
    "store:name+city": 0.85,
    "name+coauthor": 0.8,
    "name": 0.6,
}
#: Papers with more authors than this give no co-author evidence (consortium author lists
#: make every pair of common names "share" a co-author).
MAX_COAUTHOR_EVIDENCE = 50
IDENTITY_COLUMNS = (
    "hcp_id",
    "source",
    "source_ref",
    "name_as_written",
    "method",
    "confidence",
    "evidence",
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

    @cached_property
    def block(self) -> tuple[str, str]:
        """Last name and first initial: slots of different blocks are never one person by name."""
        return (fold(self.last_name).replace(" ", ""), self.first_initial)

    @cached_property
    def first_initial(self) -> str:
        source = self.initials or fold(self.fore_name)
        return source[:1].lower()

    @cached_property
    def given_name(self) -> str:
        """The full first name, folded, or "" when only initials are written."""
        return given_name(self.fore_name)

    @property
    def written(self) -> str:
        return f"{self.last_name}, {self.fore_name or self.initials}"


def given_name(fore_name: str) -> str:
    """The first word of a fore name, folded, unless it is an initial (``J``, ``JA``, ``J.``)."""
    words = fore_name.replace(".", " ").split()
    if not words:
        return ""
    first = words[0]
    if (len(first) <= 2 and first.isupper()) or len(first.strip("-")) == 1:
        return ""
    return fold(first)


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
        if x.pmids & y.pmids:
            return False
        if x.names and y.names and not x.names & y.names:
            return False
        return all(p.startswith(q) or q.startswith(p) for p in x.initials for q in y.initials)

    def merge(self, a: int, b: int, method: str, evidence: str = "", force: bool = False) -> bool:
        """Merge the clusters of slots ``a`` and ``b``; False when refused or already one."""
        a, b = self.find(a), self.find(b)
        if a == b or not (force or self.can_merge(a, b)):
            return False
        if len(self.get(a).slots) < len(self.get(b).slots):
            a, b = b, a
        self.parent[b] = a
        x, y = self.get(a), self._data.pop(b)
        x.slots += y.slots
        x.orcid = x.orcid or y.orcid
        x.pmids |= y.pmids
        x.names |= y.names
        x.initials |= y.initials
        x.methods |= y.methods | {method}
        x.evidence += y.evidence + ([evidence] if evidence else [])
        return True

    def roots(self) -> list[int]:
        return [i for i, parent in enumerate(self.parent) if parent == i]


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
    linked: str = ""  # "store:orcid" or "store:name+city" when the hcp_id came from the store


@dataclass
class Resolution:
    """Author slots resolved to persons."""

    slot_hcp: list[str]  # hcp_id of each slot
    persons: list[Person]
    counts: Counter

    def notes(self) -> list[str]:
        """One-line facts for the load summary."""
        c = self.counts
        return [
            f"author slots: {c['slots']:,} -> {len(self.persons):,} persons",
            f"merged by ORCID: {c['merged by orcid']:,} slots "
            f"({c['orcid persons']:,} persons with an ORCID)",
            f"merged by name+evidence: {c['merged by name+affiliation']:,} by affiliation, "
            f"{c['merged by name+coauthor']:,} by co-author",
            f"ambiguous: {c['ambiguous']:,} persons share a name with another person "
            f"and no evidence (kept apart)",
            f"linked to existing HCPs: {c['linked']:,} ({c['linked by orcid']:,} by ORCID, "
            f"{c['linked by name+city']:,} by name and city)",
        ]


def resolve_authors(
    slots: Sequence[AuthorSlot],
    stored_hcps: pd.DataFrame | None = None,
) -> Resolution:
    """Resolve every author slot to a person; ``stored_hcps`` is the store's ``hcps`` table."""
    clusters = _Clusters(slots)
    counts = Counter(slots=len(slots))
    counts["merged by orcid"] = _merge_orcids(slots, clusters)
    blocks = _blocks(slots)
    for method, tokens in (
        ("name+affiliation", _institution_tokens(slots)),
        ("name+coauthor", _coauthor_tokens(slots)),
    ):
        counts[f"merged by {method}"] = _merge_on_tokens(blocks, tokens, clusters, method, slots)
    persons = [_person(clusters, root, slots) for root in clusters.roots()]
    counts["orcid persons"] = sum(1 for p in persons if p.orcid)
    counts["ambiguous"] = _ambiguous(blocks, clusters)
    if stored_hcps is not None and len(stored_hcps):
        _link_to_store(persons, slots, stored_hcps, counts)
    slot_hcp = [""] * len(slots)
    for person in persons:
        for i in person.slots:
            slot_hcp[i] = person.hcp_id
    return Resolution(slot_hcp, persons, counts)


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


def _institution_tokens(slots: Sequence[AuthorSlot]) -> list[tuple[str, ...]]:
    return [tuple(inst.institution_id for inst in s.institutions) for s in slots]


def _coauthor_tokens(slots: Sequence[AuthorSlot]) -> list[tuple[str, ...]]:
    """Per slot, the name keys (``smith j``) of the other authors of its paper."""
    by_paper: dict[str, list[int]] = defaultdict(list)
    for i, slot in enumerate(slots):
        by_paper[slot.pmid].append(i)
    tokens: list[tuple[str, ...]] = [()] * len(slots)
    for members in by_paper.values():
        if len(members) > MAX_COAUTHOR_EVIDENCE:
            continue
        keys = [" ".join(slots[i].block) for i in members]
        for i, own in zip(members, keys):
            tokens[i] = tuple(k for k in keys if k != own)
    return tokens


def _merge_on_tokens(
    blocks: dict[tuple[str, str], list[int]],
    tokens: list[tuple[str, ...]],
    clusters: _Clusters,
    method: str,
    slots: Sequence[AuthorSlot],
) -> int:
    """Within each name block, merge slots sharing a token, when their names are compatible."""
    merged = 0
    for members in blocks.values():
        if len(members) < 2:
            continue
        sharing: dict[str, list[int]] = defaultdict(list)
        for i in members:
            for token in tokens[i]:
                sharing[token].append(i)
        for token, holders in sharing.items():
            if len(holders) > 1:
                evidence = _describe(method, token, slots, holders)
                merged += _merge_holders(holders, clusters, method, evidence)
    return merged


def _merge_holders(holders: list[int], clusters: _Clusters, method: str, evidence: str) -> int:
    """Merge each slot into the first compatible person among those already holding the token."""
    merged, seen = 0, []
    for i in holders:
        seen = list(dict.fromkeys(clusters.find(s) for s in seen))
        root = clusters.find(i)
        if root in seen:
            continue
        target = next((r for r in seen if clusters.can_merge(r, root)), None)
        if target is not None and clusters.merge(target, root, method, evidence):
            merged += 1
        else:
            seen.append(root)
    return merged


def _describe(method: str, token: str, slots: Sequence[AuthorSlot], holders: list[int]) -> str:
    if method == "name+affiliation":
        inst = next(inst for inst in slots[holders[0]].institutions if inst.institution_id == token)
        return f"shared affiliation {inst.name}"
    return f"shared co-author {token}"


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
    confidence = min(CONFIDENCE[m] for m in methods)
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
    )


def _pmid_order(pmid: str) -> tuple[int, str]:
    return (int(pmid), pmid) if pmid.isdigit() else (0, pmid)


def _hcp_id(orcid: str, anchor: AuthorSlot, initials: str) -> str:
    if orcid:
        return f"ORCID-{orcid}"
    last = fold(anchor.last_name).replace(" ", "-") or "x"
    return f"PM-{last}-{initials}-{anchor.pmid}-{anchor.position}"


# --- linking to the store ------------------------------------------------------------------


def _link_to_store(
    persons: list[Person], slots: Sequence[AuthorSlot], stored: pd.DataFrame, counts: Counter
) -> None:
    """Give persons the id of a stored HCP with their ORCID, or their full name and city."""
    stored_ids = set(stored["hcp_id"])
    by_orcid = {normalise_orcid(o): h for h, o in zip(stored["hcp_id"], stored["orcid"]) if o}
    by_orcid.pop("", None)
    by_name = _stored_by_name(stored, {fold(slots[i].last_name) for p in persons for i in p.slots})
    claimed: set[str] = set()
    for person in persons:  # ORCID links first: they are certain
        if person.hcp_id not in stored_ids and person.orcid in by_orcid:
            _link(person, by_orcid[person.orcid], "store:orcid", "same ORCID", claimed, counts)
    for person in persons:
        if person.linked or person.hcp_id in stored_ids:
            continue
        match = _name_and_city_match(person, slots, by_name, claimed)
        if match:
            _link(person, match[0], "store:name+city", match[1], claimed, counts)


def _link(
    person: Person, hcp_id: str, method: str, why: str, claimed: set[str], counts: Counter
) -> None:
    if hcp_id in claimed:
        return
    claimed.add(hcp_id)
    person.evidence.append(f"linked to stored HCP {hcp_id} ({why})")
    person.hcp_id, person.linked = hcp_id, method
    person.methods.add(method)
    person.confidence = min(person.confidence, CONFIDENCE.get(method, 1.0))
    counts["linked"] += 1
    counts["linked by orcid" if method == "store:orcid" else "linked by name+city"] += 1


def _stored_by_name(
    stored: pd.DataFrame, last_names: set[str]
) -> dict[tuple[str, str], list[dict]]:
    """Stored HCPs whose last name occurs among the authors, by (last name, first name)."""
    index: dict[tuple[str, str], list[dict]] = defaultdict(list)
    columns = [
        c
        for c in ("hcp_id", "first_name", "last_name", "city", "state", "orcid")
        if c in stored.columns
    ]
    for row in stored[columns].itertuples(index=False):
        row = row._asdict()
        last = fold(row.get("last_name") or "")
        if last in last_names:
            index[(last, given_name(row.get("first_name") or ""))].append(row)
    return index


def _name_and_city_match(
    person: Person,
    slots: Sequence[AuthorSlot],
    by_name: dict[tuple[str, str], list[dict]],
    claimed: set[str],
) -> tuple[str, str] | None:
    """The one stored HCP with the person's full name in a city of their affiliations."""
    names = {(fold(slots[i].last_name), slots[i].given_name) for i in person.slots}
    places = {
        (fold(inst.city), inst.state.upper())
        for i in person.slots
        for inst in slots[i].institutions
        if inst.city
    }
    found = {}
    for key in names:
        if not key[1]:
            continue
        for row in by_name.get(key, []):
            stored_orcid = normalise_orcid(row.get("orcid"))
            other_orcid = person.orcid and stored_orcid and stored_orcid != person.orcid
            if row["hcp_id"] in claimed or other_orcid:  # never merge two different ORCIDs
                continue
            city, state = fold(row.get("city") or ""), (row.get("state") or "").upper()
            for place_city, place_state in places:
                if city == place_city and (not state or not place_state or state == place_state):
                    found[row["hcp_id"]] = f"same name, city {row.get('city')}"
    return next(iter(found.items())) if len(found) == 1 else None


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
        evidence.append(f"{len(pmids)} paper(s)" + (f" {years[0]}-{years[-1]}" if years else ""))
        places = list(dict.fromkeys(i.name for s in mine for i in s.institutions))
        if places:
            evidence.append("institutions: " + "; ".join(places[:5]))
        evidence += list(dict.fromkeys(person.evidence))[:10]
        rows.append(
            (
                person.hcp_id,
                "pubmed",
                ";".join(pmids),
                "; ".join(written),
                "+".join(sorted(person.methods)),
                person.confidence,
                ". ".join(evidence),
            )
        )
    return pd.DataFrame(rows, columns=list(IDENTITY_COLUMNS))


def _single_identity(person: Person, slot: AuthorSlot) -> tuple:
    evidence = [f"ORCID {person.orcid}"] if person.orcid else []
    evidence.append(f"1 paper(s) {slot.year}-{slot.year}" if slot.year else "1 paper(s)")
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
    )


def hcp_row(person: Person, slots: Sequence[AuthorSlot]) -> dict[str, str]:
    """The HCP row of a person: most written names, place of the latest affiliation."""
    if len(person.slots) == 1:
        slot = slots[person.slots[0]]
        place = next((i for i in slot.institutions if i.city or i.country), None)
        return _hcp_dict(person, slot.fore_name or slot.initials, slot.last_name, place)
    mine = [slots[i] for i in person.slots]
    fore = Counter(s.fore_name for s in mine if s.given_name)
    first = (
        max(fore, key=lambda n: (fore[n], len(n)))
        if fore
        else max((s.fore_name or s.initials for s in mine), key=len)
    )
    last = Counter(s.last_name for s in mine).most_common(1)[0][0]
    placed = [s for s in mine if any(i.city or i.country for i in s.institutions)]
    where = max(placed, key=lambda s: (s.year, s.line)).institutions if placed else ()
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
