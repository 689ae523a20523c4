"""One person across sources on the shipped real sample (``kolgraph/demo_data/real``: NPPES,
Open Payments 2014, ClinicalTrials.gov, MEDLINE medline16n0902): the tables are the same
whichever order the four sources are loaded in, Dong-Xin Wang (investigator on NCT03204344,
author of PMID 26702328, both at Peking University) is one HCP, and the two David
McAllisters (NPPES, North Carolina; Open Payments, Iowa) stay two."""

from __future__ import annotations

import pytest

from kolgraph import cross_source
from kolgraph.demo import REAL_SAMPLE
from kolgraph.loading import load_path, validate_path
from kolgraph.store.sqlite import EmbeddedStore

SOURCES = [
    ("nppes/nppes_sample.csv", "nppes"),
    ("open_payments/OP_RSRCH_IA_2014_first_1200.csv", "open-payments"),
    ("ctgov", "ctgov"),
    ("pubmed/medline16n0902.xml.gz", "pubmed"),
]
TABLES = ("hcps", "authorships", "trial_roles", "affiliations", "publications", "trials")


def loaded(home, order) -> tuple[list, dict[str, list[tuple]]]:
    links = []
    with EmbeddedStore(home) as store:
        for relative, fmt in order:
            links += load_path(REAL_SAMPLE / relative, store, fmt=fmt).links
        tables = {}
        for name in TABLES:
            table = store.table(name)
            table = table[sorted(table.columns)].astype(object).map(str)
            tables[name] = sorted(map(tuple, table.itertuples(index=False)))
    return links, tables


@pytest.fixture(scope="module")
def both_orders(tmp_path_factory):
    forward = loaded(tmp_path_factory.mktemp("forward"), SOURCES)
    reverse = loaded(tmp_path_factory.mktemp("reverse"), SOURCES[::-1])
    return forward, reverse


def test_the_load_order_changes_nothing(both_orders):
    (_, forward), (_, reverse) = both_orders
    assert forward == reverse
    assert len(forward["hcps"]) > 4000


def test_dong_xin_wang_is_one_hcp_with_his_trial_and_his_paper(both_orders):
    (links, tables), _ = both_orders
    assert [(link.keep_id, link.other_id, link.method) for link, _done in links] == [
        ("CT-wang-dong-xin", "PM-wang-DX-26702328-17", "same name and place")
    ]
    wang = "CT-wang-dong-xin"
    roles = {row for row in tables["trial_roles"] if wang in row}
    papers = {row for row in tables["authorships"] if wang in row}
    assert any("NCT03204344" in row for row in roles)
    assert any("26702328" in row for row in papers)
    assert not any("PM-wang-DX-26702328-17" in row for row in tables["hcps"])


def test_the_two_david_mcallisters_stay_two(both_orders):
    (_, tables), _ = both_orders
    ids = {row for row in tables["hcps"] if "MCALLISTER" in row}
    assert len(ids) == 2


def test_a_load_compares_its_hcps_with_the_candidates_alone(tmp_path):
    """The four sources stored unlinked: for each source's HCPs, the links found among the
    candidates (:func:`cross_source.candidates`) are those found among every HCP."""
    with EmbeddedStore(tmp_path) as store:
        for relative, fmt in SOURCES:
            store.load(validate_path(REAL_SAMPLE / relative, store, fmt=fmt).batch)
        every = store.reads.link_fields()
        places = store.reads.affiliation_places([row[0] for row in every])
    whole = cross_source.candidates(every)
    found = {}
    for prefix in ("NPI-", "OP-", "CT-", "PM-"):
        touched = {row[0] for row in every if row[0].startswith(prefix)}
        chosen = cross_source.candidates(every, touched)
        assert len(chosen) < len(whole)
        links = cross_source.find_links(chosen, places, touched)
        assert links == cross_source.find_links(whole, places, touched)
        found[prefix] = [(link.keep_id, link.other_id) for link in links]
    wang = ("CT-wang-dong-xin", "PM-wang-DX-26702328-17")
    assert found == {"NPI-": [], "OP-": [], "CT-": [wang], "PM-": [wang]}
