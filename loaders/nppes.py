"""Read the NPPES dissemination file (CMS's 330-column NPI CSV) into HCPs and institutions.

Individual providers (Entity Type Code 1) become HCPs ``NPI-<npi>`` with their name,
credentials, practice location (city, state, ZIP as ``postal_code``, country), and a specialty looked up in the NUCC taxonomy file (the
primary taxonomy, else the first one listed).  Organisations (Entity Type Code 2) become
institutions ``NPI-<npi>`` whose ``type`` is their taxonomy classification.  NPIs deactivated
and not reactivated since are skipped and counted.

Files that went through a spreadsheet or pandas upstream hold floats where integers were
("1.0", NPI "1234567893.0", ZIP "68848216.0"): codes and NPIs are turned back into digits,
ZIP codes zero-padded to 5 or 9 digits.  The full file has ~8 million rows, so it is read
in chunks of only the needed columns and every step works on whole columns.

Also here, for the other CMS CSV loaders: :func:`csv_header` and :func:`require_columns`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph import locations
from kolgraph.errors import InputError
from kolgraph.loaders.source import SourceRead
from kolgraph.loaders.validate import KeyLookup, RawBundle, RawTable

#: The NUCC taxonomy file looked for next to the NPPES file when none is given.
TAXONOMY_FILENAME = "nucc_taxonomy_150.csv"
#: Rows per chunk read from the NPPES file (the full file is ~8 million rows).
CHUNK_ROWS = 200_000
#: NPPES lists up to 15 taxonomy codes per provider.
TAXONOMY_SLOTS = 15
#: ISO country codes NPPES uses -> the country names the other sources use.
COUNTRY_NAMES = {"US": "United States"}

NPI = "NPI"
ENTITY = "Entity Type Code"
ORG_NAME = "Provider Organization Name (Legal Business Name)"
LAST = "Provider Last Name (Legal Name)"
FIRST = "Provider First Name"
CREDENTIAL = "Provider Credential Text"
CITY = "Provider Business Practice Location Address City Name"
STATE = "Provider Business Practice Location Address State Name"
ZIP = "Provider Business Practice Location Address Postal Code"
COUNTRY = "Provider Business Practice Location Address Country Code (If outside U.S.)"
DEACTIVATED = "NPI Deactivation Date"
REACTIVATED = "NPI Reactivation Date"
TAXONOMY_CODES = [f"Healthcare Provider Taxonomy Code_{i}" for i in range(1, TAXONOMY_SLOTS + 1)]
PRIMARY_SWITCHES = [
    f"Healthcare Provider Primary Taxonomy Switch_{i}" for i in range(1, TAXONOMY_SLOTS + 1)
]
#: The columns read; each must be in the header.
COLUMNS = [
    NPI,
    ENTITY,
    ORG_NAME,
    LAST,
    FIRST,
    CREDENTIAL,
    CITY,
    STATE,
    ZIP,
    COUNTRY,
    DEACTIVATED,
    REACTIVATED,
    *TAXONOMY_CODES,
    *PRIMARY_SWITCHES,
]

IDENTITY_COLUMNS = [
    "hcp_id",
    "source",
    "source_ref",
    "name_as_written",
    "method",
    "confidence",
    "evidence",
]


# --- shared CSV helpers ---------------------------------------------------------------------


def csv_header(path: Path, limit: int = 1 << 16) -> list[str]:
    """The column names on the first line of a CSV file (at most ``limit`` bytes read).

    Raises ``InputError`` when the file cannot be read.
    """
    try:
        with open(path, "rb") as file:
            head = file.read(limit)
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    first = head.removeprefix(codecs.BOM_UTF8).split(b"\n", 1)[0].rstrip(b"\r")
    text = first.decode("utf-8", errors="replace")
    return [name.strip() for name in next(csv.reader(io.StringIO(text)), [])]


def require_columns(path: Path, header: list[str], needed: list[str], what: str) -> None:
    """Raise ``InputError`` naming the file and every column of ``needed`` not in ``header``."""
    missing = [name for name in needed if name not in header]
    if missing:
        listed = ", ".join(f'"{name}"' for name in missing)
        raise InputError(f"{path}: not {what}: missing column {listed}")


def header_has(path: Path, *names: str) -> bool:
    """Whether ``path`` is a readable file whose first line names every one of ``names``."""
    try:
        return path.is_file() and set(names) <= set(csv_header(path))
    except InputError:
        return False


def digits_only(values: pd.Series) -> pd.Series:
    """Integer cells as digits: a float spelling ("1.0", "1.2E9") loses its fraction.

    Cells that are not numbers are left as they are (validation reports them).
    """
    text = values.str.strip()
    text = text.str.replace(r"^(\d+)\.0*$", r"\1", regex=True)
    odd = text.str.contains(r"[eE]", regex=True) & (text != "")
    if odd.any():  # scientific notation: rare, so a Python loop over those cells only
        text[odd] = [_float_digits(v) for v in text[odd]]
    return text


def _float_digits(value: str) -> str:
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if number.is_integer() and number >= 0 else value


def raw_table(name: str, frame: pd.DataFrame, lines: np.ndarray, source: str) -> RawTable:
    """A RawTable of str cells ("" for blank) from ``frame``."""
    cells = frame.astype(object).where(frame.notna(), "").astype(str).reset_index(drop=True)
    return RawTable(name, cells, np.asarray(lines, dtype=np.int64), source)


# --- NPPES ----------------------------------------------------------------------------------


def looks_like_nppes(path: Path | str) -> bool:
    """Whether ``path`` is an NPPES dissemination CSV (judged from its header row only)."""
    return header_has(Path(path), NPI, ENTITY, DEACTIVATED)


def read_nppes(
    path: Path | str, store: KeyLookup | None = None, taxonomy_path: Path | str | None = None
) -> SourceRead:
    """HCPs and institutions from an NPPES CSV; deactivated NPIs skipped and counted.

    ``taxonomy_path`` defaults to ``nucc_taxonomy_150.csv`` next to the NPPES file; without
    one, specialties stay blank (noted).  ``store`` is not needed: ids come from the NPI.
    Raises ``InputError`` when the file is missing a needed column; nothing is read then.
    """
    path = Path(path)
    require_columns(path, csv_header(path), COLUMNS, "an NPPES dissemination file")
    taxonomy, notes = _taxonomy_for(path, taxonomy_path)
    return _source_read(path, _read_rows(path), taxonomy, notes)


def _taxonomy_for(path: Path, given: Path | str | None) -> tuple[pd.DataFrame | None, list[str]]:
    candidate = Path(given) if given else path.with_name(TAXONOMY_FILENAME)
    if given or candidate.is_file():
        return read_taxonomy(candidate), []
    return None, [
        f"no NUCC taxonomy file ({TAXONOMY_FILENAME} next to {path.name}): specialties left blank"
    ]


def read_taxonomy(path: Path | str) -> pd.DataFrame:
    """The NUCC taxonomy: index ``Code``, columns ``Classification`` and ``Specialization``.

    NUCC publishes the file in cp1252; a UTF-8 copy reads as well.
    """
    path = Path(path)
    require_columns(
        path, csv_header(path), ["Code", "Classification", "Specialization"], "a NUCC taxonomy file"
    )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            frame = pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                encoding=encoding,
                usecols=["Code", "Classification", "Specialization"],
            )
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InputError(f"{path}: neither UTF-8 nor cp1252")
    frame = frame.apply(lambda column: column.str.strip())
    return frame.drop_duplicates("Code").set_index("Code")


def _read_rows(path: Path) -> pd.DataFrame:
    """Every row reduced by :func:`_chunk_rows`, read in chunks of the needed columns."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            parts, start = [], 2  # the header is line 1
            for chunk in pd.read_csv(
                path,
                dtype=str,
                keep_default_na=False,
                usecols=COLUMNS,
                encoding=encoding,
                chunksize=CHUNK_ROWS,
            ):
                chunk["line"] = np.arange(start, start + len(chunk))
                start += len(chunk)
                parts.append(_chunk_rows(chunk))
        except UnicodeDecodeError:
            continue  # a Latin-1 file: read it again from the start
        except (pd.errors.ParserError, ValueError) as error:
            raise InputError(f"{path}: not a readable CSV file ({error})") from None
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in [*COLUMNS, "line"]})
        return pd.concat(parts, ignore_index=True) if parts else _chunk_rows(empty)
    raise InputError(f"{path}: neither UTF-8 nor cp1252")


def _chunk_rows(chunk: pd.DataFrame) -> pd.DataFrame:
    """One chunk reduced to what the loader keeps: normalised ids, names, places, taxonomy."""
    return pd.DataFrame(
        {
            "npi": digits_only(chunk[NPI]).str.zfill(10).where(chunk[NPI].str.strip() != "", ""),
            "entity": digits_only(chunk[ENTITY]),
            "org_name": chunk[ORG_NAME].str.strip(),
            "first_name": chunk[FIRST].str.strip(),
            "last_name": chunk[LAST].str.strip(),
            "credentials": chunk[CREDENTIAL].str.strip(),
            "city": chunk[CITY].str.strip(),
            "state": chunk[STATE].str.strip(),
            "country": chunk[COUNTRY].str.strip().replace(COUNTRY_NAMES),
            "zip": normalise_zip(chunk[ZIP]),
            "taxonomy": _primary_taxonomy(chunk),
            "deactivated": _deactivated(chunk[DEACTIVATED], chunk[REACTIVATED]),
            "line": chunk["line"].astype(np.int64),
        }
    )


def normalise_zip(values: pd.Series) -> pd.Series:
    """US ZIP codes as 5 digits or ZIP+4 (``12345-6789``), leading zeros restored.

    A float-mangled ZIP lost its leading zeros: up to 5 digits it was a 5-digit ZIP, 6 to 9
    digits a ZIP+4.  Anything else (a foreign postal code) is kept as written.
    """
    text = digits_only(values)
    numeric = text.str.fullmatch(r"\d{1,9}")
    short = numeric & (text.str.len() <= 5)
    long = numeric & ~short
    out = text.copy()
    out[short] = text[short].str.zfill(5)
    padded = text[long].str.zfill(9)
    out[long] = padded.str[:5] + "-" + padded.str[5:]
    return out


def _primary_taxonomy(chunk: pd.DataFrame) -> pd.Series:
    """The code whose primary switch is Y, else the first code listed."""
    codes = chunk[TAXONOMY_CODES].apply(lambda column: column.str.strip()).to_numpy(dtype=object)
    primary = (chunk[PRIMARY_SWITCHES].apply(lambda c: c.str.strip().str.upper()) == "Y").to_numpy()
    rows = np.arange(len(chunk))
    chosen = codes[rows, primary.argmax(axis=1)] if len(chunk) else np.array([], dtype=object)
    first = codes[:, 0] if len(chunk) else chosen
    return pd.Series(np.where(primary.any(axis=1), chosen, first), index=chunk.index, dtype=object)


def _deactivated(deactivation: pd.Series, reactivation: pd.Series) -> pd.Series:
    """Deactivated and not reactivated on or after that date."""
    off, on = _dates(deactivation), _dates(reactivation)
    has_off = deactivation.str.strip() != ""
    return has_off & ~(on.notna() & (off.isna() | (on >= off)))


def _dates(values: pd.Series) -> pd.Series:
    """NPPES dates (MM/DD/YYYY; ISO in some extracts) as timestamps, NaT where blank."""
    text = values.str.strip()
    us = pd.to_datetime(text, format="%m/%d/%Y", errors="coerce")
    return us.fillna(pd.to_datetime(text, format="%Y-%m-%d", errors="coerce"))


# --- rows -> canonical tables ----------------------------------------------------------------


def _source_read(
    path: Path, rows: pd.DataFrame, taxonomy: pd.DataFrame | None, notes: list[str]
) -> SourceRead:
    skipped: Counter = Counter()
    active = _count_skip(rows, rows["deactivated"], "deactivated NPI", skipped)
    active = _count_skip(active, active["npi"] == "", "no NPI", skipped)
    active = _count_skip(active, active.duplicated("npi"), "NPI repeated in the file", skipped)
    people = active[active["entity"] == "1"]
    people = _count_skip(
        people,
        (people["first_name"] == "") | (people["last_name"] == ""),
        "individual without a first and last name",
        skipped,
    )
    orgs = active[active["entity"] == "2"]
    orgs = _count_skip(orgs, orgs["org_name"] == "", "organisation without a name", skipped)
    other = ~active["entity"].isin(["1", "2"])
    skipped.update({"no entity type code (1 or 2)": int(other.sum())} if other.any() else {})
    raw = RawBundle(
        tables={
            "hcps": raw_table("hcps", _hcps(people, taxonomy), people["line"], path.name),
            "institutions": raw_table(
                "institutions", _institutions(orgs, taxonomy), orgs["line"], path.name
            ),
        }
    )
    notes = [
        *notes,
        f"NPPES: {len(people):,} individuals -> HCPs, {len(orgs):,} organisations -> institutions",
    ]
    return SourceRead(
        raw,
        records_read=len(rows),
        skipped=skipped,
        notes=notes,
        identities=_identities(people, path.name),
    )


def _count_skip(rows: pd.DataFrame, drop: pd.Series, reason: str, skipped: Counter) -> pd.DataFrame:
    count = int(drop.sum())
    if count:
        skipped[reason] += count
    return rows[~drop.to_numpy()]


def _specialties(codes: pd.Series, taxonomy: pd.DataFrame | None) -> tuple[pd.Series, pd.Series]:
    """Per code: "Classification - Specialization" (or the classification alone), and the
    classification; blank where the code is blank or unknown."""
    if taxonomy is None:
        blank = pd.Series("", index=codes.index, dtype=object)
        return blank, blank
    classification = codes.map(taxonomy["Classification"]).fillna("")
    specialization = codes.map(taxonomy["Specialization"]).fillna("")
    both = classification + np.where(specialization != "", " - " + specialization, "")
    return both.where(classification != "", specialization), classification


def _hcps(people: pd.DataFrame, taxonomy: pd.DataFrame | None) -> pd.DataFrame:
    specialty, _ = _specialties(people["taxonomy"], taxonomy)
    return pd.DataFrame(
        {
            "hcp_id": "NPI-" + people["npi"],
            "first_name": people["first_name"],
            "last_name": people["last_name"],
            "credentials": people["credentials"],
            "specialty": specialty,
            "city": people["city"],
            "state": people["state"],
            "postal_code": locations.source_postal_codes(
                people["zip"], people["country"], people["state"]
            ),
            "country": people["country"],
            "npi": people["npi"],
        }
    )


def _institutions(orgs: pd.DataFrame, taxonomy: pd.DataFrame | None) -> pd.DataFrame:
    _, classification = _specialties(orgs["taxonomy"], taxonomy)
    return pd.DataFrame(
        {
            "institution_id": "NPI-" + orgs["npi"],
            "name": orgs["org_name"],
            "type": classification,
            "city": orgs["city"],
            "state": orgs["state"],
            "country": orgs["country"],
        }
    )


def _identities(people: pd.DataFrame, source: str) -> pd.DataFrame:
    """The NPI is the identity; the practice ZIP and taxonomy are kept as evidence for
    matching these HCPs to people in other sources by name and place."""
    evidence = (
        "NPI "
        + people["npi"]
        + "; practice ZIP "
        + people["zip"]
        + "; taxonomy "
        + people["taxonomy"]
    )
    return pd.DataFrame(
        {
            "hcp_id": "NPI-" + people["npi"],
            "source": source,
            "source_ref": "line " + people["line"].astype(str),
            "name_as_written": people["first_name"] + " " + people["last_name"],
            "method": "npi",
            "confidence": 1.0,
            "evidence": evidence,
        },
        columns=IDENTITY_COLUMNS,
    ).reset_index(drop=True)
