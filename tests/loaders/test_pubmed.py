"""Reading PubMed / MEDLINE XML: the real files in ``../shared/data/pubmed``.

Counts are checked against an independent count of the source: a plain ``ElementTree.parse``
of the whole file (or a regex over the decompressed text), never the loader's own code.
"""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pytest
from shared_data import SHARED_DATA

from kolgraph.errors import InputError
from kolgraph.loaders.pubmed import looks_like_pubmed, read_pubmed
from kolgraph.loaders.validate import validate
from kolgraph.loading import load_path
from kolgraph.store.sqlite import EmbeddedStore

DATA = SHARED_DATA
PUBMED = DATA / "pubmed"
MEDLINE = PUBMED / "medline16n0902.xml.gz"
EFETCH = sorted((PUBMED / "efetch_single").glob("*.xml"))
SMALL_FILES = [
    PUBMED / "test_current_medline.xml.gz",
    PUBMED / "pubmed-29768149.xml",
    *sorted(PUBMED.glob("pubmed[1-7].xml")),
]
TODAY = date.today()

pytestmark = pytest.mark.usefixtures("real_data")


def xml_bytes(path: Path) -> bytes:
    with gzip.open(path) if path.suffix == ".gz" else path.open("rb") as stream:
        return stream.read()


def independent_count(path: Path) -> dict:
    """What the file holds, by a whole-tree parse that shares no code with the loader."""
    root = ET.fromstring(xml_bytes(path))
    citations = list(root.iter("MedlineCitation"))
    deleted = {p.text for d in root.iter("DeleteCitation") for p in d.iter("PMID")}
    pmids = {c.findtext("PMID") for c in citations} - deleted
    people = [
        a
        for c in citations
        if c.findtext("PMID") in pmids
        for a in c.iterfind("Article/AuthorList/Author")
        if a.findtext("LastName") and a.get("ValidYN") != "N"
    ]
    orcids = {
        i.text.strip()[-19:].upper()
        for a in people
        for i in a.iterfind("Identifier")
        if i.get("Source") == "ORCID"
    }
    collective = sum(
        1
        for c in citations
        for a in c.iterfind("Article/AuthorList/Author")
        if a.find("CollectiveName") is not None
    )
    return {
        "records": len(citations),
        "pmids": pmids,
        "deleted": deleted,
        "orcids": orcids,
        "people": len(people),
        "collective": collective,
    }


def frame(read, name):
    return read.raw.tables[name].frame


# --- the MEDLINE 2016 baseline sample -------------------------------------------------------


@pytest.fixture(scope="module")
def medline():
    return read_pubmed(MEDLINE), independent_count(MEDLINE)


def test_medline_counts_match_an_independent_parse(medline):
    read, truth = medline
    assert truth["records"] == 604 and len(truth["deleted"]) == 1
    assert read.records_read == truth["records"]
    assert set(frame(read, "publications")["pmid"]) == truth["pmids"]
    assert read.skipped["deleted citation"] == 1
    assert set(frame(read, "authorships")["pmid"]) <= truth["pmids"]


def test_medline_every_orcid_is_one_person(medline):
    read, truth = medline
    assert len(truth["orcids"]) == 122  # as the data README says
    orcid_ids = {h for h in frame(read, "hcps")["hcp_id"] if h.startswith("ORCID-")}
    assert orcid_ids == {f"ORCID-{o}" for o in truth["orcids"]}


def test_medline_author_slots_and_collective_names(medline):
    read, truth = medline
    persons_slots = len(frame(read, "authorships"))
    # every person slot is one authorship (no ORCID is listed twice on one paper here)
    assert persons_slots == truth["people"] - 2  # two slots have a last name but no initials
    assert f"{truth['collective']:,} collective-name authors skipped" in read.notes
    assert any(n.startswith(f"author slots: {truth['people'] - 2:,} -> ") for n in read.notes)


def test_medline_validates_with_lines_of_each_record(medline):
    read, _ = medline
    batch = validate(read.raw, None, today=TODAY)
    assert len(batch["publications"]) == 604
    text = xml_bytes(MEDLINE).decode()
    starts = [
        text.count("\n", 0, m.start()) + 1 for m in re.finditer(r"<MedlineCitation[\s>]", text)
    ]
    table = read.raw.tables["publications"]
    assert list(table.lines) == starts
    assert table.source == MEDLINE.name


def test_medline_date_gives_its_first_year(medline):
    read, _ = medline
    publications = frame(read, "publications").set_index("pmid")
    assert publications.loc["18621939", "year"] == "2008"  # PubDate: <MedlineDate>2008 Jul-Aug


def test_medline_fields_of_one_record(medline):
    read, _ = medline
    row = frame(read, "publications").set_index("pmid").loc["17942999"]
    assert row["title"].startswith("Neuroplasticity in the processing of pitch dimensions")
    assert row["journal"] == "Restorative neurology and neuroscience"
    assert row["year"] == "2007"
    hcps = frame(read, "hcps").set_index("hcp_id")
    first = hcps.loc["PM-chandrasekaran-B-17942999-1"]
    assert (first["first_name"], first["last_name"]) == ("Bharath", "Chandrasekaran")
    place = (first["city"], first["state"], first["country"])
    assert place == ("West Lafayette", "IN", "United States")
    affiliations = frame(read, "affiliations")
    mine = affiliations[affiliations["hcp_id"] == "PM-chandrasekaran-B-17942999-1"]
    assert list(mine["institution_id"]) == ["INST-university-of-purdue"]
    assert list(mine["start_year"]) == ["2007"] and list(mine["end_year"]) == [""]


def test_medline_loads_into_the_embedded_store(medline, tmp_path):
    read, truth = medline
    with EmbeddedStore(tmp_path / "home") as store:
        store.load(validate(read.raw, store, today=TODAY))
        stats = store.stats()
        assert stats["nodes"]["Publication"] == len(truth["pmids"])
        assert stats["nodes"]["HCP"] == len(frame(read, "hcps"))
        assert stats["relationships"]["AUTHORED"] == len(frame(read, "authorships"))
        assert stats["relationships"]["AFFILIATED_WITH"] == len(frame(read, "affiliations"))
        again = read_pubmed(MEDLINE, store)  # same file again: same ids, nothing new
        store.load(validate(again.raw, store, today=TODAY))
        assert store.stats() == stats
        kept = "persons of papers loaded before: 0 took the stored id of their papers' author slots"
        assert kept in again.notes  # the same resolution gives the same ids


# --- the other real files ----------------------------------------------------------------


@pytest.mark.parametrize("path", SMALL_FILES, ids=lambda p: p.name)
def test_small_files_match_an_independent_parse(path):
    read, truth = read_pubmed(path), independent_count(path)
    batch = validate(read.raw, None, today=TODAY)
    assert read.records_read == truth["records"]
    assert set(batch["publications"]["pmid"]) == truth["pmids"]
    assert {h for h in batch["hcps"]["hcp_id"] if h.startswith("ORCID-")} == {
        f"ORCID-{o}" for o in truth["orcids"]
    }
    assert looks_like_pubmed(path)


@pytest.mark.parametrize("path", EFETCH, ids=lambda p: p.name)
def test_every_efetch_record_loads(path):
    read = read_pubmed(path)
    batch = validate(read.raw, None, today=TODAY)
    truth = independent_count(path)
    assert read.records_read == truth["records"] <= 1
    assert list(batch["publications"]["pmid"]) == ([path.stem] if truth["records"] else [])
    assert len(batch["authorships"]) == truth["people"]


def test_nested_title_markup_is_kept_as_text():
    read = read_pubmed(PUBMED / "pubmed4.xml")
    title = frame(read, "publications")["title"].iloc[0]
    assert "genetic variants at the TERT gene region" in title


def test_collective_authors_are_not_people():
    path = PUBMED / "efetch_single" / "34843274.xml"
    read, truth = read_pubmed(path), independent_count(path)
    assert truth["collective"] >= 1
    assert f"{truth['collective']:,} collective-name authors skipped" in read.notes
    assert (frame(read, "hcps")["last_name"] != "").all()


def test_joint_affiliation_goes_to_the_marked_author():
    read = read_pubmed(PUBMED / "pubmed-29768149.xml")
    affiliations = frame(read, "affiliations")
    by_person = affiliations.groupby("hcp_id")["institution_id"].apply(set)
    assert by_person["PM-reddel-HK-29768149-10"] == {"INST-university-of-sydney"}
    assert by_person["PM-bateman-ED-29768149-3"] == {"INST-university-of-cape-town"}
    institutions = frame(read, "institutions").set_index("institution_id")
    assert institutions.loc["INST-university-of-british-columbia", "country"] == "Canada"


# --- hand-made records: years, titles, deletions -------------------------------------------


def article_set(*citations: str, deleted: str = "") -> str:
    body = "".join(f"<PubmedArticle>{c}</PubmedArticle>" for c in citations)
    tail = f"<DeleteCitation>{deleted}</DeleteCitation>" if deleted else ""
    return f'<?xml version="1.0"?>\n<PubmedArticleSet>\n{body}{tail}\n</PubmedArticleSet>\n'


def citation(
    pmid: str, title: str = "A title.", pub_date: str = "<Year>2020</Year>", extra: str = ""
) -> str:
    return (
        f'<MedlineCitation Status="MEDLINE"><PMID Version="1">{pmid}</PMID>'
        f"<Article><Journal><JournalIssue><PubDate>{pub_date}</PubDate></JournalIssue>"
        f"<Title>J Test</Title></Journal><ArticleTitle>{title}</ArticleTitle>{extra}"
        f"<AuthorList><Author><LastName>Roe</LastName><ForeName>Ann</ForeName>"
        f"<Initials>A</Initials></Author></AuthorList></Article></MedlineCitation>"
    )


def test_unusable_records_are_skipped_with_a_reason(tmp_path):
    future = TODAY.year + 2
    path = tmp_path / "cases.xml"
    path.write_text(
        article_set(
            citation("1"),
            citation("2", title=""),
            citation("3", pub_date="<Season>Spring</Season>"),
            citation("4", pub_date=f"<Year>{future}</Year>"),
            citation(
                "5",
                pub_date=f"<Year>{future}</Year>",
                extra='<ArticleDate DateType="Electronic"><Year>2019</Year></ArticleDate>',
            ),
            citation("6", pub_date="<MedlineDate>1998 Dec-1999 Jan</MedlineDate>"),
            citation("7"),
            deleted='<PMID Version="1">7</PMID><PMID Version="1">99</PMID>',
        )
    )
    read = read_pubmed(path)
    years = dict(zip(frame(read, "publications")["pmid"], frame(read, "publications")["year"]))
    assert years == {"1": "2020", "5": "2019", "6": "1998"}
    assert read.records_read == 7
    assert read.skipped == {
        "no title": 1,
        "no usable year": 1,
        "year in the future": 1,
        "deleted citation": 2,
    }
    assert "1 deleted PMIDs not in this file (the store is not changed)" in read.notes
    validate(read.raw, None, today=TODAY)


def test_book_records_are_skipped(tmp_path):
    path = tmp_path / "books.xml"
    book = (
        '<PubmedBookArticle><BookDocument><PMID Version="1">5</PMID><Book><BookTitle>B'
        "</BookTitle></Book></BookDocument></PubmedBookArticle>"
    )
    text = article_set(citation("1")).replace("</PubmedArticleSet>", f"{book}</PubmedArticleSet>")
    path.write_text(text)
    read = read_pubmed(path)
    assert read.records_read == 2 and read.skipped == {"book record (no MedlineCitation)": 1}
    assert list(frame(read, "publications")["pmid"]) == ["1"]


def test_a_pmid_listed_twice_is_taken_from_its_last_record(tmp_path):
    path = tmp_path / "update.xml"
    path.write_text(article_set(citation("1", title="Old."), citation("1", title="New.")))
    read = read_pubmed(path)
    assert list(frame(read, "publications")["title"]) == ["New."]
    assert read.skipped["superseded by a later record of the same PMID"] == 1


# --- bad input ---------------------------------------------------------------------------


@pytest.fixture
def store_with_a_paper(tmp_path):
    """An embedded store already holding pubmed1.xml, so "nothing written" means something."""
    store = EmbeddedStore(tmp_path / "home")
    read = read_pubmed(PUBMED / "pubmed1.xml", store)
    store.load(validate(read.raw, store, today=TODAY))
    yield store
    store.close()


def test_truncated_xml_is_a_clear_error_and_writes_nothing(store_with_a_paper, tmp_path):
    before = store_with_a_paper.stats()
    assert before["nodes"]["Publication"] == 2
    text = xml_bytes(MEDLINE)
    cut = tmp_path / "cut.xml"
    cut.write_bytes(text[: len(text) // 2])
    with pytest.raises(InputError, match=r"^cut\.xml: line \d+, column \d+: malformed XML"):
        read_pubmed(cut, store_with_a_paper)
    assert store_with_a_paper.stats() == before


def test_truncated_gzip_is_a_clear_error(tmp_path):
    cut = tmp_path / "cut.xml.gz"
    cut.write_bytes(MEDLINE.read_bytes()[:100_000])
    with pytest.raises(
        InputError, match=re.escape("cut.xml.gz: damaged gzip: the data is corrupt or truncated")
    ):
        read_pubmed(cut)


def test_malformed_xml_names_the_line(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text(
        article_set(citation("1")).replace("<Title>J Test</Title>", "<Title>J & T</Title>")
    )
    expected = r"bad\.xml: line 3, column \d+: malformed XML \(not well-formed"
    with pytest.raises(InputError, match=expected):
        read_pubmed(bad)


def test_other_xml_is_not_taken_for_pubmed():
    trial = next((DATA / "ctgov" / "xml_legacy").glob("*.xml"))
    assert not looks_like_pubmed(trial)
    with pytest.raises(InputError, match="not PubMed/MEDLINE XML"):
        read_pubmed(trial)
    assert not looks_like_pubmed(DATA / "nppes" / "nppes_sample.csv")
    assert looks_like_pubmed(MEDLINE)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_pubmed(tmp_path / "nope.xml")


# --- HCPs other sources made: linked after the load, whichever came first ----------------------

LINKED_AUTHORS = (
    "<Author><LastName>Gonzales</LastName><ForeName>M</ForeName><Initials>M</Initials>"
    '<Identifier Source="ORCID">http://orcid.org/0000-0002-1825-0097</Identifier></Author>'
    "<Author><LastName>Chen</LastName><ForeName>James</ForeName><Initials>J</Initials>"
    "<AffiliationInfo><Affiliation>Department of Medicine, Memorial Sloan Kettering Cancer "
    "Center, New York, NY 10065, USA.</Affiliation></AffiliationInfo></Author>"
    "<Author><LastName>Patel</LastName><ForeName>Aisha</ForeName><Initials>A</Initials>"
    "<AffiliationInfo><Affiliation>Mayo Clinic, Rochester, MN, USA.</Affiliation>"
    "</AffiliationInfo></Author>"
)


def linked_paper(tmp_path: Path) -> Path:
    path = tmp_path / "linked.xml"
    path.write_text(
        article_set(
            '<MedlineCitation><PMID Version="1">123</PMID><Article><Journal><JournalIssue>'
            "<PubDate><Year>2021</Year></PubDate></JournalIssue></Journal>"
            f"<ArticleTitle>Linked.</ArticleTitle><AuthorList>{LINKED_AUTHORS}</AuthorList>"
            "</Article></MedlineCitation>"
        )
    )
    return path


@pytest.mark.parametrize("paper_first", [False, True])
def test_authors_become_the_teams_hcps_by_orcid_and_by_name_and_city(
    tmp_path, small_bundle, paper_first
):
    """Gonzales M has H001's ORCID; James Chen of New York is H002; Aisha Patel of Rochester
    (MN) is not H003 of Chicago (IL).  The reader makes its own ids; the load links them."""
    paper = linked_paper(tmp_path)
    read = read_pubmed(paper)
    assert set(frame(read, "hcps")["hcp_id"]) == {
        "ORCID-0000-0002-1825-0097",
        "PM-chen-J-123-2",
        "PM-patel-A-123-3",
    }
    with EmbeddedStore(tmp_path / "home") as store:
        first, then = (paper, small_bundle) if paper_first else (small_bundle, paper)
        load_path(first, store)
        summary = load_path(then, store)
        authorships = store.table("authorships").sort_values("position")
        assert list(authorships[authorships["pmid"] == "123"]["hcp_id"]) == [
            "H001",
            "H002",
            "PM-patel-A-123-3",
        ]
        assert store.stats()["nodes"]["HCP"] == 7
    methods = {link.other_id: link.method for link, _done in summary.links}
    assert methods == {
        "ORCID-0000-0002-1825-0097": "same ORCID",
        "PM-chen-J-123-2": "same name and place",
    }
    assert (
        "one person across sources: 2 HCP(s) joined (same ORCID: 1, same name and place: 1)"
        in summary.describe()
    )
