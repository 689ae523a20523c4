"""Read ClinicalTrials.gov records (classic XML or API v2 JSON) into trials, HCPs and sites.

Accepted: a classic ``clinical_study`` XML file, an API v2 JSON file holding one study
object, ``{"studies": [...]}`` or a list of studies, or a folder of such files.  Each study
gives a trial (nct_id, title, phase, status, conditions, start_year); its overall officials
and site investigators become HCPs with ``INVESTIGATOR_ON`` roles as the record states them
("principal investigator", "study chair", "sub-investigator"; "overall official" when blank);
named sites become institutions (with city, state, country), linked by ``AFFILIATED_WITH`` to
their investigators, and an official's affiliation becomes an institution too.  Institution
ids come from :mod:`kolgraph.loaders.institutions`, so a site or affiliation and the same
institution parsed from a PubMed affiliation are one node; sites a sponsor anonymised
("Local Institution") are keyed with their city.

People have no identifier in these records, so an HCP id is derived from the name
(``CT-<last name>-<first name>``, slugged): the same name in two studies is one HCP here, and
matching them to HCPs from other sources is left to identity resolution (the evidence is in
:attr:`SourceRead.identities`).  Officials that are not people ("Clinical Trials", "Novartis
Pharmaceuticals", "Medical Director") are skipped and counted.  Sponsors are left out: the
graph model has no sponsor node or relationship.

A study whose NCT id was already read from another file (the upstream ``__alt_version__``
copies) is skipped and counted.  Rows carry the study's record number as their line, and the
file name (or the folder name for a folder) as their source.
"""

from __future__ import annotations

import json
import re
import unicodedata
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from kolgraph import locations, schema
from kolgraph.errors import InputError
from kolgraph.loaders.institutions import (
    fold,
    institution_id,
    institution_key,
    institution_type,
    parse_affiliation,
    parse_segment,
    university_of,
)
from kolgraph.loaders.nppes import IDENTITY_COLUMNS, raw_table
from kolgraph.loaders.source import SourceRead
from kolgraph.loaders.validate import KeyLookup, RawBundle

#: How much of a file the format sniffer reads.
SNIFF_BYTES = 4096
SUFFIXES = (".xml", ".json")
#: Confidence of an identity resting on a written name alone.
NAME_CONFIDENCE = 0.5

PHASES = {
    "EARLY_PHASE1": "Early Phase 1",
    "PHASE1": "Phase 1",
    "PHASE2": "Phase 2",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "N/A",
}
#: API v2 status enums -> the wording of the classic XML, so both formats agree.
STATUSES = {"ACTIVE_NOT_RECRUITING": "Active, not recruiting", "UNKNOWN": "Unknown status"}


@dataclass
class Person:
    """A person named in a study, and the role the study gives them."""

    name: str
    role: str
    affiliation: str = ""


@dataclass
class Site:
    """A study location: a facility and the investigators named at it."""

    name: str
    city: str = ""
    state: str = ""
    country: str = ""
    investigators: list[Person] = field(default_factory=list)
    postal_code: str = ""


@dataclass
class Study:
    """One study, format-neutral."""

    nct_id: str
    title: str = ""
    phase: str = ""
    status: str = ""
    conditions: list[str] = field(default_factory=list)
    start_date: str = ""
    sponsor: str = ""
    officials: list[Person] = field(default_factory=list)
    sites: list[Site] = field(default_factory=list)
    file: str = ""


@dataclass
class PersonName:
    """A written name split into parts: "John A. Smith, MD" -> John / Smith / MD."""

    first_name: str
    last_name: str
    credentials: str = ""


# --- format detection and files -------------------------------------------------------------


def looks_like_ctgov(path: Path | str) -> bool:
    """Whether ``path`` (a file, or a folder judged by its first record file) holds
    ClinicalTrials.gov records; only the first few KB of one file are read."""
    path = Path(path)
    if path.is_dir():
        files = _record_files(path)
        return bool(files) and looks_like_ctgov(files[0])
    try:
        with open(path, "rb") as file:
            head = file.read(SNIFF_BYTES).decode("utf-8", errors="replace")
    except OSError:
        return False
    if path.suffix.lower() == ".json" or head.lstrip().startswith(("{", "[")):
        return '"protocolSection"' in head
    return "<clinical_study" in head


def _record_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in SUFFIXES)


def _files(path: Path) -> list[Path]:
    if path.is_dir():
        files = _record_files(path)
        if not files:
            raise InputError(f"{path}: no .xml or .json ClinicalTrials.gov files in the folder")
        return files
    if not path.is_file():
        raise InputError(f"{path}: no such file or folder")
    if path.suffix.lower() not in SUFFIXES:
        raise InputError(f"{path}: not ClinicalTrials.gov records (expected .xml or .json)")
    return [path]


# --- reading --------------------------------------------------------------------------------


def read_ctgov(path: Path | str, store: KeyLookup | None = None) -> SourceRead:
    """Trials, investigators (HCPs), sites and affiliations from ClinicalTrials.gov records.

    Raises ``InputError`` naming the file when a file is not well-formed XML or JSON, or
    holds no study; nothing is returned then.  ``store`` is not needed (ids are derived).
    """
    path = Path(path)
    builder = _Builder(path.name + ("/" if path.is_dir() else ""))
    for file in _files(path):
        for study in _studies(file):
            builder.add(study)
    return builder.result()


def _studies(file: Path) -> Iterator[Study]:
    studies = _json_studies(file) if _is_json(file) else _xml_studies(file)
    found = False
    for study in studies:
        found = True
        yield study
    if not found:
        raise InputError(f"{file}: no ClinicalTrials.gov study in the file")


def _is_json(file: Path) -> bool:
    if file.suffix.lower() == ".json":
        return True
    with open(file, "rb") as handle:
        return handle.read(64).lstrip().startswith((b"{", b"["))


def _xml_studies(file: Path) -> Iterator[Study]:
    """Every ``clinical_study`` element, streamed and cleared once read."""
    try:
        for _event, element in ET.iterparse(file, events=("end",)):
            if element.tag == "clinical_study":
                yield _xml_study(element, file.name)
                element.clear()
    except ET.ParseError as error:
        line, column = error.position
        raise InputError(
            f"{file}: not well-formed XML (line {line}, column {column}): {_reason(error)}"
        ) from None
    except OSError as error:
        raise InputError(f"{file}: cannot read ({error.strerror})") from None


def _reason(error: ET.ParseError) -> str:
    return re.sub(r": line \d+, column \d+$", "", str(error))


def _text(element: ET.Element, path: str) -> str:
    return " ".join((element.findtext(path) or "").split())


def _xml_study(element: ET.Element, file: str) -> Study:
    return Study(
        nct_id=_text(element, "id_info/nct_id"),
        title=_text(element, "brief_title") or _text(element, "official_title"),
        phase=_text(element, "phase"),
        status=_text(element, "overall_status"),
        conditions=[_text(c, ".") for c in element.findall("condition")],
        start_date=_text(element, "start_date"),
        sponsor=_text(element, "sponsors/lead_sponsor/agency"),
        officials=[_xml_person(o) for o in element.findall("overall_official")],
        sites=[_xml_site(loc) for loc in element.findall("location")],
        file=file,
    )


def _xml_person(element: ET.Element) -> Person:
    # the classic format puts the whole name in last_name; older records split it
    parts = [_text(element, tag) for tag in ("first_name", "middle_name", "last_name")]
    name = " ".join(p for p in parts if p)
    degrees = _text(element, "degrees")
    return Person(
        f"{name}, {degrees}" if degrees else name,
        _text(element, "role"),
        _text(element, "affiliation"),
    )


def _xml_site(element: ET.Element) -> Site:
    address = "facility/address/"
    return Site(
        _text(element, "facility/name"),
        _text(element, address + "city"),
        _text(element, address + "state"),
        _text(element, address + "country"),
        [_xml_person(i) for i in element.findall("investigator")],
        postal_code=_text(element, address + "zip"),
    )


def _json_studies(file: Path) -> Iterator[Study]:
    try:
        data = json.loads(file.read_bytes().decode("utf-8-sig"))
    except json.JSONDecodeError as error:
        raise InputError(
            f"{file}: not well-formed JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    except UnicodeDecodeError:
        raise InputError(f"{file}: not UTF-8") from None
    except OSError as error:
        raise InputError(f"{file}: cannot read ({error.strerror})") from None
    records = data.get("studies", [data]) if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise InputError(
            f'{file}: expected a study object, a list of studies or {{"studies": [...]}}'
        )
    for record in records:
        if not isinstance(record, dict) or not isinstance(record.get("protocolSection"), dict):
            raise InputError(f"{file}: not a ClinicalTrials.gov API v2 study (no protocolSection)")
        yield _json_study(record["protocolSection"], file.name)


def _get(data: dict, *keys: str) -> Any:
    found: Any = data
    for key in keys:
        found = found.get(key) if isinstance(found, dict) else None
    return found


def _json_text(value) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _json_study(protocol: dict, file: str) -> Study:
    ident, status = protocol.get("identificationModule", {}), protocol.get("statusModule", {})
    contacts = protocol.get("contactsLocationsModule", {})
    return Study(
        nct_id=_json_text(ident.get("nctId")),
        title=_json_text(ident.get("briefTitle") or ident.get("officialTitle")),
        phase="/".join(PHASES.get(p, p) for p in _get(protocol, "designModule", "phases") or []),
        status=_status(_json_text(status.get("overallStatus"))),
        conditions=[_json_text(c) for c in _get(protocol, "conditionsModule", "conditions") or []],
        start_date=_json_text(_get(status, "startDateStruct", "date")),
        sponsor=_json_text(_get(protocol, "sponsorCollaboratorsModule", "leadSponsor", "name")),
        officials=[
            Person(
                _json_text(o.get("name")),
                _json_text(o.get("role")),
                _json_text(o.get("affiliation")),
            )
            for o in contacts.get("overallOfficials", [])
        ],
        sites=[_json_site(loc) for loc in contacts.get("locations", [])],
        file=file,
    )


def _status(value: str) -> str:
    """An API v2 status enum in the classic wording ("NOT_YET_RECRUITING" -> "Not yet
    recruiting"); a classic status is returned as it is."""
    if value in STATUSES:
        return STATUSES[value]
    return value.replace("_", " ").capitalize() if value.isupper() else value


def _json_site(location: dict) -> Site:
    # contacts with role CONTACT are who to call, not investigators
    investigators = [
        Person(_json_text(c.get("name")), _json_text(c.get("role")))
        for c in location.get("contacts", [])
        if _json_text(c.get("role")).upper().endswith("INVESTIGATOR")
    ]
    return Site(
        _json_text(location.get("facility")),
        _json_text(location.get("city")),
        _json_text(location.get("state")),
        _json_text(location.get("country")),
        investigators,
        postal_code=_json_text(location.get("zip")),
    )


# --- names ----------------------------------------------------------------------------------

#: Words that show an "official" is an organisation or a post, not a person.
NOT_A_PERSON = frozenset(
    [
        "clinical",
        "trial",
        "trials",
        "study",
        "studies",
        "pharmaceutical",
        "pharmaceuticals",
        "pharma",
        "medical",
        "director",
        "leader",
        "physician",
        "management",
        "cares",
        "inc",
        "ltd",
        "llc",
        "gmbh",
        "corporation",
        "company",
        "team",
        "department",
        "sponsor",
        "research",
        "site",
        "center",
        "centre",
        "hospital",
        "university",
        "institute",
        "squibb",
        "call",
        "contact",
        "information",
        "registry",
        "group",
        "transparency",
        "disclosure",
        "global",
    ]
)
#: Words that start a job title written into a name ("N Khazragy lecturer").
TITLE_WORDS = frozenset(
    ["assistant", "associate", "professor", "lecturer", "consultant", "operator", "head", "chief"]
)
#: Titles written before a name or among the degrees: not credentials.
HONORIFICS = frozenset(["dr", "prof", "professor", "mr", "mrs", "miss"])
#: Degrees written after a name without a comma ("Jane Roe MD PhD").
DEGREES = frozenset(
    [
        "md",
        "phd",
        "do",
        "mph",
        "ms",
        "msc",
        "mba",
        "mbbs",
        "mbchb",
        "frcp",
        "frcpc",
        "facp",
        "facc",
        "rn",
        "np",
        "pa",
        "pharmd",
        "dds",
        "dmd",
        "bds",
        "dpm",
        "od",
        "dc",
        "mmed",
        "ccrc",
        "crc",
        "bsc",
        "ba",
        "bs",
    ]
)
PARTICLES = frozenset(
    ["van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "st"]
)
_INITIAL = re.compile(r"[A-Za-z]\.?|(?:[A-Za-z]\.){2,}")


def parse_person_name(text: str) -> PersonName | None:
    """First name, last name and credentials of a written name; ``None`` when the text is
    not a person's name (an organisation, a post, a single word).

    >>> parse_person_name("John A. Smith, MD, PhD")
    PersonName(first_name='John', last_name='Smith', credentials='MD, PhD')
    >>> parse_person_name("Maria R. Tria Tirona")
    PersonName(first_name='Maria', last_name='Tria Tirona', credentials='')
    >>> parse_person_name("Novartis Pharmaceuticals") is None
    True
    """
    text = re.sub(r"\([^)]*\)", " ", text)  # nicknames: "Minxiang (Michael) Gu"
    name, _, degrees = text.partition(",")
    tokens = _cut_titles(name.split())
    while tokens and _bare(tokens[-1]) in DEGREES and len(tokens) > 2:
        degrees = f"{tokens.pop()} {degrees}".strip()
    if len(tokens) < 2 or any(_is_not_a_person(t) for t in tokens):
        return None
    start = _last_name_start(tokens)
    return PersonName(_first_name(tokens[:start]), " ".join(tokens[start:]), _credentials(degrees))


def _bare(token: str) -> str:
    return re.sub(r"[^a-z]", "", token.lower())


def _is_not_a_person(token: str) -> bool:
    return any(c.isdigit() for c in token) or _bare(token) in NOT_A_PERSON


def _cut_titles(tokens: list[str]) -> list[str]:
    """Leading honorifics dropped; everything from a job-title word on dropped."""
    while tokens and _bare(tokens[0]) in HONORIFICS:
        tokens = tokens[1:]
    for position, token in enumerate(tokens):
        if position and _bare(token) in TITLE_WORDS:
            return tokens[:position]
    return tokens


def _last_name_start(tokens: list[str]) -> int:
    """Where the last name starts: after the last middle initial, else the last word (with
    particles such as "van" or "de" before it)."""
    initials = [i for i in range(1, len(tokens) - 1) if _INITIAL.fullmatch(tokens[i])]
    if initials:
        return initials[-1] + 1
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in PARTICLES:
        start -= 1
    return start


def _first_name(given: list[str]) -> str:
    """Given names without trailing middle initials ("Peter J" -> "Peter")."""
    kept = list(given)
    while len(kept) > 1 and _INITIAL.fullmatch(kept[-1]):
        kept.pop()
    return " ".join(kept)


def _credentials(degrees: str) -> str:
    items = [
        " ".join(w for w in item.split() if _bare(w) not in HONORIFICS | TITLE_WORDS)
        for item in degrees.split(",")
    ]
    return ", ".join(item for item in items if item)


def slug(text: str) -> str:
    """Lower-case ASCII words joined by "-": ``"Gökbuget"`` -> ``"gokbuget"``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_text.lower()))


def hcp_id_for(name: PersonName) -> str:
    """The HCP id of a person known only by name: ``CT-<last name>-<first name>``."""
    return f"CT-{slug(name.last_name)}-{slug(name.first_name)}"


def _role(text: str, default: str) -> str:
    """A role as the record states it, in lower case ("PRINCIPAL_INVESTIGATOR" ->
    "principal investigator", "SUB_INVESTIGATOR" -> "sub-investigator")."""
    role = text.replace("SUB_", "SUB-").replace("_", " ").lower()
    return " ".join(role.split()) or default


# --- studies -> canonical tables --------------------------------------------------------------


#: Sites a sponsor has anonymised ("Local Institution", "Novartis Investigative Site"):
#: one name stands for many places, so such a site is keyed with its city.
_ANONYMISED = re.compile(r"\b(site|local institution|investigat\w*)\b")


def site_institution(name: str, city: str = "", country: str = "") -> tuple[str, str]:
    """The id and name of a named site: those of the institution parsed from its name, as
    affiliation strings give them (:mod:`kolgraph.loaders.institutions`; a university's
    hospital is the university), unless the name is anonymised or is not an institution's
    name alone; those are keyed with their city and country, and keep the site's name."""
    found = parse_segment(f"{name}, {city}" if city else name)
    if (
        found is not None
        and found.name == university_of(name)
        and not _ANONYMISED.search(found.key)
    ):
        return found.institution_id, found.name
    parts = [institution_key(name), fold(city), fold(country)]
    return institution_id(" ".join(p for p in parts if p)), name


def _looks_like_institution(text: str) -> bool:
    # "1-844-599-2273 (UCB)" is a phone number, not an affiliation
    return sum(c.isalpha() for c in text) >= 3 and sum(c.isdigit() for c in text) < 5


class _Builder:
    """Collects canonical rows from studies; one row per key, first values kept and blanks
    filled from later rows."""

    def __init__(self, source: str):
        self.source = source
        self.rows: dict[str, list[dict]] = {
            name: [] for name in ("trials", "hcps", "institutions", "affiliations", "trial_roles")
        }
        self.identities: list[dict] = []
        self.seen: set[str] = set()
        self.record = 0
        self.skipped: Counter = Counter()
        self.future_starts = 0
        self.sponsors: set[str] = set()
        self.unplaced = 0  # affiliations that name no institution

    def add(self, study: Study) -> None:
        self.record += 1
        if not study.nct_id:
            self.skipped["study without an NCT id"] += 1
        elif study.nct_id in self.seen:
            self.skipped["NCT id already read from another file"] += 1
        else:
            self.seen.add(study.nct_id)
            self._trial(study)

    def _row(self, table: str, **values: str) -> None:
        self.rows[table].append({**values, "line": self.record})

    def _trial(self, study: Study) -> None:
        self._row(
            "trials",
            nct_id=study.nct_id,
            title=study.title,
            phase=study.phase,
            status=study.status,
            start_year=self._start_year(study.start_date),
            conditions="; ".join(c.replace(";", ",") for c in study.conditions if c),
        )
        if study.sponsor:
            self.sponsors.add(study.sponsor)
        facilities: dict[str, str] = {}
        for site in study.sites:
            site_id = self._site(site)
            if site_id:
                facilities.setdefault(institution_key(site.name), site_id)
            for person in site.investigators:
                hcp_id = self._person(study, person, _role(person.role, "site investigator"), site)
                self._affiliated(hcp_id, site_id)
        for person in study.officials:
            hcp_id = self._person(study, person, _role(person.role, "overall official"), None)
            if hcp_id:  # an organisation named as official brings no affiliation either
                self._affiliated(hcp_id, self._affiliation(person.affiliation, facilities))

    def _start_year(self, text: str) -> str:
        found = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", text)
        if not found:
            return ""
        if int(found.group(1)) > date.today().year:  # an anticipated start: not a fact yet
            self.future_starts += 1
            return ""
        return found.group(1)

    def _site(self, site: Site) -> str:
        if not site.name:
            return ""
        site_id, name = site_institution(site.name, site.city, site.country)
        self._row(
            "institutions",
            institution_id=site_id,
            name=name,
            type=institution_type(name),
            city=site.city,
            state=site.state,
            country=site.country,
        )
        return site_id

    def _affiliation(self, text: str, facilities: dict[str, str]) -> str:
        """The institution an official's affiliation names (one of the study's sites when it
        is one), or "" when it names none."""
        if not _looks_like_institution(text):
            return ""
        if institution_key(text) in facilities:
            return facilities[institution_key(text)]
        found = parse_affiliation(text)
        if not found:
            self.unplaced += 1
            return ""
        place = found[0]
        if place.key in facilities:
            return facilities[place.key]
        self._row(
            "institutions",
            institution_id=place.institution_id,
            name=place.name,
            type=place.type,
            city=place.city,
            state=place.state,
            country=place.country,
        )
        return place.institution_id

    def _affiliated(self, hcp_id: str | None, institution_id: str) -> None:
        if hcp_id and institution_id:
            self._row("affiliations", hcp_id=hcp_id, institution_id=institution_id)

    def _person(self, study: Study, person: Person, role: str, site: Site | None) -> str | None:
        """The HCP id of ``person`` with their HCP and trial-role rows; ``None`` (counted)
        when the name is not a person's."""
        name = parse_person_name(person.name)
        if name is None:
            self.skipped["investigator or official that is not a person's name"] += 1
            return None
        hcp_id = hcp_id_for(name)
        place = site or Site("")
        self._row(
            "hcps",
            hcp_id=hcp_id,
            first_name=name.first_name,
            last_name=name.last_name,
            credentials=name.credentials,
            city=place.city,
            state=place.state,
            postal_code=locations.postal_code(place.postal_code, place.country, place.state) or "",
            country=place.country,
        )
        self._row("trial_roles", nct_id=study.nct_id, hcp_id=hcp_id, role=role)
        at = f" at {site.name}" if site and site.name else ""
        affiliation = f"; affiliation {person.affiliation}" if person.affiliation else ""
        self.identities.append(
            {
                "hcp_id": hcp_id,
                "source": study.file,
                "source_ref": study.nct_id,
                "name_as_written": person.name,
                "method": "name",
                "confidence": NAME_CONFIDENCE,
                "evidence": f"{role} on {study.nct_id}{at}{affiliation}",
            }
        )
        return hcp_id

    def result(self) -> SourceRead:
        keys = {
            "trials": ["nct_id"],
            "hcps": ["hcp_id"],
            "institutions": ["institution_id"],
            "affiliations": ["hcp_id", "institution_id"],
            "trial_roles": ["nct_id", "hcp_id"],
        }
        tables = {
            name: _merged(self.rows[name], key, self.source, name) for name, key in keys.items()
        }
        return SourceRead(
            RawBundle(tables=tables),
            records_read=self.record,
            skipped=self.skipped,
            notes=self._notes(tables),
            identities=pd.DataFrame(self.identities, columns=IDENTITY_COLUMNS),
        )

    def _notes(self, tables: dict) -> list[str]:
        notes = [
            f"ClinicalTrials.gov: {len(tables['trials'].frame):,} trials, "
            f"{len(tables['hcps'].frame):,} investigators, "
            f"{len(tables['institutions'].frame):,} sites and affiliations"
        ]
        if self.sponsors:
            notes.append(
                f"{len(self.sponsors):,} lead sponsors not loaded (the graph has no sponsor node)"
            )
        if self.unplaced:
            notes.append(
                f"{self.unplaced:,} official affiliations name no institution "
                "(a department only): not linked"
            )
        if self.future_starts:
            notes.append(f"{self.future_starts:,} anticipated start years in the future left blank")
        return notes


def _merged(rows: list[dict], key: list[str], source: str, name: str):
    """One row per key (the first one's line), each blank filled from a later row."""
    frame = pd.DataFrame(rows, columns=[*schema.TABLES_BY_NAME[name].column_names, "line"])
    merged = frame.replace("", np.nan).groupby(key, sort=False).first().reset_index()
    lines = merged.pop("line").to_numpy(dtype=np.int64)
    return raw_table(name, merged, lines, source)
