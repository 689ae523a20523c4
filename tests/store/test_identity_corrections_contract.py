"""Steward corrections on every store: a merge and a split, hand-worked on the sample; bad
input changes nothing; and both survive a reload of the same source (the sample as a bundle,
and the real MEDLINE file ``medline16n0902.xml.gz``).

Sample (``sample.py``): H1 Ada Lovelace (NPI 1234567893) wrote P1 (1st) and P2 (1st), is PI
of NCT00000001, affiliated with I1, met in T1.  H3 Alan Turing wrote P1 (3rd) and P3 (2nd), is
on NCT00000001 (no role), affiliated with I2.
"""

from __future__ import annotations

import pytest
from sample import frame, rows, sample_batch
from shared_data import SHARED_DATA

from kolgraph.errors import InputError, NotFoundError
from kolgraph.loaders import linkage
from kolgraph.loading import load_path

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"
#: Merging H1 into H3: every co-author pair recounted by hand (P1: H2 H3; P2: H3 H2;
#: P3: H2 H3 H4; P4: H4 H5).
MERGED_COAUTHORSHIPS = {
    ("H2", "H3", 3, 2018, 2021),
    ("H2", "H4", 1, 2021, 2021),
    ("H3", "H4", 1, 2021, 2021),
    ("H4", "H5", 1, 2022, 2022),
}
NEW = "H2-split-P3"
#: Splitting P3 off H2: the new HCP takes H2's place on P3.
SPLIT_COAUTHORSHIPS = {
    ("H1", "H2", 2, 2018, 2019),
    ("H1", "H3", 1, 2018, 2018),
    ("H2", "H3", 1, 2018, 2018),
    ("H2-split-P3", "H3", 1, 2021, 2021),
    ("H2-split-P3", "H4", 1, 2021, 2021),
    ("H3", "H4", 1, 2021, 2021),
    ("H4", "H5", 1, 2022, 2022),
}


def links(store, table: str, hcp_id: str) -> set[tuple]:
    stored = store.table(table)
    return rows(stored[stored["hcp_id"] == hcp_id])


def snapshot(store) -> dict:
    names = ("hcps", "authorships", "affiliations", "trial_roles", "touchpoints", "coauthorships")
    return {name: rows(store.table(name)) for name in names}


# --- merge ---------------------------------------------------------------------------------------


def test_a_merge_moves_every_link_and_recounts_coauthors(store):
    store.load(sample_batch())
    done = store.merge_hcps("H3", "H1", steward="ada")
    assert (done.kind, done.hcp_id, done.other_id, done.steward) == ("merge", "H3", "H1", "ada")
    assert done.slots == ("P1:1", "P2:1") and done.fields == {"npi": "1234567893"}
    assert "H1" not in set(store.table("hcps")["hcp_id"])
    # P1: H3 already held it (3rd author): that authorship stays as it was.
    assert {(r[0], r[2]) for r in links(store, "authorships", "H3")} == {
        ("P1", 3),
        ("P2", 1),
        ("P3", 2),
    }
    assert links(store, "affiliations", "H3") == {
        ("H3", "I1", "Professor", 2010, None),
        ("H3", "I2", None, None, None),
    }
    assert links(store, "trial_roles", "H3") == {("NCT00000001", "H3", None)}
    assert set(store.table("touchpoints").query("hcp_id == 'H3'")["touchpoint_id"]) == {"T1"}
    assert rows(store.table("coauthorships")) == MERGED_COAUTHORSHIPS
    last = store.table("authorships").query("last_author")
    assert set(zip(last["pmid"], last["hcp_id"])) == {
        ("P1", "H3"),
        ("P2", "H2"),
        ("P3", "H4"),
        ("P4", "H5"),
    }
    hcps = store.table("hcps").set_index("hcp_id")
    assert hcps.loc["H3", "npi"] == "1234567893" and hcps.loc["H3", "specialty"] == "Cardiology"
    assert store.scores_stale() is True
    assert [c.as_dict() for c in store.corrections()] == [done.as_dict()]


def test_a_split_makes_a_new_hcp_of_those_papers(store):
    store.load(sample_batch())
    done = store.split_hcp("H2", "P3", steward="ada")
    assert (done.kind, done.hcp_id, done.other_id, done.pmids, done.slots) == (
        "split",
        "H2",
        NEW,
        ("P3",),
        ("P3:1",),
    )
    new = store.table("hcps").set_index("hcp_id").loc[NEW]
    assert (new["name"], new["npi"], new["city"]) == ("Grace Hopper", None, None)
    assert {r[0] for r in links(store, "authorships", "H2")} == {"P1", "P2"}
    assert links(store, "authorships", NEW) == {("P3", NEW, 1, False)}
    assert rows(store.table("coauthorships")) == SPLIT_COAUTHORSHIPS
    assert store.scores_stale() is True
    assert len(store.corrections()) == 1


@pytest.mark.parametrize(
    "action, error, message",
    [
        (lambda s: s.merge_hcps("H1", "H1"), InputError, "cannot merge HCP H1 into itself"),
        (lambda s: s.merge_hcps("H1", "NOPE"), NotFoundError, "unknown HCP NOPE"),
        (lambda s: s.merge_hcps("NOPE", "H1"), NotFoundError, "unknown HCP NOPE"),
        (lambda s: s.split_hcp("NOPE", "P1"), NotFoundError, "unknown HCP NOPE"),
        (lambda s: s.split_hcp("H2", "P1,P4"), InputError, "H2 did not author PMID P4"),
        (lambda s: s.split_hcp("H2", " , "), InputError, "give the PMIDs"),
        (lambda s: s.split_hcp("H4", "P3,P4"), InputError, "every paper of HCP H4"),
    ],
)
def test_bad_input_is_a_clear_error_and_changes_nothing(store, action, error, message):
    store.load(sample_batch())
    before = snapshot(store)
    with pytest.raises(error, match=message):
        action(store)
    assert snapshot(store) == before
    assert store.corrections() == []


def test_two_different_npis_are_never_merged(store):
    batch = sample_batch()
    batch["hcps"].loc[batch["hcps"]["hcp_id"] == "H2", "npi"] = "1245319599"
    store.load(batch)
    with pytest.raises(InputError, match="different NPIs"):
        store.merge_hcps("H1", "H2")
    assert store.corrections() == []


# --- survival of reloads -------------------------------------------------------------------------


def write_bundle(batch: dict, folder) -> None:
    """The batch as a canonical bundle folder (lists ``;``-joined, None blank)."""
    folder.mkdir()
    for name, table in batch.items():
        cells = table.astype(object).map(_cell)
        cells.to_csv(folder / f"{name}.csv", index=False)


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None or value != value else str(value)


def test_a_merge_and_a_split_survive_a_reload_of_the_same_bundle(store, tmp_path):
    write_bundle(sample_batch(), tmp_path / "bundle")
    load_path(tmp_path / "bundle", store)
    store.merge_hcps("H3", "H1")
    store.split_hcp("H2", "P3")
    after = snapshot(store)
    summary = load_path(tmp_path / "bundle", store)
    assert "identity corrections kept: 2 (by stewards 2, links across sources 0)" in summary.notes
    assert snapshot(store) == after
    assert "H1" not in set(store.table("hcps")["hcp_id"])
    assert links(store, "authorships", NEW) == {("P3", NEW, 1, False)}


def test_a_later_load_naming_the_merged_hcp_lands_on_the_kept_one(store, tmp_path):
    store.load(sample_batch())
    store.merge_hcps("H3", "H1")
    later = {
        "touchpoints": frame(
            "touchpoints",
            [("T9", "M1", "H1", "2024-05-01", "phone", None, None, None, None)],
        )
    }
    write_bundle(later, tmp_path / "later")
    load_path(tmp_path / "later", store)
    assert set(store.table("touchpoints").query("hcp_id == 'H3'")["touchpoint_id"]) == {"T1", "T9"}


# --- real MEDLINE records ---------------------------------------------------------------------------


def papers_of(store, last_name: str, first_name: str | None = None) -> dict[str, set[str]]:
    hcps = store.table("hcps")
    named = hcps["last_name"] == last_name
    if first_name is not None:
        named &= hcps["first_name"] == first_name
    ids = hcps[named]["hcp_id"]
    authorships = store.table("authorships")
    return {h: set(authorships[authorships["hcp_id"] == h]["pmid"]) for h in ids}


def first_names(store, hcp_ids) -> dict[str, str]:
    return {hcp_id: store.stored_rows("hcps", [hcp_id])[hcp_id]["first_name"] for hcp_id in hcp_ids}


SINGH_KEEP, SINGH_OTHER = "PM-singh-S-26702303-3", "PM-singh-S-26702309-2"


def test_shailja_singh_found_by_review_merged_and_kept_through_a_reload(
    store, real_data, strict_linkage
):
    """Shailja Singh (Shiv Nadar University) wrote five papers of one 2015 issue; with the
    strict threshold one of them stays apart.  The review names the pair with the shared
    institution, the steward merges, and a reload of the same file keeps one person."""
    summary = load_path(MEDLINE, store)
    assert papers_of(store, "Singh", "Shailja") == {
        SINGH_KEEP: {"26702303", "26702304", "26702305", "26702306"},
        SINGH_OTHER: {"26702309"},
    }
    review = store.identity_review(summary.identities.to_dict("records"), limit=50)
    pair = next(r for r in review if r["other_id"] == SINGH_OTHER)
    assert pair["hcp_id"] == SINGH_KEEP
    assert "same institution: Shiv Nadar University" in pair["evidence"]
    store.merge_hcps(SINGH_KEEP, SINGH_OTHER)
    merged = {SINGH_KEEP: {"26702303", "26702304", "26702305", "26702306", "26702309"}}
    assert papers_of(store, "Singh", "Shailja") == merged
    hcps_before = len(store.table("hcps"))
    load_path(MEDLINE, store)
    assert papers_of(store, "Singh", "Shailja") == merged
    assert len(store.table("hcps")) == hcps_before
    review = store.identity_review([], limit=50)
    assert not [r for r in review if SINGH_OTHER in (r["hcp_id"], r["other_id"])]


PAPALOIS = "PM-papalois-AE-26702238-3"


def test_apostolos_papalois_merge_split_by_the_steward_and_kept_through_a_reload(store, real_data):
    """The model joins 'Papalois, Apostolos' (ELPEN research centre) and 'Papalois, A E'
    (Athens Medical School), the same year in one city (confidence 0.91, not shaky).  A
    steward who knows better splits one paper off, and a reload of the same file keeps it."""
    linkage.default_settings.cache_clear()
    summary = load_path(MEDLINE, store)
    evidence = summary.identities.to_dict("records")
    merged = evidence[[r["hcp_id"] for r in evidence].index(PAPALOIS)]
    assert (merged["confidence"], "same city" in merged["evidence"]) == (0.91, True)
    assert papers_of(store, "Papalois", "Apostolos") == {PAPALOIS: {"26702238", "26702422"}}
    done = store.split_hcp(PAPALOIS, "26702422")
    split = {PAPALOIS: {"26702238"}, done.other_id: {"26702422"}}
    assert done.other_id == f"{PAPALOIS}-split-26702422"
    assert papers_of(store, "Papalois", "Apostolos") == split
    load_path(MEDLINE, store)
    assert papers_of(store, "Papalois") == split
    # each now named as its own papers write them: the split took the full name's paper
    assert first_names(store, split) == {PAPALOIS: "A E", done.other_id: "Apostolos"}
    # a steward's split is reviewed: no duplicate pair brings it back
    review = store.identity_review(evidence, limit=50)
    assert not [r for r in review if PAPALOIS in (r["hcp_id"], r["other_id"])]


JING = "PM-jing-G-25391656-5"
MORA = "PM-mora-MC-26277067-10"


def test_a_weak_merge_is_listed_as_shaky_and_split_by_the_steward(
    store, real_data, lenient_linkage
):
    """With the lenient threshold the model joins 'Jing, Gu' (University of Alabama at
    Birmingham, 2014) and 'Jing, Guangjian' (Binzhou Medical University Hospital, 2015) on
    compatible names alone (confidence 0.35): the review lists it as a shaky merge, and the
    steward splits it; a reload keeps the split.  The other shaky merge is Maria Cristina
    Peñuela Mora's two papers of 2015, in Argentina and in Ecuador."""
    summary = load_path(MEDLINE, store)
    evidence = summary.identities.to_dict("records")
    assert papers_of(store, "Jing", "Guangjian") == {JING: {"25391656", "26702389"}}
    shaky = [r for r in store.identity_review(evidence, limit=50) if r["kind"] == "shaky merge"]
    assert [(r["hcp_id"], r["confidence"]) for r in shaky] == [(JING, 0.35), (MORA, 0.68)]
    assert "Binzhou Medical University" in shaky[0]["evidence"][0]  # its hospital: the university
    done = store.split_hcp(JING, "26702389")
    load_path(MEDLINE, store)
    split = {JING: {"25391656"}, done.other_id: {"26702389"}}
    assert papers_of(store, "Jing") == split
    assert first_names(store, split) == {JING: "Gu", done.other_id: "Guangjian"}


# --- a new resolution names the person differently ------------------------------------------------

HOPKINS = "Department of Medicine, Johns Hopkins University, Baltimore, MD 21205, USA."


def medline(path, *pmids: str):
    """A PubMed file of papers by Deborah L Smith of Johns Hopkins with John Carter."""
    authors = "".join(
        f'<Author ValidYN="Y"><LastName>{last}</LastName><ForeName>{fore}</ForeName>'
        f"<Initials>{initials}</Initials><AffiliationInfo><Affiliation>{HOPKINS}"
        f"</Affiliation></AffiliationInfo></Author>"
        for last, fore, initials in (("Smith", "Deborah L", "DL"), ("Carter", "John", "J"))
    )
    papers = "".join(
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article><Journal>'
        f"<JournalIssue><PubDate><Year>2015</Year></PubDate></JournalIssue><Title>J Test"
        f"</Title></Journal><ArticleTitle>Paper {pmid}.</ArticleTitle>"
        f'<AuthorList CompleteYN="Y">{authors}</AuthorList></Article></MedlineCitation>'
        f"</PubmedArticle>"
        for pmid in pmids
    )
    path.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>{papers}</PubmedArticleSet>\n')
    return path


def test_a_split_survives_a_new_file_whose_resolution_anchors_the_person_elsewhere(store, tmp_path):
    """Papers 200 and 300 make one person, PM-smith-DL-200-1; the steward splits 300 off.
    A newer file adds paper 100: the new resolution anchors the person at 100, but the person
    keeps the id of the stored HCP holding its slot on paper 200; the split slot still goes to
    the split HCP."""
    linkage.default_settings.cache_clear()
    load_path(medline(tmp_path / "first.xml", "200", "300"), store)
    assert papers_of(store, "Smith", "Deborah L") == {"PM-smith-DL-200-1": {"200", "300"}}
    done = store.split_hcp("PM-smith-DL-200-1", "300")
    load_path(medline(tmp_path / "newer.xml", "100", "200", "300"), store)
    assert papers_of(store, "Smith", "Deborah L") == {
        "PM-smith-DL-200-1": {"100", "200"},
        done.other_id: {"300"},
    }


def test_one_hcp_s_review_is_the_whole_review_s_rows_about_it(store, real_data, strict_linkage):
    """A profile reviews only the HCP's own pairs, reading only its co-authors' links; it
    must name the same pairs with the same evidence as the review of every HCP."""
    load_path(MEDLINE, store)
    whole = store.identity_review([], limit=10_000)
    about = {}
    for row in whole:
        for hcp_id in (row["hcp_id"], row["other_id"]):
            about.setdefault(hcp_id, []).append(row)
    others = sorted(set(store.table("hcps")["hcp_id"]) - about.keys())
    for hcp_id in [*about, *others[::100]]:
        found = store.identity_review([], limit=10_000, hcp_id=hcp_id)
        assert found == about.get(hcp_id, []), hcp_id
    evidence = [e for row in whole for e in row["evidence"]]
    assert any("in common" in e for e in evidence) and len(about) >= 4


def test_a_review_in_small_batches_of_blocks_is_the_same_review(
    store, real_data, strict_linkage, monkeypatch
):
    """A whole review reads co-authors for a batch of whole name blocks at a time (memory at
    500,000 HCPs); batches of 50 HCPs give the rows of one batch, and report their progress."""
    from kolgraph.store import identity_review

    load_path(MEDLINE, store)
    whole = store.identity_review([], limit=10_000)
    monkeypatch.setattr(identity_review, "REVIEW_BATCH_HCPS", 50)
    seen: list[tuple[int, int]] = []
    batched = store.identity_review([], limit=10_000, progress=lambda d, t: seen.append((d, t)))
    assert batched == whole and len(whole) >= 4
    assert len(seen) > 3 and seen[-1][0] == seen[-1][1]
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})  # grows with each batch


def test_a_server_s_review_reads_co_authors_from_its_arrays_and_finds_the_same_rows(
    store, real_data, strict_linkage
):
    """A long-running server keeps the co-author graph in arrays (reach reads them); its
    review slices those instead of asking the database for every block's co-authorships."""
    load_path(MEDLINE, store)
    one_off = store.identity_review([], limit=10_000)
    store.keep_snapshots()
    assert store.identity_review([], limit=10_000) == one_off
    assert any("in common" in e for row in one_off for e in row["evidence"])
