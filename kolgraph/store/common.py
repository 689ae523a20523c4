"""What both backends do the same way: batch facts, score rows, affiliation grouping.

A store module imports these instead of keeping its own copy, so a rule about stored data
(which publications a load touches, how a score's components are stored) is written once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

import numpy as np
import pandas as pd

from kolgraph.errors import InputError
from kolgraph.schema import SCORE_COLUMNS, TABLES_BY_NAME, Batch, Table

K = TypeVar("K")
V = TypeVar("V")


class Fetch(Protocol):
    """The rows of a statement by name, with its parameters (inside a read transaction)."""

    def __call__(self, name: str, params: dict | Sequence = (), /) -> list[tuple]: ...


def unchanged(held: V, _touched: set[str], _fetch: Fetch) -> V:
    """A kept value that no touchpoint changes, after writes that changed only touchpoints
    (the ``follow`` step of a snapshot such a write leaves as it is)."""
    return held


#: A current affiliation as the stores read it: (hcp_id, start_year, institution_id, name).
Affiliation = tuple[str, int | None, str, str | None]
#: Where an HCP is: (country, state, postal_code), each None when unknown.
Place = tuple[str | None, str | None, str | None]
#: Link table -> the statement reading its keys by HCP (the same name in SQL and Cypher).
LINK_KEYS = {
    "authorships": "list_authorships_keys_of",
    "affiliations": "list_affiliations_keys_of",
    "trial_roles": "list_trial_roles_keys_of",
}
#: Entity table -> the statement reading whole stored rows by key (SQL and Cypher alike).
ENTITY_ROWS = {"hcps": "read_hcp_rows", "institutions": "read_institution_rows"}


def entity_table(name: str) -> Table:
    """The canonical entity table ``name`` (ValueError: a caller's bug, not bad input)."""
    table = TABLES_BY_NAME.get(name)
    if table is None or table.label is None:
        raise ValueError(f"{name!r} is not an entity table")
    return table


def self_contained(batch: Batch) -> bool:
    """Whether the batch has authorships, each dated by a publication of the batch."""
    authorships, publications = batch.get("authorships"), batch.get("publications")
    if authorships is None or publications is None or not len(authorships):
        return False
    return bool(authorships["pmid"].isin(publications["pmid"]).all())


def touched_pmids(batch: Batch) -> list[str]:
    """The publications whose derived data a load may change (sorted, unique)."""
    pmids: set[str] = set()
    for name in ("publications", "authorships"):
        frame = batch.get(name)
        if frame is not None and len(frame):
            pmids.update(p for p in frame["pmid"] if not missing(p))
    return sorted(pmids)


def missing(value: Any) -> bool:
    """True for None, NaN, NaT and pd.NA (not for containers, which pd.isna would expand).

    Called once per cell of every loaded or scored row: the common types are decided here
    without pd.isna, which costs a microsecond a call.

    >>> [missing(v) for v in (None, float("nan"), pd.NA, pd.NaT, np.float32("nan"), "", 0, [])]
    [True, True, True, True, True, False, False, False]
    """
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    if isinstance(value, float):
        return value != value  # NaN is the only float unequal to itself
    if isinstance(value, (str, int, list, tuple, dict, np.ndarray)):
        return False
    return bool(pd.isna(value))


# --- scores -------------------------------------------------------------------------------


def score_rows(frame: pd.DataFrame) -> list[dict]:
    """One stored row per HCP score: plain Python values, ``components`` as the JSON text
    ``components_json`` (the name of the stored property on both stores), and the optional
    ``raw`` component values as ``components_raw_json`` (None without them)."""
    columns = score_columns(frame)
    return [dict(zip(columns, values)) for values in zip(*columns.values())]


def score_columns(frame: pd.DataFrame) -> dict[str, list]:
    """The values of :func:`score_rows` by column (in the order of its rows' keys), for a
    store that writes rows as tuples."""
    absent = [c for c in SCORE_COLUMNS if c not in frame.columns]
    if absent:
        raise InputError(f"scores: missing column(s) {', '.join(absent)}")
    converters: dict[str, Callable[[Any], Any]] = {
        "hcp_id": str,
        "influence": float,
        "tier": int,
        "rank": int,
        "components": _components_json,
        "rising": bool,
        "rising_score": float,
    }
    columns = {
        ("components_json" if name == "components" else name): _plain_values(frame[name], convert)
        for name, convert in converters.items()
    }
    columns["rising"] = [bool(v) for v in columns["rising"]]
    raw = frame["raw"] if "raw" in frame.columns else pd.Series([None] * len(frame), dtype=object)
    columns["components_raw_json"] = _plain_values(raw, _components_json)
    return columns


_NUMPY_TYPES: dict[Callable[[Any], Any], type] = {float: np.float64, int: np.int64, bool: np.bool_}


def _plain_values(values: pd.Series, convert: Callable[[Any], Any]) -> list:
    """``convert`` of every value, None for missing ones; a numeric column without missing
    values is converted by numpy at once (500,000 scores: seconds saved)."""
    numpy_type = _NUMPY_TYPES.get(convert)
    complete = not values.isna().any()
    if numpy_type is not None and values.dtype.kind in "biuf" and complete:
        return values.to_numpy().astype(numpy_type).tolist()
    if complete:  # isna finds what missing() would: no test per value
        return [convert(v) for v in values]
    return [None if missing(v) else convert(v) for v in values]


def decode_components(row: dict) -> dict:
    """``row`` with its stored ``components_json`` replaced by the ``components`` dict."""
    text = row.pop("components_json", None)
    row["components"] = json.loads(text) if text else {}
    return row


def score_frame(rows: list[dict]) -> pd.DataFrame:
    """Stored score rows (``components_json``) as the frame of ``GraphStore.scores``."""
    rows = [decode_components(dict(r)) for r in rows]
    frame = object_frame({c: [r[c] for r in rows] for c in SCORE_COLUMNS})
    frame["rising"] = frame["rising"].map(bool).astype(object)
    for column in ("influence", "rising_score"):
        frame[column] = frame[column].astype(float)
    return frame.sort_values("hcp_id", kind="stable").reset_index(drop=True)


def _plain(value: Any) -> Any:
    """numpy scalars inside ``components`` as plain numbers."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"score component {value!r} is not a number")


# One encoder for every row: json.dumps with default= builds a new one per call.
_COMPONENTS_ENCODER = json.JSONEncoder(default=_plain)


def _components_json(components: Mapping) -> str:
    return _COMPONENTS_ENCODER.encode(dict(components or {}))


# --- reading ------------------------------------------------------------------------------


def object_frame(columns: Mapping[str, list]) -> pd.DataFrame:
    """A DataFrame of object columns, so integers stay Python ints next to ``None``."""
    return pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in columns.items()})


def by_hcp(affiliations: Iterable[Affiliation]) -> dict[str, list[tuple]]:
    """hcp_id -> that HCP's current affiliations as ``(start_year, institution_id, name)``."""
    grouped: dict[str, list[tuple]] = {}
    for hcp_id, start, institution_id, name in affiliations:
        grouped.setdefault(hcp_id, []).append((start, institution_id, name))
    return grouped


def grouped(pairs: Iterable[tuple[K, V]]) -> dict[K, list[V]]:
    """key -> every value paired with it, in order.

    >>> grouped([("a", 1), ("b", 2), ("a", 3)])
    {'a': [1, 3], 'b': [2]}
    """
    found: dict[K, list[V]] = {}
    for key, value in pairs:
        found.setdefault(key, []).append(value)
    return found


#: The tables scoring and explanations read (the fields of
#: :class:`~kolgraph.analytics.projection.Projection`).
PROJECTION_TABLES = (
    "hcps",
    "publications",
    "authorships",
    "coauthorships",
    "trials",
    "trial_roles",
    "affiliations",
    "institutions",
)


def tables_around(tables: Mapping[str, pd.DataFrame], hcp_id: str) -> dict[str, pd.DataFrame]:
    """Whole ``tables`` (as a store's ``table`` gives them) restricted to what one HCP's
    explanation reads: its publications with every authorship of them, its co-authorships,
    itself and its co-authors, its trial roles and their trials, its affiliations and their
    institutions (rows in the same order)."""
    authorships, pairs = tables["authorships"], tables["coauthorships"]
    pmids = authorships.loc[authorships["hcp_id"] == hcp_id, "pmid"]
    mine = pairs[(pairs["hcp_a"] == hcp_id) | (pairs["hcp_b"] == hcp_id)]
    people = {hcp_id, *mine["hcp_a"], *mine["hcp_b"]}
    roles = tables["trial_roles"][tables["trial_roles"]["hcp_id"] == hcp_id]
    affiliations = tables["affiliations"][tables["affiliations"]["hcp_id"] == hcp_id]
    kept = {
        "hcps": tables["hcps"]["hcp_id"].isin(people),
        "publications": tables["publications"]["pmid"].isin(pmids),
        "authorships": authorships["pmid"].isin(pmids),
        "trials": tables["trials"]["nct_id"].isin(roles["nct_id"]),
        "institutions": tables["institutions"]["institution_id"].isin(
            affiliations["institution_id"]
        ),
    }
    around = {name: frame[kept[name]] for name, frame in tables.items() if name in kept}
    around.update(coauthorships=mine, trial_roles=roles, affiliations=affiliations)
    return {name: frame.reset_index(drop=True) for name, frame in around.items()}
