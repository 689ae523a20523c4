"""What a data steward reviews: likely duplicates and shaky merges, most influential first.

Rules (on rows a store read and the identity evidence of ``identities.sqlite3``):

* **Likely duplicate**: two HCPs of one name block (folded last name and first initial, as
  the disambiguation blocks authors) whose first names are compatible (``Deborah`` ~ ``D L``
  ~ ``Deborah L``; ``Deborah`` != ``Diane``; initials ``JA`` != ``JB``), with evidence: the
  same NPI, co-authors in common, a current institution in common, or the same city where
  only one of them has an NPI (an NPPES or Open Payments record beside a PubMed author).
  Never a pair with two different NPIs or ORCIDs, nor one a steward split apart.
* **Shaky merge**: an HCP whose recorded identity evidence has a confidence below
  :data:`SHAKY_BELOW` for a resolution that joined records (the linkage model's weakest
  merge, a link to a stored HCP by name and city, several records joined on the name
  alone), or names written for it that cannot be
  one person's (``Smith, Deborah`` and ``Smith, Diane``).  An HCP a steward corrected is
  reviewed already and not listed.
* Order: the pair's or HCP's highest stored influence first (unscored last), then ids.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TypeVar

import numpy as np

from kolgraph.coauthorship import CoauthorEdges
from kolgraph.loaders.authors import block_surname, given_name
from kolgraph.loaders.institutions import fold
from kolgraph.loaders.linkage import names_compatible

V = TypeVar("V")
DUPLICATE, SHAKY = "likely duplicate", "shaky merge"
#: Evidence of a joined identity below this confidence is shaky.
SHAKY_BELOW = 0.8
#: Methods of the identity evidence that joined records into one HCP on evidence short of an
#: identifier: the linkage model, a link to a stored HCP (name and city).  ``name`` joins
#: records too when an HCP has several of them.
JOINING_METHODS = ("evidence", "store:")
#: The fields of a review row (``kolgraph identity review --json``).
REVIEW_FIELDS = (
    "kind",
    "hcp_id",
    "name",
    "influence",
    "other_id",
    "other_name",
    "confidence",
    "evidence",
    "split_pmids",
    "action",
)
#: How many co-authors or institutions in common a row names.
NAMED = 3


#: The HCP columns a review reads (:class:`IdentityIndex` rows).
INDEX_COLUMNS = ("hcp_id", "first_name", "last_name", "city", "npi", "orcid", "name")


@dataclass(frozen=True)
class IdentityIndex:
    """What a review reads of every HCP: rows by id and by name block (each block in id
    order), and influence (built once per data version by the web app, so a profile's
    review reads only its own block)."""

    by_id: dict[str, dict]
    by_block: dict[tuple[str, str], list[dict]]
    influence: dict[str, float]

    @classmethod
    def of(cls, hcps: Sequence[dict], influence: dict[str, float]) -> IdentityIndex:
        """From HCP rows in id order."""
        by_block: dict[tuple[str, str], list[dict]] = defaultdict(list)
        for row in hcps:
            by_block[block_key(row)].append(row)
        return cls({r["hcp_id"]: r for r in hcps}, dict(by_block), influence)

    @classmethod
    def of_rows(cls, rows: Sequence[Sequence]) -> IdentityIndex:
        """From rows of :data:`INDEX_COLUMNS` then the influence, in id order."""
        width = len(INDEX_COLUMNS)
        hcps = [dict(zip(INDEX_COLUMNS, row)) for row in rows]
        return cls.of(hcps, {row[0]: row[width] for row in rows if row[width] is not None})

    def mended(self, rows: Sequence[Sequence], corrected: Sequence[str]) -> IdentityIndex:
        """This index after steward corrections of ``corrected``: their rows as stored now
        (``rows``, as :meth:`of_rows` takes them; none for an HCP merged away) in place of
        those held.  The held index is left as it is (a worker shares it)."""
        gone, fresh = set(corrected), IdentityIndex.of_rows(rows)
        by_block = dict(self.by_block)
        for key in {block_key(self.by_id[i]) for i in gone if i in self.by_id}:
            kept = [r for r in by_block[key] if r["hcp_id"] not in gone]
            if kept:
                by_block[key] = kept
            else:
                del by_block[key]
        for key, members in fresh.by_block.items():
            by_block[key] = sorted([*by_block.get(key, ()), *members], key=_hcp_id)
        return IdentityIndex(
            _replaced(self.by_id, gone, fresh.by_id),
            by_block,
            _replaced(self.influence, gone, fresh.influence),
        )

    def rows(self, hcp_id: str | None = None) -> list[dict]:
        """Every HCP row, or those of ``hcp_id``'s name block."""
        if hcp_id is None:
            return list(self.by_id.values())
        own = self.by_id.get(hcp_id)
        return list(self.by_block.get(block_key(own), [])) if own else []

    def blocks(self) -> list[list[dict]]:
        """The name blocks that hold two or more HCPs (a last name written), in id order."""
        return [rows for key, rows in self.by_block.items() if len(rows) > 1 and key[0]]

    def name(self, hcp_id: str) -> str:
        return (self.by_id.get(hcp_id) or {}).get("name") or hcp_id


def _hcp_id(row: Mapping) -> str:
    return row["hcp_id"]


def _replaced(held: dict[str, V], gone: set[str], fresh: dict[str, V]) -> dict[str, V]:
    """A copy of ``held`` without ``gone``'s entries, then with ``fresh``'s (a copy and a
    few deletions: a comprehension over 500,000 entries took 0.16 s)."""
    copy = dict(held)
    for key in gone:
        copy.pop(key, None)
    copy.update(fresh)
    return copy


def blocks(hcps: Iterable[dict]) -> dict[tuple[str, str], list[dict]]:
    """HCP rows by name block (folded last name, first initial); blocks of two or more.

    >>> rows = [{"hcp_id": "a", "first_name": "Deborah", "last_name": "Smith"},
    ...         {"hcp_id": "b", "first_name": "D L", "last_name": "Smith"},
    ...         {"hcp_id": "c", "first_name": "Anna", "last_name": "Smith"}]
    >>> [[r["hcp_id"] for r in b] for b in blocks(rows).values()]
    [['a', 'b']]
    """
    found: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for row in hcps:
        found[block_key(row)].append(row)
    return {k: v for k, v in found.items() if len(v) > 1 and k[0]}


def block_key(row: Mapping) -> tuple[str, str]:
    """The name block of an HCP row."""
    return name_block(row.get("last_name") or "", row.get("first_name") or "")


@lru_cache(maxsize=1 << 16)  # names repeat: an index of 500,000 HCPs folds each once
def name_block(last_name: str, first_name: str) -> tuple[str, str]:
    """The name block of a last and a first name: folded surname, first initial."""
    return block_surname(last_name), _initials(first_name)[:1]


def compatible_mates(hcp_id: str, rows: Sequence[dict]) -> list[dict]:
    """The HCP's row and the rows whose first names may be its person's ([] when none)."""
    own = next((r for r in rows if r["hcp_id"] == hcp_id), None)
    if own is None:
        return []
    first = own.get("first_name") or ""
    mates = [
        r for r in rows if r is not own and compatible_first_names(first, r.get("first_name") or "")
    ]
    return [own, *mates] if mates else []


def compatible_first_names(x: str, y: str) -> bool:
    """Whether two written first names may be one person's.

    >>> compatible_first_names("Deborah", "D L"), compatible_first_names("Deborah L", "DL")
    (True, True)
    >>> compatible_first_names("Deborah", "Diane"), compatible_first_names("J A", "J B")
    (False, False)
    """
    gx, gy = given_name(x), given_name(y)
    if gx and gy and not names_compatible(gx, gy):
        return False
    ix, iy = _initials(x), _initials(y)
    return ix.startswith(iy) or iy.startswith(ix)


def _initials(first_name: str) -> str:
    """``Deborah L`` -> ``dl``; ``DL`` -> ``dl``; ``Zi-bo`` -> ``z``."""
    words = fold(first_name).replace(".", " ").replace("-", " ").split()
    if len(words) == 1 and len(first_name.strip()) <= 3 and first_name.strip().isupper():
        return words[0]  # "DL": initials written together
    return "".join(w[0] for w in words if w)


def duplicate_pairs(
    hcps: Sequence[dict],
    coauthorships: CoauthorEdges,
    institutions: Mapping[str, dict[str, str]],
    kept_apart: set[frozenset[str]],
    name_of: Callable[[str], str],
    only: str | None = None,
) -> list[tuple[dict, dict, list[str]]]:
    """Likely duplicate pairs ``(a, b, evidence)`` among ``hcps`` (rows with ``hcp_id``,
    ``first_name``, ``last_name``, ``npi``, ``orcid``, ``city``); ``coauthorships``: those
    HCPs' co-authorships; ``institutions``: hcp_id -> current institution id -> name;
    ``name_of``: an HCP's name, to name co-authors; ``only``: just the pairs with that HCP."""
    in_blocks = blocks(hcps)
    common = CommonCoauthors.of(list(in_blocks.values()), coauthorships)
    pairs = []
    for members in in_blocks.values():
        candidates = (
            _sharing_pairs(members, common, institutions)
            if only is None
            else _pairs_with(members, only)
        )
        for a, b in candidates:
            if frozenset((a["hcp_id"], b["hcp_id"])) in kept_apart:
                continue
            evidence = pair_evidence(a, b, common.between, institutions, name_of)
            if evidence:
                pairs.append((a, b, evidence))
    return pairs


@dataclass(frozen=True)
class CommonCoauthors:
    """The co-authors that pairs of name block mates have in common, found with one numpy
    sort over the co-authorships of a batch of whole blocks (a Python loop over each compared
    HCP's every co-author would be most of a review of 500,000 HCPs)."""

    shared: dict[tuple[str, str], list[str]]  # (hcp_a, hcp_b), hcp_a < hcp_b -> sorted ids
    partners: dict[str, list[str]]  # hcp_id -> block mates with a co-author in common

    @classmethod
    def of(cls, in_blocks: Sequence[Sequence[dict]], edges: CoauthorEdges) -> CommonCoauthors:
        """From the block members' rows and their co-authorships (either end a member)."""
        ids = [row["hcp_id"] for b in in_blocks for row in b]
        block_of = np.array([n for n, b in enumerate(in_blocks) for _ in b], dtype=np.int64)
        member, coauthor = _member_ends(ids, edges)
        shared: dict[tuple[str, str], list[str]] = defaultdict(list)
        for members, common in _shared(block_of[member], member, coauthor):
            in_common = str(edges.hcp_ids[common])
            for pair in itertools.combinations(sorted(ids[m] for m in members), 2):
                shared[pair].append(in_common)
        partners: dict[str, list[str]] = defaultdict(list)
        for a, b in shared:
            partners[a].append(b)
            partners[b].append(a)
        return cls({pair: sorted(found) for pair, found in shared.items()}, dict(partners))

    def between(self, a: str, b: str) -> list[str]:
        """The co-authors ``a`` and ``b`` have in common, sorted."""
        return self.shared.get((a, b) if a < b else (b, a), [])


def _shared(
    block: np.ndarray, member: np.ndarray, coauthor: np.ndarray
) -> Iterator[tuple[list[int], int]]:
    """Each co-author two or more members of one block have, with those members: entries
    ``(block, member, co-author)`` sorted by block and co-author, each run of two or more
    members one such co-author (an entry given twice counted once)."""
    if not len(member):
        return
    keys = block * (int(coauthor.max()) + 1) + coauthor
    order = np.lexsort((member, keys))
    keys, member, coauthor = keys[order], member[order], coauthor[order]
    again = np.r_[False, (keys[1:] == keys[:-1]) & (member[1:] == member[:-1])]
    keys, member, coauthor = keys[~again], member[~again], coauthor[~again]
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    stops = np.r_[starts[1:], len(keys)]
    runs = (stops - starts) > 1
    for start, stop in zip(starts[runs].tolist(), stops[runs].tolist()):
        yield member[start:stop].tolist(), int(coauthor[start])


def _member_ends(ids: list[str], edges: CoauthorEdges) -> tuple[np.ndarray, np.ndarray]:
    """Each co-authorship end that is one of ``ids`` (its position there), with the other
    end's number in ``edges.hcp_ids``."""
    member_of = np.full(len(edges.hcp_ids), -1, dtype=np.int64)
    if len(edges.hcp_ids) and ids:
        asked = np.asarray(ids, dtype=str)
        at = np.minimum(np.searchsorted(edges.hcp_ids, asked), len(edges.hcp_ids) - 1)
        held = edges.hcp_ids[at] == asked
        member_of[at[held]] = np.flatnonzero(held)
    member, other = [], []
    for this, that in ((edges.a, edges.b), (edges.b, edges.a)):
        known = member_of[this] >= 0
        member.append(member_of[this][known])
        other.append(np.asarray(that, dtype=np.int64)[known])
    return np.concatenate(member), np.concatenate(other)


def _pairs_with(members: Sequence[dict], only: str) -> Iterator[tuple[dict, dict]]:
    """The pairs of a block with ``only``, in member order (a profile's review)."""
    for k, member in enumerate(members):
        if member["hcp_id"] == only:
            yield from ((other, member) for other in members[:k])
            yield from ((member, other) for other in members[k + 1 :])


def _sharing_pairs(
    members: Sequence[dict],
    common: CommonCoauthors,
    institutions: Mapping[str, dict[str, str]],
) -> list[tuple[dict, dict]]:
    """The pairs of a block, in member order, that share something :func:`pair_evidence`
    looks for: an NPI, a co-author, a current institution, or a city with an NPI on one side
    only.  Other pairs have no evidence; a common name's block holds millions of them (a
    review of 500,000 HCPs spent four minutes on them)."""
    # one dict per kind of evidence: no key tuple for each of a block's co-authorships
    npis: dict[str, list[int]] = defaultdict(list)
    by_institution: dict[str, list[int]] = defaultdict(list)
    cities: dict[tuple[str, bool], list[int]] = defaultdict(list)
    position = {row["hcp_id"]: k for k, row in enumerate(members)}
    found: set[tuple[int, int]] = set()
    for k, row in enumerate(members):
        if row.get("npi"):
            npis[row["npi"]].append(k)
        for partner in common.partners.get(row["hcp_id"], ()):
            other = position[partner]
            if k < other:
                found.add((k, other))
        for institution in institutions.get(row["hcp_id"], {}):
            by_institution[institution].append(k)
        if row.get("city"):
            cities[fold(row["city"]), bool(row.get("npi"))].append(k)
    for group in itertools.chain(npis.values(), by_institution.values()):
        if len(group) > 1:
            found.update(itertools.combinations(group, 2))
    for (city, with_npi), group in cities.items():
        if with_npi:  # the city's HCPs with an NPI, with those without one
            others = cities.get((city, False), [])
            found.update((min(a, b), max(a, b)) for a in group for b in others)
    return [(members[a], members[b]) for a, b in sorted(found)]


def pair_evidence(
    a: Mapping,
    b: Mapping,
    coauthors_between: Callable[[str, str], list[str]],
    institutions: Mapping[str, dict[str, str]],
    name_of: Callable[[str], str],
) -> list[str]:
    """Why two HCPs of one block may be one person ([] when nothing says so, or when their
    names, NPIs or ORCIDs say they are two); ``coauthors_between``: the two HCPs' co-authors
    in common, sorted."""
    if not compatible_first_names(a.get("first_name") or "", b.get("first_name") or ""):
        return []
    if any(a.get(k) and b.get(k) and a[k] != b[k] for k in ("npi", "orcid")):
        return []
    found = []
    if a.get("npi") and a.get("npi") == b.get("npi"):
        found.append(f"same NPI {a['npi']}")
    shared = coauthors_between(a["hcp_id"], b["hcp_id"])
    if shared:
        found.append(f"{len(shared)} co-author(s) in common: {_named(shared, name_of)}")
    places_a, places_b = institutions.get(a["hcp_id"], {}), institutions.get(b["hcp_id"], {})
    common = sorted(set(places_a) & set(places_b))
    if common:
        found.append("same institution: " + "; ".join(places_a[i] for i in common[:NAMED]))
    same_city = a.get("city") and b.get("city") and fold(a["city"]) == fold(b["city"])
    if same_city and bool(a.get("npi")) != bool(b.get("npi")):
        found.append(f"same city {a['city']}, an NPI on one side only")
    return found


def _named(ids: Sequence[str], name_of: Callable[[str], str]) -> str:
    shown = ", ".join(f"{name_of(i) or i} ({i})" for i in ids[:NAMED])
    return shown + (" ..." if len(ids) > NAMED else "")


def duplicate_rows(pairs: Iterable[tuple[dict, dict, list[str]]], influence: Mapping) -> list[dict]:
    """Review rows of duplicate pairs: the more influential HCP is the one to keep."""
    rows = []
    for a, b, evidence in pairs:
        keep, other = sorted((a, b), key=lambda r: (-_score(influence, r["hcp_id"]), r["hcp_id"]))
        rows.append(
            {
                "kind": DUPLICATE,
                "hcp_id": keep["hcp_id"],
                "name": keep.get("name"),
                "influence": influence.get(keep["hcp_id"]),
                "other_id": other["hcp_id"],
                "other_name": other.get("name"),
                "confidence": None,
                "evidence": evidence,
                "split_pmids": None,
                "action": f"kolgraph identity merge {keep['hcp_id']} {other['hcp_id']}",
            }
        )
    return rows


def shaky_rows(
    evidence: Iterable[dict], hcps: Mapping[str, dict], influence: Mapping, corrected: set[str]
) -> list[dict]:
    """Review rows of HCPs whose identity evidence is weak or conflicting (``evidence``:
    rows of ``identities.sqlite3``; ``hcps``: hcp_id -> stored row, for those still stored)."""
    by_hcp: dict[str, list[dict]] = defaultdict(list)
    for row in evidence:
        if row["hcp_id"] in hcps and row["hcp_id"] not in corrected:
            by_hcp[row["hcp_id"]].append(row)
    rows = []
    for hcp_id, found in by_hcp.items():
        reasons = _shaky_reasons(found)
        if reasons:
            rows.append(_shaky_row(hcps[hcp_id], found, reasons, influence))
    return rows


def _shaky_reasons(rows: list[dict]) -> list[str]:
    reasons = []
    for row in rows:
        method, confidence = row.get("method") or "", row.get("confidence")
        joined = any(m in method for m in JOINING_METHODS) or (method == "name" and len(rows) > 1)
        if joined and confidence is not None and float(confidence) < SHAKY_BELOW:
            reasons.append(
                f"{row['source']} {method} confidence {float(confidence):.2f}: "
                f"{row.get('evidence') or ''}".strip()
            )
    clash = _name_clash(rows)
    if clash:
        reasons.append(f"names that cannot be one person's: {clash[0]} / {clash[1]}")
    return reasons


def _name_clash(rows: list[dict]) -> tuple[str, str] | None:
    """Two written names of the HCP's evidence with incompatible first names, if any."""
    written = []
    for row in rows:
        for name in (row.get("name_as_written") or "").split("; "):
            last, _, first = name.partition(", ")
            if first:
                written.append((block_surname(last), first, name))
    for i, (last_a, first_a, name_a) in enumerate(written):
        for last_b, first_b, name_b in written[i + 1 :]:
            if last_a == last_b and not compatible_first_names(first_a, first_b):
                return name_a, name_b
    return None


def _shaky_row(hcp: dict, found: list[dict], reasons: list[str], influence: Mapping) -> dict:
    confidences = [float(r["confidence"]) for r in found if r.get("confidence") is not None]
    split = suggested_split(found)
    return {
        "kind": SHAKY,
        "hcp_id": hcp["hcp_id"],
        "name": hcp.get("name"),
        "influence": influence.get(hcp["hcp_id"]),
        "other_id": None,
        "other_name": None,
        "confidence": min(confidences) if confidences else None,
        "evidence": reasons,
        "split_pmids": split or None,
        "action": f"kolgraph explain-identity {hcp['hcp_id']}; "
        f"kolgraph identity split {hcp['hcp_id']} --pmids {','.join(split) or '...'}",
    }


def suggested_split(found: Sequence[dict]) -> list[str]:
    """The papers a split at the HCP's weakest model merge would take off ([] when no
    evidence row suggests one): the smaller side of that merge, in the least confident row."""
    rows = [r for r in found if r.get("split_pmids") and r.get("confidence") is not None]
    if not rows:
        return []
    weakest = min(rows, key=lambda r: float(r["confidence"]))
    return str(weakest["split_pmids"]).split(",")


#: Where one recorded fact of PubMed identity evidence ends and the next begins.
_NEXT_FACT = re.compile(r"\. (?=PMID \S+ ~ PMID |weakest merge: |institutions: )")


def evidence_lines(text: str) -> list[str]:
    """Recorded identity evidence, one fact a line (the papers, the places, each merge).

    >>> evidence_lines("2 paper(s). institutions: St. Jude. "
    ...                "weakest merge: PMID 1 ~ PMID 2: same city")
    ['2 paper(s)', 'institutions: St. Jude', 'weakest merge: PMID 1 ~ PMID 2: same city']
    """
    return [line for line in _NEXT_FACT.split(text) if line]


def most_influential_first(rows: list[dict], influence: Mapping, limit: int | None) -> list[dict]:
    """The ``limit`` rows (all when None) whose HCPs have the highest stored influence
    (unscored last)."""

    def key(row: dict) -> tuple:
        return (-row_influence(row, influence), row["hcp_id"], row["other_id"] or "", row["kind"])

    return sorted(rows, key=key)[:limit]


def row_influence(row: dict, influence: Mapping) -> float:
    """What orders a review row: the higher stored influence of its HCPs (-1: unscored)."""
    return max(_score(influence, row["hcp_id"]), _score(influence, row["other_id"]))


def block_influence(block: Sequence[dict], influence: Mapping) -> float:
    """The highest stored influence in a name block: no row of its pairs orders higher."""
    return max((_score(influence, row["hcp_id"]) for row in block), default=-1.0)


def _score(influence: Mapping, hcp_id: str | None) -> float:
    value = influence.get(hcp_id) if hcp_id else None
    return float(value) if value is not None else -1.0
