"""The rules of steward corrections on plain rows: the review's pairs and shaky evidence,
and the replay of corrections on a load's raw tables."""

from __future__ import annotations

import numpy as np
import pandas as pd

from kolgraph.answers import identity
from kolgraph.coauthorship import CoauthorEdges
from kolgraph.corrections import MERGE, SPLIT, Correction, merged_into, replay
from kolgraph.loaders.validate import RawBundle, RawTable


def hcp(hcp_id: str, first: str, last: str = "Smith", **fields) -> dict:
    return {"hcp_id": hcp_id, "first_name": first, "last_name": last, "name": hcp_id, **fields}


def pairs(*rows, coauthors=None, institutions=None, apart=frozenset()) -> set[tuple]:
    found = identity.duplicate_pairs(
        list(rows), edges(coauthors or {}), institutions or {}, set(apart), str
    )
    return {(a["hcp_id"], b["hcp_id"]) for a, b, _ in found}


def edges(coauthors: dict[str, set[str]]) -> CoauthorEdges:
    """Co-authorships from hcp_id -> co-author ids (one paper each)."""
    return CoauthorEdges.of_rows(links(coauthors))


def links(coauthors: dict[str, set[str]]) -> list[tuple[str, str, int]]:
    return [(min(a, c), max(a, c), 1) for a, found in coauthors.items() for c in found]


def in_common(coauthors: dict[str, set[str]]):
    """Two HCPs' co-authors in common, by set intersection (what the review must find)."""
    return lambda a, b: sorted(coauthors.get(a, set()) & coauthors.get(b, set()))


def test_a_pair_needs_compatible_names_and_evidence():
    shared = {"A": {"C"}, "B": {"C"}, "D": {"C"}}
    rows = [hcp("A", "Deborah"), hcp("B", "D L"), hcp("D", "Diane")]
    # D L may be Deborah or Diane; Deborah is never Diane
    assert pairs(*rows, coauthors=shared) == {("A", "B"), ("B", "D")}
    assert pairs(*rows) == set()  # same name, nothing shared


def test_the_same_npi_is_evidence_and_different_ids_rule_a_pair_out():
    assert pairs(hcp("A", "Jo", npi="1234567893"), hcp("B", "J", npi="1234567893")) == {("A", "B")}
    shared = {"A": {"C"}, "B": {"C"}}
    assert pairs(hcp("A", "Jo", orcid="x"), hcp("B", "Jo", orcid="y"), coauthors=shared) == set()
    assert pairs(hcp("A", "Jo"), hcp("B", "Jo"), coauthors=shared, apart={frozenset("AB")}) == set()


def test_a_city_with_an_npi_on_one_side_is_evidence():
    assert pairs(
        hcp("A", "Jo", city="Iowa City", npi="1234567893"), hcp("B", "Jo", city="IOWA CITY")
    )


def test_the_review_finds_every_pair_a_comparison_of_all_pairs_finds():
    """The whole review compares only the pairs of a block that share an NPI, a co-author,
    an institution or a city (with an NPI on one side); every other pair has no evidence.
    Its co-authors in common (found with numpy over the edges) are the sets' intersection,
    also where a co-author is a block mate, or two edges join the same HCPs."""
    rng = np.random.default_rng(7)
    firsts = ["Deborah", "D L", "Diane", "D", "Dana", "D A"]
    rows = [
        hcp(
            f"H{k:02d}",
            str(rng.choice(firsts)),
            last=str(rng.choice(["Smith", "Smyth"])),
            city=str(rng.choice(["Iowa City", "IOWA CITY", "Ames", ""])),
            npi=str(rng.choice(["", "", "1234567893", "1245319599"])),
        )
        for k in range(80)
    ]
    people = [f"C{c}" for c in range(40)] + [r["hcp_id"] for r in rows[:20]]
    coauthors: dict[str, set[str]] = {}
    chosen = {r["hcp_id"]: {str(c) for c in rng.choice(people, 3)} for r in rows[::2]}
    edge_rows = [(a, b, n) for a, b, n in links(chosen) if a != b]
    twice = edge_rows[:10]  # some co-authorships twice
    for a, b, _ in edge_rows + twice:
        coauthors.setdefault(a, set()).add(b)
        coauthors.setdefault(b, set()).add(a)
    institutions = {r["hcp_id"]: {f"I{rng.integers(30)}": "Mercy"} for r in rows[::3]}
    every_pair = {
        (a["hcp_id"], b["hcp_id"]): found
        for k, a in enumerate(rows)
        for b in rows[k + 1 :]
        if identity.block_key(a) == identity.block_key(b)
        if (found := identity.pair_evidence(a, b, in_common(coauthors), institutions, str))
    }
    kinds = {line.split(" ")[1] for found in every_pair.values() for line in found}
    assert kinds == {"NPI", "co-author(s)", "institution:", "city"}  # every kind occurs
    assert len(every_pair) > 100
    found = identity.duplicate_pairs(
        rows, CoauthorEdges.of_rows(edge_rows + twice), institutions, set(), str
    )
    assert {(a["hcp_id"], b["hcp_id"]): ev for a, b, ev in found} == every_pair


def test_shaky_evidence_low_confidence_and_clashing_names():
    evidence = [
        {"hcp_id": "A", "source": "x.xml", "method": "name+evidence", "confidence": 0.62},
        {"hcp_id": "B", "source": "x.xml", "method": "orcid", "confidence": 1.0},
        {"hcp_id": "C", "source": "x.xml", "method": "name", "confidence": 0.6,
         "name_as_written": "Smith, Deborah; Smith, Diane"},
        {"hcp_id": "D", "source": "x.xml", "method": "name", "confidence": 0.6},
    ]  # fmt: skip
    hcps = {h: hcp(h, "D") for h in "ABCD"}
    rows = identity.shaky_rows(evidence, hcps, {}, corrected=set())
    assert {r["hcp_id"]: r["confidence"] for r in rows} == {"A": 0.62, "C": 0.6}
    assert "Smith, Deborah / Smith, Diane" in rows[1]["evidence"][0]
    assert identity.shaky_rows(evidence, hcps, {}, corrected={"A", "C"}) == []


def test_merges_chain_to_the_last_kept_id():
    chain = [Correction(1, MERGE, "A", "B"), Correction(2, MERGE, "C", "A")]
    assert merged_into(chain) == {"B": "C", "A": "C"}


def raw(**tables: list[dict]) -> RawBundle:
    return RawBundle(
        {
            name: RawTable(name, pd.DataFrame(rows, dtype=object), np.arange(2, len(rows) + 2))
            for name, rows in tables.items()
        }
    )


def test_replay_rewrites_drops_and_keeps_the_kept_hcps_links():
    bundle = raw(
        hcps=[{"hcp_id": "A", "first_name": "Jo", "npi": ""}, {"hcp_id": "B", "first_name": "J"}],
        authorships=[
            {"pmid": "1", "hcp_id": "B", "position": "1"},
            {"pmid": "1", "hcp_id": "A", "position": "3"},
            {"pmid": "2", "hcp_id": "B", "position": "2"},
            {"pmid": "3", "hcp_id": "A", "position": "1"},
        ],
        trial_roles=[{"nct_id": "N1", "hcp_id": "B", "role": "PI"}],
    )
    done = [
        Correction(1, MERGE, "A", "B", ("1", "2"), ("1:1", "2:2"), {"npi": "1234567893"}),
        Correction(2, SPLIT, "A", "A-split-3", ("3",), ("3:1",)),
    ]
    orphans, merged = replay(bundle, done, stored=lambda ids: set(ids))
    assert (orphans, merged) == (set(), {"B": "A"})
    hcps = bundle.tables["hcps"].frame
    assert hcps.to_dict("records") == [{"hcp_id": "A", "first_name": "Jo", "npi": "1234567893"}]
    links = bundle.tables["authorships"]
    assert links.frame.to_dict("records") == [
        {"pmid": "1", "hcp_id": "A", "position": "3"},  # A's own authorship of 1 stays
        {"pmid": "2", "hcp_id": "A", "position": "2"},
        {"pmid": "3", "hcp_id": "A-split-3", "position": "1"},
    ]
    assert list(links.lines) == [3, 4, 5]  # problems still point at the source lines
    assert bundle.tables["trial_roles"].frame["hcp_id"].tolist() == ["A"]


def test_a_person_made_only_of_moved_slots_is_not_created():
    bundle = raw(
        hcps=[{"hcp_id": "NEW", "first_name": "J"}],
        authorships=[{"pmid": "2", "hcp_id": "NEW", "position": "2"}],
    )
    orphans, _ = replay(bundle, [Correction(1, MERGE, "A", "B", ("2",), ("2:2",))], lambda i: set())
    assert orphans == {"NEW"} and bundle.tables["hcps"].frame.empty
    assert bundle.tables["authorships"].frame["hcp_id"].tolist() == ["A"]


def _index_row(hcp_id: str, first: str, last: str) -> tuple:
    return (hcp_id, first, last, "Boston", None, None, f"{first} {last}", 1.0)


def test_a_mended_index_keeps_each_block_in_id_order_as_a_whole_read_does():
    """A split's new HCP joins its block between the ids around it; a merged one leaves."""
    rows = [_index_row("H1", "J", "Smith"), _index_row("H3", "John", "Smith")]
    rows.append(_index_row("H4", "Jane", "Smith"))
    held = identity.IdentityIndex.of_rows(rows)
    split = [_index_row("H1", "J", "Smith"), _index_row("H1-split-P9", "J", "Smith")]
    mended = held.mended(split, ["H1", "H1-split-P9"])
    assert mended == identity.IdentityIndex.of_rows(sorted(rows + split[1:]))
    assert [r["hcp_id"] for r in mended.blocks()[0]] == ["H1", "H1-split-P9", "H3", "H4"]
    merged = mended.mended([_index_row("H3", "John", "Smith")], ["H1", "H3"])
    assert [r["hcp_id"] for r in merged.blocks()[0]] == ["H1-split-P9", "H3", "H4"]
    assert "H1" not in merged.by_id and "H1" not in merged.influence
