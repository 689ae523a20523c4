"""Author disambiguation on named cases, each a small hand-made PubMed file.

Every case is read through :func:`read_pubmed`, so the XML paths, the affiliation parsing
and the resolution are exercised together, as a user's file would exercise them.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kolgraph.loaders.authors import (
    CONFIDENCE,
    AuthorSlot,
    given_name,
    normalise_orcid,
    resolve_authors,
)
from kolgraph.loaders.pubmed import read_pubmed
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


def paper(pmid: str, *authors: str, year: int = 2015) -> str:
    return (
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{pmid}</PMID><Article><Journal>'
        f"<JournalIssue><PubDate><Year>{year}</Year></PubDate></JournalIssue>"
        f"<Title>J Test</Title></Journal><ArticleTitle>Paper {pmid}.</ArticleTitle>"
        f'<AuthorList CompleteYN="Y">{"".join(authors)}</AuthorList></Article>'
        f"</MedlineCitation></PubmedArticle>"
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


def test_same_name_and_same_affiliation_merges(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Smith", "John A", affiliation=HOPKINS), author("Doe", "Jane")),
        paper(
            "2",
            author(
                "Smith",
                "J",
                initials="J",
                affiliation="Johns Hopkins Univ., Baltimore, Maryland 21205",
            ),
        ),
    )
    persons = persons_of(result, "Smith")
    assert list(persons.values()) == [{"1", "2"}]
    identity = result.identities.set_index("hcp_id").loc[next(iter(persons))]
    assert identity["method"] == "name+affiliation"
    assert identity["confidence"] == CONFIDENCE["name+affiliation"] == 0.9
    assert "shared affiliation" in identity["evidence"]
    hcps = result.raw.tables["hcps"].frame.set_index("hcp_id")
    assert hcps.loc[next(iter(persons)), "first_name"] == "John A"  # the full name, not "J"


def test_same_name_different_institutions_no_shared_coauthors_stays_apart(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Smith", "John", affiliation=HOPKINS), author("Doe", "Jane")),
        paper("2", author("Smith", "John", affiliation=MAYO), author("Roe", "Rick")),
    )
    persons = persons_of(result, "Smith")
    assert sorted(persons.values(), key=sorted) == [{"1"}, {"2"}]
    assert note(result, "ambiguous").startswith("ambiguous: 2 persons")
    assert set(result.identities.set_index("hcp_id").loc[list(persons), "confidence"]) == {0.6}


def test_same_name_and_a_shared_coauthor_merges(tmp_path):
    result = read(
        tmp_path,
        paper("1", author("Smith", "John", affiliation=HOPKINS), author("Doe", "Jane")),
        paper("2", author("Smith", "John", affiliation=MAYO), author("Doe", "J")),
    )
    persons = persons_of(result, "Smith")
    assert list(persons.values()) == [{"1", "2"}]
    identity = result.identities.set_index("hcp_id").loc[next(iter(persons))]
    assert (identity["method"], identity["confidence"]) == ("name+coauthor", 0.8)
    assert "shared co-author doe j" in identity["evidence"]


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
    # "Smith J" at Hopkins can be John (Hopkins) but a Jane at Hopkins blocks nothing: John
    # comes first in the file, so the initials join him; Jane stays herself
    result = read(
        tmp_path,
        paper("1", author("Smith", "John", affiliation=HOPKINS)),
        paper("2", author("Smith", "Jane", affiliation=HOPKINS)),
        paper("3", author("Smith", "J", initials="J", affiliation=HOPKINS)),
    )
    persons = sorted(persons_of(result, "Smith").values(), key=sorted)
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
        paper("1", author("Lee", "Kim", orcid="0000-0002-1825-0097", affiliation=STANFORD)),
        paper("2", author("Lee", "K", initials="K", affiliation=STANFORD)),
    )
    persons = persons_of(result, "Lee")
    assert persons == {"ORCID-0000-0002-1825-0097": {"1", "2"}}
    identity = result.identities.set_index("hcp_id").loc["ORCID-0000-0002-1825-0097"]
    assert identity["method"] == "name+affiliation+orcid" and identity["confidence"] == 0.9


def test_an_invalid_orcid_is_ignored_and_counted(tmp_path):
    result = read(tmp_path, paper("1", author("Lee", "Kim", orcid="0000-0002-1825-0098")))
    assert list(result.raw.tables["hcps"].frame["hcp_id"]) == ["PM-lee-K-1-1"]
    assert "1 invalid ORCIDs ignored" in result.notes


def test_ids_are_deterministic_and_independent_of_record_order(tmp_path):
    papers = [
        paper("10", author("Smith", "John", affiliation=HOPKINS)),
        paper("7", author("Smith", "J", initials="J", affiliation=HOPKINS)),
        paper("8", author("Smith", "John", affiliation=MAYO)),
    ]
    first = read(tmp_path, *papers)
    second = read(tmp_path, *reversed(papers))
    assert (
        set(first.raw.tables["hcps"].frame["hcp_id"])
        == set(second.raw.tables["hcps"].frame["hcp_id"])
        == {"PM-smith-J-7-1", "PM-smith-J-8-1"}
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
