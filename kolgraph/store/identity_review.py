"""The identity review over a store's read primitives: every row, one HCP's, or a kept
review mended after steward corrections (the rules: :mod:`kolgraph.answers.identity`).

A correction of two HCPs (a merge, a split) changes the review's rows in two ways only:

* the rows of the two HCPs themselves (their names, places, co-authors and NPIs moved);
* pairs whose co-authors in common include one of them: both HCPs of such a pair co-author
  one of the two (after a merge the kept HCP holds every co-authorship the other had; after
  a split the two hold what the one had), so both are among the two HCPs' co-authors now.

A mend therefore computes again the rows of the corrected HCPs and of pairs among them and
their co-authors, and keeps every other row.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from kolgraph import corrections as correction_rules
from kolgraph.answers import identity as identity_rules
from kolgraph.answers.identity import IdentityIndex
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.collector import cyclic_gc_paused
from kolgraph.corrections import Correction

if TYPE_CHECKING:
    from kolgraph.store.base import GraphReads

#: HCPs whose co-authors a whole identity review holds at once (whole name blocks): reading
#: every HCP's co-author set at once took 4.4 GB at 500,000 HCPs.
REVIEW_BATCH_HCPS = 25_000
Progress = Callable[[int, int], None]
#: Whether the rows found so far are enough, given the next batch of name blocks.
Enough = Callable[[list[dict], list[list[dict]]], bool]


def review_rows(
    reads: GraphReads,
    evidence: list[dict],
    index: IdentityIndex,
    done: list[Correction],
    hcp_id: str | None = None,
    progress: Progress | None = None,
    limit: int | None = None,
) -> list[dict]:
    """The review's rows in no order: every likely duplicate and shaky merge, or (with
    ``hcp_id``) those about that HCP; ``done``: the stored corrections.

    With ``limit`` (and no ``hcp_id``), at least the ``limit`` rows most influential first
    (:func:`~kolgraph.answers.identity.most_influential_first`): name blocks are compared
    from the most influential down, until no block left can hold one of them.
    """
    by_id = index.by_id if hcp_id is None else {hcp_id: index.by_id.get(hcp_id)}
    stored = {i: r for i, r in by_id.items() if r is not None}
    corrected = {i for c in done for i in (c.hcp_id, c.other_id)}
    shaky = identity_rules.shaky_rows(evidence, stored, index.influence, corrected)
    if hcp_id is None:
        blocks = index.blocks()
    else:  # only pairs with this HCP: its block mates that it may be
        in_block = [r for b in identity_rules.blocks(index.rows(hcp_id)).values() for r in b]
        blocks = [identity_rules.compatible_mates(hcp_id, in_block)]
    enough = None
    if limit is not None and hcp_id is None:
        blocks = sorted(blocks, key=lambda b: -identity_rules.block_influence(b, index.influence))
        enough = _enough_for(limit, shaky, index.influence)
    # millions of small objects over an index of every HCP: the collector would scan
    # the whole heap again and again (three quarters of a review's time at 500,000 HCPs)
    with cyclic_gc_paused():
        rows = _duplicate_rows(reads, blocks, index, done, hcp_id, progress, enough)
    return rows + shaky


def _enough_for(limit: int, held: list[dict], influence: Mapping) -> Enough:
    """Whether the rows found and ``held`` already hold the first ``limit``: the next
    blocks (most influential first) cannot order above the ``limit``-th of them."""

    def enough(found: list[dict], next_blocks: list[list[dict]]) -> bool:
        rows = [*held, *found]
        if len(rows) < limit:
            return False
        kth = heapq.nlargest(limit, (identity_rules.row_influence(r, influence) for r in rows))
        return identity_rules.block_influence(next_blocks[0], influence) < kth[-1]

    return enough


def mended_rows(
    reads: GraphReads,
    rows: Sequence[dict],
    corrected: list[str],
    evidence: list[dict],
    index: IdentityIndex,
    done: list[Correction],
) -> list[dict]:
    """A whole review's ``rows`` (of an earlier data version) after steward corrections of
    ``corrected`` (see the module doc), in no order; ``index``: the identity index of now."""
    gone = set(corrected)
    present = [i for i in corrected if i in index.by_id]
    around = gone | _coauthors_of(reads, present)
    kept = [r for r in rows if not _changed(r, gone, around)]
    fresh: dict[tuple, dict] = {}
    for hcp_id in present:
        for row in review_rows(reads, evidence, index, done, hcp_id):
            fresh[_row_key(row)] = row
    members = [index.by_id[i] for i in sorted(around) if i in index.by_id]
    with cyclic_gc_paused():
        blocks = identity_rules.blocks(members).values()
        for row in _duplicate_rows(reads, blocks, index, done, None, None):
            fresh[_row_key(row)] = row
    return kept + list(fresh.values())


def _coauthors_of(reads: GraphReads, hcp_ids: list[str]) -> set[str]:
    if not hcp_ids:
        return set()
    edges = reads.coauthor_numbers(hcp_ids)
    return {str(i) for i in np.unique(edges.hcp_ids[np.r_[edges.a, edges.b]])}


def _changed(row: dict, gone: set[str], around: set[str]) -> bool:
    """Whether corrections of ``gone`` may have changed a held row (see the module doc)."""
    if row["hcp_id"] in gone or row["other_id"] in gone:
        return True
    return row["kind"] == identity_rules.DUPLICATE and {row["hcp_id"], row["other_id"]} <= around


def _row_key(row: dict) -> tuple:
    return row["kind"], row["hcp_id"], row["other_id"]


def _duplicate_rows(
    reads: GraphReads,
    blocks: Iterable[list[dict]],
    index: IdentityIndex,
    done: list[Correction],
    hcp_id: str | None,
    progress: Progress | None,
    enough: Enough | None = None,
) -> list[dict]:
    """The likely duplicates of whole name blocks (``blocks``: their rows, in id order), a
    batch of blocks at a time until ``enough`` says the rows found are."""
    apart = {frozenset((c.hcp_id, c.other_id)) for c in done if c.kind == correction_rules.SPLIT}
    batches = list(_batches_of_blocks(blocks))
    rows: list[dict] = []
    total, compared = sum(len(b) for batch in batches for b in batch), 0
    for batch in batches:
        if enough is not None and enough(rows, batch):
            if progress is not None:
                progress(compared, compared)  # the rest need no comparing
            break
        in_blocks = [row for block in batch for row in block]
        pairs = _duplicate_pairs(reads, in_blocks, apart, index, hcp_id)
        rows += identity_rules.duplicate_rows(pairs, index.influence)
        compared += len(in_blocks)
        if progress is not None:
            progress(compared, total)
    return rows


def _duplicate_pairs(
    reads: GraphReads,
    in_blocks: list[dict],
    apart: set[frozenset[str]],
    index: IdentityIndex,
    hcp_id: str | None,
) -> list[tuple[dict, dict, list[str]]]:
    """The likely duplicate pairs among whole name blocks' rows, with what they share
    read for those HCPs only."""
    if not in_blocks:
        return []
    ids = [r["hcp_id"] for r in in_blocks]
    edges = _block_coauthorships(reads, ids, hcp_id)
    institutions: dict[str, dict[str, str]] = {}
    for who, _start, institution_id, name in reads.current_affiliations(ids):
        institutions.setdefault(who, {})[institution_id] = name or institution_id
    return identity_rules.duplicate_pairs(
        in_blocks, edges, institutions, apart, index.name, only=hcp_id
    )


def _block_coauthorships(reads: GraphReads, ids: list[str], hcp_id: str | None) -> CoauthorEdges:
    """The co-authorships a review of ``ids`` compares.  With ``hcp_id`` only its pairs
    are compared, so only co-authors it has may be in common: its own co-authorships
    and its block mates' with its co-authors (a top HCP's co-authors have thousands of
    co-authorships among them, which say nothing here)."""
    if hcp_id is None:
        return reads.coauthor_numbers(ids)
    others = [i for i in ids if i != hcp_id]
    return CoauthorEdges.of_rows(reads.coauthor_edges_through(hcp_id, others))


def _batches_of_blocks(blocks: Iterable[list[dict]]) -> Iterator[list[list[dict]]]:
    """Whole name blocks, :data:`REVIEW_BATCH_HCPS` rows or a little more at a time."""
    batch: list[list[dict]] = []
    size = 0
    for block in blocks:
        batch.append(block)
        size += len(block)
        if size >= REVIEW_BATCH_HCPS:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch
