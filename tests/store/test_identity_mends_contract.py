"""After steward corrections, what a web worker keeps of identity is mended instead of
computed again: the identity index from the corrected HCPs' rows, the whole review from the
rows a correction can change (:mod:`kolgraph.store.identity_review`).  Mended, each is what
a whole computation gives, on every store.  ``corrected_since`` names the HCPs to mend
from, and says None after any other write."""

from __future__ import annotations

import random

import pytest
from random_corrections import correct_at_random
from sample import frame, sample_batch
from shared_data import SHARED_DATA

from kolgraph.answers import identity as identity_rules
from kolgraph.loading import load_path
from kolgraph.schema import records
from kolgraph.scoring import rescore
from kolgraph.store import identity_review

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"


def touchpoint(touchpoint_id: str, hcp_id: str) -> dict:
    row = (touchpoint_id, "M1", hcp_id, "2024-06-29", "phone", None, None, None, None)
    return {"touchpoints": frame("touchpoints", [row])}


def test_corrected_since_names_the_corrections_only_while_nothing_else_was_written(store, tmp_path):
    store.load(sample_batch())
    rescore(store, tmp_path)
    version = store.data_version()
    assert store.corrected_since(version) == []
    store.load(touchpoint("TP-1", "H2"))  # changes no HCP and no link
    assert store.corrected_since(version) == []
    store.merge_hcps("H3", "H1")
    assert store.corrected_since(version) == ["H1", "H3"]
    store.load(touchpoint("TP-2", "H4"))
    store.split_hcp("H2", "P3")
    assert store.corrected_since(version) == ["H1", "H2", "H2-split-P3", "H3"]
    latest = store.data_version()
    rescore(store, tmp_path)
    assert store.corrected_since(version) is None
    assert store.corrected_since(latest) is None
    assert store.corrected_since("not a version") is None


def test_a_load_after_a_correction_means_a_whole_computation(store):
    batch = sample_batch()
    store.load(batch)
    version = store.data_version()
    store.merge_hcps("H3", "H1")
    store.load({"affiliations": batch["affiliations"]})
    assert store.corrected_since(version) is None


def test_the_index_is_the_one_the_tables_give(store, tmp_path, real_data):
    """One read of every HCP's review columns and influence, in id order: the index the
    whole table and the influences give."""
    load_path(MEDLINE, store)
    rescore(store, tmp_path)
    hcps = store.table("hcps", identity_rules.INDEX_COLUMNS)
    plain = sorted(hcps[hcps["orcid"].isna() & hcps["npi"].isna()]["hcp_id"])
    store.merge_hcps(plain[5], plain[3])  # an id order the stored rows may no longer keep
    rows = sorted(records(store.table("hcps", identity_rules.INDEX_COLUMNS)), key=_by_id)
    found = store.identity_index()
    assert found == identity_rules.IdentityIndex.of(rows, store.influences())
    assert len(found.by_id) == len(hcps) - 1 and len(found.influence) > 3000


def _by_id(row: dict) -> str:
    return row["hcp_id"]


class Mended:
    """A worker's kept index and whole review, mended after each correction and checked
    against a whole computation; the HCPs each mend compared."""

    def __init__(self, store, monkeypatch):
        self.store = store
        self.index = store.identity_index()
        self.rows = store.identity_review([], None, index=self.index)
        self.version = store.data_version()
        self.compared: list[int] = []
        self.counting = False
        pairs = identity_review._duplicate_pairs

        def counted(reads, in_blocks, *args):
            if self.counting:
                self.compared[-1] += len(in_blocks)
            return pairs(reads, in_blocks, *args)

        monkeypatch.setattr(identity_review, "_duplicate_pairs", counted)

    def check(self) -> list[dict]:
        """Mend both, assert them equal to a whole computation; the mended review."""
        corrected = self.store.corrected_since(self.version)
        assert corrected
        self.index = self.store.mended_identity_index(self.index, corrected)
        assert self.index == self.store.identity_index()
        self.compared.append(0)
        self.counting = True
        self.rows = self.store.mended_identity_review(self.rows, corrected, [], self.index)
        self.counting = False
        assert self.rows == self.store.identity_review([], None, index=self.index)
        self.version = self.store.data_version()
        return self.rows


def test_corrections_on_real_medline_mend_the_index_and_review_as_a_whole_computation(
    store, real_data, strict_linkage, monkeypatch
):
    load_path(MEDLINE, store)
    mended = Mended(store, monkeypatch)
    assert len(mended.rows) >= 4
    rng = random.Random(5)
    for step in range(4):
        for _ in range(1 + step % 2):  # one correction, then two before the next mend
            correct_at_random(store, rng, split=bool(rng.getrandbits(1)))
        mended.check()
    # the first row's merge, as a steward on the review page makes it
    first = next(r for r in mended.rows if r["kind"] == identity_rules.DUPLICATE)
    store.merge_hcps(first["hcp_id"], first["other_id"])
    assert first not in mended.check()
    hcps = len(store.table("hcps"))
    *random_steps, merge = mended.compared
    assert all(0 < n < hcps / 10 for n in random_steps), (mended.compared, hcps)
    # the merged pair may have been alone in its name block: then nothing is left to compare
    assert 0 <= merge < hcps / 10, (mended.compared, hcps)


def test_a_merge_that_gives_two_block_mates_a_co_author_in_common_lists_them(
    store, real_data, strict_linkage, monkeypatch
):
    """Two HCPs of one name block, listed by no row, each with a co-author of their own:
    merging those two co-authors makes one co-author in common, a pair the mend must find
    though neither of the two was corrected."""
    load_path(MEDLINE, store)
    mended = Mended(store, monkeypatch)
    x, y, a, b = _mates_with_their_own_co_authors(store, mended)
    store.merge_hcps(a, b)
    rows = mended.check()
    (row,) = [r for r in rows if {r["hcp_id"], r["other_id"]} == {x, y}]
    assert any("1 co-author(s) in common" in e for e in row["evidence"])


def _mates_with_their_own_co_authors(store, mended: Mended) -> tuple[str, str, str, str]:
    """Block mates ``x``, ``y`` that may be one person but no row pairs, and co-authors
    ``a`` of ``x`` only and ``b`` of ``y`` only."""
    pairs = store.table("coauthorships")
    coauthors: dict[str, set[str]] = {}
    for one, other in zip(pairs["hcp_a"], pairs["hcp_b"]):
        coauthors.setdefault(one, set()).add(other)
        coauthors.setdefault(other, set()).add(one)
    listed = {frozenset((r["hcp_id"], r["other_id"])) for r in mended.rows}
    for block in mended.index.blocks():
        for i, x in enumerate(block):
            for y in block[i + 1 :]:
                ids = x["hcp_id"], y["hcp_id"]
                names = x["first_name"] or "", y["first_name"] or ""
                if frozenset(ids) in listed or not identity_rules.compatible_first_names(*names):
                    continue
                if any(x[k] and y[k] and x[k] != y[k] for k in ("npi", "orcid")):
                    continue
                of_x = coauthors.get(ids[0], set()) - coauthors.get(ids[1], set()) - set(ids)
                of_y = coauthors.get(ids[1], set()) - coauthors.get(ids[0], set()) - set(ids)
                if of_x and of_y:
                    return ids[0], ids[1], min(of_x), min(of_y)
    pytest.fail("no block mates with co-authors of their own")
