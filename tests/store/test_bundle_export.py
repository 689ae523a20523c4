"""``kolgraph export bundle``: the whole store as a canonical bundle that loads unchanged into
either store, checked on the real demo sample (PubMed, NPPES, ClinicalTrials.gov, Open
Payments, a roster, an alignment and CRM calls)."""

from __future__ import annotations

import csv
import gzip
import shutil
import stat
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from shared_data import SHARED_DATA

from kolgraph import bundle_export
from kolgraph.bundle_export import ALIGNMENT_FILE, export_bundle
from kolgraph.cli import cli
from kolgraph.demo import REAL_SAMPLE, prepare_real_demo
from kolgraph.errors import InputError, StoreUnavailable
from kolgraph.loaders.author_archive import AuthorArchive
from kolgraph.loading import load_path
from kolgraph.ports import free_port
from kolgraph.schema import TABLES
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.territories import read_alignment


@pytest.fixture(scope="module")
def real_home(tmp_path_factory) -> Path:
    """An embedded store holding the real demo sample, aligned, with CRM calls."""
    home = tmp_path_factory.mktemp("real")
    with EmbeddedStore(home, create=True) as store:
        prepare_real_demo(store, home, echo=lambda _line: None)
    return home


@pytest.fixture
def exported(real_home, tmp_path) -> Path:
    with EmbeddedStore(real_home) as store:
        export_bundle(store, tmp_path / "bundle", home=real_home)
    return tmp_path / "bundle"


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.csv")}


def reload_and_export(bundle: Path, store, out: Path) -> Path:
    """Load ``bundle`` into ``store`` (its home: ``out``'s folder plus ``.home``), align as the
    bundle says, and export again."""
    home = out.with_suffix(".home")
    load_path(bundle, store, home=home)
    store.set_alignment(read_alignment(bundle / ALIGNMENT_FILE))
    export_bundle(store, out, home=home)
    return out


def test_embedded_to_bundle_to_neo4j_to_bundle_gives_the_same_files(
    exported, neo4j_clean, tmp_path
):
    neo4j = Neo4jStore(neo4j_clean, database="neo4j")
    try:
        again = reload_and_export(exported, neo4j, tmp_path / "from-neo4j")
    finally:
        neo4j.close()
    assert files(again) == files(exported)


def test_neo4j_to_bundle_to_embedded_to_bundle_gives_the_same_files(
    real_home, exported, neo4j_clean, tmp_path
):
    """The other direction: the real sample loaded from its sources into Neo4j exports the
    same bundle as the embedded store did, and that bundle survives the embedded store."""
    home = tmp_path / "neo4j-home"
    shutil.copytree(real_home / "demo-real", home / "demo-real")  # the same CRM calls
    neo4j = Neo4jStore(neo4j_clean, database="neo4j")
    try:
        prepare_real_demo(neo4j, home, echo=lambda _line: None)
        export_bundle(neo4j, tmp_path / "from-neo4j", home=home)
    finally:
        neo4j.close()
    assert files(tmp_path / "from-neo4j") == files(exported)
    with EmbeddedStore(tmp_path / "embedded", create=True) as store:
        again = reload_and_export(tmp_path / "from-neo4j", store, tmp_path / "again")
    assert files(again) == files(tmp_path / "from-neo4j")


def test_embedded_to_bundle_to_embedded_gives_the_same_files(exported, tmp_path):
    with EmbeddedStore(tmp_path / "other", create=True) as store:
        again = reload_and_export(exported, store, tmp_path / "again")
    assert files(again) == files(exported)


def test_every_table_with_the_contract_columns_and_every_row(real_home, exported):
    with EmbeddedStore(real_home) as store:
        for table in TABLES:
            with (exported / table.filename).open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            assert tuple(rows[0]) == table.column_names, table.name
            assert len(rows) - 1 == len(store.table(table.name)) > 0, table.name


def test_the_author_archive_travels_with_the_bundle(real_home, exported, tmp_path):
    """Every archived author slot of the real MEDLINE file is in the bundle, and a bundle load
    keeps them in the new home's archive, row for row."""
    slots = list(AuthorArchive(real_home).exported_rows("slots"))
    assert len(slots) == 3580
    with (exported / "authors" / "author_slots.csv").open(encoding="utf-8", newline="") as f:
        assert len(list(csv.reader(f))) - 1 == len(slots)
    with EmbeddedStore(tmp_path / "other", create=True) as store:
        summary = load_path(exported, store, home=tmp_path / "other")
    assert "author archive: 3,580 author slots of 604 papers" in summary.notes
    moved = AuthorArchive(tmp_path / "other")
    assert list(moved.exported_rows("slots")) == slots
    assert list(moved.exported_rows("papers")) == list(
        AuthorArchive(real_home).exported_rows("papers")
    )


def test_a_damaged_archive_file_fails_the_load_and_writes_nothing(exported, tmp_path):
    slots = exported / "authors" / "author_slots.csv"
    lines = slots.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",", ",x", 1)  # the position of the third slot
    slots.write_text("".join(lines), encoding="utf-8")
    home = tmp_path / "other"
    with EmbeddedStore(home, create=True) as store:
        with pytest.raises(InputError, match=r"author_slots.csv: line 4: position: not a whole"):
            load_path(exported, store, home=home)
        assert store.stats()["nodes"]["HCP"] == 0
    assert not (home / "author_slots.sqlite3").exists()


def test_authorship_positions_count_the_source_byline(exported):
    """Checked against an independent parse of the shipped MEDLINE file: a position is the
    author's place among the record's ``Author`` elements, collective names counted and
    ``ValidYN="N"`` entries not."""
    byline: dict[tuple[str, int], str | None] = {}
    with gzip.open(REAL_SAMPLE / "pubmed" / "medline16n0902.xml.gz") as handle:
        for _event, citation in ET.iterparse(handle):
            if citation.tag != "MedlineCitation":
                continue
            pmid = citation.findtext("PMID")
            valid = [a for a in citation.iter("Author") if a.get("ValidYN", "Y") != "N"]
            for position, author in enumerate(valid, start=1):
                byline[(pmid, position)] = author.findtext("LastName")
            citation.clear()
    last_names = _column(exported / "hcps.csv", "hcp_id", "last_name")
    with (exported / "authorships.csv").open(encoding="utf-8", newline="") as handle:
        authorships = list(csv.DictReader(handle))
    assert len(authorships) == 3580
    for row in authorships:
        written = byline[(row["pmid"], int(row["position"]))]
        assert written is not None, row  # never a collective name's place
        assert plain(written) == plain(last_names[row["hcp_id"]]), row


def test_positions_on_real_consortium_papers(real_data, tmp_path):
    """The gold standard's MEDLINE articles (consortium papers with collective names in the
    byline, and ``ValidYN="N"`` entries): every person keeps their place in the byline."""
    articles = SHARED_DATA / "author_gold" / "medline_pairs_train_articles.xml.gz"
    with EmbeddedStore(tmp_path / "home", create=True) as store:
        load_path(articles, store, fmt="pubmed")
        export_bundle(store, tmp_path / "out")
    byline = _bylines(articles)
    last_names = _column(tmp_path / "out" / "hcps.csv", "hcp_id", "last_name")
    with (tmp_path / "out" / "authorships.csv").open(encoding="utf-8", newline="") as handle:
        authorships = list(csv.DictReader(handle))
    assert max(int(row["position"]) for row in authorships) > 1000  # a consortium paper
    for row in authorships:
        written = byline[(row["pmid"], int(row["position"]))]
        assert written is not None, row
        # a person merged across spellings ("König" / "Koenig") keeps one of them
        assert plain(written)[:2] == plain(last_names[row["hcp_id"]])[:2], row


def _bylines(path: Path) -> dict[tuple[str, int], str | None]:
    """(pmid, 1-based place among the valid ``Author`` elements) -> last name (None for a
    collective name), parsed independently of the loader."""
    byline: dict[tuple[str, int], str | None] = {}
    with gzip.open(path) as handle:
        for _event, citation in ET.iterparse(handle):
            if citation.tag != "MedlineCitation":
                continue
            pmid = citation.findtext("PMID")
            authors = citation.findall("Article/AuthorList/Author")
            valid = [a for a in authors if a.get("ValidYN", "Y") != "N"]
            for position, author in enumerate(valid, start=1):
                byline[(pmid, position)] = author.findtext("LastName")
            citation.clear()
    return byline


def plain(name: str) -> str:
    """A name's letters without case or accents (a person merged across "Domínguez" and
    "Dominguez", or "De Vriese" and "Devriese", keeps one spelling)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(c for c in decomposed if c.isalnum() and not unicodedata.combining(c))


def _column(path: Path, key: str, value: str) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row[key]: row[value] for row in csv.DictReader(handle)}


#: A canonical bundle filling every column of the contract, with the cells a CSV writer or a
#: store could change: leading zeros, "NA" as a name, accents, commas, quotes and line breaks
#: in text, lists, zero counts, blank years, gaps in author positions (a collective name).
EVERY_COLUMN = {
    "hcps.csv": (
        "hcp_id,first_name,last_name,credentials,specialty,city,state,postal_code,country,"
        "territory,npi,orcid,email\n"
        '007,Ana,Domínguez,"MD, PhD",Oncology,Boston,MA,02115,US,Northeast,1234567893,'
        "0000-0002-1825-0097,ana@example.org\n"
        "H2,Bo,NA,,,,,,,,,,\n"
    ),
    "institutions.csv": (
        "institution_id,name,type,city,state,country\n"
        'I1,"Dana-Farber Cancer Institute, Inc.",hospital,Boston,MA,US\n'
        "I2,Nowhere College,,,,\n"
    ),
    "affiliations.csv": (
        "hcp_id,institution_id,role,start_year,end_year\n"
        "007,I1,Attending,2010,\n"
        "007,I2,,2001,2009\n"
        "H2,I2,,,\n"
    ),
    "publications.csv": (
        "pmid,title,journal,year,mesh_terms,citation_count\n"
        '100,"A ""quoted"" title",N Engl J Med,2019,Humans;Neoplasms,0\n'
        "99,Untitled,,1998,,\n"
    ),
    "authorships.csv": "pmid,hcp_id,position\n100,007,1\n100,H2,3\n99,H2,1\n",
    "trials.csv": (
        "nct_id,title,phase,status,conditions,start_year\n"
        "NCT00000001,A trial,Phase 2,Completed,Breast Cancer;Lymphoma,2015\n"
        "NCT00000002,,,,,\n"
    ),
    "trial_roles.csv": (
        "nct_id,hcp_id,role\nNCT00000001,007,Principal Investigator\nNCT00000002,H2,\n"
    ),
    "msls.csv": (
        "msl_id,name,territory,therapeutic_area,email\n"
        "M1,Max Liaison,Northeast,Oncology,max@example.org\n"
        "M2,Min,West,,\n"
    ),
    "touchpoints.csv": (
        "touchpoint_id,msl_id,hcp_id,date,channel,topic,insight,insight_category,sentiment\n"
        'T1,M1,007,2024-03-01,in person,dosing,"Asks for data, ""real world""\n'
        'on line two",unmet need,positive\n'
        "T2,M2,H2,2023-12-31,,,,,\n"
    ),
}


def test_every_column_comes_back_as_it_was_loaded(store, tmp_path):
    """A canonical bundle, loaded and exported, is the same bytes: no column, cell or row
    is lost or reshaped on either store."""
    bundle = tmp_path / "in"
    bundle.mkdir()
    for name, text in EVERY_COLUMN.items():
        (bundle / name).write_bytes(text.encode("utf-8"))
    load_path(bundle, store)
    export_bundle(store, tmp_path / "out")
    assert files(tmp_path / "out") == files(bundle)


def test_only_a_territory_the_source_gave_is_exported(store, tmp_path):
    bundle = tmp_path / "in"
    bundle.mkdir()
    (bundle / "hcps.csv").write_text(
        "hcp_id,first_name,last_name,state,country,territory\n"
        "H1,Ann,One,MA,US,\n"
        "H2,Bo,Two,MA,US,Explicit\n",
        encoding="utf-8",
    )
    load_path(bundle, store)
    rules = tmp_path / "rules.csv"
    rules.write_text("territory,country,state,postal_code\nNew England,US,MA,\n")
    store.set_alignment(read_alignment(rules, override=True))
    hcps = store.table("hcps")
    assert dict(zip(hcps["hcp_id"], hcps["territory"])) == {
        "H1": "New England",
        "H2": "New England",
    }
    export_bundle(store, tmp_path / "out")
    assert _column(tmp_path / "out" / "hcps.csv", "hcp_id", "territory") == {
        "H1": "",
        "H2": "Explicit",
    }
    rules_out = (tmp_path / "out" / ALIGNMENT_FILE).read_text(encoding="utf-8")
    assert rules_out == "territory,country,state,postal_code\nNew England,US,MA,\n"


# --- the command ----------------------------------------------------------------------------


def run(home: Path, *args: str):
    return CliRunner().invoke(cli, ["--home", str(home), "export", "bundle", *args])


def test_the_command_reports_rows_and_how_to_align_elsewhere(real_home, tmp_path):
    result = run(real_home, str(tmp_path / "b"))
    assert result.exit_code == 0, result.output
    assert "authorships.csv" in result.output and "3,580 rows" in result.output
    assert f"kolgraph align {tmp_path / 'b' / ALIGNMENT_FILE}" in result.output
    assert stat.S_IMODE((tmp_path / "b").stat().st_mode) == 0o700  # names and insights


def test_a_folder_that_is_not_empty_is_replaced_only_with_force(real_home, tmp_path):
    out = tmp_path / "b"
    assert run(real_home, str(out)).exit_code == 0
    before = (out / "hcps.csv").read_bytes()
    (out / "hcps.csv").write_text("hcp_id\n")  # an earlier, different bundle
    result = run(real_home, str(out))
    assert result.exit_code == 1 and "is not empty" in result.output and "--force" in result.output
    assert (out / "hcps.csv").read_text() == "hcp_id\n"
    assert run(real_home, str(out), "--force").exit_code == 0
    assert (out / "hcps.csv").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["b"]  # no temporary folder left


def test_force_never_replaces_a_folder_holding_other_files(real_home, tmp_path):
    """A slip of the path (a home folder, a working copy) must not delete anything."""
    out = tmp_path / "b"
    out.mkdir()
    (out / "hcps.csv").write_text("hcp_id\n")
    (out / "notes.txt").write_text("mine")
    result = run(real_home, str(out), "--force")
    assert result.exit_code == 1, result.output
    assert "files no bundle export writes (notes.txt)" in result.output
    assert sorted(p.name for p in out.iterdir()) == ["hcps.csv", "notes.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["b"]


def test_force_never_replaces_the_current_folder(real_home, tmp_path, monkeypatch):
    out = tmp_path / "b"
    assert run(real_home, str(out)).exit_code == 0
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(out)
    result = run(real_home, ".", "--force")
    assert result.exit_code == 1 and "holds the current folder" in result.output
    assert (out / "hcps.csv").is_file()
    monkeypatch.chdir(tmp_path / "empty")  # not even an empty one
    assert "holds the current folder" in run(real_home, ".").output


def test_a_file_or_a_missing_parent_is_a_clear_error(real_home, tmp_path):
    (tmp_path / "file").write_text("x")
    assert "is a file" in run(real_home, str(tmp_path / "file")).output
    assert "does not exist" in run(real_home, str(tmp_path / "no" / "b")).output


@pytest.mark.parametrize(
    "error, message",
    [
        (InputError("disk full (simulated)"), "disk full"),
        (OSError(28, "No space left on device"), "cannot write the bundle to"),
        (StoreUnavailable("cannot reach Neo4j at x (simulated)"), "cannot reach Neo4j"),
    ],
    ids=["kolgraph error", "full disk", "lost database"],
)
def test_a_failed_export_leaves_nothing_behind(real_home, tmp_path, monkeypatch, error, message):
    real = bundle_export._exported

    def failing(store, table):
        if table.name == "authorships":
            raise error
        return real(store, table)

    monkeypatch.setattr(bundle_export, "_exported", failing)
    result = run(real_home, str(tmp_path / "b"))
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_export_keeps_the_earlier_bundle(real_home, tmp_path, monkeypatch):
    out = tmp_path / "b"
    assert run(real_home, str(out)).exit_code == 0
    before = files(out)
    monkeypatch.setattr(bundle_export, "_exported", _raise_store_unavailable)
    assert run(real_home, str(out), "--force").exit_code == 1
    assert files(out) == before and [p.name for p in tmp_path.iterdir()] == ["b"]


def _raise_store_unavailable(store, table):
    raise StoreUnavailable("cannot reach Neo4j (simulated)")


def test_an_unreachable_neo4j_is_a_clear_error_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("NEO4J_URI", f"neo4j://127.0.0.1:{free_port()}")
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pw")
    args = ["--backend", "neo4j", "--home", str(tmp_path / "home")]
    result = CliRunner().invoke(cli, [*args, "export", "bundle", str(tmp_path / "b")])
    assert result.exit_code == 1 and "cannot reach Neo4j" in result.output, result.output
    assert "Traceback" not in result.output and "s3cret-pw" not in result.output
    assert not (tmp_path / "b").exists()
