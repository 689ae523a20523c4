"""Steward corrections picked at random among a store's authors, for tests that check what a
correction mends against what a whole read gives."""

from __future__ import annotations

import random


def correct_at_random(store, rng: random.Random, split: bool) -> None:
    """Split one paper off an author of several (``split``), or merge two authors."""
    by_hcp = store.table("authorships").groupby("hcp_id")["pmid"].agg(sorted)
    if split:
        several = by_hcp[by_hcp.map(len) > 1]
        hcp_id = rng.choice(sorted(several.index))
        store.split_hcp(hcp_id, several[hcp_id][:1])
    else:
        keep, other = rng.sample(sorted(by_hcp.index), 2)
        store.merge_hcps(keep, other)
