"""Read a CMS Open Payments research-payments CSV into investigators, hospitals and trials.

Each payment names up to five principal investigators (CMS physician profile id, name,
primary type, specialty, business city, state and ZIP): they become HCPs ``OP-<profile id>``,
with credentials from the primary type ("Medical Doctor" -> MD) and the specialty without its
grouping ("Allopathic & Osteopathic Physicians|Internal Medicine|Cardiovascular Disease" ->
"Internal Medicine - Cardiovascular Disease", as the NPPES loader writes specialties).
Teaching hospitals that received payments become institutions ``CCN-<Medicare
certification number>`` (named by their most frequent spelling), and a payment's
investigators are affiliated with its teaching hospital.  A study with a ClinicalTrials.gov identifier becomes a trial
(title = the study name most often given for it) with each of its investigators in the role
"principal investigator".

A payment made to a physician directly (``Covered Recipient Physician``) names them in the
``Physician_*`` columns, with their business address in ``Recipient_*``: they become HCPs
the same way, keyed by the same profile id (so a physician who is also a principal
investigator is one HCP), in the role "research payment recipient" on the payment's study
(a principal investigator role on the same study wins), and affiliated with the payment's
teaching hospital when it names one.

A payment without an NCT id adds no trial ("no ClinicalTrials.gov id", counted) but its
investigators and hospital are still loaded: they are real people and places.  The physician
profile supplement (``*_physicians_profile_totals.csv``) is not needed: the research file
already carries each investigator's name, type and specialty, and the supplement's other
physicians received general payments only, which the graph model has no place for.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph import locations
from kolgraph.errors import InputError
from kolgraph.loaders.nppes import (
    IDENTITY_COLUMNS,
    csv_header,
    digits_only,
    header_has,
    raw_table,
    require_columns,
)
from kolgraph.loaders.source import SourceRead
from kolgraph.loaders.validate import KeyLookup, RawBundle

INVESTIGATOR_SLOTS = 5
PI_FIELDS = (
    "Profile_ID",
    "First_Name",
    "Last_Name",
    "City",
    "State",
    "Zip_Code",
    "Postal_Code",
    "Country",
    "Primary_Type",
    "Specialty",
)
HOSPITAL_ID, HOSPITAL_CCN = "Teaching_Hospital_ID", "Teaching_Hospital_CCN"
HOSPITAL_NAME = "Teaching_Hospital_Name"
CITY, STATE, COUNTRY = "Recipient_City", "Recipient_State", "Recipient_Country"
STUDY, NCT = "Name_of_Study", "ClinicalTrials_Gov_Identifier"
#: Where a physician paid directly is named: field of ``PI_FIELDS`` -> column.
RECIPIENT_COLUMNS = {
    "Profile_ID": "Physician_Profile_ID",
    "First_Name": "Physician_First_Name",
    "Last_Name": "Physician_Last_Name",
    "City": CITY,
    "State": STATE,
    "Zip_Code": "Recipient_Zip_Code",
    "Postal_Code": "Recipient_Postal_Code",
    "Country": COUNTRY,
    "Primary_Type": "Physician_Primary_Type",
    "Specialty": "Physician_Specialty",
}
COLUMNS = [
    HOSPITAL_ID,
    HOSPITAL_CCN,
    HOSPITAL_NAME,
    CITY,
    STATE,
    COUNTRY,
    STUDY,
    NCT,
    *[
        f"Principal_Investigator_{i}_{f}"
        for i in range(1, INVESTIGATOR_SLOTS + 1)
        for f in PI_FIELDS
    ],
    *[c for c in RECIPIENT_COLUMNS.values() if c.startswith("Physician_")],
    RECIPIENT_COLUMNS["Zip_Code"],
    RECIPIENT_COLUMNS["Postal_Code"],
]
#: CMS primary types -> the credentials other sources write.
CREDENTIALS = {
    "Medical Doctor": "MD",
    "Doctor of Osteopathy": "DO",
    "Doctor of Dentistry": "DDS",
    "Doctor of Podiatric Medicine": "DPM",
    "Doctor of Optometry": "OD",
    "Chiropractic Physician": "DC",
}
ROLE = "principal investigator"
RECIPIENT_ROLE = "research payment recipient"
_NCT = re.compile(r"NCT\d{8}")


def looks_like_open_payments(path: Path | str) -> bool:
    """Whether ``path`` is an Open Payments research-payments CSV (judged from its header)."""
    return header_has(Path(path), "Principal_Investigator_1_Profile_ID", NCT)


def read_open_payments(path: Path | str, store: KeyLookup | None = None) -> SourceRead:
    """Investigators (HCPs), teaching hospitals, trials and roles from research payments.

    Raises ``InputError`` when the file is missing a needed column.  ``store`` is not
    needed: ids come from CMS profile and teaching-hospital ids.
    """
    path = Path(path)
    require_columns(path, csv_header(path), COLUMNS, "an Open Payments research-payments file")
    payments = _read(path)
    slots = _investigator_slots(payments)
    skipped = _skips(payments, slots)
    tables = {
        "hcps": _hcps(slots),
        "institutions": _institutions(payments),
        "trials": _trials(payments),
        "affiliations": _links(slots[slots["hospital"] != ""], "hospital"),
        "trial_roles": _links(slots[slots["nct_ok"]], "nct"),
    }
    raw = RawBundle(
        tables={
            name: raw_table(name, frame.drop(columns="line"), frame["line"], path.name)
            for name, frame in tables.items()
        }
    )
    return SourceRead(
        raw,
        records_read=len(payments),
        skipped=skipped,
        notes=_notes(tables),
        identities=_identities(slots, path.name),
    )


def _read(path: Path) -> pd.DataFrame:
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            usecols=COLUMNS,
            encoding="utf-8-sig",
            encoding_errors="replace",
        )
    except (pd.errors.ParserError, ValueError) as error:
        raise InputError(f"{path}: not a readable CSV file ({error})") from None
    frame = frame.apply(lambda column: column.str.strip())
    frame["line"] = np.arange(2, len(frame) + 2)  # the header is line 1
    frame["hospital"] = _hospital_ids(frame[HOSPITAL_CCN], frame[HOSPITAL_ID])
    frame["nct"] = frame[NCT].str.upper().str.replace(r"\s+", "", regex=True)
    frame["nct_ok"] = frame["nct"].str.fullmatch(_NCT.pattern)
    return frame


def _hospital_ids(ccn: pd.Series, cms_id: pd.Series) -> pd.Series:
    """``CCN-<Medicare certification number>`` (stable across program years, unlike CMS's
    teaching hospital id; 6 characters, zero-padded after a float round trip), else
    ``OP-TH-<teaching hospital id>``; blank when the payment went to no teaching hospital."""
    ccn = digits_only(ccn)
    ccn = ccn.where(~ccn.str.fullmatch(r"\d{1,5}"), ccn.str.zfill(6))
    fallback = ("OP-TH-" + digits_only(cms_id)).where(cms_id != "", "")
    return ("CCN-" + ccn).where(ccn != "", fallback)


def _investigator_slots(payments: pd.DataFrame) -> pd.DataFrame:
    """One row per named physician of each payment (long format), in file order: the
    physician paid directly (slot 0, role :data:`RECIPIENT_ROLE`), then the principal
    investigators (slots 1-5, role :data:`ROLE`)."""
    sources = {0: [RECIPIENT_COLUMNS[f] for f in PI_FIELDS]}
    for slot in range(1, INVESTIGATOR_SLOTS + 1):
        sources[slot] = [f"Principal_Investigator_{slot}_{f}" for f in PI_FIELDS]
    parts = []
    for slot, columns in sources.items():
        part = payments[columns].copy()
        part.columns = [f.lower() for f in PI_FIELDS]
        shared = ["line", "hospital", "nct", "nct_ok"]
        part[shared] = payments[shared]
        part["slot"] = slot
        part["role"] = RECIPIENT_ROLE if slot == 0 else ROLE
        parts.append(part[part["profile_id"] != ""])
    slots = pd.concat(parts).sort_values(["line", "slot"], kind="stable")
    slots["profile_id"] = digits_only(slots["profile_id"])
    slots["hcp_id"] = "OP-" + slots["profile_id"]
    named = (slots["first_name"] != "") & (slots["last_name"] != "")
    return slots.assign(named=named).reset_index(drop=True)


def _skips(payments: pd.DataFrame, slots: pd.DataFrame) -> Counter:
    skipped = Counter(
        {
            "no ClinicalTrials.gov id": int((payments["nct"] == "").sum()),
            "ClinicalTrials.gov id not of the form NCT + 8 digits": int(
                ((payments["nct"] != "") & ~payments["nct_ok"]).sum()
            ),
            "principal investigator without a first and last name": int(
                (~slots["named"] & (slots["slot"] > 0)).sum()
            ),
            "physician recipient without a first and last name": int(
                (~slots["named"] & (slots["slot"] == 0)).sum()
            ),
        }
    )
    return +skipped  # drops the zero counts


def _first_filled(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    """One row per ``key``: the first row's line, each column its first non-blank value."""
    return frame.replace("", np.nan).groupby(key, sort=False).first().fillna("").reset_index()


def _most_frequent(values: pd.Series) -> str:
    counts = values[values != ""].value_counts(sort=False)  # in order of first appearance
    return counts.idxmax() if len(counts) else ""


def _hcps(slots: pd.DataFrame) -> pd.DataFrame:
    people = _first_filled(slots[slots["named"]], "hcp_id")
    return pd.DataFrame(
        {
            "hcp_id": people["hcp_id"],
            "first_name": people["first_name"],
            "last_name": people["last_name"],
            "credentials": people["primary_type"].map(CREDENTIALS).fillna(people["primary_type"]),
            "specialty": people["specialty"].map(specialty_name),
            "city": people["city"],
            "state": people["state"],
            # a US ZIP (validation keeps its 5 digits), else a foreign postal code
            "postal_code": locations.source_postal_codes(
                people["zip_code"].where(people["zip_code"] != "", people["postal_code"]),
                people["country"],
                people["state"],
            ),
            "country": people["country"],
            "line": people["line"],
        }
    )


def specialty_name(text: str) -> str:
    """A CMS/NUCC specialty path without its grouping, parts joined by " - "."""
    parts = [p.strip() for p in text.split("|") if p.strip()]
    return " - ".join(parts[1:] or parts)


def _institutions(payments: pd.DataFrame) -> pd.DataFrame:
    paid = payments[payments["hospital"] != ""]
    places = _first_filled(paid[["hospital", CITY, STATE, COUNTRY, "line"]], "hospital")
    names = paid.groupby("hospital", sort=False)[HOSPITAL_NAME].agg(_most_frequent)
    return pd.DataFrame(
        {
            "institution_id": places["hospital"],
            "name": places["hospital"].map(names),
            "type": "teaching hospital",
            "city": places[CITY],
            "state": places[STATE],
            "country": places[COUNTRY],
            "line": places["line"],
        }
    )


def _trials(payments: pd.DataFrame) -> pd.DataFrame:
    studies = payments[payments["nct_ok"]]
    titles = studies.groupby("nct", sort=False)[STUDY].agg(_most_frequent)
    lines = studies.groupby("nct", sort=False)["line"].first()
    return pd.DataFrame(
        {"nct_id": titles.index, "title": titles.to_numpy(), "line": lines.to_numpy()}
    )


def _links(slots: pd.DataFrame, target: str) -> pd.DataFrame:
    """Physician -> hospital (affiliations) or -> trial (trial_roles), one row each; of a
    physician both paid and principal investigator on a study, the investigator role."""
    named = slots[slots["named"]]
    pairs = named.sort_values("slot", key=lambda s: s == 0, kind="stable")
    pairs = pairs.drop_duplicates(["hcp_id", target]).sort_index()
    if target == "hospital":
        return pd.DataFrame(
            {"hcp_id": pairs["hcp_id"], "institution_id": pairs["hospital"], "line": pairs["line"]}
        )
    return pd.DataFrame(
        {
            "nct_id": pairs["nct"],
            "hcp_id": pairs["hcp_id"],
            "role": pairs["role"],
            "line": pairs["line"],
        }
    )


def _notes(tables: dict[str, pd.DataFrame]) -> list[str]:
    return [
        f"Open Payments: {len(tables['hcps']):,} physicians (principal investigators and "
        "physicians paid directly), "
        f"{len(tables['institutions']):,} teaching hospitals, "
        f"{len(tables['trials']):,} studies with an NCT id"
    ]


def _identities(slots: pd.DataFrame, source: str) -> pd.DataFrame:
    """The CMS profile id is the identity; the business address is kept as evidence for
    matching to HCPs from other sources (these years carry no NPI)."""
    people = slots[slots["named"]].drop_duplicates("hcp_id")
    return pd.DataFrame(
        {
            "hcp_id": people["hcp_id"],
            "source": source,
            "source_ref": "line " + people["line"].astype(str),
            "name_as_written": people["first_name"] + " " + people["last_name"],
            "method": "open payments profile id",
            "confidence": 1.0,
            "evidence": (
                "CMS profile "
                + people["profile_id"]
                + "; "
                + people["city"]
                + ", "
                + people["state"]
            ),
        },
        columns=IDENTITY_COLUMNS,
    ).reset_index(drop=True)
