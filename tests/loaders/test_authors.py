"""Author disambiguation on named cases, each a small hand-made PubMed file.

Every case is read through :func:`read_pubmed`, so the XML paths, the affiliation parsing
and the resolution are exercised together, as a user's file would exercise them.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from kolgraph.loaders import linkage
from kolgraph.loaders.authors import (
    AuthorSlot,
    given_name,
    identities,
    normalise_orcid,
    resolve_authors,
)
from kolgraph.loaders.pubmed import _read_papers, read_pubmed
from kolgraph.loaders.validate import validate

HOPKINS = "Department of Medicine, Johns Hopkins University, Baltimore, MD 21205, USA."
MAYO = "Division of Cardiology, Mayo Clinic, Rochester, MN 55905, USA."
STANFORD = "Department of Surgery, Stanford University, Stanford, CA 94305, USA."


def author(
    last: str, fore: str, initials: str | None = None, orcid: str = "", affiliation: str = ""
) -> str:
    initials = initials if initials is not None else "".join(w[0] for w in fore.split())
    parts = [
        f"<LastName>{last}</LastName>",
        f"<ForeName>{fore}</ForeName>" if fore else "",
        f"<Initials>{initials}</Initials>",
    ]
    if orcid:
        parts.append(f'<Identifier Source="ORCID">{orcid}</Identifier>')
    if affiliation:
        parts.append(f"<AffiliationInfo><Affiliation>{affiliation}</Affiliation></AffiliationInfo>")
    return f'<Author ValidYN="Y">{"".join(parts)}</Author>'


def paper(
    pmid: str,
    *authors: str,
    year: int = 2015,
    journal: str = "J Test",
    title: str = "",
    mesh: tuple[str, ...] = (),
) -> str:
    title = title or f"P{pmid}."  # no word shared between two default titles
    headings = "".join(
        f"<MeshHeading><DescriptorName>{term}</DescriptorName></MeshHeading>" for term in mesh
    )
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article><Journal>'
        f"<JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue>"
        f"<Title>{journal}</Title></Journal><ArticleTitle>{title}</ArticleTitle>"
        f'<AuthorList CompleteYN="Y">{"".join(authors)}</AuthorList></Article>'
        f"<MeshHeadingList>{headings}</MeshHeadingList></MedlineCitation></PubmedArticle>"
    )


def read(tmp_path: Path, *papers: str):
    """Read hand-made papers; the result has validated too."""
    path = tmp_path / "case.xml"
    body = "".join(papers)
    path.write_text(f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{body}\n</PubmedArticleSet>\n')
    result = read_pubmed(path)
    validate(result.raw, None, today=date.today())
    return result


def persons_of(result, last_name: str) -> dict[str, set[str]]:
    """hcp_id -> PMIDs, for the persons with ``last_name``."""
    hcps = result.raw.tables["hcps"].frame
    ids = set(hcps.loc[hcps["last_name"] == last_name, "hcp_id"])
    links = result.raw.tables["authorships"].frame
    return {h: set(links.loc[links["hcp_id"] == h, "pmid"]) for h in ids}


def note(result, prefix: str) -> str:
    return next(n for n in result.notes if n.startswith(prefix))


# --- named cases ---------------------------------------------------------------------------


def test_same_name_different_orcid_stays_apart(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Smith", "John", orcid="0000-0002-1825-0097", affiliation=HOPKINS)),
        paper("2", author("Smith", "John", orcid="0000-0001-5109-3700", affiliation=HOPKINS)),
    )
    assert persons_of(result, "Smith") == {
        "ORCID-0000-0002-1825-0097": {"1"},
        "ORCID-0000-0001-5109-3700": {"2"},
    }


def test_same_orcid_different_spelling_merges(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Müller", "Hans Peter", orcid="https://orcid.org/0000-0002-1825-0097")),
        paper("2", author("Mueller", "H", orcid="0000-0002-1825-0097")),
        paper("3", author("Muller", "Hans", orcid="http://orcid.org/0000-0002-1825-0097")),
    )
    links = result.raw.tables["authorships"].frame
    assert set(links["hcp_id"]) == {"ORCID-0000-0002-1825-0097"}
    hcps = result.raw.tables["hcps"].frame
    assert len(hcps) == 1 and hcps["orcid"].iloc[0] == "0000-0002-1825-0097"
    identity = result.identities.iloc[0]
    assert identity["confidence"] == 1.0 and identity["method"] == "orcid"
    assert identity["source_ref"] == "1;2;3"
    assert identity["name_as_written"] == "Müller, Hans Peter; Mueller, H; Muller, Hans"
    assert note(result, "merged by ORCID") == "merged by ORCID: 2 slots (1 persons with an ORCID)"


IDAHO = "Department of Biological Sciences, University of Idaho, Moscow, ID 83844, USA."
IDAHO_2 = "Dept. of Biological Sciences, Univ. of Idaho, Moscow, Idaho 83844-3051."


def test_merge_across_a_name_variant_deborah_l_and_d_l(tmp_path):
    # Stenkamp DL (a real gold pair's name): the full and the initials-only form, same
    # institution written two ways, a co-author in common, the same topic
    result = read(
        tmp_path,
        paper(
            "17200656",
            author("Stenkamp", "Deborah L", affiliation=IDAHO),
            author("Nelson", "Ruth F"),
            title="Retinal regeneration in adult zebrafish photoreceptors",
            journal="Developmental Biology",
            year=2007,
        ),
        paper(
            "21742053",
            author("Stenkamp", "D L", initials="DL", affiliation=IDAHO_2),
            author("Nelson", "Ruth F"),
            title="Cone photoreceptor regeneration in zebrafish retina",
            journal="Developmental Biology",
            year=2011,
        ),
    )
    persons = persons_of(result, "Stenkamp")
    assert list(persons.values()) == [{"17200656", "21742053"}]
    hcp_id = next(iter(persons))
    identity = result.identities.set_index("hcp_id").loc[hcp_id]
    assert identity["method"] == "name+evidence"
    assert 0.6 < identity["confidence"] < 1.0  # the model's probability of the merge
    assert "same institution" in identity["evidence"]
    assert "1 shared co-author(s)" in identity["evidence"]
    assert identity["evidence"].startswith("2 paper(s) 2007-2011. ")
    hcps = result.raw.tables["hcps"].frame.set_index("hcp_id")
    assert hcps.loc[hcp_id, "first_name"] == "Deborah L"  # the full name, not "D L"


def test_deborah_and_diane_are_two_persons_whatever_they_share(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Stenkamp", "Deborah L", affiliation=IDAHO), author("Nelson", "Ruth")),
        paper("2", author("Stenkamp", "Diane L", affiliation=IDAHO), author("Nelson", "Ruth")),
    )
    assert sorted(persons_of(result, "Stenkamp").values(), key=sorted) == [{"1"}, {"2"}]
    evidence = result.identities.set_index("hcp_id")["evidence"]
    (nelson,) = persons_of(result, "Nelson")
    assert evidence[nelson].startswith("2 paper(s) 2015. ")  # one year, written once
    assert all(evidence[p].startswith("1 paper(s) 2015.") for p in persons_of(result, "Stenkamp"))


PEKING = "College of Chemistry, Peking University, Beijing 100871, China."
TORONTO = "Department of Medicine, University of Toronto, Toronto, ON M5S 1A8, Canada."


def test_two_people_behind_a_common_name_stay_apart(tmp_path):
    # "Wang Y" in chemistry in Beijing and "Wang Y" in cardiology in Toronto, each with a
    # co-author "Yang Y": initials-only co-authors of a common name are not shared evidence
    result = read(
        tmp_path,
        paper(
            "1",
            author("Wang", "Yan", affiliation=PEKING),
            author("Yang", "Y", initials="Y"),
            title="Palladium catalysed coupling of aryl halides",
            journal="Journal of the American Chemical Society",
        ),
        paper(
            "2",
            author("Wang", "Y", initials="Y", affiliation=TORONTO),
            author("Yang", "Y", initials="Y"),
            title="Heart failure outcomes after myocardial infarction",
            journal="Circulation",
            year=2016,
        ),
    )
    assert sorted(persons_of(result, "Wang").values(), key=sorted) == [{"1"}, {"2"}]


def test_a_rare_surname_needs_less_evidence_than_a_common_one(tmp_path):
    # Neither block ("smith q", "stenkamp q") is in the reference counts; the surnames are
    # (Smith 347 times, Stenkamp once). Two papers a year apart sharing only the full name
    # are one person under the rare surname and two under the common one.
    def namesakes(last: str, first_pmid: int) -> list[str]:
        return [
            paper(str(first_pmid), author(last, "Quentin"), title="Retinal cone development"),
            paper(
                str(first_pmid + 1),
                author(last, "Quentin"),
                title="Outcomes of hip arthroplasty",
                journal="J Other",
                year=2016,
            ),
        ]

    result = read(tmp_path, *namesakes("Stenkamp", 1), *namesakes("Smith", 3))
    assert list(persons_of(result, "Stenkamp").values()) == [{"1", "2"}]
    assert sorted(persons_of(result, "Smith").values(), key=sorted) == [{"3"}, {"4"}]


def test_a_slot_without_an_affiliation_is_placed_by_its_paper(tmp_path):
    # before 2014 MEDLINE kept the first author's affiliation only: Quentin Smith, second
    # author of a 2005 Hopkins paper, is the Hopkins Quentin Smith of 2015; the same name on
    # an unplaced paper stays apart (a common surname needs evidence)
    result = read(
        tmp_path,
        paper(
            "1",
            author("Carter", "John", affiliation=HOPKINS),
            author("Smith", "Quentin"),
            year=2005,
            title="Renal sodium excretion",
        ),
        paper("2", author("Smith", "Quentin", affiliation=HOPKINS), title="Heart failure"),
        paper("3", author("Jones", "Anna"), author("Smith", "Quentin"), title="Hip arthroplasty"),
    )
    persons = persons_of(result, "Smith")
    assert sorted(persons.values(), key=sorted) == [{"1", "2"}, {"3"}]
    joined = next(hcp_id for hcp_id, pmids in persons.items() if pmids == {"1", "2"})
    evidence = result.identities.set_index("hcp_id").loc[joined, "evidence"]
    assert "same city (a slot without affiliation placed by its paper's)" in evidence


def test_a_shared_coauthor_written_in_full_is_evidence(tmp_path):
    result = read(
        tmp_path,
        paper(
            "1",
            author("Stenkamp", "Deborah L", affiliation=IDAHO),
            author("Nelson", "Ruth F"),
            author("Hitchcock", "Peter F"),
            title="Zebrafish retina cone photoreceptors",
        ),
        paper(
            "2",
            author("Stenkamp", "D L", initials="DL"),
            author("Nelson", "Ruth F"),
            author("Hitchcock", "Peter F"),
            title="Cone photoreceptors of the zebrafish retina",
        ),
    )
    persons = persons_of(result, "Stenkamp")
    assert list(persons.values()) == [{"1", "2"}]
    identity = result.identities.set_index("hcp_id").loc[next(iter(persons))]
    assert "2 shared co-author(s)" in identity["evidence"]


def test_old_initials_only_records_in_one_journal_are_one_person(tmp_path):
    # 1970s records: initials only, no affiliation; same written name, same journal
    papers = [
        paper(
            str(pmid),
            author("Kowalczyk", "A B", initials="AB"),
            journal="Acta Physiologica Polonica",
            title=title,
            year=year,
        )
        for pmid, year, title in [
            (1001, 1976, "Renal sodium excretion in the rat"),
            (1002, 1978, "Sodium excretion by the isolated rat kidney"),
            (1003, 1979, "Effects of vasopressin on renal sodium handling"),
        ]
    ]
    result = read(tmp_path, *papers)
    assert list(persons_of(result, "Kowalczyk").values()) == [{"1001", "1002", "1003"}]


def test_different_first_names_never_merge_even_with_shared_evidence(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Smith", "John", affiliation=HOPKINS)),
        paper("2", author("Smith", "Jane", affiliation=HOPKINS)),
    )
    assert len(persons_of(result, "Smith")) == 2
    assert note(result, "ambiguous").startswith("ambiguous: 0 persons")  # the names tell them apart


def test_conflicting_middle_initials_never_merge(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Smith", "J A", initials="JA", affiliation=HOPKINS)),
        paper("2", author("Smith", "J B", initials="JB", affiliation=HOPKINS)),
    )
    assert len(persons_of(result, "Smith")) == 2


def test_initials_join_the_compatible_full_name_only(tmp_path):
    # "Hrabowski J" at Hopkins can be John (Hopkins) but a Jane at Hopkins blocks nothing: John
    # comes first in the file, so the initials join him; Jane stays herself
    result = read(
        tmp_path,
        paper("1", author("Hrabowski", "John", affiliation=HOPKINS)),
        paper("2", author("Hrabowski", "Jane", affiliation=HOPKINS)),
        paper("3", author("Hrabowski", "J", initials="J", affiliation=HOPKINS)),
    )
    persons = sorted(persons_of(result, "Hrabowski").values(), key=sorted)
    assert persons == [{"1", "3"}, {"2"}]


def test_two_authors_of_one_paper_are_two_persons(tmp_path):
    result = read(
        tmp_path,
        paper(
            "1",
            author("Wang", "Y", initials="Y", affiliation=HOPKINS),
            author("Wang", "Y", initials="Y", affiliation=HOPKINS),
        ),
    )
    assert len(persons_of(result, "Wang")) == 2
    assert sorted(result.raw.tables["authorships"].frame["position"]) == ["1", "2"]


def test_orcid_person_absorbs_unmarked_slots_with_evidence(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Lindqvist", "Kim", orcid="0000-0002-1825-0097", affiliation=STANFORD)),
        paper("2", author("Lindqvist", "K", initials="K", affiliation=STANFORD)),
    )
    persons = persons_of(result, "Lindqvist")
    assert persons == {"ORCID-0000-0002-1825-0097": {"1", "2"}}
    identity = result.identities.set_index("hcp_id").loc["ORCID-0000-0002-1825-0097"]
    assert identity["method"] == "name+evidence+orcid" and 0.6 < identity["confidence"] < 1.0


def test_an_invalid_orcid_is_ignored_and_counted(tmp_path):
    result = read(tmp_path, paper("1", author("Lee", "Kim", orcid="0000-0002-1825-0098")))
    assert list(result.raw.tables["hcps"].frame["hcp_id"]) == ["PM-lee-K-1-1"]
    assert "1 invalid ORCIDs ignored" in result.notes


def test_ids_are_deterministic_and_independent_of_record_order(tmp_path):
    papers = [
        paper("10", author("Hrabowski", "John", affiliation=HOPKINS)),
        paper("7", author("Hrabowski", "J", initials="J", affiliation=HOPKINS)),
        paper("8", author("Hrabowski", "Jane", affiliation=MAYO)),
    ]
    first = read(tmp_path, *papers)
    second = read(tmp_path, *reversed(papers))
    assert (
        set(first.raw.tables["hcps"].frame["hcp_id"])
        == set(second.raw.tables["hcps"].frame["hcp_id"])
        == {"PM-hrabowski-J-7-1", "PM-hrabowski-J-8-1"}
    )


def test_identities_has_the_documented_columns(tmp_path):
    result = read(tmp_path, paper("1", author("Lee", "Kim", affiliation=STANFORD)))
    assert list(result.identities.columns) == [
        "hcp_id",
        "source",
        "source_ref",
        "name_as_written",
        "method",
        "confidence",
        "evidence",
        "split_pmids",
    ]
    row = result.identities.iloc[0]
    assert (row["source"], row["source_ref"], row["method"]) == ("pubmed", "1", "name")
    assert "Stanford University" in row["evidence"]


# --- building blocks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written, expected",
    [
        ("0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("http://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("https://orcid.org/0000000218250097", "0000-0002-1825-0097"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),  # check digit X
        ("0000-0002-1825-0098", ""),  # wrong check digit
        ("orcid", ""),
        ("", ""),
    ],
)
def test_normalise_orcid(written, expected):
    assert normalise_orcid(written) == expected


@pytest.mark.parametrize(
    "fore, expected",
    [
        ("John A", "john"),
        ("J", ""),
        ("JA", ""),
        ("J A", ""),
        ("J.", ""),
        ("Li", "li"),
        ("José", "jose"),
        ("J-L", ""),  # Jean-Luc's initials
        ("Jean-Luc", "jeanluc"),
        ("", ""),
    ],
)
def test_given_name(fore, expected):
    assert given_name(fore) == expected


def test_resolve_authors_without_any_evidence_keeps_each_slot():
    slots = [AuthorSlot(str(i), 1, "Smith", "J", "J", year=2000) for i in range(1, 4)]
    resolution = resolve_authors(slots)
    assert len(set(resolution.slot_hcp)) == 3
    assert resolution.counts["ambiguous"] == 3


def test_two_orcids_are_never_one_person_even_through_a_third_slot(tmp_path):
    # slot 3 (no ORCID) shares everything with both ORCID holders: it may join one of them,
    # but average linkage under the ORCID constraint never makes the three one person
    def stenkamp(pmid: str, orcid: str = "") -> str:
        return paper(
            pmid,
            author("Stenkamp", "Deborah L", orcid=orcid, affiliation=IDAHO),
            author("Nelson", "Ruth F"),
            title="Zebrafish retina cone photoreceptor regeneration",
            journal="Developmental Biology",
        )

    result = read(
        tmp_path,
        stenkamp("1", "0000-0002-1825-0097"),
        stenkamp("2", "0000-0001-5109-3700"),
        stenkamp("3"),
    )
    persons = persons_of(result, "Stenkamp")
    assert len(persons) == 2
    assert persons["ORCID-0000-0002-1825-0097"] & persons["ORCID-0000-0001-5109-3700"] == set()
    assert set().union(*persons.values()) == {"1", "2", "3"}


def test_institution_variants_are_counted_in_the_notes(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Lindqvist", "Kim", affiliation=IDAHO)),
        paper("2", author("Okafor", "Ada", affiliation=IDAHO_2)),
        paper(
            "3",
            author(
                "Brennan",
                "Tom",
                affiliation="Feinberg School of Medicine, Northwestern University, Chicago, IL.",
            ),
        ),
        paper(
            "4",
            author(
                "Castro",
                "Ana",
                affiliation="Northwestern University Feinberg School of Medicine, Chicago, IL.",
            ),
        ),
    )
    assert "institutions: 2 (2 written variants merged into them)" in result.notes
    names = result.raw.tables["institutions"].frame["name"]
    assert len(names) == 2 and "Northwestern University" in set(names)


def test_a_consortium_paper_gives_no_coauthor_evidence():
    # 2,000 authors on one paper: its slots get no co-author set (no n^2 sets of keys)
    settings = linkage.default_settings()
    big = [AuthorSlot("9", k + 1, f"Member{k}", f"Name{k}", "N", year=2016) for k in range(2000)]
    small = [AuthorSlot("8", 1, "Member1", "Name1", "N", year=2016)]
    slots = big + small
    profiles = linkage.profiles(slots, {}, settings, given_name, lambda x: x)
    assert profiles[0].coauthors is None and profiles[-1].coauthors is not None
    assert settings.max_coauthor_evidence < 2000


def test_a_shared_email_is_strong_evidence(tmp_path):
    # a common name, two institutions written differently: the same address links them
    result = read(
        tmp_path,
        paper("1", author("Wang", "Yan", affiliation=f"{PEKING} wangyan@pku.edu.cn")),
        paper(
            "2",
            author(
                "Wang",
                "Y",
                initials="Y",
                affiliation="Peking Univ, Coll Chem, Beijing, China. wangyan@pku.edu.cn.",
            ),
            year=2018,
        ),
    )
    persons = persons_of(result, "Wang")
    assert list(persons.values()) == [{"1", "2"}]
    identity = result.identities.set_index("hcp_id").loc[next(iter(persons))]
    assert "same e-mail" in identity["evidence"]


def test_the_threshold_comes_from_the_settings():
    slots = [
        AuthorSlot("1", 1, "Stenkamp", "Deborah L", "DL", year=2007),
        AuthorSlot("2", 1, "Stenkamp", "D L", "DL", year=2008),
    ]
    papers = {pmid: ("Developmental Biology", ["Zebrafish", "Retina"]) for pmid in "12"}
    shipped = linkage.default_settings()
    assert len(set(resolve_authors(slots, papers=papers).slot_hcp)) == 1
    strict = dataclasses.replace(shipped, threshold=20.0)
    assert len(set(resolve_authors(slots, papers=papers, settings=strict).slot_hcp)) == 2


def test_a_person_remembers_the_split_that_would_undo_the_weakest_merge():
    """Deborah L Stenkamp's two retina papers share a journal and two co-authors; a third
    paper, a year later elsewhere, joins only under a lenient threshold, by its name.  The
    steward's review should point at that paper, not at the strong pair."""
    slots = [
        AuthorSlot("1", 1, "Stenkamp", "Deborah L", "DL", year=2007),
        AuthorSlot("1", 2, "Cameron", "David A", "DA", year=2007),
        AuthorSlot("2", 1, "Stenkamp", "Deborah L", "DL", year=2007),
        AuthorSlot("2", 2, "Cameron", "David A", "DA", year=2007),
        AuthorSlot("3", 1, "Stenkamp", "D", "D", year=2008),
    ]
    retina = ("Developmental Biology", ["Zebrafish", "Retina"], "")
    papers = {"1": retina, "2": retina, "3": ("Cardiology", ["Heart"], "")}
    lenient = dataclasses.replace(linkage.default_settings(), threshold=-5.0)
    resolution = resolve_authors(slots, papers=papers, settings=lenient)
    stenkamp = next(p for p in resolution.persons if 0 in p.slots)
    assert sorted(stenkamp.slots) == [0, 2, 4]
    assert stenkamp.weak_side == ("3",)
    assert stenkamp.weak_link.startswith("PMID ") and "PMID 3" in stenkamp.weak_link
    row = identities(resolution, slots).set_index("hcp_id").loc[stenkamp.hcp_id]
    assert row["split_pmids"] == "3"
    assert f"weakest merge: {stenkamp.weak_link}" in row["evidence"]
    cameron = next(p for p in resolution.persons if 1 in p.slots)
    assert cameron.weak_side in {("1",), ("2",)}  # a two-paper person: either paper


def test_the_shipped_model_weighs_every_feature():
    settings = linkage.LinkageSettings.load()
    assert len(settings.weights) == len(linkage.FEATURES)
    assert settings.max_coauthor_evidence == 100


def test_a_large_block_compares_only_slots_sharing_evidence_with_the_same_result(tmp_path):
    # with max_block_full=2, a block of four slots takes the large-block path: pairs that
    # share an institution, an e-mail, a co-author, a journal or the written first name are
    # scored, the rest on demand (so a pair whose only link is a city, a country or a word of
    # an institution's name is never proposed there: slot 4 is in another country, apart on
    # both paths)
    papers = [
        paper(
            "1",
            author("Stenkamp", "Deborah L", affiliation=IDAHO),
            author("Nelson", "Ruth F"),
            journal="Developmental Biology",
            title="Zebrafish retina regeneration",
        ),
        paper(
            "2",
            author("Stenkamp", "D L", initials="DL", affiliation=IDAHO_2),
            author("Nelson", "Ruth F"),
            journal="Developmental Biology",
            title="Cone photoreceptors of the zebrafish retina",
        ),
        paper("3", author("Stenkamp", "Dana", affiliation=MAYO), journal="Cardiology"),
        paper("4", author("Stenkamp", "D", initials="D", affiliation=TORONTO), journal="Surgery"),
    ]
    slots, facts = _slots_and_facts(tmp_path, papers)
    shipped = linkage.default_settings()
    small = dataclasses.replace(shipped, max_block_full=2)
    assert _persons(slots, facts, small) == _persons(slots, facts, shipped)
    assert ["1", "2"] in _persons(slots, facts, small)


def test_a_large_block_proposes_pairs_joined_by_the_name_and_topic_alone(tmp_path):
    """Records of the 1970s name authors by initials and give no affiliation: *J L Doppman*'s
    two parathyroid papers, in two journals a year apart, share only the initials and MeSH
    terms.  A large block (``max_block_full`` lowered to 2 here) compares the pair because
    both write ``J L``, and links it as a full comparison does."""
    parathyroid = ("Hyperparathyroidism", "Parathyroid Neoplasms", "Phlebography", "Humans")
    papers = [
        paper("1", author("Doppman", "J L"), year=1977, journal="Radiology", mesh=parathyroid),
        paper("2", author("Doppman", "J L"), year=1978, journal="Surgery", mesh=parathyroid),
        paper("3", author("Doppman", "J K"), year=1977, journal="Cardiology", mesh=("Heart",)),
        paper("4", author("Doppman", "J R"), year=1979, journal="Pediatrics", mesh=("Child",)),
    ]
    slots, facts = _slots_and_facts(tmp_path, papers)
    shipped = linkage.default_settings()
    small = dataclasses.replace(shipped, max_block_full=2)
    assert _persons(slots, facts, shipped) == _persons(slots, facts, small)
    assert ["1", "2"] in _persons(slots, facts, small)


def _slots_and_facts(tmp_path: Path, papers: list[str]) -> tuple[list[AuthorSlot], dict]:
    path = tmp_path / "case.xml"
    path.write_text(f"<PubmedArticleSet>{''.join(papers)}</PubmedArticleSet>")
    read_back, _ = _read_papers(path, 2100)
    slots = [s for p in read_back for s in p.authors]
    return slots, {p.pmid: (p.journal, p.mesh_terms, p.title) for p in read_back}


def _persons(slots: list[AuthorSlot], facts: dict, settings) -> list[list[str]]:
    """Each person's PMIDs, sorted."""
    resolution = resolve_authors(slots, papers=facts, settings=settings)
    return sorted(sorted(slots[i].pmid for i in person.slots) for person in resolution.persons)
