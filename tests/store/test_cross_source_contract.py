"""One person across sources, on every store: HCPs that four sources made of one person become
one HCP, the same whichever order the sources are loaded in, and later loads keep it.

Four bundles stand for the four sources (their ids are in each source's namespace)::

    nppes     NPI-1234567893 JANE DOE, IOWA CITY IA, Internal Medicine - Cardiovascular Disease
              NPI-1045678905 DAVID MCALLISTER, CHARLOTTE NC, Obstetrics & Gynecology
    payments  OP-2 JANE DOE, DES MOINES IA, Internal Medicine - Cardiology   -> NPI-...93
                   (same name, state and specialty field)
              OP-15780 DAVID MCALLISTER, WEST DES MOINES IA                  -> itself
                   (the real 2014 Open Payments physician: another state than the NPPES one)
    pubmed    PM-doe-J-100-1 Jane Doe, Iowa City IA (papers 100, 101)             -> NPI-...93
                   (same name and city)
              PM-doe-J-200-1 John Doe, Iowa City IA (paper 200)             -> itself
                   (another first name)
    ctgov     CT-doe-jane Jane Doe, no place; at institution J1 (Iowa City)  -> NPI-...93
                   (same name, and the institution's city); investigator on NCT01
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kolgraph.cross_source import STEWARD
from kolgraph.loading import load_path
from kolgraph.store.neo4j import Neo4jStore
from kolgraph.store.sqlite import EmbeddedStore

HCP_HEADER = "hcp_id,first_name,last_name,specialty,city,state,country,npi"
SOURCES = {
    "nppes": {
        "hcps.csv": [
            HCP_HEADER,
            "NPI-1234567893,JANE,DOE,Internal Medicine - Cardiovascular Disease,IOWA CITY,IA,US,"
            "1234567893",
            "NPI-1045678905,DAVID,MCALLISTER,Obstetrics & Gynecology,CHARLOTTE,NC,US,1045678905",
        ],
    },
    "payments": {
        "hcps.csv": [
            HCP_HEADER,
            "OP-2,JANE,DOE,Internal Medicine - Cardiology,DES MOINES,IA,US,",
            "OP-15780,DAVID,MCALLISTER,Internal Medicine - Interventional Cardiology,"
            "WEST DES MOINES,IA,US,",
        ],
    },
    "pubmed": {
        "hcps.csv": [
            HCP_HEADER,
            "PM-doe-J-100-1,Jane,Doe,,Iowa City,IA,US,",
            "PM-doe-J-200-1,John,Doe,,Iowa City,IA,US,",
        ],
        "publications.csv": [
            "pmid,title,journal,year",
            "100,Paper one,J One,2020",
            "101,Paper one again,J One,2021",
            "200,Two,J,2021",
        ],
        "authorships.csv": [
            "pmid,hcp_id,position",
            "100,PM-doe-J-100-1,1",
            "101,PM-doe-J-100-1,1",
            "200,PM-doe-J-200-1,1",
        ],
    },
    "ctgov": {
        "hcps.csv": [HCP_HEADER, "CT-doe-jane,Jane,Doe,,,,,"],
        "institutions.csv": [
            "institution_id,name,type,city,state,country",
            "J1,UI Hospitals,,Iowa City,IA,US",
        ],
        "affiliations.csv": ["hcp_id,institution_id,role,start_year,end_year", "CT-doe-jane,J1,,,"],
        "trials.csv": ["nct_id,title,phase,status,conditions,start_year", "NCT01,A trial,,,,2020"],
        "trial_roles.csv": ["nct_id,hcp_id,role", "NCT01,CT-doe-jane,principal investigator"],
    },
}
JANE = "NPI-1234567893"
HCPS_AFTER = {JANE, "NPI-1045678905", "OP-15780", "PM-doe-J-200-1"}


@pytest.fixture
def sources(tmp_path) -> dict[str, Path]:
    folders = {}
    for name, files in SOURCES.items():
        folder = tmp_path / name
        folder.mkdir()
        for file, lines in files.items():
            (folder / file).write_text("\n".join(lines) + "\n", encoding="utf-8")
        folders[name] = folder
    return folders


@pytest.fixture
def empty_again(request, store, tmp_path):
    """Another empty store of the same backend (Neo4j: the same database, emptied)."""

    def again():
        if isinstance(store, EmbeddedStore):
            return EmbeddedStore(tmp_path / "again")
        driver = request.getfixturevalue("neo4j_driver")
        with driver.session(database="neo4j") as session:
            session.run("MATCH (n) DETACH DELETE n").consume()
        return Neo4jStore(driver, database="neo4j")

    return again


def load_all(store, sources: dict[str, Path], order: list[str]) -> list:
    links = []
    for name in order:
        links += load_path(sources[name], store).links
    return links


def snapshot(store) -> dict[str, list[tuple]]:
    """The HCPs and their links, sorted, as comparable tuples."""
    found = {}
    for name in ("hcps", "authorships", "trial_roles", "affiliations"):
        table = store.table(name)
        table = table[sorted(table.columns)].astype(object).map(str)
        found[name] = sorted(map(tuple, table.itertuples(index=False)))
    return found


def test_four_sources_make_one_person_whatever_the_order(store, sources, empty_again):
    links = load_all(store, sources, ["nppes", "payments", "pubmed", "ctgov"])
    assert {(link.keep_id, link.other_id, link.method) for link, _done in links} == {
        (JANE, "OP-2", "same name, state and specialty"),
        (JANE, "PM-doe-J-100-1", "same name and place"),
        (JANE, "CT-doe-jane", "same name and place"),
    }
    assert all(done.steward == STEWARD for _link, done in links)
    assert set(store.table("hcps")["hcp_id"]) == HCPS_AFTER
    authorships = store.table("authorships")
    assert dict(zip(authorships["pmid"], authorships["hcp_id"])) == {
        "100": JANE,
        "101": JANE,
        "200": "PM-doe-J-200-1",
    }
    assert list(store.table("trial_roles")["hcp_id"]) == [JANE]
    forward = snapshot(store)
    store.close()
    reverse = empty_again()
    try:
        load_all(reverse, sources, ["ctgov", "pubmed", "payments", "nppes"])
        assert snapshot(reverse) == forward
    finally:
        reverse.close()


def test_a_reload_of_a_linked_source_keeps_the_link(store, sources):
    load_all(store, sources, ["pubmed", "nppes"])
    again = load_path(sources["pubmed"], store)
    assert (
        again.links == []
        and "identity corrections kept: 1 (by stewards 0, links across sources 1)" in again.notes
    )
    assert set(store.table("hcps")["hcp_id"]) == {JANE, "NPI-1045678905", "PM-doe-J-200-1"}
    authorships = store.table("authorships")
    assert set(authorships[authorships["pmid"] == "100"]["hcp_id"]) == {JANE}


def test_a_steward_split_is_never_linked_again(store, sources):
    """The steward splits Jane Doe's paper 101 off; another load does not join it back."""
    load_all(store, sources, ["nppes", "pubmed"])
    split = store.split_hcp(JANE, "101")
    assert load_all(store, sources, ["pubmed", "nppes"]) == []
    authorships = store.table("authorships")
    assert set(authorships[authorships["pmid"] == "101"]["hcp_id"]) == {split.other_id}
    assert set(authorships[authorships["pmid"] == "100"]["hcp_id"]) == {JANE}
