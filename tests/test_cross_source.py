"""The rules of one person across sources (``kolgraph.cross_source``) on hand-made rows, with
the real names the shipped samples hold where they make the case."""

from __future__ import annotations

from kolgraph import cross_source
from kolgraph.cross_source import (
    SAME_EMAIL,
    SAME_NAME_PLACE,
    SAME_NAME_STATE_SPECIALTY,
    SAME_NPI,
    SAME_ORCID,
    find_links,
    rank,
    source_of,
)


def hcp(hcp_id: str, first: str, last: str, **fields) -> dict:
    return {"hcp_id": hcp_id, "first_name": first, "last_name": last, **fields}


def made(links) -> set[tuple[str, str, str]]:
    return {(link.keep_id, link.other_id, link.method) for link in links}


def test_the_real_dong_xin_wang_is_one_person_through_peking_university():
    """ClinicalTrials.gov NCT03204344 names investigator Dong-Xin Wang at Peking University;
    MEDLINE 26702328 (medline16n0902) has author Dong-Xin Wang of Peking University, Beijing."""
    rows = [
        hcp("CT-wang-dong-xin", "Dong-Xin", "Wang"),
        hcp("PM-wang-DX-26702328-17", "Dong-Xin", "Wang", city="Beijing", country="China"),
    ]
    places = {
        "CT-wang-dong-xin": [("INST-peking-university", "Beijing")],
        "PM-wang-DX-26702328-17": [("INST-peking-university", "Beijing")],
    }
    (link,) = find_links(rows, places)
    assert (link.keep_id, link.other_id, link.method) == (
        "CT-wang-dong-xin",
        "PM-wang-DX-26702328-17",
        SAME_NAME_PLACE,
    )
    assert "institution in common: INST-peking-university" in link.evidence
    assert link.confidence == 0.9


def test_the_real_david_mcallisters_of_two_states_stay_two():
    """NPPES: an OB-GYN in Charlotte NC; Open Payments 2014: a cardiologist in West Des
    Moines IA.  Same name, two states: two persons."""
    rows = [
        hcp(
            "NPI-1245233279", "DAVID", "MCALLISTER", city="CHARLOTTE", state="NC", npi="1245233279"
        ),
        hcp("OP-15780", "DAVID", "MCALLISTER", city="WEST DES MOINES", state="IA"),
    ]
    assert find_links(rows, {}) == []


def test_the_same_name_state_and_specialty_field_is_enough():
    rows = [
        hcp("NPI-1", "JANE", "DOE", state="IA", specialty="Internal Medicine - Cardiology"),
        hcp("OP-2", "JANE", "DOE", state="Iowa", specialty="Internal Medicine - Nephrology"),
        hcp("OP-3", "JANE", "DOE", state="IA", specialty="Psychiatry & Neurology - Neurology"),
    ]
    assert made(find_links(rows[:2], {})) == {("NPI-1", "OP-2", SAME_NAME_STATE_SPECIALTY)}
    assert find_links([rows[0], rows[2]], {}) == []


def test_initials_alone_or_another_first_name_are_not_a_name_match():
    rows = [
        hcp("NPI-1", "JANE", "DOE", city="Iowa City", state="IA"),
        hcp("PM-doe-J-1-1", "J", "Doe", city="Iowa City", state="IA"),
        hcp("PM-doe-J-2-1", "Janet", "Doe", city="Iowa City", state="IA"),
    ]
    assert find_links(rows, {}) == []


def test_one_source_never_joins_its_own_persons_on_names():
    rows = [
        hcp("PM-doe-J-1-1", "Jane", "Doe", city="Iowa City"),
        hcp("PM-doe-J-2-1", "Jane", "Doe", city="Iowa City"),
    ]
    assert find_links(rows, {}) == []


def test_an_hcp_with_two_namesakes_that_cannot_be_one_links_to_neither():
    """Two PubMed persons the linkage model kept apart, both Jane Doe of Iowa City: which of
    them is the NPPES Jane Doe is not known."""
    rows = [
        hcp("NPI-1", "JANE", "DOE", city="IOWA CITY", state="IA"),
        hcp("PM-doe-J-1-1", "Jane", "Doe", city="Iowa City"),
        hcp("PM-doe-J-2-1", "Jane", "Doe", city="Iowa City"),
    ]
    assert find_links(rows, {}) == []


def test_namesakes_that_may_be_one_person_all_join_the_highest_ranked():
    rows = [
        hcp("PM-doe-J-1-1", "Jane", "Doe", city="Iowa City"),
        hcp("CT-doe-jane", "Jane", "Doe", city="Iowa City"),
        hcp("NPI-1", "JANE", "DOE", city="IOWA CITY", state="IA"),
    ]
    assert made(find_links(rows, {})) == {
        ("NPI-1", "CT-doe-jane", SAME_NAME_PLACE),
        ("NPI-1", "PM-doe-J-1-1", SAME_NAME_PLACE),
    }


def test_identifiers_link_across_name_spellings_and_never_two_of_them():
    rows = [
        hcp("H001", "Maria", "Gonzalez", orcid="0000-0002-1825-0097", npi="1234567893"),
        hcp("ORCID-0000-0002-1825-0097", "M", "Gonzales", orcid="0000-0002-1825-0097"),
        hcp("NPI-1234567893", "MARIA", "GONZALEZ", npi="1234567893"),
        hcp("PM-gonzalez-M-1-1", "Maria", "Gonzalez", orcid="0000-0001-5109-3700"),
    ]
    assert made(find_links(rows, {})) == {
        ("H001", "ORCID-0000-0002-1825-0097", SAME_ORCID),
        ("H001", "NPI-1234567893", SAME_NPI),
    }


def test_a_shared_email_joins_only_names_that_agree_of_two_sources():
    rows = [
        hcp("H1", "Ann", "Lee", email="oncology@example.org"),
        hcp("OP-1", "ANN", "LEE", email="Oncology@Example.org"),
        hcp("OP-2", "Bob", "Lee", email="oncology@example.org"),
    ]
    assert made(find_links(rows, {})) == {("H1", "OP-1", SAME_EMAIL)}
    # The generator's namesakes at one hospital share an address; one source's rows stay two.
    same_source = [
        hcp("H1", "David", "Adams", email="d.adams@x.org"),
        hcp("H2", "David", "Adams", email="d.adams@x.org"),
    ]
    assert find_links(same_source, {}) == []


def test_only_pairs_with_a_touched_hcp_are_looked_at_and_steward_splits_stand():
    rows = [
        hcp("NPI-1", "JANE", "DOE", city="IOWA CITY"),
        hcp("PM-doe-J-1-1", "Jane", "Doe", city="Iowa City"),
    ]
    assert find_links(rows, {}, touched=["NPI-9"]) == []
    assert len(find_links(rows, {}, touched=["PM-doe-J-1-1"])) == 1
    assert find_links(rows, {}, apart=[frozenset(("NPI-1", "PM-doe-J-1-1"))]) == []


def test_the_kept_id_is_the_teams_then_nppes_then_payments_then_trials_then_pubmed():
    ids = ["PM-x-A-1-1", "ORCID-0000-0002-1825-0097", "CT-a", "OP-1", "NPI-1", "H1"]
    assert sorted(ids, key=rank) == [
        "H1",
        "NPI-1",
        "OP-1",
        "CT-a",
        "ORCID-0000-0002-1825-0097",
        "PM-x-A-1-1",
    ]
    assert [source_of(i) for i in ids[:2]] == ["PubMed", "PubMed"]


def test_a_load_reads_its_hcps_name_blocks_and_identifier_holders_only():
    def row(hcp_id, first, last, npi=None, orcid=None, email=None):
        return (hcp_id, first, last, None, None, None, None, npi, orcid, email)

    rows = [
        row("PM-schuttler-J-1-1", "Jürgen", "Schüttler", email="js@uk-erlangen.de"),
        row("NPI-1", "JURGEN", "SCHUETTLER"),  # the same block, another spelling
        row("OP-7", "J", "Schuttler"),
        row("OP-8", "Anna", "Berg", email=" JS@UK-Erlangen.de "),  # an address in common
        row("NPI-2", "ANNA", "BERG", npi="1234567893"),
        row("CT-berg", "Anna", "Berg", npi="1234567893"),  # shares an NPI, not with the load
        row("NPI-3", "KARL", "SCHUTT"),  # another block
    ]
    chosen = cross_source.candidates(rows, ["PM-schuttler-J-1-1"])
    assert [r["hcp_id"] for r in chosen] == ["PM-schuttler-J-1-1", "NPI-1", "OP-7", "OP-8"]
    assert chosen[1] == dict(zip(cross_source.COLUMNS, rows[1]))
    every = [r["hcp_id"] for r in cross_source.candidates(rows)]
    assert every == [r[0] for r in rows]  # two sources: names are compared everywhere
    one_source = [row(f"NPI-{i}", *r[1:3], npi=r[7], email=r[9]) for i, r in enumerate(rows)]
    shared = [r["hcp_id"] for r in cross_source.candidates(one_source)]
    assert shared == ["NPI-0", "NPI-3", "NPI-4", "NPI-5"]
    # one source: no name link, so no block mates even for a load (a first load: every HCP)
    assert cross_source.candidates(one_source, ["NPI-0"]) == cross_source.candidates(one_source)
