"""One person across sources: the HCPs that different sources made of one person become one.

Each source keys its HCPs in its own namespace (:data:`SOURCES`): an NPPES provider is
``NPI-<npi>``, an Open Payments physician ``OP-<profile id>``, a ClinicalTrials.gov
investigator ``CT-<name>``, a PubMed author ``ORCID-<orcid>`` or ``PM-...``; any other id is
the team's own (a bundle or CRM master data).  After every load the HCPs it wrote are compared
with the HCPs of their name block (folded last name and first initial), and two HCPs are
linked when the evidence is strong:

========================  ==========  ===============================================
method                    confidence  evidence
========================  ==========  ===============================================
same NPI                  1.0         the NPI (any two HCPs)
same ORCID                1.0         the ORCID (any two HCPs)
same e-mail               0.95        the address, in any case, names agreeing (HCPs of
                                      two sources)
same name and place       0.9         full first and last name equal, and a city or an
                                      institution in common (HCPs of two sources)
same name, state and      0.8         full names equal, the same state, and specialties
specialty                             of one field (HCPs of two sources)
========================  ==========  ===============================================

Never linked: two different NPIs or ORCIDs, first names or initials that conflict
(``Deborah`` / ``Diane``, ``J A`` / ``J B``), two different states or countries, two HCPs a
steward split apart.  A name link must also be unambiguous: an HCP with two namesakes that
cannot be one person (two persons of one source, say, both in its city) is left alone.  Within one source the source's own disambiguation stands: two PubMed
persons are never joined here on names.

A linked group becomes its highest-ranked member (the team's own id, then NPPES, Open
Payments, ClinicalTrials.gov, PubMed; then the smallest id), whichever source came first, so
the result does not depend on the order the sources are loaded in.  The store folds the
others into it with the steward merge (:meth:`~kolgraph.store.base.GraphStore.merge_hcps`),
so later loads of any source keep the link.

Rules only: the store reads and writes (``GraphStore.link_sources``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from kolgraph import locations
from kolgraph.answers.identity import block_key, compatible_first_names, name_block
from kolgraph.loaders.authors import given_name
from kolgraph.loaders.institutions import fold

#: Id prefix -> source, in rank order after the team's own ids (``bundle``).
SOURCES = (
    ("NPI-", "NPPES"),
    ("OP-", "Open Payments"),
    ("CT-", "ClinicalTrials.gov"),
    ("ORCID-", "PubMed"),
    ("PM-", "PubMed"),
)
RANK = {"bundle": 0, "NPPES": 1, "Open Payments": 2, "ClinicalTrials.gov": 3, "PubMed": 4}
#: Who a link's merge record names as its steward.
STEWARD = "kolgraph: one person across sources"

SAME_NPI, SAME_ORCID, SAME_EMAIL = "same NPI", "same ORCID", "same e-mail"
SAME_NAME_PLACE = "same name and place"
SAME_NAME_STATE_SPECIALTY = "same name, state and specialty"
CONFIDENCE = {
    SAME_NPI: 1.0,
    SAME_ORCID: 1.0,
    SAME_EMAIL: 0.95,
    SAME_NAME_PLACE: 0.9,
    SAME_NAME_STATE_SPECIALTY: 0.8,
}
#: HCP fields the rules read (besides ``hcp_id``).
FIELDS = (
    "first_name",
    "last_name",
    "specialty",
    "city",
    "state",
    "country",
    "npi",
    "orcid",
    "email",
)
#: What the rules read of an HCP, in the order the stores give it.
COLUMNS = ("hcp_id", *FIELDS)
_FIRST, _LAST = COLUMNS.index("first_name"), COLUMNS.index("last_name")
_IDENTIFIERS = tuple(COLUMNS.index(field) for field in ("npi", "orcid", "email"))


@dataclass(frozen=True)
class Link:
    """Two HCPs that are one person: ``other_id`` folds into ``keep_id``."""

    keep_id: str
    other_id: str
    method: str
    confidence: float
    evidence: tuple[str, ...]


def source_of(hcp_id: str) -> str:
    """The source whose namespace ``hcp_id`` is in (``bundle`` for the team's own ids).

    >>> source_of("NPI-1234567893"), source_of("PM-smith-J-1-2"), source_of("H001")
    ('NPPES', 'PubMed', 'bundle')
    """
    for prefix, name in SOURCES:  # a loop: called for every HCP a load compares
        if hcp_id.startswith(prefix):
            return name
    return "bundle"


def rank(hcp_id: str) -> tuple[int, str]:
    """Which id a linked group keeps: the smallest rank."""
    return RANK[source_of(hcp_id)], hcp_id


def find_links(
    hcps: Sequence[Mapping],
    places: Mapping[str, Iterable[tuple[str, str | None]]],
    touched: Iterable[str] | None = None,
    apart: Iterable[frozenset[str]] = (),
) -> list[Link]:
    """The links among ``hcps`` (rows with ``hcp_id`` and :data:`FIELDS`) that involve an
    HCP of ``touched`` (every HCP when None), each folding one HCP into its group's kept id,
    in the order they are to be made.

    ``places``: hcp_id -> (institution id, city) of each of its affiliations; ``apart``:
    pairs a steward split, never linked.
    """
    kept_apart = set(apart)
    wanted = None if touched is None else set(touched)
    certain = [
        link
        for a, b in _identifier_pairs(hcps, wanted)
        if frozenset((a["hcp_id"], b["hcp_id"])) not in kept_apart and not _two_persons(a, b)
        for link in [_certain_link(a, b)]
        if link
    ]
    by_name = [
        link
        for a, b in (_block_pairs(hcps, wanted) if _two_sources(r["hcp_id"] for r in hcps) else ())
        if not _one_source(a, b)
        and frozenset((a["hcp_id"], b["hcp_id"])) not in kept_apart
        and not _conflict(a, b)
        for link in [_name_link(a, b, places)]
        if link
    ]
    return _groupable(certain + _unambiguous(by_name, hcps), hcps)


def candidates(rows: Iterable[Sequence], touched: Iterable[str] | None = None) -> list[dict]:
    """Of every HCP's :data:`COLUMNS` (``rows``), as records, those a link of an HCP of
    ``touched`` (any HCP when None) may involve.

    When one source made every HCP, no name link is possible: the HCPs sharing an NPI, ORCID
    or e-mail with another.  Otherwise the touched HCPs, the HCPs sharing an identifier with
    one of them and those of their name blocks (a load compares its HCPs with these only);
    every HCP when ``touched`` is None.
    """
    rows = list(rows)
    if not _two_sources(row[0] for row in rows):
        kept = _sharing_identifiers(rows)
    elif touched is None:
        kept = rows
    else:
        kept = _around(rows, set(touched))
    return [dict(zip(COLUMNS, row)) for row in kept]


def _around(rows: list[Sequence], wanted: set[str]) -> list[Sequence]:
    """The rows of ``wanted``, of their name blocks, and sharing an identifier with them."""
    mine = [row for row in rows if row[0] in wanted]
    blocks = {_row_block(row) for row in mine}
    values = [{_identifier(row[i]) for row in mine} - {""} for i in _IDENTIFIERS]
    columns = [(i, held) for i, held in zip(_IDENTIFIERS, values) if held]
    return [
        row
        for row in rows
        if _row_block(row) in blocks
        or any(row[i] and _identifier(row[i]) in held for i, held in columns)
    ]


def _sharing_identifiers(rows: list[Sequence]) -> list[Sequence]:
    """The rows sharing an NPI, ORCID or e-mail with another row."""
    seen: Counter[tuple[int, str]] = Counter(
        (i, value) for row in rows for i in _IDENTIFIERS if (value := _identifier(row[i]))
    )
    return [
        row
        for row in rows
        if any(seen[(i, _identifier(row[i]))] > 1 for i in _IDENTIFIERS if row[i])
    ]


def _row_block(row: Sequence) -> tuple[str, str]:
    return name_block(row[_LAST] or "", row[_FIRST] or "")


def _identifier(value: object) -> str:
    """An NPI, ORCID or e-mail as compared: trimmed, in lower case ("" when blank)."""
    return "" if value is None or value != value else str(value).strip().lower()  # NaN


def name_candidates(hcps: Sequence[Mapping], touched: Iterable[str] | None = None) -> set[str]:
    """The ids of HCPs a name link may involve: those of :func:`_namesakes` groups holding
    HCPs of two sources and (unless ``touched`` is None) an HCP of ``touched``; only their
    places are needed."""
    if not _two_sources(row["hcp_id"] for row in hcps):
        return set()
    wanted = None if touched is None else set(touched)
    return {
        row["hcp_id"]
        for members in _namesakes(hcps)
        if wanted is None or not wanted.isdisjoint(m["hcp_id"] for m in members)
        for row in members
    }


def _two_sources(hcp_ids: Iterable[str]) -> bool:
    """Whether two sources or more made the HCPs (one: no name link is possible)."""
    sources = map(source_of, hcp_ids)
    first = next(sources, None)
    return any(source != first for source in sources)


def _identifier_pairs(
    hcps: Sequence[Mapping], wanted: set[str] | None
) -> Iterable[tuple[Mapping, Mapping]]:
    """Pairs of HCPs with an NPI, ORCID or e-mail in common (names need not agree: the
    identifier says who it is)."""
    seen: set[tuple[str, str]] = set()
    for field in ("npi", "orcid", "email"):
        holders: dict[str, list[Mapping]] = defaultdict(list)
        for row in hcps:
            value = row.get(field)
            if value and (value := _identifier(value)):  # most HCPs have none
                holders[value].append(row)
        for members in holders.values():
            for a, b in _pairs(members, wanted):
                if (a["hcp_id"], b["hcp_id"]) not in seen:
                    seen.add((a["hcp_id"], b["hcp_id"]))
                    yield a, b


def _block_pairs(
    hcps: Sequence[Mapping], wanted: set[str] | None
) -> Iterable[tuple[Mapping, Mapping]]:
    """Pairs of HCPs of two sources in one name block (folded last name and first initial)
    with the same written first name, which :func:`_name_link` requires: not every pair of a
    common name's block (thousands of HCPs in a national NPPES file)."""
    for members in _namesakes(hcps):
        yield from _pairs(members, wanted)


def _namesakes(hcps: Sequence[Mapping]) -> Iterable[list[Mapping]]:
    """HCPs of one name block with the same written first name, made by two sources or more
    (a load of one source's HCPs compares none)."""
    by_name: dict[tuple[str, str, str], list[Mapping]] = defaultdict(list)
    for row in hcps:
        first = given_name(_text(row, "first_name"))
        if first:
            by_name[(*block_key(row), first)].append(row)
    for (last, _initial, _first), members in by_name.items():
        if last and len({source_of(m["hcp_id"]) for m in members}) > 1:
            yield members


def _pairs(members: list[Mapping], wanted: set[str] | None) -> Iterable[tuple[Mapping, Mapping]]:
    """Every pair of ``members`` with an HCP of ``wanted`` (any pair when None), by id."""
    if len(members) < 2 or (wanted is not None and wanted.isdisjoint(m["hcp_id"] for m in members)):
        return
    ordered = sorted(members, key=lambda r: r["hcp_id"])
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if wanted is None or a["hcp_id"] in wanted or b["hcp_id"] in wanted:
                yield a, b


def _one_source(a: Mapping, b: Mapping) -> bool:
    return source_of(a["hcp_id"]) == source_of(b["hcp_id"])


def _two_persons(a: Mapping, b: Mapping) -> bool:
    """Whether two different NPIs or ORCIDs say the two are two persons."""
    return any(_text(a, k) and _text(b, k) and _text(a, k) != _text(b, k) for k in ("npi", "orcid"))


def _conflict(a: Mapping, b: Mapping) -> bool:
    """Whether the two cannot be one person: two NPIs or ORCIDs, names that conflict, two
    states or two countries."""
    if _two_persons(a, b):
        return True
    if not compatible_first_names(_text(a, "first_name"), _text(b, "first_name")):
        return True
    states = locations.us_state(a.get("state")), locations.us_state(b.get("state"))
    countries = locations.country_key(a.get("country")), locations.country_key(b.get("country"))
    return any(x and y and x != y for x, y in (states, countries))


def _certain_link(a: Mapping, b: Mapping) -> Link | None:
    """A link on an NPI or ORCID in common, or an e-mail in common between two sources'
    HCPs whose names and places do not conflict (a shared departmental address is not one
    person; two rows of one source with one address are two rows that source kept apart)."""
    for field, method in (("npi", SAME_NPI), ("orcid", SAME_ORCID), ("email", SAME_EMAIL)):
        value = _text(a, field).lower()
        if value and value == _text(b, field).lower():
            if method == SAME_EMAIL and (_one_source(a, b) or _conflict(a, b)):
                return None
            return _link(a, b, method, [f"{method}: {_text(a, field)}"])
    return None


def _name_link(
    a: Mapping, b: Mapping, places: Mapping[str, Iterable[tuple[str, str | None]]]
) -> Link | None:
    """A link of two sources' HCPs on their full names and where they work."""
    first = given_name(_text(a, "first_name"))
    if not first or first != given_name(_text(b, "first_name")):
        return None
    named = f"same name: {_name(a)} / {_name(b)}"
    common = _common_places(a, b, places)
    if common:
        return _link(a, b, SAME_NAME_PLACE, [named, *common])
    state = locations.us_state(a.get("state"))
    field = _specialty_field(a)
    if state and field and field == _specialty_field(b):
        specialties = f"specialties of one field: {_text(a, 'specialty')} / {_text(b, 'specialty')}"
        return _link(a, b, SAME_NAME_STATE_SPECIALTY, [named, f"same state {state}", specialties])
    return None


def _common_places(
    a: Mapping, b: Mapping, places: Mapping[str, Iterable[tuple[str, str | None]]]
) -> list[str]:
    """The institutions and cities two HCPs have in common, as evidence."""
    mine, theirs = list(places.get(a["hcp_id"], ())), list(places.get(b["hcp_id"], ()))
    institutions = sorted({i for i, _ in mine} & {i for i, _ in theirs})
    cities_a = {fold(c) for _, c in mine if c} | ({fold(a["city"])} if a.get("city") else set())
    cities_b = {fold(c) for _, c in theirs if c} | ({fold(b["city"])} if b.get("city") else set())
    found = [f"institution in common: {i}" for i in institutions[:3]]
    found += [f"city in common: {c.title()}" for c in sorted(cities_a & cities_b)[:3]]
    return found


def _specialty_field(row: Mapping) -> str:
    """A specialty's field: the part before " - " (the NPPES and Open Payments loaders write
    ``Internal Medicine - Cardiovascular Disease``), folded."""
    return fold(_text(row, "specialty").split(" - ")[0])


def _link(a: Mapping, b: Mapping, method: str, evidence: list[str]) -> Link:
    keep, other = sorted((a["hcp_id"], b["hcp_id"]), key=rank)
    sources = f"{source_of(keep)} {keep} and {source_of(other)} {other}"
    return Link(keep, other, method, CONFIDENCE[method], (sources, *evidence))


def _unambiguous(links: list[Link], hcps: Sequence[Mapping]) -> list[Link]:
    """The name links of HCPs whose candidates may all be one person: an HCP with two
    namesakes that cannot be one (two persons of one source, or in conflict) links to
    neither.  (Candidates that may be one person are joined together: the same group forms
    whichever of them was loaded first.)"""
    rows = {r["hcp_id"]: r for r in hcps}
    candidates: dict[str, set[str]] = defaultdict(set)
    for link in links:
        candidates[link.keep_id].add(link.other_id)
        candidates[link.other_id].add(link.keep_id)
    doubtful = {
        hcp_id
        for hcp_id, others in candidates.items()
        if any(
            source_of(x) == source_of(y) or _conflict(rows[x], rows[y])
            for x in others
            for y in others
            if x < y
        )
    }
    return [x for x in links if x.keep_id not in doubtful and x.other_id not in doubtful]


def _groupable(links: list[Link], hcps: Sequence[Mapping]) -> list[Link]:
    """The links, strongest first, that join groups without putting two NPIs or ORCIDs in
    one group, each turned to fold one member into its group's kept id (the one of smallest
    :func:`rank`)."""
    rows = {r["hcp_id"]: r for r in hcps}
    group = {h: {h} for link in links for h in (link.keep_id, link.other_id)}
    made = []
    for link in sorted(links, key=lambda x: (-x.confidence, rank(x.keep_id), rank(x.other_id))):
        mine, theirs = group[link.keep_id], group[link.other_id]
        if mine is theirs or any(_two_persons(rows[x], rows[y]) for x in mine for y in theirs):
            continue
        joined = mine | theirs
        for member in joined:
            group[member] = joined
        made.append(link)
    return _folds(made, group)


def _folds(made: list[Link], group: Mapping[str, set[str]]) -> list[Link]:
    """Per group, from its kept id outwards, each member folded into the kept id with the
    evidence of the link that brought it in."""
    neighbours: dict[str, list[tuple[str, Link]]] = defaultdict(list)
    for link in made:
        neighbours[link.keep_id].append((link.other_id, link))
        neighbours[link.other_id].append((link.keep_id, link))
    folds = []
    for kept in sorted({min(members, key=rank) for members in group.values()}, key=rank):
        seen, queue = {kept}, [kept]
        while queue:
            for member, link in sorted(neighbours[queue.pop(0)], key=lambda n: rank(n[0])):
                if member not in seen:
                    seen.add(member)
                    queue.append(member)
                    folds.append(Link(kept, member, link.method, link.confidence, link.evidence))
    return folds


def _name(row: Mapping) -> str:
    return f"{_text(row, 'first_name')} {_text(row, 'last_name')}".strip()


def _text(row: Mapping, field: str) -> str:
    value = row.get(field)
    return "" if value is None or value != value else str(value).strip()  # NaN != NaN
