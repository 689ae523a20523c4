"""Collaborator suggestions scored straight from their definition, to test the pruned
ranking of :func:`kolgraph.answers.network.suggest` (and of each store) against."""

from __future__ import annotations

import math

from kolgraph.answers.network import MESH_CHECK_TAGS


def brute_force_suggestions(
    hcp_id: str, coauthors: dict, institutions: dict, topics: dict, limit: int
) -> list[tuple[str, float]]:
    """(hcp_id, score) of every candidate scored straight from the definition (the same
    float additions, in the same order: co-authors by id, then institutions by id), best
    first.  ``coauthors``: co-author id -> (name, its co-author ids); ``institutions``:
    current institution id -> (name, member ids); ``topics``: hcp_id -> MeSH terms."""
    excluded = {hcp_id, *coauthors}
    own = topics[hcp_id] - MESH_CHECK_TAGS
    scores: dict[str, float] = {}
    for coauthor in sorted(coauthors):
        theirs = coauthors[coauthor][1]
        for other in theirs:
            if other not in excluded:
                scores[other] = scores.get(other, 0.0) + 1.0 / math.log(len(theirs))
    for institution in sorted(institutions):
        for other in set(institutions[institution][1]) - excluded:
            scores[other] = scores.get(other, 0.0) + 0.5
    rows = []
    for hcp_id, base in scores.items():
        theirs = topics[hcp_id] - MESH_CHECK_TAGS
        jaccard = len(own & theirs) / len(own | theirs) if own | theirs else 0.0
        rows.append((-round(base + 0.5 * jaccard, 4), hcp_id))
    return [(hcp_id, -score) for score, hcp_id in sorted(rows)[:limit]]
