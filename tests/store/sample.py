"""A small hand-made batch with known answers, a follow-up batch, and reference computations.

The sample (every table, validated kinds of :mod:`kolgraph.schema`)::

    publications  P1 2018: H1(1) H2(2) H3(3)     P2 2019: H1(1) H2(2)
                  P3 2021: H2(1) H3(2) H4(3)     P4 2022: H4(1) H5(2)      (H6 has none)

    co-authors    H1-H2 2 papers 2018-2019   H1-H3 1 2018   H2-H3 2 2018-2021
                  H2-H4 1 2021   H3-H4 1 2021   H4-H5 1 2022

The follow-up adds P5 2023 (H5, H1, H2), adds H6 as 4th author of P1 (so H6 becomes P1's last
author), corrects P4's year to 2020, and changes H3's specialty.
"""

from __future__ import annotations

import itertools

import pandas as pd

from kolgraph.schema import TABLES, TABLES_BY_NAME, Batch, hcp_name

_HCP_COLUMNS = TABLES_BY_NAME["hcps"].column_names


def frame(table: str, rows: list[tuple]) -> pd.DataFrame:
    """A validated-kind DataFrame (object columns) of ``table`` from row tuples."""
    columns = TABLES_BY_NAME[table].column_names
    values = list(zip(*rows)) if rows else [()] * len(columns)
    return pd.DataFrame({c: pd.Series(v, dtype=object) for c, v in zip(columns, values)})


def _hcp(
    n: int, first: str, last: str, specialty: str | None, territory: str, npi: str | None = None
) -> tuple:
    return (
        f"H{n}",
        first,
        last,
        "MD",
        specialty,
        "Boston",
        "MA",
        "02115",
        "US",
        territory,
        npi,
        None,
        f"h{n}@example.org",
    )


HCP_ROWS = [
    _hcp(1, "Ada", "Lovelace", "Oncology", "NE", "1234567893"),
    _hcp(2, "Grace", "Hopper", "Oncology", "NE"),
    _hcp(3, "Alan", "Turing", "Cardiology", "SE"),
    _hcp(4, "Edsger", "Dijkstra", None, "SE"),
    _hcp(5, "Barbara", "Liskov", "Neurology", "W"),
    _hcp(6, "Donald", "Knuth", "Neurology", "W"),
]
INSTITUTION_ROWS = [
    ("I1", "General Hospital", "hospital", "Boston", "MA", "US"),
    ("I2", "State University", "university", "Atlanta", "GA", "US"),
]
AFFILIATION_ROWS = [
    ("H1", "I1", "Professor", 2010, None),
    ("H2", "I1", "Attending", 2015, None),
    ("H3", "I2", None, None, None),
    ("H4", "I2", "Fellow", 2016, 2020),
]
PUBLICATION_ROWS = [
    ("P1", "Paper one", "NEJM", 2018, ["Neoplasms", "Humans"], 12),
    ("P2", "Paper two", "Lancet", 2019, [], None),
    ("P3", "Paper three", "JAMA", 2021, ["Heart Diseases"], 0),
    ("P4", "Paper four", None, 2022, ["Brain; Mind"], 3),
]
AUTHORSHIP_ROWS = [
    ("P1", "H1", 1),
    ("P1", "H2", 2),
    ("P1", "H3", 3),
    ("P2", "H1", 1),
    ("P2", "H2", 2),
    ("P3", "H2", 1),
    ("P3", "H3", 2),
    ("P3", "H4", 3),
    ("P4", "H4", 1),
    ("P4", "H5", 2),
]
TRIAL_ROWS = [
    ("NCT00000001", "Trial one", "Phase 3", "Recruiting", ["Lung Cancer", "NSCLC"], 2020),
    ("NCT00000002", None, None, None, [], None),
]
TRIAL_ROLE_ROWS = [
    ("NCT00000001", "H1", "Principal Investigator"),
    ("NCT00000001", "H3", None),
    ("NCT00000002", "H5", "Sub-Investigator"),
]
MSL_ROWS = [
    ("M1", "Mary Smith", "NE", "Oncology", "mary@pharma.example"),
    ("M2", "John Doe", "SE", None, None),
]
TOUCHPOINT_ROWS = [
    (
        "T1",
        "M1",
        "H1",
        "2024-01-15",
        "in person",
        "dosing",
        "Wants more data",
        "unmet need",
        "positive",
    ),
    ("T2", "M1", "H2", "2024-02-01", "virtual", None, None, None, None),
    ("T3", "M2", "H4", "2023-11-30", "email", "safety", "Asked about AEs", "safety", "negative"),
    ("T4", "M2", "H4", "2024-03-05", "phone", None, None, "other", "neutral"),
]

#: Counts after loading :func:`sample_batch` into an empty store.
SAMPLE_STATS = {
    "nodes": {"HCP": 6, "Institution": 2, "Publication": 4, "Trial": 2, "MSL": 2, "Touchpoint": 4},
    "relationships": {
        "AFFILIATED_WITH": 4,
        "AUTHORED": 10,
        "COAUTHORED_WITH": 6,
        "INVESTIGATOR_ON": 3,
        "LOGGED": 4,
        "WITH": 4,
    },
}
#: (hcp_a, hcp_b, papers, first_year, last_year) after the sample.
SAMPLE_COAUTHORSHIPS = {
    ("H1", "H2", 2, 2018, 2019),
    ("H1", "H3", 1, 2018, 2018),
    ("H2", "H3", 2, 2018, 2021),
    ("H2", "H4", 1, 2021, 2021),
    ("H3", "H4", 1, 2021, 2021),
    ("H4", "H5", 1, 2022, 2022),
}
#: (pmid, hcp_id) of every last author after the sample.
SAMPLE_LAST_AUTHORS = {("P1", "H3"), ("P2", "H2"), ("P3", "H4"), ("P4", "H5")}

#: After the sample then the follow-up (or both at once).
FOLLOWUP_COAUTHORSHIPS = {
    ("H1", "H2", 3, 2018, 2023),
    ("H1", "H3", 1, 2018, 2018),
    ("H2", "H3", 2, 2018, 2021),
    ("H2", "H4", 1, 2021, 2021),
    ("H3", "H4", 1, 2021, 2021),
    ("H4", "H5", 1, 2020, 2020),
    ("H1", "H5", 1, 2023, 2023),
    ("H2", "H5", 1, 2023, 2023),
    ("H1", "H6", 1, 2018, 2018),
    ("H2", "H6", 1, 2018, 2018),
    ("H3", "H6", 1, 2018, 2018),
}
FOLLOWUP_LAST_AUTHORS = {("P1", "H6"), ("P2", "H2"), ("P3", "H4"), ("P4", "H5"), ("P5", "H2")}
FOLLOWUP_STATS = {
    "nodes": {**SAMPLE_STATS["nodes"], "Publication": 5},
    "relationships": {**SAMPLE_STATS["relationships"], "AUTHORED": 14, "COAUTHORED_WITH": 11},
}


def sample_batch() -> Batch:
    """Every table of the sample described in the module docstring."""
    return {
        "hcps": frame("hcps", HCP_ROWS),
        "institutions": frame("institutions", INSTITUTION_ROWS),
        "affiliations": frame("affiliations", AFFILIATION_ROWS),
        "publications": frame("publications", PUBLICATION_ROWS),
        "authorships": frame("authorships", AUTHORSHIP_ROWS),
        "trials": frame("trials", TRIAL_ROWS),
        "trial_roles": frame("trial_roles", TRIAL_ROLE_ROWS),
        "msls": frame("msls", MSL_ROWS),
        "touchpoints": frame("touchpoints", TOUCHPOINT_ROWS),
    }


def followup_batch() -> Batch:
    """A later, partial load: a new paper, a new author on P1, P4's year fixed, H3 changed."""
    h3 = list(HCP_ROWS[2])
    h3[_HCP_COLUMNS.index("specialty")] = "Hematology"
    return {
        "hcps": frame("hcps", [tuple(h3)]),
        "publications": frame(
            "publications",
            [
                ("P4", "Paper four", None, 2020, ["Brain; Mind"], 3),
                ("P5", "Paper five", "BMJ", 2023, ["Humans"], 1),
            ],
        ),
        "authorships": frame(
            "authorships",
            [
                ("P1", "H6", 4),
                ("P5", "H5", 1),
                ("P5", "H1", 2),
                ("P5", "H2", 3),
            ],
        ),
    }


def merged(*batches: Batch) -> Batch:
    """The batches as one, later rows replacing earlier ones with the same key."""
    out: Batch = {}
    for table in TABLES:
        frames = [b[table.name] for b in batches if table.name in b]
        if frames:
            both = pd.concat(frames, ignore_index=True)
            out[table.name] = both.drop_duplicates(list(table.key), keep="last").reset_index(
                drop=True
            )
    return out


def rows(table: pd.DataFrame) -> set[tuple]:
    """A stored or batch table as a set of tuples (lists as tuples, so rows hash)."""
    return {
        tuple(tuple(v) if isinstance(v, list) else v for v in row)
        for row in table.itertuples(index=False, name=None)
    }


def canonical_rows(table: pd.DataFrame, name: str) -> set[tuple]:
    """:func:`rows` of only the canonical columns of table ``name``."""
    return rows(table[list(TABLES_BY_NAME[name].column_names)])


def expected_coauthorships(
    authorships: pd.DataFrame, publications: pd.DataFrame, max_authors: int | None = None
) -> set[tuple]:
    """Co-author pairs recomputed from scratch, in plain Python (the reference answer); with
    ``max_authors``, publications with more authors than that make no pair."""
    year = dict(zip(publications["pmid"], publications["year"]))
    pairs: dict[tuple[str, str], list[int]] = {}
    for pmid, group in authorships.groupby("pmid"):
        if max_authors is not None and len(group) > max_authors:
            continue
        for a, b in itertools.combinations(sorted(group["hcp_id"]), 2):
            pairs.setdefault((a, b), []).append(year[pmid])
    return {(a, b, len(ys), min(ys), max(ys)) for (a, b), ys in pairs.items()}


def expected_last_authors(authorships: pd.DataFrame) -> set[tuple]:
    """(pmid, hcp_id) of the highest position of every publication."""
    top = authorships.groupby("pmid")["position"].transform("max")
    last = authorships[authorships["position"] == top]
    return set(zip(last["pmid"], last["hcp_id"]))


def expected_names(hcps: pd.DataFrame) -> set[tuple]:
    """(hcp_id, name) as ``HCP.name`` must read."""
    return {
        (h, hcp_name(first, last))
        for h, first, last in zip(hcps["hcp_id"], hcps["first_name"], hcps["last_name"])
    }
