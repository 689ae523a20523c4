"""Steward corrections of who is who: merges and splits, their checks, and their replay.

A steward says two HCPs are one person (``kolgraph identity merge KEEP OTHER``: ``OTHER``
folds into ``KEEP``) or that some of an HCP's papers are another person's (``kolgraph
identity split HCP --pmids ...``: those authorships become a new HCP).  A store applies the
correction at once and keeps its :class:`Correction` record; every later load is rewritten by
:func:`replay` *before* validation, so neither a reload of the same source nor a new
disambiguation undoes it:

* a merge maps ``other_id`` to ``hcp_id`` in every table, moves the author slots (PMID and
  position) ``other_id`` held when it was merged to ``hcp_id`` whatever id a new resolution
  gives them, drops ``other_id``'s own row, and fills blank fields of ``hcp_id``'s row with
  what the merge took from ``other_id`` (an NPI, say);
* a split moves the authorships of its PMIDs held by ``hcp_id``, or at the slots split off,
  to ``other_id``;
* a person a new resolution made only of slots a correction moved is not created again.

Rules only: no store, no Flask (the stores write, :mod:`kolgraph.identities` keeps the
evidence, the CLI and the web call :meth:`~kolgraph.store.base.GraphStore.merge_hcps` and
:meth:`~kolgraph.store.base.GraphStore.split_hcp`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

import numpy as np
import pandas as pd

from kolgraph import schema
from kolgraph.errors import InputError

MERGE, SPLIT = "merge", "split"
#: The stored columns of a correction, in order (one name from store to JSON).
COLUMNS = ("correction_id", "kind", "hcp_id", "other_id", "pmids", "slots", "fields", "steward")
COLUMNS_AT = (*COLUMNS, "recorded_at")
#: HCP fields a merge copies from the folded HCP when the kept one has none.
FILLED_FIELDS = (
    "credentials",
    "specialty",
    "city",
    "state",
    "country",
    "npi",
    "orcid",
    "email",
)
#: Fields that name one person: two different values are two persons, never merged.
PERSONAL_IDS = ("npi", "orcid")
#: The most PMIDs one split takes (a form or command line, not a bulk load).
MAX_SPLIT_PMIDS = 1000
#: Tables whose rows name an HCP in column ``hcp_id``.
HCP_TABLES = tuple(
    t.name
    for t in schema.TABLES
    if t.name == "hcps" or any(target == "hcps" for _c, target in t.references)
)


@dataclass(frozen=True)
class Correction:
    """One stored correction.

    ``merge``: ``other_id`` folded into ``hcp_id``; ``slots`` are ``"pmid:position"`` of the
    authorships ``other_id`` held; ``fields`` what ``hcp_id`` took from it.  ``split``: the
    authorships of ``pmids`` (at ``slots``) moved from ``hcp_id`` to the new ``other_id``.
    """

    correction_id: int
    kind: str
    hcp_id: str
    other_id: str
    pmids: tuple[str, ...] = ()
    slots: tuple[str, ...] = ()
    fields: dict = field(default_factory=dict)
    steward: str = ""
    recorded_at: str = ""

    def row(self) -> dict:
        """The stored row: lists and fields as JSON text."""
        row = asdict(self)
        row["pmids"] = json.dumps(list(self.pmids))
        row["slots"] = json.dumps(list(self.slots))
        row["fields"] = json.dumps(self.fields, sort_keys=True)
        return row

    def as_dict(self) -> dict:
        """Plain values for JSON output."""
        return {**asdict(self), "pmids": list(self.pmids), "slots": list(self.slots)}


def from_row(row: dict) -> Correction:
    """A correction from its stored row (lists and fields as JSON text)."""
    return Correction(
        correction_id=int(row["correction_id"]),
        kind=row["kind"],
        hcp_id=row["hcp_id"],
        other_id=row["other_id"],
        pmids=tuple(json.loads(row.get("pmids") or "[]")),
        slots=tuple(json.loads(row.get("slots") or "[]")),
        fields=json.loads(row.get("fields") or "{}"),
        steward=row.get("steward") or "",
        recorded_at=row.get("recorded_at") or "",
    )


def now() -> str:
    """The time a correction is recorded (UTC, seconds)."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# --- checks (every problem is an error before anything is written) --------------------------


def check_distinct(keep_id: str, other_id: str) -> None:
    """Refuse a merge of an HCP into itself."""
    if keep_id == other_id:
        raise InputError(f"cannot merge HCP {keep_id} into itself")


def check_merge(keep: dict, other: dict) -> None:
    """Refuse a merge of two HCPs (their stored fields) with different NPIs or ORCIDs."""
    for name in PERSONAL_IDS:
        if keep.get(name) and other.get(name) and keep[name] != other[name]:
            raise InputError(
                f"{keep['hcp_id']} and {other['hcp_id']} have different {name.upper()}s "
                f"({keep[name]}, {other[name]}): two persons, not merged"
            )


def parse_pmids(text: str | Iterable[str]) -> tuple[str, ...]:
    """PMIDs from ``"1,2, 3"`` (or a list), unique, in the order given; InputError when none.

    >>> parse_pmids(" 26702422, 26702238,26702422")
    ('26702422', '26702238')
    """
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    pmids = tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
    if not pmids:
        raise InputError("give the PMIDs to split off, e.g. --pmids 26702422,26702238")
    if len(pmids) > MAX_SPLIT_PMIDS:
        raise InputError(f"at most {MAX_SPLIT_PMIDS} PMIDs per split (got {len(pmids)})")
    return pmids


def check_split(hcp_id: str, parts: dict, pmids: Sequence[str]) -> dict[str, int]:
    """The position of each split PMID in the HCP's authorships (``parts``: the HCP's profile
    parts); refuses PMIDs the HCP did not author, or all of them."""
    positions = {p["pmid"]: int(p["position"]) for p in parts["publications"]}
    foreign = [p for p in pmids if p not in positions]
    if foreign:
        raise InputError(f"HCP {hcp_id} did not author PMID {', '.join(foreign)}")
    if len(pmids) == len(positions):
        raise InputError(
            f"every paper of HCP {hcp_id} is in the split: nothing would be left; "
            "keep at least one PMID"
        )
    return {p: positions[p] for p in pmids}


def split_id(hcp_id: str, pmids: Sequence[str], taken: Callable[[str], bool]) -> str:
    """The new HCP's id: ``<hcp_id>-split-<smallest PMID>`` (``-2``, ``-3``... when taken),
    so both stores give the same id for the same split."""
    base = f"{hcp_id}-split-{min(pmids, key=lambda p: (len(p), p))}"
    candidate, n = base, 1
    while taken(candidate):
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def filled_fields(keep: dict, other: dict) -> dict[str, str]:
    """The fields ``keep`` lacks and ``other`` has, which the merge copies."""
    return {
        name: other[name]
        for name in FILLED_FIELDS
        if _blank(keep.get(name)) and not _blank(other.get(name))
    }


def split_hcp_row(hcp: dict, new_id: str) -> dict:
    """The new HCP of a split: the name of the HCP split from, nothing else (no NPI, ORCID
    or place: those were the other person's)."""
    row = dict.fromkeys(schema.HCPS.column_names)
    return {**row, "hcp_id": new_id, "first_name": hcp["first_name"], "last_name": hcp["last_name"]}


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value == ""


# --- replay on every load ----------------------------------------------------------------------


def replay(
    raw, corrections: Sequence[Correction], stored: Callable[[list[str]], set[str]]
) -> tuple[set[str], dict[str, str]]:
    """Rewrite a load's raw tables (a :class:`~kolgraph.loaders.validate.RawBundle`) in place
    so they keep every correction, oldest first.  ``stored(ids)`` says which HCP ids the store
    holds.  Returns the ids of persons not created again (only moved slots) and the map of
    merged-away ids to the ids they now are (for the load's identity evidence)."""
    tables = {n: t for n, t in raw.tables.items() if n in HCP_TABLES and "hcp_id" in t.frame}
    if not corrections or not tables:
        return set(), {}
    named_before = _linked_ids(tables)
    for correction in corrections:
        if correction.kind == MERGE:
            _replay_merge(tables, correction)
        else:
            _replay_split(tables, correction)
    merged = merged_into(corrections)
    _drop_rows(tables, "hcps", lambda f: _ids(f).isin(list(merged)))
    orphans = _orphans(tables, named_before, stored)
    _drop_rows(tables, "hcps", lambda f: _ids(f).isin(list(orphans)))
    for name, table in tables.items():
        if name != "hcps":
            _drop_duplicate_keys(table)
    return orphans, merged


def merged_into(corrections: Sequence[Correction]) -> dict[str, str]:
    """Each merged-away id -> the id it is now (following later merges of that id)."""
    into: dict[str, str] = {}
    for c in corrections:
        if c.kind == MERGE:
            into[c.other_id] = c.hcp_id
    return {old: _final(old, into) for old in into}


def _final(hcp_id: str, into: dict[str, str]) -> str:
    seen = set()
    while hcp_id in into and hcp_id not in seen:
        seen.add(hcp_id)
        hcp_id = into[hcp_id]
    return hcp_id


def _replay_merge(tables: dict, c: Correction) -> None:
    for name, table in tables.items():
        if name == "hcps":
            continue
        ids = _ids(table.frame)
        moving = ids == c.other_id
        if name == "authorships" and c.slots:
            moving |= _slots(table.frame).isin(list(c.slots)) & (ids != c.hcp_id)
        _move(table, moving.to_numpy(), c.hcp_id)
    hcps = tables.get("hcps")
    if hcps is not None and c.fields:
        _fill(hcps.frame, c.hcp_id, c.fields)


def _replay_split(tables: dict, c: Correction) -> None:
    authorships = tables.get("authorships")
    if authorships is None:
        return
    frame = authorships.frame
    on_papers = _text(frame["pmid"]).isin(list(c.pmids))
    held = (_ids(frame) == c.hcp_id) | _slots(frame).isin(list(c.slots))
    _move(authorships, (on_papers & held).to_numpy(), c.other_id)


def _move(table, moving: np.ndarray, hcp_id: str) -> None:
    """Rows at ``moving`` become ``hcp_id``'s; a row whose key ``hcp_id`` already holds in
    the load goes instead (at the merge, the kept HCP's link stayed as it was)."""
    others = [k for k in schema.TABLES_BY_NAME[table.name].key if k != "hcp_id"]
    frame = table.frame
    if others and moving.any() and all(k in frame for k in others):
        key = _text(frame[others[0]])
        for column in others[1:]:
            key = key + "\x1f" + _text(frame[column])
        held = set(key[(_ids(frame) == hcp_id).to_numpy() & ~moving])
        clash = moving & key.isin(list(held)).to_numpy()
        if clash.any():
            _keep_rows(table, ~clash)
            moving = moving[~clash]
            frame = table.frame
    frame.loc[moving, "hcp_id"] = hcp_id


def _keep_rows(table, keep: np.ndarray) -> None:
    table.frame = table.frame.loc[keep].reset_index(drop=True)
    table.lines = table.lines[keep]


def _fill(frame: pd.DataFrame, hcp_id: str, fields: dict) -> None:
    rows = (_ids(frame) == hcp_id).to_numpy()
    if not rows.any():
        return
    for name, value in fields.items():
        if name not in frame:
            frame[name] = ""
        blank = rows & (_text(frame[name]) == "").to_numpy()
        frame.loc[blank, name] = str(value)


def _orphans(tables: dict, named_before: set[str], stored: Callable) -> set[str]:
    """Persons the load named in link rows before the replay, and in none after: they were
    made only of slots a correction gives to someone else, so they are not created (unless
    the store already holds them)."""
    gone = named_before - _linked_ids(tables)
    return gone - stored(sorted(gone)) if gone else set()


def _linked_ids(tables: dict) -> set[str]:
    return {i for n, t in tables.items() if n != "hcps" for i in _ids(t.frame)}


def _drop_rows(tables: dict, name: str, where: Callable[[pd.DataFrame], pd.Series]) -> None:
    table = tables.get(name)
    if table is None:
        return
    keep = ~where(table.frame).to_numpy()
    if not keep.all():
        _keep_rows(table, keep)


def _drop_duplicate_keys(table) -> None:
    """Two rows that a rewrite made one (both persons on one trial): the first stays."""
    key = list(schema.TABLES_BY_NAME[table.name].key)
    if not all(k in table.frame for k in key):
        return  # a bundle missing a key column: validation reports it
    keys = pd.DataFrame({k: _text(table.frame[k]) for k in key})
    keep = ~keys.duplicated().to_numpy()
    if not keep.all():
        _keep_rows(table, keep)


def _ids(frame: pd.DataFrame) -> pd.Series:
    return _text(frame["hcp_id"])


def _text(series: pd.Series) -> pd.Series:
    return series.astype(str).str.strip()


def _slots(frame: pd.DataFrame) -> pd.Series:
    if "position" not in frame:
        return pd.Series([""] * len(frame), index=frame.index)
    return _text(frame["pmid"]) + ":" + _text(frame["position"])


def slot(pmid: str, position: int) -> str:
    """An author slot as stored in a correction: ``"pmid:position"``."""
    return f"{pmid}:{position}"
