"""Every authorship in numbers, as a store may keep it for scoring.

Scoring needs, per authorship, who (an HCP), which paper, the author position, and the
paper's year and citations.  Read as text at 500,000 HCPs that is 11.7 M rows of ids to
make into Python strings and hash again, a third of scoring's CPU; kept as numbers once per
data version it is a few arrays to map.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AuthorshipNumbers:
    """Authorship ``i`` is by the HCP at position ``hcp[i]`` of ``hcp_ids`` (sorted; -1: an
    id ``hcp_ids`` lacks) on paper ``paper[i]``, at author position ``position[i]`` (NaN:
    unknown).  Paper ``j`` was published in ``year[j]`` and cited ``citations[j]`` times
    (NaN: unknown).  Authorships are in key order (pmid, hcp_id), as a store's
    ``authorships`` table is, so sums over them add up in the same order."""

    hcp_ids: np.ndarray
    hcp: np.ndarray
    paper: np.ndarray
    position: np.ndarray
    year: np.ndarray
    citations: np.ndarray
