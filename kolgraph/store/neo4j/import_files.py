"""A first load as the CSV files of ``neo4j-admin database import full``.

The files hold the graph a normal first load (:mod:`.load`) writes, derived data included:
``HCP.name``, ``territory_aligned`` / ``source_territory``, ``HCP.touch_dates``,
``AUTHORED.last_author`` and the ``COAUTHORED_WITH`` pairs under the co-author cap.  Only
what the import tool cannot express is left for Cypher after the import (see
:class:`ImportFiles`): empty lists, which a normal load stores as ``[]`` and the tool skips,
and the constraints and indexes (the tool builds none on Community's record format).

Every column is written by pandas at once (no loop over rows).  Strings are always quoted
and missing values written as ``""``, read back as absent (``--ignore-empty-strings``):
validation never keeps an empty string, and a quoted field is the only safe place for a
carriage return.  List items are joined by :data:`ARRAY_DELIMITER`, a control character
validation refuses in every cell.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph.coauthorship import coauthorship_pairs
from kolgraph.schema import TABLES_BY_NAME, Batch, Column, Table
from kolgraph.store.common import self_contained
from kolgraph.store.neo4j.load import batch_touch_dates, first_authorships

#: Between the items of a list cell (U+001F, the ASCII unit separator).
ARRAY_DELIMITER = "\x1f"
#: The import tool's spelling of it.
ARRAY_DELIMITER_OPTION = "U+001F"
#: Tables written as one relationship per row, with its type.
_LINK_TABLES = (("affiliations", "AFFILIATED_WITH"), ("trial_roles", "INVESTIGATOR_ON"))
#: The import tool's type of each column kind (text kinds are strings: the default).
_TYPES = {"int": "long", "year": "long", "list": "string[]"}


@dataclass
class ImportFiles:
    """What :func:`write_import_files` wrote, and what is left for Cypher after the import."""

    folder: Path
    #: (label, file) per node file and (type, file) per relationship file.
    nodes: list[tuple[str, Path]] = field(default_factory=list)
    relationships: list[tuple[str, Path]] = field(default_factory=list)
    #: Whether a text value holds a line break (the tool then reads multi-line fields).
    multiline: bool = False
    #: (table, list column) -> keys of the rows where that list is empty: a normal load
    #: stores ``[]``, which the import tool cannot write.
    empty_lists: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    #: Rows per table written (for progress), and relationships derived.
    rows: int = 0
    coauthorships: int = 0

    def arguments(self) -> list[str]:
        """The ``--nodes`` / ``--relationships`` / format options of the import command."""
        args = [f"--nodes={label}={path}" for label, path in self.nodes]
        args += [f"--relationships={kind}={path}" for kind, path in self.relationships]
        return [
            *args,
            f"--array-delimiter={ARRAY_DELIMITER_OPTION}",
            "--ignore-empty-strings=true",
            f"--multiline-fields={'true' if self.multiline else 'false'}",
        ]


def importable(batch: Batch) -> str | None:
    """Why ``batch`` cannot go through the import tool (None: it can).

    Keys must be unique (a normal load would merge repeated ones) and no list item may hold
    the array delimiter (validation refuses it; checked, not assumed).
    """
    for name, frame in batch.items():
        table = TABLES_BY_NAME[name]
        if len(frame) and frame.duplicated(list(table.key)).any():
            return f"{name} repeats a key"
        for column in table.columns:
            if column.kind == "list" and column.name in frame and _holds_delimiter(frame, column):
                return f"{name}.{column.name} holds the character U+001F"
    return None


def _holds_delimiter(frame: pd.DataFrame, column: Column) -> bool:
    items = [item for cell in frame[column.name] if isinstance(cell, list) for item in cell]
    return ARRAY_DELIMITER in "".join(items)


def write_import_files(
    batch: Batch,
    folder: Path,
    max_authors: int,
    bookkeeping: Sequence[tuple[str, dict]] = (),
    done: Callable[[str], None] | None = None,
) -> ImportFiles:
    """Write ``batch`` (validated, HCPs aligned: see :func:`load.write`) as import files in
    ``folder``, with one node per ``(label, properties)`` of ``bookkeeping``; ``done(name)``
    is called as each file is finished."""
    files = ImportFiles(folder)
    with ThreadPoolExecutor(1, thread_name_prefix="kolgraph-pairs") as pool:
        # numpy computes the pairs (mostly without the GIL) while pandas writes the nodes
        pairs = pool.submit(_pairs, batch, max_authors)
        _write_nodes(batch, bookkeeping, files, done)
        for kind, frame in _relationship_frames(batch, pairs, files):
            files.relationships.append((kind, _write(folder, f"rels-{kind.lower()}", frame, files)))
            if done:
                done(kind)
    return files


def _write_nodes(
    batch: Batch,
    bookkeeping: Sequence[tuple[str, dict]],
    files: ImportFiles,
    done: Callable[[str], None] | None,
) -> None:
    folder = files.folder
    for label, properties in bookkeeping:
        path = _write(folder, f"nodes-{label.lower()}", _single_node(properties), files)
        files.nodes.append((label, path))
    for name, label in (
        ("hcps", "HCP"),
        ("institutions", "Institution"),
        ("publications", "Publication"),
        ("trials", "Trial"),
        ("msls", "MSL"),
        ("touchpoints", "Touchpoint"),
    ):
        frame = _present(batch, name)
        if frame is None:
            continue
        table = TABLES_BY_NAME[name]
        nodes = _node_frame(table, frame)
        if name == "hcps":
            nodes = _with_hcp_derived(nodes, frame, batch.get("touchpoints"))
        files.nodes.append((label, _write(folder, f"nodes-{name}", nodes, files)))
        files.empty_lists |= _empty_lists(table, frame)
        files.rows += len(frame)
        if done:
            done(name)


def _single_node(properties: dict) -> pd.DataFrame:
    """One node of ``properties`` (str, int or bool values), typed in the header."""
    kinds = {bool: ":boolean", int: ":long", str: ""}
    columns = {}
    for name, value in properties.items():
        header = f"{name}{kinds[type(value)]}"
        columns[header] = [str(value).lower() if isinstance(value, bool) else value]
    return pd.DataFrame(columns)


def _present(batch: Batch, name: str) -> pd.DataFrame | None:
    frame = batch.get(name)
    return frame if frame is not None and len(frame) else None


# --- nodes -----------------------------------------------------------------------------------


def _node_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """The table's stored columns, typed in their headers; the key is the node's import id.

    A touchpoint keeps only its own properties (its MSL and HCP become relationships).
    """
    (key,) = table.key
    ends = {column for column, _target in table.references}
    columns = {}
    for column in table.columns:
        if column.name in ends:
            continue
        header = f"{key}:ID({table.label})" if column.name == key else _header(column)
        columns[header] = _cells(frame, column)
    return pd.DataFrame(columns)


def _header(column: Column) -> str:
    kind = _TYPES.get(column.kind)
    return f"{column.name}:{kind}" if kind else column.name


def _cells(frame: pd.DataFrame, column: Column) -> pd.Series:
    """One column as the tool reads it: nullable ints, lists joined, text as is."""
    if column.name not in frame:
        return pd.Series([None] * len(frame), dtype=object)
    series = frame[column.name].reset_index(drop=True)
    if column.kind in ("int", "year"):
        return _ints(series)
    if column.kind == "list":
        return _joined(series)
    return series.astype(object)


def _ints(series: pd.Series) -> pd.Series:
    """Python ints or None as a nullable integer column (written without a decimal point)."""
    return pd.to_numeric(series, errors="raise").astype("Int64")


def _joined(series: pd.Series) -> pd.Series:
    """List cells joined by the array delimiter; an empty or missing list is missing."""
    values = series.to_numpy(dtype=object)
    joined = np.array(
        [ARRAY_DELIMITER.join(v) if isinstance(v, list) and v else None for v in values],
        dtype=object,
    )
    return pd.Series(joined, dtype=object)


def _with_hcp_derived(
    nodes: pd.DataFrame, frame: pd.DataFrame, touchpoints: pd.DataFrame | None
) -> pd.DataFrame:
    """HCP nodes plus what a load derives: ``name``, ``territory_aligned`` (true or
    absent), ``source_territory`` and ``touch_dates`` (see :func:`load.table_rows`)."""
    first = frame["first_name"].reset_index(drop=True).astype(object)
    last = frame["last_name"].reset_index(drop=True).astype(object)
    nodes["name"] = _display_names(first, last)
    blank = pd.Series([None] * len(frame), dtype=object)
    aligned = frame.get("territory_aligned", blank).to_numpy(dtype=object)
    flags = np.full(len(aligned), None, dtype=object)
    flags[aligned == True] = "true"  # noqa: E712 (elementwise: None and False are not True)
    nodes["territory_aligned:boolean"] = pd.Series(flags, dtype=object)
    source = frame.get("source_territory", blank).reset_index(drop=True).astype(object)
    nodes["source_territory"] = source.where(source.notna(), None)
    nodes["touch_dates:string[]"] = _touch_dates(nodes.iloc[:, 0], touchpoints)
    return nodes


def _display_names(first: pd.Series, last: pd.Series) -> pd.Series:
    """:func:`kolgraph.schema.hcp_name` of every row: the present parts joined by a space."""
    has_first = first.notna() & (first != "")
    has_last = last.notna() & (last != "")
    both = first.where(has_first, "") + " " + last.where(has_last, "")
    names = np.where(
        has_first & has_last, both, np.where(has_first, first, np.where(has_last, last, ""))
    )
    return pd.Series(names, dtype=object)


def _touch_dates(hcp_ids: pd.Series, touchpoints: pd.DataFrame | None) -> pd.Series:
    """Each HCP's touchpoint dates, sorted and joined (missing: no touchpoint)."""
    if touchpoints is None or not len(touchpoints):
        return pd.Series([None] * len(hcp_ids), dtype=object)
    dates = batch_touch_dates(touchpoints)
    joined = pd.Series(
        [ARRAY_DELIMITER.join(d) for d in dates["touch_dates"]], index=dates["hcp_id"]
    )
    found = joined.reindex(hcp_ids.to_numpy())
    return pd.Series(found.to_numpy(dtype=object), dtype=object).where(found.notna().to_numpy())


def _empty_lists(table: Table, frame: pd.DataFrame) -> dict[tuple[str, str], list[str]]:
    (key,) = table.key
    found = {}
    for column in table.columns:
        if column.kind != "list":
            continue
        if column.name not in frame:
            empty = np.ones(len(frame), dtype=bool)
        else:
            values = frame[column.name].to_numpy(dtype=object)
            empty = np.fromiter((not v for v in values), dtype=bool, count=len(values))
        if empty.any():
            found[(table.name, column.name)] = frame[key].to_numpy(dtype=object)[empty].tolist()
    return found


# --- relationships ---------------------------------------------------------------------------


def _pairs(batch: Batch, max_authors: int) -> pd.DataFrame | None:
    """The co-author pairs a first load derives (None: the batch makes none)."""
    if _present(batch, "authorships") is None or not self_contained(batch):
        return None
    return coauthorship_pairs(batch["authorships"], batch["publications"], max_authors)


def _relationship_frames(batch: Batch, pairs: Future, files: ImportFiles):
    """(type, frame) of every relationship file, derived ones included."""
    for name, kind in _LINK_TABLES:
        links = _present(batch, name)
        if links is not None:
            yield kind, _link_frame(TABLES_BY_NAME[name], links)
            files.rows += len(links)
    authorships = _present(batch, "authorships")
    if authorships is not None:
        yield "AUTHORED", _authored(authorships)
        files.rows += len(authorships)
        derived = pairs.result()
        if derived is not None:
            files.coauthorships = len(derived)
            yield "COAUTHORED_WITH", _coauthored(derived)
    touchpoints = _present(batch, "touchpoints")
    if touchpoints is not None:
        ids = touchpoints["touchpoint_id"].to_numpy(dtype=object)
        msls = touchpoints["msl_id"].to_numpy(dtype=object)
        hcps = touchpoints["hcp_id"].to_numpy(dtype=object)
        yield "LOGGED", _ends("MSL", msls, "Touchpoint", ids)
        yield "WITH", _ends("Touchpoint", ids, "HCP", hcps)


def _ends(start: str, starts, end: str, ends) -> pd.DataFrame:
    return pd.DataFrame({f":START_ID({start})": starts, f":END_ID({end})": ends})


def _link_frame(table: Table, frame: pd.DataFrame) -> pd.DataFrame:
    """A link table's relationships: from the HCP to the other end, with its properties."""
    (hcp_column, _), (other_column, other_table) = sorted(
        table.references, key=lambda ref: ref[1] != "hcps"
    )
    label = TABLES_BY_NAME[other_table].label
    links = _ends(
        "HCP",
        frame[hcp_column].to_numpy(dtype=object),
        str(label),
        frame[other_column].to_numpy(dtype=object),
    )
    ends = {hcp_column, other_column}
    for column in table.columns:
        if column.name not in ends:
            links[_header(column)] = _cells(frame, column)
    return links


def _authored(authorships: pd.DataFrame) -> pd.DataFrame:
    """AUTHORED with ``position`` and ``last_author`` (the highest position of its paper)."""
    rows = first_authorships(authorships)
    links = _ends("HCP", rows["hcp_id"].to_numpy(), "Publication", rows["pmid"].to_numpy())
    links["position:long"] = rows["position"].to_numpy()
    links["last_author:boolean"] = _booleans(rows["last_author"].to_numpy(dtype=bool))
    return links


def _booleans(values: np.ndarray) -> np.ndarray:
    """Booleans as the tool reads them: ``true`` / ``false`` in lower case (it reads
    ``True`` as false)."""
    return np.where(values, "true", "false").astype(object)


def _coauthored(pairs: pd.DataFrame) -> pd.DataFrame:
    """COAUTHORED_WITH from the smaller hcp_id to the larger, as a first load creates it."""
    links = _ends("HCP", pairs["hcp_a"].to_numpy(), "HCP", pairs["hcp_b"].to_numpy())
    for column in ("papers", "first_year", "last_year"):
        links[f"{column}:long"] = pairs[column].to_numpy(dtype=np.int64)
    return links


# --- writing ---------------------------------------------------------------------------------


def _write(folder: Path, stem: str, frame: pd.DataFrame, files: ImportFiles) -> Path:
    """``frame`` as one CSV file with the tool's header; notes a text value with a line
    break (the tool must then read multi-line fields)."""
    if not files.multiline:
        files.multiline = _has_line_break(frame)
    path = folder / f"{stem}.csv"
    frame.to_csv(
        path,
        index=False,
        quoting=csv.QUOTE_NONNUMERIC,
        na_rep="",
        lineterminator="\n",
        encoding="utf-8",
    )
    return path


def _has_line_break(frame: pd.DataFrame) -> bool:
    for name in frame.columns:
        series = frame[name]
        if series.dtype != object:
            continue
        text = "\x00".join(v for v in series.to_numpy() if isinstance(v, str))
        if "\n" in text or "\r" in text:
            return True
    return False
