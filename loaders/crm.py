"""Read a CRM call export (Veeva CRM, Salesforce, IQVIA OCE ...) into touchpoints.

A mapping file (TOML) says how the export is laid out::

    date_format = "%m/%d/%Y"      # strftime format of the call date
    hcp_key = "npi"               # the HCP column holds an NPI ("npi") or a kolgraph hcp_id
    msl_key = "email"             # the MSL column holds an e-mail (any case) or an msl_id

    [columns]                     # canonical touchpoint field -> the export's header
    touchpoint_id = "Call Id"
    date = "Call Date"
    hcp = "Account NPI"
    msl = "Owner Email"
    channel = "Channel"           # optional: topic, insight, insight_category, sentiment too

Each row becomes a ``touchpoints`` row: the date is read with ``date_format`` and written
``YYYY-MM-DD``; an NPI names the one stored HCP holding it; an e-mail the one MSL with it.
Then the rows go through the same checks as a bundle's (:func:`validate`), so an unknown
category or a date in the future is reported the same way, with the export's header as the
column.  Columns of the export the mapping does not name are ignored: exports carry many.

:func:`read_crm` returns every problem; :func:`split_rejects` separates the rows that have
one (written, unchanged plus a ``reason`` column, by :func:`write_rejects`).
"""

from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph import schema
from kolgraph.errors import InputError, Problem, ValidationFailed
from kolgraph.loaders.bundle import read_csv_table
from kolgraph.loaders.nppes import digits_only
from kolgraph.loaders.validate import RawBundle, RawTable, validate

#: Canonical touchpoint fields a mapping may name, and those it must.
FIELDS = (
    "touchpoint_id",
    "date",
    "hcp",
    "msl",
    "channel",
    "topic",
    "insight",
    "insight_category",
    "sentiment",
)
REQUIRED_FIELDS = ("touchpoint_id", "date", "hcp", "msl")
HCP_KEYS = ("npi", "hcp_id")
MSL_KEYS = ("msl_id", "email")
#: Mapping field -> canonical touchpoints column.
CANONICAL = {"hcp": "hcp_id", "msl": "msl_id"}
#: The column the rejects file adds.
REASON = "reason"
#: The Veeva CRM mapping shipped with kolgraph (see docs/crm.md).
VEEVA_MAPPING = Path(__file__).with_name("mappings") / "veeva_crm_calls.toml"


@dataclass(frozen=True)
class CrmMapping:
    """How a CRM export names the touchpoint fields (see the module docstring)."""

    date_format: str
    hcp_key: str
    msl_key: str
    columns: dict[str, str]
    source: str = ""

    def header(self, column: str) -> str:
        """The export's header for a canonical touchpoints column (or mapping field)."""
        field_name = {v: k for k, v in CANONICAL.items()}.get(column, column)
        return self.columns.get(field_name, column)


def read_mapping(path: Path | str) -> CrmMapping:
    """The mapping in a TOML file; raises ``InputError`` naming the file and every mistake."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"{path}: cannot read the mapping ({error.strerror})") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise InputError(f"{path}: not a TOML mapping file ({error})") from None
    mistakes = _mapping_mistakes(data)
    if mistakes:
        raise InputError(f"{path}: " + "; ".join(mistakes))
    return CrmMapping(
        data["date_format"],
        data["hcp_key"],
        data["msl_key"],
        {k: v.strip() for k, v in data["columns"].items()},
        path.name,
    )


def _mapping_mistakes(data: dict) -> list[str]:
    mistakes = [
        f"unknown key {k!r} (expected date_format, hcp_key, msl_key, [columns])"
        for k in data
        if k not in ("date_format", "hcp_key", "msl_key", "columns")
    ]
    if not isinstance(data.get("date_format"), str) or "%" not in data.get("date_format", ""):
        mistakes.append('date_format must be a strftime format such as "%m/%d/%Y"')
    for key, allowed in (("hcp_key", HCP_KEYS), ("msl_key", MSL_KEYS)):
        if data.get(key) not in allowed:
            mistakes.append(f"{key} must be one of {', '.join(allowed)}")
    columns = data.get("columns")
    if not isinstance(columns, dict):
        return [*mistakes, "a [columns] table is required"]
    mistakes += [
        f"[columns] {k}: unknown field; expected one of {', '.join(FIELDS)}"
        for k in columns
        if k not in FIELDS
    ]
    mistakes += [
        f"[columns] {k}: the export's header must be a non-blank string"
        for k, v in columns.items()
        if not isinstance(v, str) or not v.strip()
    ]
    mistakes += [f"[columns] {k} is required" for k in REQUIRED_FIELDS if k not in columns]
    return mistakes


class Lookups:
    """What a CRM load asks the store: HCPs by NPI, MSLs by e-mail, which keys exist."""

    def hcp_ids_by_npi(self, npis: list[str]) -> dict[str, list[str]]: ...

    def msl_ids_by_email(self) -> dict[str, list[str]]: ...

    def existing_keys(self, table: str, keys) -> set[str]: ...


@dataclass
class CrmRead:
    """An export read and checked: its rows as the export has them, the canonical raw
    touchpoints (same order, same lines) and every problem found."""

    export: RawTable
    touchpoints: RawTable
    problems: list[Problem] = field(default_factory=list)

    @property
    def bad_lines(self) -> set[int]:
        return {p.line for p in self.problems}


def read_crm(
    path: Path | str,
    store: Lookups,
    mapping: CrmMapping,
    *,
    today: date | None = None,
    insight_categories=schema.DEFAULT_INSIGHT_CATEGORIES,
) -> CrmRead:
    """Read and check a CRM export; the problems are on the result (nothing raised for
    them), except for a file that cannot be read as CSV or lacks a mapped column, which
    raises ``ValidationFailed`` (no row of it can be judged)."""
    path = Path(path)
    export = _read_export(path, mapping)
    rows = _Converter(export, mapping, store)
    touchpoints = rows.touchpoints()
    problems = rows.problems
    try:
        validate(
            RawBundle(tables={"touchpoints": touchpoints}),
            store,
            today=today,
            insight_categories=insight_categories,
        )
    except ValidationFailed as failed:
        problems += _renamed(failed.problems, mapping, rows.flagged)
    return CrmRead(export, touchpoints, sorted(problems))


def checked_batch(read: CrmRead, store: Lookups, **rules) -> tuple[schema.Batch, pd.DataFrame]:
    """The batch of the rows without problems, and the rejected rows of the export
    (unchanged, plus :data:`REASON`).  The kept rows are validated again (which cannot fail
    but types them)."""
    bad = np.isin(read.touchpoints.lines, sorted(read.bad_lines))
    kept = RawTable(
        "touchpoints",
        read.touchpoints.frame.loc[~bad].reset_index(drop=True),
        read.touchpoints.lines[~bad],
        read.touchpoints.source,
    )
    batch = validate(RawBundle(tables={"touchpoints": kept}), store, **rules)
    return batch, rejects(read, bad)


def rejects(read: CrmRead, bad: np.ndarray) -> pd.DataFrame:
    """The export's rows with a problem, as read, plus the reason (every problem of the row)."""
    reasons: dict[int, list[str]] = {}
    for problem in read.problems:
        reasons.setdefault(problem.line, []).append(f"{problem.column}: {problem.message}")
    frame = read.export.frame.loc[bad].copy()
    frame[REASON] = ["; ".join(reasons[int(line)]) for line in read.export.lines[bad]]
    return frame.reset_index(drop=True)


def rejects_path(path: Path | str) -> Path:
    """Where the rejects of ``calls.csv`` go: ``calls.rejects.csv`` beside it."""
    path = Path(path)
    return path.with_name(f"{path.stem}.rejects.csv")


def write_rejects(frame: pd.DataFrame, out: Path) -> None:
    """Write the rejected rows (text exactly as read) to ``out``, atomically."""
    from kolgraph.export import atomic_write

    def write(temp: Path) -> None:
        with temp.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(list(frame.columns))
            writer.writerows(frame.itertuples(index=False, name=None))

    atomic_write(out, write)


# --- reading and converting ------------------------------------------------------------------


def _read_export(path: Path, mapping: CrmMapping) -> RawTable:
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    table, problems = read_csv_table("touchpoints", data, path.name)
    if table is not None:
        missing = [(f, h) for f, h in mapping.columns.items() if h not in table.frame.columns]
        problems += [
            Problem(
                path.name,
                table.header_line,
                header,
                f"not in the file (the mapping {mapping.source} names it for {field_name})",
            )
            for field_name, header in missing
        ]
    if problems:
        raise ValidationFailed(problems)
    return table


class _Converter:
    """The canonical touchpoints of an export, and the problems of converting it (an
    impossible date, an NPI or e-mail no one or several hold)."""

    def __init__(self, export: RawTable, mapping: CrmMapping, store: Lookups):
        self.export, self.mapping, self.store = export, mapping, store
        self.problems: list[Problem] = []
        self.flagged: set[tuple[int, str]] = set()  # (line, canonical column) already reported

    def touchpoints(self) -> RawTable:
        columns = {}
        for name in schema.TOUCHPOINTS.column_names:
            field_name = {v: k for k, v in CANONICAL.items()}.get(name, name)
            if field_name in self.mapping.columns:
                columns[name] = self._cells(field_name)
        columns["date"] = self._dates(columns["date"])
        columns["hcp_id"] = self._hcps(columns["hcp_id"])
        columns["msl_id"] = self._msls(columns["msl_id"])
        frame = pd.DataFrame({k: pd.Series(v, dtype=object) for k, v in columns.items()})
        return RawTable("touchpoints", frame, self.export.lines, self.export.source)

    def _cells(self, field_name: str) -> np.ndarray:
        return self.export.frame[self.mapping.columns[field_name]].to_numpy(dtype=object)

    def _flag(self, mask: np.ndarray, column: str, values: np.ndarray, message) -> None:
        for line, value in zip(self.export.lines[mask], values[mask]):
            self.problems.append(
                Problem(self.export.source, int(line), self.mapping.header(column), message(value))
            )
            self.flagged.add((int(line), column))

    def _dates(self, cells: np.ndarray) -> np.ndarray:
        text = pd.Series(cells, dtype=object).str.strip()
        parsed = pd.to_datetime(text, format=self.mapping.date_format, errors="coerce")
        bad = (parsed.isna() & (text != "")).to_numpy()
        fmt = self.mapping.date_format
        self._flag(bad, "date", text.to_numpy(dtype=object), lambda v: f"not a date ({fmt}): {v}")
        iso = parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), "")
        return iso.to_numpy(dtype=object)

    def _hcps(self, cells: np.ndarray) -> np.ndarray:
        if self.mapping.hcp_key == "hcp_id":
            return cells
        npis = digits_only(pd.Series(cells, dtype=object).str.strip()).to_numpy(dtype=object)
        shaped = pd.Series(npis, dtype=object).str.fullmatch(r"\d{10}").to_numpy(dtype=bool)
        self._flag(~shaped & (npis != ""), "hcp_id", npis, lambda v: f"not a 10-digit NPI: {v}")
        holders = self.store.hcp_ids_by_npi(sorted(set(npis[shaped])))
        return self._resolve(npis, shaped, holders, "hcp_id", "NPI", "HCP")

    def _msls(self, cells: np.ndarray) -> np.ndarray:
        if self.mapping.msl_key == "msl_id":
            return cells
        emails = np.array([c.strip().lower() for c in cells], dtype=object)
        given = emails != ""
        return self._resolve(
            emails, given, self.store.msl_ids_by_email(), "msl_id", "e-mail", "MSL"
        )

    def _resolve(self, keys, given, holders: dict, column: str, what: str, who: str) -> np.ndarray:
        """The one id holding each key; a key held by none or by several is a problem."""
        ids = np.array([(holders.get(k) or [None])[0] for k in keys], dtype=object)
        count = np.array([len(holders.get(k, ())) for k in keys])
        self._flag(given & (count == 0), column, keys, lambda v: f"no {who} has {what} {v}")
        shared = given & (count > 1)
        self._flag(
            shared,
            column,
            keys,
            lambda v: f"{what} {v} is shared by {who}s {', '.join(holders[v])}",
        )
        ok = given & (count == 1)
        return np.where(ok, ids, "").astype(object)


def _renamed(problems: list[Problem], mapping: CrmMapping, flagged: set) -> list[Problem]:
    """Validation problems with the export's headers, leaving out a blank the conversion
    made of a cell it already reported."""
    return [
        Problem(p.file, p.line, mapping.header(p.column), p.message)
        for p in problems
        if (p.line, p.column) not in flagged
    ]
