"""One author across MEDLINE files, on every store (:mod:`kolgraph.loaders.author_archive`).

The real ``medline16n0902.xml.gz`` (604 citations) is cut in two files, the citations at even
and at odd places.  Shailja Singh (Shiv Nadar University) wrote five papers of one 2015 issue,
PMIDs 26702303-26702309, which land in both files.  Loaded one after the other with the home's
author archive, the two files make the same persons as the whole file loaded at once; without
it, no author of the second file could be a person of the first.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from medline_halves import MEDLINE, SINGH, write_halves

from kolgraph.loaders import linkage
from kolgraph.loaders.author_archive import FILENAME, AuthorArchive
from kolgraph.loaders.pubmed import _read_papers
from kolgraph.loading import load_path

TABLES = ("hcps", "authorships", "affiliations", "institutions", "publications")


@pytest.fixture(scope="module")
def halves(tmp_path_factory):
    return write_halves(tmp_path_factory.mktemp("halves"))


def persons(store) -> set[frozenset[tuple[str, int]]]:
    """Each HCP's author slots (pmid, position)."""
    slots = defaultdict(set)
    for row in store.table("authorships").itertuples(index=False):
        slots[row.hcp_id].add((row.pmid, int(row.position)))
    return {frozenset(s) for s in slots.values()}


def singh(store) -> set[str]:
    """The HCPs holding Shailja Singh's slots on her five papers."""
    return {
        hcp_id
        for (pmid, _position), hcp_id in store.slot_holders(sorted(SINGH)).items()
        if hcp_id.startswith("PM-singh-S")
    }


def test_a_second_file_s_authors_join_the_persons_of_the_first(store, halves, tmp_path):
    linkage.default_settings.cache_clear()
    even, odd = halves
    load_path(even, store, home=tmp_path)
    summary = load_path(odd, store, home=tmp_path)

    assert any(note.startswith("compared with papers loaded before") for note in summary.notes)
    assert len(singh(store)) == 1
    assert (tmp_path / FILENAME).is_file()


def test_two_files_make_the_persons_the_whole_file_makes(store, halves, tmp_path):
    """Checked against a whole-file load into an embedded store of its own; and the same
    two files loaded without the archive split people (the test can fail)."""
    from kolgraph.store.sqlite import EmbeddedStore

    linkage.default_settings.cache_clear()
    even, odd = halves
    with EmbeddedStore(tmp_path / "whole") as whole:
        load_path(MEDLINE, whole)
        expected = persons(whole)
    with EmbeddedStore(tmp_path / "no-archive") as apart:
        load_path(even, apart)
        load_path(odd, apart)
        assert len(persons(apart)) > len(expected)
    load_path(even, store, home=tmp_path)
    load_path(odd, store, home=tmp_path)

    assert persons(store) == expected


def test_loading_a_file_again_changes_no_one(store, halves, tmp_path):
    linkage.default_settings.cache_clear()
    even, odd = halves
    load_path(even, store, home=tmp_path)
    load_path(odd, store, home=tmp_path)
    before = {name: _rows(store, name) for name in TABLES}

    again = load_path(even, store, home=tmp_path)

    assert again.tables["hcps"].created == 0 and again.tables["authorships"].created == 0
    assert {name: _rows(store, name) for name in TABLES} == before


def test_a_later_file_does_not_undo_a_steward_split(store, halves, tmp_path):
    """The steward splits one of Singh's papers off after the first file; the second file's
    papers of hers join one person, never making the two one again."""
    linkage.default_settings.cache_clear()
    even, odd = halves
    load_path(even, store, home=tmp_path)
    (kept,) = singh(store)
    first_file = {p.pmid for p in _read_papers(even, 9999)[0]} & SINGH
    off = min(first_file)
    done = store.split_hcp(kept, off)

    load_path(odd, store, home=tmp_path)

    assert singh(store) == {kept, done.other_id}
    holders = store.slot_holders([off])
    assert done.other_id in holders.values() and kept not in holders.values()
    kept_papers = {p for (p, _pos), h in store.slot_holders(sorted(SINGH)).items() if h == kept}
    assert kept_papers == SINGH - {off}


def test_a_store_moved_through_a_bundle_keeps_comparing_its_authors(store, halves, tmp_path):
    """The first file loaded into an embedded store, moved to this store with ``export
    bundle``; the second file's papers of Singh then join her HCP."""
    from kolgraph.bundle_export import export_bundle
    from kolgraph.store.sqlite import EmbeddedStore

    linkage.default_settings.cache_clear()
    even, odd = halves
    first = tmp_path / "first"
    with EmbeddedStore(first, create=True) as embedded:
        load_path(even, embedded, home=first)
        export_bundle(embedded, tmp_path / "bundle", home=first)
    load_path(tmp_path / "bundle", store, home=tmp_path / "moved")
    load_path(odd, store, home=tmp_path / "moved")
    assert len(singh(store)) == 1


def test_an_archive_the_store_does_not_hold_is_left_out(halves, tmp_path):
    """A home whose store was emptied but whose archive was kept: the archived slots no stored
    HCP holds are not compared (their persons no longer exist)."""
    even, odd = halves
    papers = _read_papers(even, 9999)[0]
    archive = AuthorArchive(tmp_path)
    archive.record(papers, linkage.default_settings())
    blocks = {s.block for p in _read_papers(odd, 9999)[0] for s in p.authors}

    assert len(archive.earlier(blocks, [], lambda pmids: {})) == 0
    held = archive.earlier(blocks, [], lambda pmids: {(p, 1): "H" for p in pmids})
    assert held.slots and {s.position for s in held.slots} == {1}
    assert set(held.holders) == {"H"}


def _rows(store, name: str) -> list[tuple]:
    table = store.table(name)
    table = table[sorted(table.columns)].astype(object).map(str)
    return sorted(map(tuple, table.itertuples(index=False)))
