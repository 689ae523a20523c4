"""The store contract: every backend gives the same answers, through the public interface only.

Runs once per store (see ``conftest.py``).  Answers are compared as sets of tuples against the
hand-computed values in ``sample.py`` and against plain-Python recomputations.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
from pandas.testing import assert_frame_equal
from sample import (
    FOLLOWUP_COAUTHORSHIPS,
    FOLLOWUP_LAST_AUTHORS,
    FOLLOWUP_STATS,
    SAMPLE_COAUTHORSHIPS,
    SAMPLE_LAST_AUTHORS,
    SAMPLE_STATS,
    canonical_rows,
    expected_coauthorships,
    expected_last_authors,
    expected_names,
    followup_batch,
    frame,
    merged,
    rows,
    sample_batch,
)

from kolgraph.analytics import Projection, score_hcps
from kolgraph.analytics.projection import SCORING_COLUMNS, table_names
from kolgraph.loading import count_changes
from kolgraph.schema import COAUTHORSHIP_COLUMNS, NODE_LABELS, REL_TYPES, TABLES, TABLES_BY_NAME

ALL_TABLES = [t.name for t in TABLES] + ["coauthorships"]


def snapshot(store) -> dict[str, set[tuple]]:
    """Every stored table (derived columns included) as sets of tuples."""
    return {name: rows(store.table(name)) for name in ALL_TABLES}


def last_authors(store) -> set[tuple]:
    """(pmid, hcp_id) of every authorship the store marks ``last_author``."""
    table = store.table("authorships")
    return {
        (p, h) for p, h, last in zip(table["pmid"], table["hcp_id"], table["last_author"]) if last
    }


def assert_holds_batch(store, batch) -> None:
    """Every canonical table in the store equals the batch's rows, exactly."""
    for table in TABLES:
        expected = rows(batch[table.name]) if table.name in batch else set()
        assert canonical_rows(store.table(table.name), table.name) == expected, table.name


# --- an empty store, and the sample ---------------------------------------------------------


def test_empty_store_reports_every_label_and_type_as_zero(store):
    assert store.stats() == {
        "nodes": dict.fromkeys(NODE_LABELS, 0),
        "relationships": dict.fromkeys(REL_TYPES, 0),
    }


def test_empty_store_tables_have_their_columns_and_no_rows(store):
    for table in TABLES:
        stored = store.table(table.name)
        assert tuple(stored.columns[: len(table.columns)]) == table.column_names
        assert stored.empty
    assert tuple(store.table("coauthorships").columns) == COAUTHORSHIP_COLUMNS


def test_stats_after_the_sample(store):
    store.load(sample_batch())
    assert store.stats() == SAMPLE_STATS


def test_every_table_round_trips(store):
    batch = sample_batch()
    store.load(batch)
    assert_holds_batch(store, batch)


def test_tables_have_canonical_kinds_and_are_sorted_by_key(store):
    store.load(sample_batch())
    for table in TABLES:
        stored = store.table(table.name)
        keys = list(stored[list(table.key)].itertuples(index=False, name=None))
        assert keys == sorted(keys), table.name
        for column in table.columns:
            values = [v for v in stored[column.name] if v is not None]
            if column.kind in ("int", "year"):
                assert all(type(v) is int for v in values), (table.name, column.name)
            elif column.kind == "list":
                assert all(isinstance(v, list) for v in values) and len(values) == len(stored)
            else:
                assert all(isinstance(v, str) for v in values), (table.name, column.name)


def test_a_table_read_with_chosen_columns_is_those_columns_of_the_whole_table(store):
    store.load(sample_batch())
    for name, columns in [
        ("authorships", ("hcp_id", "position", "last_author")),
        ("publications", ("mesh_terms", "pmid")),  # a list column, not in key order
        ("coauthorships", ("papers",)),  # the key is not asked for, the rows still sorted
    ]:
        whole = store.table(name)
        chosen = store.table(name, columns)
        assert tuple(chosen.columns) == columns
        assert chosen.to_dict("records") == whole[list(columns)].to_dict("records"), name
    with pytest.raises(ValueError, match="no column"):
        store.table("hcps", ("hcp_id", "favourite_colour"))


def test_scoring_reads_only_its_columns_and_scores_as_from_every_column(store):
    store.load(sample_batch())
    lean, whole = Projection.for_scoring(store), Projection.from_store(store)
    in_numbers = set()  # tables a store keeping numbers does not read
    if lean.coauthor_edges is not None:
        in_numbers |= {"coauthorships"}
    if lean.authorship_numbers is not None:
        in_numbers |= {"authorships", "publications"}
    for name in table_names():
        table = getattr(lean, name)
        if name in SCORING_COLUMNS and name not in in_numbers:
            assert tuple(table.columns) == SCORING_COLUMNS[name] and len(table) > 0, name
        else:
            assert table.empty, name  # not read at all
    assert_frame_equal(score_hcps(lean, as_of=2024), score_hcps(whole, as_of=2024))


def test_the_coauthor_graph_in_numbers_is_the_coauthorships_table(store):
    store.load(sample_batch())
    store.load(followup_batch())
    edges = store.coauthor_edges()
    if edges is None:  # a store keeping none (Neo4j): scoring reads the rows
        assert len(Projection.for_scoring(store).coauthorships) > 3
        return
    ids = edges.hcp_ids.tolist()
    pairs = [[ids[a], ids[b], int(p)] for a, b, p in zip(edges.a, edges.b, edges.papers)]
    assert pairs == store.table("coauthorships", ("hcp_a", "hcp_b", "papers")).values.tolist()
    assert len(pairs) > 3


def test_the_coauthorships_through_an_hcp_are_the_table_s_rows(store):
    """A profile's duplicate review reads an HCP's co-authorships and those linking others to
    its co-authors, each pair once, smaller id first."""
    store.load(sample_batch())
    store.load(followup_batch())
    table = store.table("coauthorships", ("hcp_a", "hcp_b", "papers")).values.tolist()
    edges = [tuple(e) for e in table]
    ids = sorted(store.table("hcps")["hcp_id"])
    rng = random.Random(3)
    for hcp_id in [*ids, "nobody"]:
        own = {b if a == hcp_id else a for a, b, _ in edges if hcp_id in (a, b)}
        for others in [[], ids, rng.sample(ids, 3), ["nobody"]]:
            expected = [
                e
                for e in edges
                if hcp_id in e[:2] or any(x in others and y in own for x, y in (e[:2], e[1::-1]))
            ]
            found = store.reads.coauthor_edges_through(hcp_id, others)
            assert sorted(found) == sorted(expected), (hcp_id, others)
            assert len(found) == len(set(found)) and all(a < b for a, b, _ in found)
    assert any(store.reads.coauthor_edges_through(i, ids) for i in ids)


def test_the_authorships_in_numbers_are_the_authorships_table(store):
    store.load(sample_batch())
    store.load(followup_batch())
    numbers = store.authorship_numbers()
    if numbers is None:  # a store keeping none (Neo4j): scoring reads the rows
        assert len(Projection.for_scoring(store).authorships) > 3
        return
    auth = store.table("authorships", ("pmid", "hcp_id", "position"))
    pubs = store.table("publications", ("pmid", "year", "citation_count")).set_index("pmid")
    ids = numbers.hcp_ids.tolist()
    assert [ids[h] for h in numbers.hcp] == auth["hcp_id"].tolist()  # in key order
    assert numbers.position.tolist() == auth["position"].astype(float).tolist()
    paper_of = dict(zip(auth["pmid"], numbers.paper))
    assert len(set(paper_of.values())) == len(paper_of)  # one number per pmid
    for pmid, paper in paper_of.items():
        assert numbers.year[paper] == pubs.loc[pmid, "year"]
        cited = pubs.loc[pmid, "citation_count"]
        assert numbers.citations[paper] == cited or (
            cited is None and np.isnan(numbers.citations[paper])
        )
    assert len(auth) > 3


def test_influences_are_the_stored_scores_influence(store):
    store.load(sample_batch())
    assert store.influences() == {}  # nothing scored yet
    scores = score_hcps(Projection.from_store(store), as_of=2024)
    store.write_scores(scores.iloc[:-1])  # one HCP without a score
    assert store.influences() == dict(zip(scores["hcp_id"][:-1], scores["influence"][:-1]))
    assert len(store.influences()) == len(scores) - 1 > 2


def test_lists_and_blank_values_round_trip_exactly(store):
    store.load(sample_batch())
    pubs = store.table("publications").set_index("pmid")
    assert pubs.loc["P1", "mesh_terms"] == ["Neoplasms", "Humans"]  # order kept
    assert pubs.loc["P2", "mesh_terms"] == []
    assert pubs.loc["P4", "mesh_terms"] == ["Brain; Mind"]  # an item is never split
    assert pubs.loc["P2", "citation_count"] is None
    assert pubs.loc["P3", "citation_count"] == 0  # zero is not blank


def test_coauthorships_are_derived_exactly(store):
    store.load(sample_batch())
    assert tuple(store.table("coauthorships").columns) == COAUTHORSHIP_COLUMNS
    assert rows(store.table("coauthorships")) == SAMPLE_COAUTHORSHIPS


def test_last_author_is_the_highest_position(store):
    store.load(sample_batch())
    assert last_authors(store) == SAMPLE_LAST_AUTHORS


def test_hcp_name_is_derived_from_first_and_last_name(store):
    store.load(sample_batch())
    hcps = store.table("hcps")
    names = set(zip(hcps["hcp_id"], hcps["name"]))
    assert ("H1", "Ada Lovelace") in names
    assert names == expected_names(sample_batch()["hcps"])


def test_existing_keys(store):
    store.load(sample_batch())
    assert store.existing_keys("hcps", ["H1", "H6", "H7", ""]) == {"H1", "H6"}
    assert store.existing_keys("publications", iter(["P4", "P9"])) == {"P4"}
    assert store.existing_keys("touchpoints", []) == set()


def test_progress_counts_every_row_written(store):
    batch = sample_batch()
    reported = []
    store.load(batch, progress=reported.append)
    assert sum(reported) == sum(len(f) for f in batch.values())


# --- loading again ---------------------------------------------------------------------------


def test_loading_twice_changes_nothing(store):
    store.load(sample_batch())
    before, stats = snapshot(store), store.stats()
    store.load(sample_batch())
    assert store.stats() == stats
    assert snapshot(store) == before


def test_incremental_followup(store):
    store.load(sample_batch())
    store.load(followup_batch())
    assert store.stats() == FOLLOWUP_STATS
    assert rows(store.table("coauthorships")) == FOLLOWUP_COAUTHORSHIPS
    assert last_authors(store) == FOLLOWUP_LAST_AUTHORS
    assert_holds_batch(store, merged(sample_batch(), followup_batch()))
    assert store.table("hcps").set_index("hcp_id").loc["H3", "specialty"] == "Hematology"


def test_all_at_once_gives_the_incremental_answer(store):
    store.load(merged(sample_batch(), followup_batch()))
    assert store.stats() == FOLLOWUP_STATS
    assert rows(store.table("coauthorships")) == FOLLOWUP_COAUTHORSHIPS
    assert last_authors(store) == FOLLOWUP_LAST_AUTHORS
    assert_holds_batch(store, merged(sample_batch(), followup_batch()))


def test_a_load_without_publications_leaves_derived_data_alone(store):
    store.load(sample_batch())
    store.load(
        {
            "touchpoints": frame(
                "touchpoints", [("T9", "M2", "H6", "2024-04-01", None, None, None, None, None)]
            )
        }
    )
    assert rows(store.table("coauthorships")) == SAMPLE_COAUTHORSHIPS
    assert last_authors(store) == SAMPLE_LAST_AUTHORS
    assert store.stats()["relationships"]["LOGGED"] == 5


def test_a_blank_cell_clears_the_property(store):
    store.load(sample_batch())
    hcp = list(sample_batch()["hcps"].iloc[0])  # H1, every property set
    columns = TABLES_BY_NAME["hcps"].column_names
    for cleared in ("specialty", "npi", "email"):
        hcp[columns.index(cleared)] = None
    store.load(
        {
            "hcps": frame("hcps", [tuple(hcp)]),
            "publications": frame("publications", [("P1", "Paper one", None, 2018, [], None)]),
        }
    )
    h1 = store.table("hcps").set_index("hcp_id").loc["H1"]
    assert (h1["specialty"], h1["npi"], h1["email"], h1["city"]) == (None, None, None, "Boston")
    p1 = store.table("publications").set_index("pmid").loc["P1"]
    assert (p1["journal"], p1["mesh_terms"], p1["citation_count"]) == (None, [], None)
    assert store.table("hcps").set_index("hcp_id").loc["H2", "specialty"] == "Oncology"


def test_renaming_an_hcp_updates_the_name(store):
    store.load(sample_batch())
    hcp = list(sample_batch()["hcps"].iloc[1])  # H2 Grace Hopper
    hcp[1] = "Rear Admiral Grace"
    store.load({"hcps": frame("hcps", [tuple(hcp)])})
    assert store.table("hcps").set_index("hcp_id").loc["H2", "name"] == "Rear Admiral Grace Hopper"


@pytest.mark.parametrize("seed", [1, 2])
def test_random_incremental_loads_match_a_full_recomputation(store, seed):
    """Loads that add authors to old papers, add papers and move years, checked after each."""
    rng = random.Random(seed)
    store.load(sample_batch())
    hcps = [f"H{i}" for i in range(1, 7)]
    pmids = ["P1", "P2", "P3", "P4"]
    for step in range(5):
        pmids.append(f"R{seed}{step}")
        touched = rng.sample(pmids, 3)
        publications = [(p, f"Paper {p}", None, rng.randint(2000, 2024), [], None) for p in touched]
        authorships = [
            (p, h, pos)
            for p in touched
            for h, pos in zip(rng.sample(hcps, 3), rng.sample(range(1, 10), 3))
        ]
        store.load(
            {
                "publications": frame("publications", publications),
                "authorships": frame("authorships", authorships),
            }
        )
        auth, pubs = store.table("authorships"), store.table("publications")
        assert rows(store.table("coauthorships")) == expected_coauthorships(auth, pubs), step
        assert last_authors(store) == expected_last_authors(auth), step


def test_a_load_counts_each_link_as_new_or_already_stored(store):
    """Links between stored ends: the HCPs' stored links decide (read per HCP, not whole)."""
    store.load(sample_batch())
    batch = {
        "authorships": frame("authorships", [("P1", "H1", 1), ("P3", "H1", 2), ("P4", "H9", 3)]),
        "affiliations": frame(
            "affiliations", [("H1", "I1", "Professor", 2010, None), ("H1", "I2", None, 2021, None)]
        ),
        "trial_roles": frame(
            "trial_roles", [("NCT00000002", "H5", "Sub-Investigator"), ("NCT00000002", "H1", None)]
        ),
    }
    counts = count_changes(batch, store)
    assert {name: (c.created, c.updated) for name, c in counts.items()} == {
        "authorships": (2, 1),  # H9 is no stored HCP: new
        "affiliations": (1, 1),
        "trial_roles": (1, 1),
    }
