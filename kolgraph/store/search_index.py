"""A server's search index, on either store: every HCP's name, specialty, institution names
and MeSH terms, lower-cased, with the HCP rows search answers with.

A search at 500,000 HCPs tests each text for the words typed; a store cannot index
``CONTAINS`` on MeSH terms reached through millions of authorships, so a long-running server
reads the texts once per data version and answers from memory.  A store fetches the rows by
statement name (``list_search_hcps``, ``list_institution_names``, ``list_hcp_topics``) and
keeps the index by its data version: the embedded store in
:meth:`~kolgraph.store.sqlite.store.EmbeddedStore.cached`, Neo4j in
:meth:`~kolgraph.store.neo4j.store.Neo4jStore.snapshot` (a one-off process on Neo4j asks the
database instead).  Writes that only change touchpoints leave it as it is; steward
corrections mend it (:func:`mended`), on both stores.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from kolgraph.answers import browse
from kolgraph.store.common import Fetch

#: Between the ids ``list_hcp_topics`` joins (validation refuses it in every cell).
UNIT_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class JoinedTexts:
    """Lower-cased texts of HCPs joined into one string, so that a search finds the texts
    containing it at C speed (``re.finditer``), not in a loop over 500,000 names."""

    text: str  # each text, followed by UNIT_SEPARATOR
    starts: np.ndarray  # int64: where each text starts in ``text``
    ids: list[str]  # the HCP of each text

    @classmethod
    def of(cls, texts: dict[str, str]) -> JoinedTexts:
        """From hcp_id -> text."""
        lowered = [t.lower() for t in texts.values()]
        lengths = np.fromiter((len(t) + 1 for t in lowered), dtype=np.int64, count=len(lowered))
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        text = "".join(t + UNIT_SEPARATOR for t in lowered)
        return cls(text, starts, list(texts))

    def ids_containing(self, needle: str) -> set[str]:
        """The HCPs whose text contains ``needle`` (a match cannot span two texts, as no
        text holds the separator; a needle holding it matches none)."""
        if not needle or UNIT_SEPARATOR in needle:
            return set()
        offsets = [m.start() for m in re.finditer(re.escape(needle), self.text)]
        texts = np.unique(np.searchsorted(self.starts, offsets, "right") - 1)
        return {self.ids[i] for i in texts.tolist()}


@dataclass(frozen=True)
class SearchIndex:
    """What search reads: HCP rows, their lower-cased names, and lower-cased specialties,
    institution names and MeSH terms, each with the ids of the HCPs it belongs to."""

    hcps: dict[str, dict]
    names: JoinedTexts
    specialties: dict[str, set[str]]
    institutions: dict[str, set[str]]  # lower-cased name -> hcp ids (any affiliation)
    topics: dict[str, set[str]]  # lower-cased MeSH term -> hcp ids

    def rows(self, text: str, territory: str | None, limit: int) -> list[dict]:
        """The best ``limit`` rows of HCPs matching ``text`` (every HCP for blank text,
        matched on nothing), with what each matched on.  Only the best become rows: a row
        for each of 150,000 matches took most of a search at L."""
        hits = self.matches(text) if text else {}
        found = set().union(*hits.values()) if text else self.hcps.keys()
        hcps = (self.hcps.get(hcp_id) for hcp_id in found)
        chosen = (h for h in hcps if h is not None and territory in (None, h["territory"]))
        return [
            {**hcp, "matched": [kind for kind, ids in hits.items() if hcp["hcp_id"] in ids]}
            for hcp in browse.best_matches(chosen, limit)
        ]

    def matches(self, text: str) -> dict[str, set[str]]:
        """Per kind of :data:`~kolgraph.answers.browse.MATCH_KINDS`, in its order, the HCPs
        whose text of that kind contains ``text`` (lower-case, not blank)."""
        return {
            "name": self.names.ids_containing(text),
            "specialty": _ids_containing(self.specialties, text),
            "institution": _ids_containing(self.institutions, text),
            "topic": _ids_containing(self.topics, text),
        }


def read_index(fetch: Fetch) -> SearchIndex:
    """The index of the rows ``fetch`` reads (topics: each term with its HCP ids, joined by
    :data:`UNIT_SEPARATOR` or as a list)."""
    columns = ("hcp_id", "name", "specialty", "territory", "tier", "influence", "rank")
    hcps = {r[0]: dict(zip(columns, r)) for r in fetch("list_search_hcps")}
    specialties: dict[str, set[str]] = defaultdict(set)
    for hcp_id, hcp in hcps.items():
        specialties[(hcp["specialty"] or "").lower()].add(hcp_id)
    institutions: dict[str, set[str]] = defaultdict(set)
    for hcp_id, name in fetch("list_institution_names"):
        institutions[(name or "").lower()].add(hcp_id)
    topics: dict[str, set[str]] = defaultdict(set)
    for term, hcp_ids in fetch("list_hcp_topics"):
        ids = hcp_ids.split(UNIT_SEPARATOR) if isinstance(hcp_ids, str) else hcp_ids
        topics[str(term).lower()].update(ids)
    names = JoinedTexts.of({hcp_id: hcp["name"] or "" for hcp_id, hcp in hcps.items()})
    return SearchIndex(hcps, names, dict(specialties), dict(institutions), dict(topics))


#: The statements reading some HCPs' entries, by the statement reading every HCP's.
_OF_SOME = {
    "list_search_hcps": "list_search_hcps_of",
    "list_institution_names": "list_institution_names_of",
    "list_hcp_topics": "list_hcp_topics_of",
}


def mended(index: SearchIndex, hcp_ids: list[str], fetch: Fetch) -> SearchIndex:
    """``index`` after steward corrections of ``hcp_ids`` (a merge took one away, a split
    made one): their entries read again, every other HCP's kept."""
    fresh = read_index(lambda name, _params=(): fetch(_OF_SOME[name], {"hcp_ids": hcp_ids}))
    gone = set(hcp_ids)
    hcps = {i: row for i, row in index.hcps.items() if i not in gone} | fresh.hcps
    return SearchIndex(
        hcps,
        JoinedTexts.of({hcp_id: hcp["name"] or "" for hcp_id, hcp in hcps.items()}),
        _replaced(index.specialties, gone, fresh.specialties),
        _replaced(index.institutions, gone, fresh.institutions),
        _replaced(index.topics, gone, fresh.topics),
    )


def _replaced(
    texts: dict[str, set[str]], gone: set[str], fresh: dict[str, set[str]]
) -> dict[str, set[str]]:
    """Text -> ids without the ``gone`` ids (a text left with none dropped), with ``fresh``."""
    kept = {text: ids - gone if ids & gone else ids for text, ids in texts.items()}
    for text, ids in fresh.items():
        kept[text] = kept.get(text, set()) | ids
    return {text: ids for text, ids in kept.items() if ids}


def _ids_containing(names: dict[str, set[str]], text: str) -> set[str]:
    """The ids under every name that contains ``text`` (none for blank text)."""
    found: set[str] = set()
    for name, ids in names.items():
        if text and text in name:
            found |= ids
    return found
