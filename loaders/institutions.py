"""Institutions from free-text affiliation strings, as PubMed (and trial registries) write them.

An affiliation such as ``"Department of Medicine, Johns Hopkins University School of Medicine,
Baltimore, MD 21205, USA. jdoe@jhmi.edu"`` names a department, an institution, a street
address, a city, a state and a country.  :func:`parse_affiliation` keeps the institution
(``Johns Hopkins University School of Medicine``) with its city, state and country, and gives
it a deterministic ``institution_id`` built from a normalised name, so that spelling variants
(case, ``Univ.`` / ``University``, ``&`` / ``and``, punctuation, a leading ``The``, accents)
become one institution.

The rules are heuristics over comma-separated parts, tuned on real PubMed affiliations:

* emails, ``Electronic address:`` and leading footnote numbers are removed;
* the country is the last part that names one (small table of names and variants); a US
  state or Canadian / Australian province code, with or without a postcode, gives the state;
* the city is the nearest plausible place name left of the state or country;
* the institution is the part with the strongest institution keyword (``University``,
  ``Hospital`` beat ``Institute``, ``Center`` ...); parts that are sub-units
  (``Department of``, ``Division``, ``Laboratory`` ...) or addresses are never chosen.

Several institutions separated by ``;`` give several results.  Names too generic to stand
alone (``University Hospital``) are keyed with their city, so hospitals in two cities stay apart.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pycountry

from kolgraph import locations

#: Countries as affiliations write them beyond their ISO 3166 names (folded -> shown), and the
#: names they are shown by; :data:`COUNTRIES` adds every ISO name (pycountry).
_WRITTEN_COUNTRIES: dict[str, str] = {
    **dict.fromkeys(
        ["usa", "us", "u s a", "u s", "united states", "united states of america", "america"],
        "United States",
    ),
    **dict.fromkeys(
        [
            "uk",
            "u k",
            "united kingdom",
            "great britain",
            "england",
            "scotland",
            "wales",
            "northern ireland",
        ],
        "United Kingdom",
    ),
    **dict.fromkeys(
        [
            "china",
            "p r china",
            "pr china",
            "prc",
            "people s republic of china",
            "peoples republic of china",
        ],
        "China",
    ),
    **dict.fromkeys(
        ["korea", "south korea", "republic of korea", "korea republic of", "korea south"],
        "South Korea",
    ),
    **dict.fromkeys(["netherlands", "the netherlands", "holland"], "Netherlands"),
    **dict.fromkeys(["ireland", "republic of ireland", "eire"], "Ireland"),
    **dict.fromkeys(["germany", "deutschland", "federal republic of germany"], "Germany"),
    **dict.fromkeys(["taiwan", "roc", "r o c", "taiwan roc"], "Taiwan"),
    **dict.fromkeys(["russia", "russian federation"], "Russia"),
    **dict.fromkeys(["brazil", "brasil"], "Brazil"),
    **dict.fromkeys(["vietnam", "viet nam"], "Vietnam"),
    **dict.fromkeys(["turkey", "turkiye"], "Turkey"),
    **dict.fromkeys(["czech republic", "czechia"], "Czech Republic"),
    **dict.fromkeys(["iran", "islamic republic of iran"], "Iran"),
    # in their own language
    "espana": "Spain",
    "italia": "Italy",
    "osterreich": "Austria",
    **dict.fromkeys(["schweiz", "suisse", "svizzera"], "Switzerland"),
    "nederland": "Netherlands",
    **dict.fromkeys(["belgique", "belgie"], "Belgium"),
    "polska": "Poland",
    "sverige": "Sweden",
    "norge": "Norway",
    "danmark": "Denmark",
    "suomi": "Finland",
    "ceska republika": "Czech Republic",
    "magyarorszag": "Hungary",
    "macau": "Macao",
    **{
        name.lower(): name
        for name in (
            "Argentina",
            "Australia",
            "Austria",
            "Bangladesh",
            "Belgium",
            "Canada",
            "Chile",
            "Colombia",
            "Croatia",
            "Cuba",
            "Denmark",
            "Egypt",
            "Estonia",
            "Ethiopia",
            "Finland",
            "France",
            "Ghana",
            "Greece",
            "Hungary",
            "Iceland",
            "India",
            "Indonesia",
            "Israel",
            "Italy",
            "Japan",
            "Jordan",
            "Kenya",
            "Lebanon",
            "Lithuania",
            "Luxembourg",
            "Malaysia",
            "Mexico",
            "Morocco",
            "Nepal",
            "New Zealand",
            "Nigeria",
            "Norway",
            "Pakistan",
            "Peru",
            "Philippines",
            "Poland",
            "Portugal",
            "Qatar",
            "Romania",
            "Saudi Arabia",
            "Serbia",
            "Singapore",
            "Slovakia",
            "Slovenia",
            "South Africa",
            "Spain",
            "Sri Lanka",
            "Sweden",
            "Switzerland",
            "Thailand",
            "Tunisia",
            "Uganda",
            "Ukraine",
            "United Arab Emirates",
            "Uruguay",
            "Venezuela",
            "Vietnam",
        )
    },
}

US_STATES: dict[str, str] = {
    "AL": "alabama",
    "AK": "alaska",
    "AZ": "arizona",
    "AR": "arkansas",
    "CA": "california",
    "CO": "colorado",
    "CT": "connecticut",
    "DE": "delaware",
    "DC": "district of columbia",
    "FL": "florida",
    "GA": "georgia",
    "HI": "hawaii",
    "ID": "idaho",
    "IL": "illinois",
    "IN": "indiana",
    "IA": "iowa",
    "KS": "kansas",
    "KY": "kentucky",
    "LA": "louisiana",
    "ME": "maine",
    "MD": "maryland",
    "MA": "massachusetts",
    "MI": "michigan",
    "MN": "minnesota",
    "MS": "mississippi",
    "MO": "missouri",
    "MT": "montana",
    "NE": "nebraska",
    "NV": "nevada",
    "NH": "new hampshire",
    "NJ": "new jersey",
    "NM": "new mexico",
    "NY": "new york",
    "NC": "north carolina",
    "ND": "north dakota",
    "OH": "ohio",
    "OK": "oklahoma",
    "OR": "oregon",
    "PA": "pennsylvania",
    "PR": "puerto rico",
    "RI": "rhode island",
    "SC": "south carolina",
    "SD": "south dakota",
    "TN": "tennessee",
    "TX": "texas",
    "UT": "utah",
    "VT": "vermont",
    "VA": "virginia",
    "WA": "washington",
    "WV": "west virginia",
    "WI": "wisconsin",
    "WY": "wyoming",
}
CA_PROVINCES: dict[str, str] = {
    "AB": "alberta",
    "BC": "british columbia",
    "MB": "manitoba",
    "NB": "new brunswick",
    "NL": "newfoundland and labrador",
    "NS": "nova scotia",
    "NT": "northwest territories",
    "NU": "nunavut",
    "ON": "ontario",
    "PE": "prince edward island",
    "QC": "quebec",
    "SK": "saskatchewan",
    "YT": "yukon",
}
AU_STATES: dict[str, str] = {
    "NSW": "new south wales",
    "VIC": "victoria",
    "QLD": "queensland",
    "WA": "western australia",
    "SA": "south australia",
    "TAS": "tasmania",
    "ACT": "australian capital territory",
    "NT": "northern territory",
}
#: Provinces and states written between city and country in Chinese and Indian affiliations.
REGIONS: dict[str, dict[str, str]] = {
    country: {name.lower(): name for name in names.split(", ")}
    for country, names in {
        "China": "Anhui, Beijing, Chongqing, Fujian, Gansu, Guangdong, Guangxi, Guizhou, Hainan, "
        "Hebei, Heilongjiang, Henan, Hubei, Hunan, Inner Mongolia, Jiangsu, Jiangxi, "
        "Jilin, Liaoning, Ningxia, Qinghai, Shaanxi, Shandong, Shanghai, Shanxi, "
        "Sichuan, Tianjin, Tibet, Xinjiang, Yunnan, Zhejiang",
        "India": "Andhra Pradesh, Assam, Bihar, Chhattisgarh, Delhi, Goa, Gujarat, Haryana, "
        "Himachal Pradesh, Jammu and Kashmir, Jharkhand, Karnataka, Kerala, "
        "Madhya Pradesh, Maharashtra, Odisha, Punjab, Rajasthan, Tamil Nadu, Telangana, "
        "Uttar Pradesh, Uttarakhand, West Bengal",
    }.items()
}
#: Regions that are cities too.
_MUNICIPALITIES = frozenset(["Beijing", "Shanghai", "Tianjin", "Chongqing", "Delhi"])
#: Which state table applies in which country; with no country, US then Canada is tried.
_STATE_TABLES = {"United States": US_STATES, "Canada": CA_PROVINCES, "Australia": AU_STATES}
_STATE_BY_NAME = {name: code for code, name in US_STATES.items()}
_STATE_BY_NAME.update({name: code for code, name in CA_PROVINCES.items()})
#: The abbreviations of older affiliations (``Bethesda, Md.``, ``Boston, Mass.``, ``N.Y.``),
#: folded.
_STATE_ABBREVIATIONS = {
    "AL": ("ala",),
    "AZ": ("ariz",),
    "AR": ("ark",),
    "CA": ("calif", "cal"),
    "CO": ("colo",),
    "CT": ("conn",),
    "DE": ("del",),
    "FL": ("fla",),
    "GA": ("ga",),
    "IL": ("ill",),
    "IN": ("ind",),
    "KS": ("kan", "kans"),
    "KY": ("ky",),
    "LA": ("la",),
    "MD": ("md",),
    "MA": ("mass",),
    "MI": ("mich",),
    "MN": ("minn",),
    "MS": ("miss",),
    "MO": ("mo",),
    "MT": ("mont",),
    "NE": ("neb", "nebr"),
    "NV": ("nev",),
    "NH": ("n h",),
    "NJ": ("n j",),
    "NM": ("n m",),
    "NY": ("n y",),
    "NC": ("n c",),
    "ND": ("n d",),
    "OK": ("okla",),
    "OR": ("ore", "oreg"),
    "PA": ("pa", "penn", "penna"),
    "RI": ("r i",),
    "SC": ("s c",),
    "SD": ("s d",),
    "TN": ("tenn",),
    "TX": ("tex",),
    "VT": ("vt",),
    "VA": ("va",),
    "WA": ("wash",),
    "WV": ("w va",),
    "WI": ("wis", "wisc"),
    "WY": ("wyo",),
    "DC": ("d c",),
    "ON": ("ont",),
    "QC": ("que",),
    "AB": ("alta",),
    "MB": ("man",),
    "SK": ("sask",),
    "BC": ("b c",),
    "NS": ("n s",),
}
_STATE_BY_NAME.update(
    {written: code for code, forms in _STATE_ABBREVIATIONS.items() for written in forms}
)
_COUNTRY_OF_STATE = {
    **dict.fromkeys(CA_PROVINCES, "Canada"),
    **dict.fromkeys(US_STATES, "United States"),
}
# US states whose name is also a big city: only a state when a postcode or a city says so
_CITY_NAMED_STATES = {"new york", "washington"}

#: Keywords of institutions that stand on their own (clinical and academic): tier 3.
_TIER3 = re.compile(
    r"\b(universit\w*|universid\w*|uniwersytet\w*|univ|hospital\w*|hosp|hopital\w*|"
    r"ospedal\w*|spedali|\w*klinikum|\w*krankenhaus|\w*spital|\w*ziekenhuis|gasthuis|"
    r"\w*sjukhus\w*|\w*sykehus\w*|\w*sygehus\w*|szpital\w*|nemocnic\w*|bolnic\w*|"
    r"sairaala\w*|hastane\w*|hospices|umc|"
    r"infirmary|medical (center|centre)|health (system|center|centre|sciences center)|"
    r"medical school|school of medicine|college of medicine|clinic|polyclinic|policlinico|"
    r"cancer (center|centre|institute)|chu|chru|kaiser permanente|karolinska institutet)\b"
)
#: Keywords of other organisations (research institutes, companies, agencies): tier 2.
_TIER2 = re.compile(
    r"\b(institutes?|institut|instituto|istituto|centers?|centres?|centro|foundation|fundacion|"
    r"colleges?|school|academy|academia|inc|ltd|llc|gmbh|ag|corporation|corp|company|plc|"
    r"pharmaceuticals?|laboratories|agency|inserm|cnrs|nih|cdc|"
    r"national institutes? of health|veterans affairs|research)\b"
)
#: Sub-units named by their head word: never the institution.
_DEPARTMENT = re.compile(
    r"^(the )?(department|dept|departement|departamento|dipartimento|abteilung|division|div|"
    r"section|unit|unite|laboratory|laboratories of|lab|labs|program|programme|group|service|"
    r"servicio|servizio|chair|branch|core|team|((national|state|provincial) )?key laboratory|"
    r"graduate program|faculty|facultad|facolta|fakultat|klinik fur|clinic of|clinic for|"
    r"cluster|ward|office|area|discipline|sector)\b"
)
#: Sub-units that are sometimes institutions (``Institute of Cancer Research``): tier 1.
_WEAK_UNIT = re.compile(
    r"^(the )?((institute|institut|instituto|istituto|center|centre|centro|school|college|"
    r"clinic)\s+(of|for|de|di|fur|du|des|della)|institut fur)\b"
)
#: Fields of medicine and research: a part written with these alone (``Internal Medicine``,
#: ``Health Economics``, ``Research & Development``, ``Medical Dept.``) is a unit of the
#: institution named after it, not an institution.
_SUBJECTS = """
    medicine medical internal general family clinical experimental molecular translational
    research development r d health economics outcomes affairs services service scientific
    science sciences public global regulatory safety department dept dpt division unit
    endocrinology endocrine diabetes diabetology metabolism metabolic obesity nutrition
    cardiology cardiovascular heart vascular oncology cancer hematology haematology
    neurology neuroscience neurosciences neurosurgery psychiatry psychology mental
    nephrology renal kidney gastroenterology hepatology digestive pediatrics paediatrics
    pediatric paediatric neonatology obstetrics gynecology gynaecology reproductive menopause
    surgery surgical anesthesiology anaesthesiology anesthesia anaesthesia intensive critical
    care emergency radiology imaging nuclear pathology laboratory pharmacology pharmacy
    pharmaceutical pharmacokinetics pharmacovigilance toxicology epidemiology biostatistics
    statistics biometrics urology ophthalmology dermatology rheumatology immunology allergy
    pulmonology pulmonary respiratory geriatrics gerontology infectious diseases disease
    infection microbiology virology biochemistry genetics genomics biology physiology
    orthopaedics orthopedics orthopaedic orthopedic trauma rehabilitation dental dentistry
    nursing biotechnology bioengineering bioinformatics eye veterinary
    and of for in the i ii iii iv v
    1 2 3 4 5 1st 2nd 3rd 4th
"""
_SUBJECT_WORDS = frozenset(_SUBJECTS.split())
_FIELDS = _SUBJECT_WORDS - {"and", "of", "for", "in", "the"}
#: Heads that make a field a unit (``Diabetes Center``, ``Menopause Clinic``): tier 1.
_SUBJECT_HEADS = frozenset(["center", "centre", "clinic", "clinics", "institute", "program"])
#: Legal forms written as a part of their own (``Pfizer, Inc.``): they join the part before.
#: ``CO``, ``AB`` and ``SA`` are left out: as parts they are Colorado, Alberta, South Australia.
_LEGAL_FORMS = frozenset(
    [
        "inc",
        "ltd",
        "llc",
        "l l c",
        "co ltd",
        "corp",
        "gmbh",
        "ag",
        "kg",
        "co kg",
        "gmbh co kg",
        "s a",
        "spa",
        "s p a",
        "srl",
        "s r l",
        "bv",
        "b v",
        "nv",
        "n v",
        "plc",
        "kk",
        "k k",
        "oy",
        "a s",
        "pty ltd",
        "limited",
        "incorporated",
        "ltda",
        "sas",
        "lp",
        "l p",
        "pc",
        "p c",
        "pllc",
    ]
)
#: Address words that are never part of a name or a city.
_STREET = re.compile(
    r"\b(street|road|avenue|blvd|boulevard|building|bldg|floor|room|suite|p ?o box|box|"
    r"private bag|strasse|str|strada|viale|rue|calle|avenida|plaza|piazza|parkway|pkwy|"
    r"highway|hwy|mailstop|mail stop|mailcode|postfach)\b"
)
#: Address abbreviations that also start city names (``St. Louis``): an address only with a number.
_STREET_NUMBERED = re.compile(
    r"\b(st|rd|ave|av|dr|lane|ln|way|place|pl|sq|fl|rm|ste|via|ct|no|ms)\b"
)
#: Words that, alone, do not identify an institution: such names are keyed with their city.
_GENERIC_WORDS = frozenset(
    [
        "university",
        "hospital",
        "hospitals",
        "general",
        "medical",
        "center",
        "clinic",
        "clinics",
        "school",
        "of",
        "medicine",
        "college",
        "institute",
        "the",
        "and",
        "for",
        "children",
        "childrens",
        "womens",
        "women",
        "s",
        "research",
        "cancer",
        "teaching",
        "regional",
        "district",
        "county",
        "city",
        "central",
        "national",
        "health",
        "sciences",
        "science",
        "faculty",
        "main",
        "state",
        "public",
        "private",
        "community",
        "veterans",
        "affairs",
        "memorial",
        "first",
        "second",
        "third",
        "affiliated",
        "people",
        "peoples",
        "administration",
        "practice",
        "government",
        "civil",
        "provincial",
        "municipal",
        "military",
        "naval",
        "sezione",
        "infn",
    ]
)

#: Names made of these words alone (``University Hospital``, ``Diabetes Center``) are keyed
#: with their city.
_KEYED_BY_CITY = _GENERIC_WORDS | _SUBJECT_WORDS | _SUBJECT_HEADS

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_ELECTRONIC = re.compile(r"electronic address\s*:?", re.IGNORECASE)
# footnote marks, then "From the" / "and the" / "the" (a capital "The" is part of the name)
_LEADING_MARK = re.compile(r"^[\W\d_]*(\b[a-z]\s+(?=[A-Z]))?((From|from|and)\s+)?(the\s+)?")
_US_ZIP = r"\d{5}(?:-\d{4})?"
_CA_POSTAL = r"[A-Z]\d[A-Z]\s?\d[A-Z]\d"
#: Regions written where a city could be: skipped when looking for the city.
_REGION = re.compile(r"\b(province|prefecture|region|oblast|county)$", re.IGNORECASE)
_STATE_PART = re.compile(
    rf"^(?:(?P<city>[^\d]+?)\s+)?(?P<state>[A-Z]{{2,3}})\.?"
    rf"(?:\s*(?P<post>{_US_ZIP}|{_CA_POSTAL}|\d{{4}}))?$"
)
_POSTCODES = [
    re.compile(r"^[A-Z]{1,2}-\d{4,6}\s*"),  # D-69120 Heidelberg, F-75005 Paris
    re.compile(r"^\d[\d\s-]{2,8}\d\s*"),  # 75005 Paris, 2800Kongens Lyngby, 100-8655 Tokyo
    re.compile(r"\s*[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}$"),  # LiverpoolL8 7SS, London WC1E 6BT
    re.compile(rf"\s*(\b[A-Z]{{2}}\s*)?\b({_US_ZIP}|{_CA_POSTAL})$"),
    re.compile(r"\s*\b\d{3,6}(-\d{3,4})?$"),  # Beijing 100730, Stockholm 171 77
    re.compile(r"\s*\bcedex(\s*\d+)?$", re.IGNORECASE),
    re.compile(r"\s+[ACDEFHKNPRTVWXY]\d[\dW]\s?[0-9ACDEFHKNPRTVWXY]{4}$"),  # Irish Eircode
    re.compile(r"\s+\d{4}\s?[A-Z]{2}$"),  # Dutch: Wageningen 6700 AE
]


@dataclass(frozen=True)
class Institution:
    """One institution found in an affiliation string."""

    institution_id: str
    name: str  # as written, trimmed ("Johns Hopkins University School of Medicine")
    key: str  # normalised name the id is built from ("johns hopkins university school of medicine")
    type: str = ""
    city: str = ""
    state: str = ""
    country: str = ""
    postal_code: str = ""  # a US ZIP5 read after the state ("Boston, MA 02115"), else ""
    written: str = ""  # the name as the affiliation wrote it, before a school became its university


def merged_variants(institutions) -> tuple[int, int]:
    """(institutions, written variants merged into another one's id) over ``institutions``.

    Variants differ once case, accents and punctuation are folded: ``Univ. of Iowa`` and
    ``The University of Iowa`` are two variants of one institution, ``UNIVERSITY OF IOWA``
    is not another.
    """
    written: dict[str, set[str]] = {}
    for inst in institutions:
        written.setdefault(inst.institution_id, set()).add(fold(inst.written or inst.name))
    return len(written), sum(len(names) - 1 for names in written.values())


@lru_cache(maxsize=65536)
def parse_affiliation(text: str) -> tuple[Institution, ...]:
    """The institutions an affiliation string names, one per ``;``-separated part.

    >>> [i.name for i in parse_affiliation("Dept. of Medicine, Univ. of Iowa, Iowa City, IA, USA.")]
    ['Univ. of Iowa']
    """
    text = _without_email(text or "")
    found: dict[str, Institution] = {}
    for segment in _SEGMENT_BREAK.split(text):
        institution = parse_segment(segment)
        if institution is not None and institution.institution_id not in found:
            found[institution.institution_id] = institution
    return tuple(found.values())


_SEGMENT_BREAK = re.compile(r";|\s+and\s+(?=(?:the\s+)?department\b)", re.IGNORECASE)


def _without_email(text: str) -> str:
    """``text`` without e-mail addresses and "Electronic address:" labels.  Each pattern runs
    only where it can match: the e-mail pattern backtracks over every word of a text
    without "@", and ASCII text holds the label only if its lower case does."""
    if "@" in text:
        text = _EMAIL.sub(" ", text)
    if not text.isascii() or "electronic address" in text.lower():
        text = _ELECTRONIC.sub(" ", text)
    return text


#: ``(P.M.O.)`` or ``(C.K., C.J., S.I.)``: the authors a part of a joint affiliation is for.
_AUTHOR_MARK = re.compile(r"\(\s*((?:[A-Z]\.(?:\s?-?[A-Z]\.)*(?:\s*,\s*|\s+and\s+)?)+)\s*\)")
_BOTH_IN = re.compile(r"^\W*(?:both|all|each)\s+in\s+(?:the\s+)?([^;,]+)", re.IGNORECASE)


def author_marked_parts(text: str) -> list[tuple[str, frozenset[str]]]:
    """A joint affiliation split per author (NEJM style), or ``[]`` when it has no marks.

    ``"X, Hamilton, ON (P.M.O.), and Y, Vancouver (J.M.F.) - both in Canada; ..."`` gives
    ``("X, Hamilton, ON, Canada", {"PMO"})`` and ``("Y, Vancouver, Canada", {"JMF"})``:
    each chunk ends with the initials of its authors (given-name initials, then last name).
    """
    marks = list(_AUTHOR_MARK.finditer(text or ""))
    if not marks:
        return []
    chunks: list[tuple[str, frozenset[str]]] = []
    start = 0
    for mark in marks:
        chunk = text[start : mark.start()]
        both_in = _BOTH_IN.match(chunk)
        if both_in and chunks:  # "- both in Canada" places the chunks before it
            chunk = chunk[both_in.end() :]
            chunks = [(f"{c}, {both_in[1].strip()}", i) for c, i in chunks]
        initials = frozenset(re.sub(r"[^A-Z]", "", x) for x in re.split(r",|\band\b", mark[1]))
        chunks.append((re.sub(r"^[\s,;.-]*(and\s+)?", "", chunk).strip(), initials - {""}))
        start = mark.end()
    return chunks


def parse_segment(text: str) -> Institution | None:
    """The institution of one affiliation (no ``;``), or ``None`` when it names none."""
    parts = _parts(text)
    if not parts:
        return None
    place = _locate(parts)
    chosen = _choose_institution(parts, place)
    if chosen is None:
        return None
    written = _with_campus(parts, chosen, place)
    name = university_of(written)
    key = _without_own_city(institution_key(name), place)
    if not key:
        return None
    if place.city and (set(key.split()) <= _KEYED_BY_CITY or _is_state_system(key)):
        key = f"{key} {fold(place.city)}"
    return Institution(
        institution_id(key),
        name,
        key,
        institution_type(name),
        place.city,
        place.state,
        place.country,
        postal_code=_us_zip(text, place.country),
        written=written,
    )


def _without_own_city(key: str, place: _Place) -> str:
    """``ruprecht karls university heidelberg`` in Heidelberg is ``ruprecht karls
    university``: outside the United States a university named after a person is written
    with its city or without it.  Only then: one word before the city may be a place of
    its own (``Aix-Marseille``, ``Politehnica Bucharest`` and ``... Timișoara``), ``of``
    makes the city part of the name (``University of Port Elizabeth``), and a hospital or a
    US state system campus is told apart by its city (``Hospital Quirón Madrid``)."""
    town = fold(place.city)
    if not town or place.country == "United States" or not key.endswith(f" {town}"):
        return key
    rest = key[: -len(town) - 1].split()
    if not {"university", "college"} & set(rest) or "of" in rest or rest[-1] in _CONNECTORS:
        return key
    names = set(rest) - _CONNECTORS - _KEYED_BY_CITY - _NOT_A_NAME
    return " ".join(rest) if len(names) >= 2 else key


#: Words before a city that make it part of the name (``Universidad de``, ``Università degli
#: Studi Pavia``).
_CONNECTORS = frozenset(
    ["of", "de", "di", "do", "da", "del", "della", "degli", "des", "du", "in", "a", "at", "and"]
    + ["der", "la", "le", "zu", "von", "studi"]
)
#: Words that name a kind of university, or several, not one: ``Technische Universität
#: München`` and ``... Dresden``, ``Vrije Universiteit Amsterdam`` and ``... Brussel``,
#: ``Queen's University Belfast`` and Queen's University in Kingston are two.
_NOT_A_NAME = frozenset(
    ["technische", "technical", "technology", "vrije", "freie", "free", "catholic", "queens"]
    + ["katholieke"]
    + ["federal", "autonoma", "autonomous", "polytechnic", "open", "libre", "nova", "klinikum"]
    + ["applied"]
)


def _us_zip(text: str, country: str) -> str:
    """The ZIP code of a US (or country-less) affiliation, when one follows a US state."""
    if country and not locations.uses_us_zip(country):
        return ""
    return locations.address_zip5(text) or ""


# The name functions below are pure and half of a file's institution names recur in other
# affiliations (the gold file: 5,500 distinct of 11,500): each distinct name is worked once.
_NAME_CACHE = 65536
_BRACKETED = re.compile(r"\([^()]*\)?")
_DOTTED_INITIAL = re.compile(r"\b([A-Za-z])\.\s?(?=[A-Za-z](?:\.|\b))")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=_NAME_CACHE)
def institution_key(name: str) -> str:
    """The normalised form variants of one name share (case, accents, abbreviations, ``The``,
    initials with or without dots).

    >>> institution_key("The Johns Hopkins Univ. & Hosp.")
    'johns hopkins university and hospital'
    >>> institution_key("University of Texas M.D. Anderson Cancer Center")
    'university of texas md anderson cancer center'
    """
    name = _BRACKETED.sub(" ", name)  # an acronym in brackets: "(ISMMS)"
    name = " ".join(w for w in name.split() if w != "at")  # "University of California at"
    name = _DOTTED_INITIAL.sub(r"\1", name)  # "M.D. Anderson" as "MD Anderson"
    words = fold(name.replace("&", " and ").replace("'", "").replace("’", "")).split()
    words = [_ABBREVIATIONS.get(w, w) for w in words]
    while words and words[0] in ("the", "and"):
        words = words[1:]
    return _university_of(" ".join(_without_legal_form(words)))


#: Where ``X University`` and ``University of X`` are two universities (Washington University
#: in St. Louis and the University of Washington in Seattle; Jinan University in Guangzhou and
#: the University of Jinan; York University in Toronto and the University of York ...).
_TWO_UNIVERSITIES = frozenset(["washington", "miami", "york", "jinan", "newcastle"])
_NOT_ONE_UNIVERSITY = _TWO_UNIVERSITIES | _KEYED_BY_CITY


def _university_of(key: str) -> str:
    """``oxford university`` is ``university of oxford``, the same university written the
    other way round; not where those are two universities, nor for a generic word."""
    first, *rest = key.split() or [""]
    if rest == ["university"] and first not in _NOT_ONE_UNIVERSITY:
        return f"university of {first}"
    return key


#: A company's legal form, left out of its key (``Pfizer Inc.`` and ``Pfizer`` are one).
_KEY_LEGAL_ENDS = _LEGAL_FORMS | {"co", "sa", "ab", "ag", "as", "company", "corporation", "and"}


def _without_legal_form(words: list[str]) -> list[str]:
    """``merck and co inc`` -> ``merck``."""
    while len(words) > 1:
        ends = [n for n in (3, 2, 1) if len(words) > n and " ".join(words[-n:]) in _KEY_LEGAL_ENDS]
        if not ends:
            break
        words = words[: -ends[0]]
    return words


_ABBREVIATIONS = {
    "univ": "university",
    "universitat": "university",
    "universite": "university",
    "universita": "university",
    "universidad": "university",
    "universidade": "university",
    "uniwersytet": "university",
    "universiteit": "university",
    "hosp": "hospital",
    "inst": "institute",
    "ctr": "center",
    "cntr": "center",
    "centre": "center",
    "med": "medical",
    "sch": "school",
    "coll": "college",
    "natl": "national",
    "st": "saint",
    "ste": "sainte",
    "intl": "international",
    "res": "research",
    "sci": "science",
    "dept": "department",
    "mt": "mount",
}


@lru_cache(maxsize=_NAME_CACHE)
def institution_id(key: str) -> str:
    """A deterministic id from a normalised name: a readable slug, hashed when long."""
    slug = _NOT_SLUG.sub("-", key).strip("-")
    if len(slug) > 60:
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        slug = f"{slug[:50].rstrip('-')}-{digest}"
    return f"INST-{slug}"


@lru_cache(maxsize=_NAME_CACHE)
def institution_type(name: str) -> str:
    """A coarse type from the name: university, hospital, company, research institute, or ""."""
    folded = fold(name)
    return next((kind for kind, words in _TYPE_WORDS if words.search(folded)), "")


#: Each type's keywords, tested in this order (the first found gives the type).
_TYPE_WORDS = (
    (
        "hospital",
        re.compile(
            r"\b(hospital\w*|hopital|klinikum|krankenhaus|clinic|infirmary|medical center|"
            r"health system|chu|ospedale)\b"
        ),
    ),
    ("university", re.compile(r"\b(universit\w*|univ|college|school|faculty)\b")),
    (
        "company",
        re.compile(r"\b(inc|ltd|llc|gmbh|ag|corporation|corp|company|plc|pharmaceuticals?)\b"),
    ),
    (
        "research institute",
        re.compile(r"\b(institute|institut\w*|istituto|center|centre|foundation|laboratories)\b"),
    ),
)


@lru_cache(maxsize=262144)
def fold(text: str) -> str:
    """Lower case, accents removed, punctuation turned into single spaces."""
    if text.isascii():  # nothing to decompose or replace: most names and affiliations
        plain = text.lower()
    else:
        decomposed = unicodedata.normalize("NFKD", text)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
        plain = plain.replace("ß", "ss").replace("ø", "o").replace("æ", "ae").replace("ł", "l")
    return " ".join(_NOT_WORD.sub(" ", plain).split())


_NOT_WORD = re.compile(r"[^\w]+|_")


def _iso_countries() -> dict[str, str]:
    """Every ISO 3166 country, and the former ones (``Yugoslavia``), by its folded name,
    official and common name -> the name it is shown by.  A name that is also a US state's
    (``Georgia``) is left to the state table: ``Atlanta, Georgia`` is in the United States."""
    states = set(US_STATES.values())
    found: dict[str, str] = {}
    for country in pycountry.countries:
        shown = getattr(country, "common_name", None) or country.name
        for name in (country.name, getattr(country, "official_name", None), shown):
            if name and fold(name) not in states:
                found[fold(name)] = shown
    for former in pycountry.historic_countries:
        name = former.name.split(",")[0]
        found.setdefault(fold(name), name)
    return found


#: Every country as written (folded) -> the name it is shown by.
COUNTRIES: dict[str, str] = {**_iso_countries(), **_WRITTEN_COUNTRIES}


# --- parts and places ----------------------------------------------------------------------


def _parts(text: str) -> list[str]:
    """Comma-separated parts, trimmed of whitespace, trailing dots and footnote marks."""
    text = _TRAILING_AND.sub("", _LEADING_MARK.sub("", text.strip()))
    parts = [" ".join(p.strip(" \t\r\n.;:").split()) for p in _split_commas(text)]
    parts = [_inner_institution(p) for p in parts if any(c.isalnum() for c in p)]
    return _country_split(_with_legal_forms(parts))


def _with_legal_forms(parts: list[str]) -> list[str]:
    """``Pfizer``, ``Inc`` -> ``Pfizer Inc``: a legal form is part of the name before it."""
    joined: list[str] = []
    for part in parts:
        if joined and fold(_BRACKETED.sub(" ", part)) in _LEGAL_FORMS:  # "Inc. (E3)" too
            joined[-1] = f"{joined[-1]} {part}"
        else:
            joined.append(part)
    return joined


def _inner_institution(part: str) -> str:
    """``State Key Laboratory of X (Harbin Institute of Technology)`` -> the bracketed institution."""
    inner = re.search(r"\(([^()]{6,})\)\s*$", part)
    if inner and _DEPARTMENT.match(fold(part)) and _tier(inner[1]) >= 2:
        return inner[1].strip()
    return part


_TRAILING_AND = re.compile(r"(\s+and)+[\s.]*$", re.IGNORECASE)


def _split_commas(text: str) -> list[str]:
    """Split at commas outside parentheses (``Jamia Hamdard (Hamdard University, ...)``)."""
    if not any(bracket in text for bracket in "()[]"):
        return text.split(",")  # the usual case: every comma splits, no walk per character
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        depth += (char in "([") - (char in ")]")
        if char == "," and depth <= 0:
            parts.append(text[start:index])
            start, depth = index + 1, 0
    parts.append(text[start:])
    return parts


def _country_split(parts: list[str]) -> list[str]:
    """``28040 Madrid Spain`` -> ``28040 Madrid``, ``Spain`` when the rest is a place name
    (``IN USA`` -> ``IN``, ``USA``)."""
    if not parts or fold(_strip_postcodes(parts[-1])) in COUNTRIES:
        return parts
    words = parts[-1].split()
    for size in (3, 2, 1):
        head, tail = " ".join(words[:-size]), " ".join(words[-size:])
        if (
            len(words) > size
            and fold(tail) in COUNTRIES
            and fold(parts[-1]) not in _STATE_BY_NAME
            and (_plausible_city(_strip_postcodes(head)) or _state_of(head, [US_STATES])[0])
        ):
            return [*parts[:-1], head, tail]
    return parts


@dataclass
class _Place:
    city: str = ""
    state: str = ""
    country: str = ""
    city_index: int = -1
    used: frozenset[int] = frozenset()  # parts that are place names, not institutions


def _locate(parts: list[str]) -> _Place:
    """Country, state and city, searched from the end of the parts."""
    place, used = _Place(), set()
    end = len(parts)
    country_at = _country_index(parts)
    if country_at is not None:
        place.country = COUNTRIES[fold(_strip_postcodes(parts[country_at]))]
        used.add(country_at)
        end = country_at
    state_at = _state_index(parts, end, place)
    if state_at is None:
        state_at = _region_index(parts, end, place)
    if state_at is not None:
        used.add(state_at)
        end = state_at
        place.country = place.country or _COUNTRY_OF_STATE.get(place.state, "")
    if not place.city:
        _find_city(parts, end, place)
    if not place.city and place.state in _MUNICIPALITIES:
        place.city = place.state
    if place.city_index >= 0:
        used.add(place.city_index)
    place.used = frozenset(used)
    return place


def _country_index(parts: list[str]) -> int | None:
    for index in range(len(parts) - 1, max(len(parts) - 3, 0) - 1, -1):
        if fold(_strip_postcodes(parts[index])) in COUNTRIES:
            return index
    return None


def _state_index(parts: list[str], end: int, place: _Place) -> int | None:
    """The part (just before ``end``) holding a state: ``MD 21205``, ``ON M5S 3H6``, ``Maryland``."""
    tables = (
        [_STATE_TABLES[place.country]]
        if place.country in _STATE_TABLES
        else [US_STATES, CA_PROVINCES]
        if not place.country
        else []
    )
    for index in range(end - 1, max(end - 2, 0) - 1, -1):
        state, city = _state_of(parts[index], tables)
        if state:
            place.state = state
            if city:
                place.city, place.city_index = city, index
            return index
    return None


def _region_index(parts: list[str], end: int, place: _Place) -> int | None:
    """A Chinese province or Indian state just before the country, when a city precedes it."""
    regions = REGIONS.get(place.country)
    if not regions or end < 2:
        return None
    name = re.sub(r"\s+(province|state)$", "", fold(_strip_postcodes(parts[end - 1])))
    if name in regions:
        place.state = regions[name]
        return end - 1
    return None


def _state_of(part: str, tables: list[dict[str, str]]) -> tuple[str, str]:
    """(state code, city written in the same part) or ("", "")."""
    match = _STATE_PART.match(part)
    if match and any(match["state"] in table for table in tables):
        city = (match["city"] or "").strip()
        return match["state"], city if _plausible_city(city) else ""
    if not tables or tables[0] is AU_STATES:
        return "", ""
    name = fold(_strip_postcodes(part))
    code = _STATE_BY_NAME.get(name)
    has_post = _strip_postcodes(part) != part
    if code and (name not in _CITY_NAMED_STATES or has_post) and any(code in t for t in tables):
        return code, ""
    return "", ""


def _find_city(parts: list[str], end: int, place: _Place) -> None:
    """The nearest plausible place name left of ``end``; stops at an institution or sub-unit."""
    for index in range(end - 1, max(end - 4, 0) - 1, -1):
        part = parts[index]
        if _tier(part) or _is_unit(fold(part)):
            return
        candidate = _strip_postcodes(part)
        if _REGION.search(candidate):
            continue
        if _plausible_city(candidate) and not _is_address(part):
            if index == 0 and end == len(parts):
                return  # a lone leading part with no country/state after it: not a place
            place.city, place.city_index = candidate, index
            return


# The part tests below are pure and the same parts ("USA", "Boston", "MA 02115") recur in
# most affiliations: each distinct part is examined once.
_PART_CACHE = 65536


@lru_cache(maxsize=_PART_CACHE)
def _plausible_city(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 4
        and len(text) <= 40
        and not any(map(str.isdigit, text))
        and text[:1].isupper()
        and not _tier(text)
        and not _is_unit(fold(text))
        and not _REGION.search(text)
    )


@lru_cache(maxsize=_PART_CACHE)
def _is_address(part: str) -> bool:
    folded = fold(part)
    numbered = any(map(str.isdigit, part)) and _STREET_NUMBERED.search(folded)
    return bool(_STREET.search(folded) or numbered)


@lru_cache(maxsize=_PART_CACHE)
def _strip_postcodes(part: str) -> str:
    for pattern in _POSTCODES:
        part = pattern.sub("", part).strip()
    return part


# --- the institution -----------------------------------------------------------------------


def _is_unit(folded: str) -> bool:
    """A sub-unit named by its head word (``Department of ...``) or a field alone."""
    return bool(_DEPARTMENT.match(folded)) or _is_field(folded)


def _is_field(folded: str) -> bool:
    """``internal medicine``, ``research development``, ``medical dept``."""
    words = folded.split()
    return bool(words) and all(word in _SUBJECT_WORDS for word in words)


def _is_field_unit(folded: str) -> bool:
    """``diabetes center``, ``menopause clinic``: a field's centre, named by nothing else."""
    words = set(folded.split())
    heads = words & _SUBJECT_HEADS
    return bool(heads) and bool(words - heads) and words - heads <= _SUBJECT_WORDS


def _is_state_system(key: str) -> bool:
    """``university of texas``: a campus of a state system, told apart by its city."""
    return key.startswith("university of ") and key[14:] in _STATE_SYSTEMS


@lru_cache(maxsize=_PART_CACHE)
def _tier(part: str) -> int:
    """3 = hospital / university, 2 = other organisation, 1 = a unit that may be one, 0 = none."""
    folded = fold(part)
    if _is_unit(folded):
        return 0
    if _WEAK_UNIT.match(folded) or _is_field_unit(folded):
        return 1
    if _TIER3.search(folded):
        return 3
    if _TIER2.search(folded):
        return 2
    return 0


def _choose_institution(parts: list[str], place: _Place) -> int | None:
    """Index of the part with the strongest institution keyword (first one on a tie)."""
    best, best_tier, place_parts = None, 0, place.used
    located = bool(place.country or place.state)
    for index, part in enumerate(parts):
        if index in place_parts or _is_address(part):
            continue
        tier = _tier(part)
        if tier > best_tier or (
            tier == best_tier == 3 and best is not None and _is_university_over(part, parts[best])
        ):
            best, best_tier = index, tier
    if best is None:  # no keyword: the first part that is neither a unit, a place nor an address
        best = next(
            (
                i
                for i, p in enumerate(parts)
                if i not in place_parts and _unnamed_organisation(p, located)
            ),
            None,
        )
    return best


def _unnamed_organisation(part: str, located: bool) -> bool:
    """A part without keyword that may still name an organisation (``Genentech``, ``OLVG``).

    One word alone counts only when a place follows it, else it is likely a city.
    """
    folded = fold(part)
    return (
        not _is_unit(folded)
        and "laborator" not in folded
        and not any(map(str.isdigit, part))
        and (len(part.split()) >= 2 or located)
    )


#: States whose university is a system of campuses, each its own institution.
_STATE_SYSTEMS = frozenset(
    [
        "california",
        "texas",
        "wisconsin",
        "massachusetts",
        "colorado",
        "illinois",
        "missouri",
        "nebraska",
        "alabama",
        "tennessee",
        "minnesota",
        "maryland",
        "arkansas",
        "hawaii",
    ]
)


def _with_campus(parts: list[str], chosen: int, place: _Place) -> str:
    """``University of California, San Francisco``: state systems named with their campus."""
    name, following = parts[chosen], parts[chosen + 1 : chosen + 2]
    if _is_state_system(fold(name)) and following and _plausible_city(following[0]):
        return f"{name}, {following[0]}"
    return name


# --- schools and hospitals of a university -------------------------------------------------

#: Words that start the unit part of "<university> <school / hospital>" (or end it in
#: "<school> of <university>"): the university is the institution.
_UNIT_WORDS = frozenset(
    [
        "school",
        "schools",
        "college",
        "faculty",
        "hospital",
        "hospitals",
        "medical",
        "medicine",
        "health",
        "clinics",
        "clinic",
        "graduate",
        "institute",
        "center",
        "centre",
        "cancer",
        "childrens",
        "children",
        "dental",
        "nursing",
        "pharmacy",
        "department",
        "division",
    ]
)
#: Heads of the name of a university's school or hospital (``... School of Medicine``).
_UNIT_HEADS = frozenset(
    [
        "school",
        "schools",
        "college",
        "faculty",
        "graduate",
        "hospital",
        "hospitals",
        "clinic",
        "clinics",
        "institute",
        "center",
        "centre",
        "department",
        "division",
        "system",
    ]
)
#: The noun, not the adjective of ``Hospital Universitario``, ``Centre Hospitalier
#: Universitaire``, ``Universitair Medisch Centrum``, ``Universitätsklinikum``.
_UNIVERSITY_WORD = re.compile(r"^universit(?!ari|air|ats|ets)")


@lru_cache(maxsize=_NAME_CACHE)
def university_of(name: str) -> str:
    """The university a school or hospital of it is named by, else ``name``.

    >>> university_of("Northwestern University Feinberg School of Medicine")
    'Northwestern University'
    >>> university_of("Perelman School of Medicine at the University of Pennsylvania")
    'University of Pennsylvania'
    >>> university_of("University Hospital Zurich")
    'University Hospital Zurich'
    """
    words = name.replace(",", " , ").replace("&", " and ").split()
    folded = [_ABBREVIATIONS.get(fold(w), fold(w)) for w in words]
    at = next((k for k, w in enumerate(folded) if _UNIVERSITY_WORD.match(w)), None)
    if at is None or folded[at + 1 : at + 2] == ["institute"]:
        return name  # no university, or a "University Institute" of its own
    start = at  # back over its name: "Medical University of Vienna", not "Renji Hospital and"
    while start > 0 and not _starts_university(folded, start - 1):
        start -= 1
    end = at + 1
    if end < len(folded) and folded[end] in ("of", "at"):
        end += 1
        while end < len(folded) and not _ends_university(folded, end):
            end += 1
    core = [w for w in folded[start:end] if w not in (",", "")]
    if set(core) <= _GENERIC_WORDS or core == folded:
        return name
    stripped = set(folded) - set(core)
    if not stripped & _UNIT_WORDS or "cancer" in stripped:
        return name  # nothing of a school or hospital was stripped, or a cancer centre
    return " ".join(w for w in words[start:end] if w != ",").strip(" ,")


def _starts_university(folded: list[str], at: int) -> bool:
    """Whether the word at ``at`` is left of a university's name: a unit before it (``School
    of Medicine at the``, ``Renji Hospital and``, ``School of Public Health``, ``Hospital
    Affiliated to``), not ``Tokyo Medical and Dental``."""
    word = folded[at]
    if word == "and":
        return at > 0 and folded[at - 1] in _UNIT_HEADS
    preceding = folded[max(at - 3, 0) : at]
    return (
        word in _UNIT_HEADS
        or word in ("of", "at", "to", "the", ",", "")
        or (word in _UNIT_WORDS and bool(_UNIT_HEADS.intersection(preceding)))
    )


def _ends_university(folded: list[str], at: int) -> bool:
    """Whether the words from ``at`` start a unit after ``University of X``: ``School of``,
    ``Medical School``, ``Health Science Center``; not ``Medical Sciences``, ``Medicine and
    Pharmacy`` or ``Veterinary Medicine``, which are the university's own name."""
    word = folded[at]
    if word in ("", ","):
        return True
    if word == "and":  # "Medicine and Pharmacy" goes on; "and Medical University of" ends
        following = folded[at + 1 : at + 4]
        return (
            not following
            or following[0] not in _FIELDS
            or any(map(_UNIVERSITY_WORD.match, following))
        )
    following = folded[at + 1 : at + 3]
    return word in _UNIT_HEADS or (
        word in _UNIT_WORDS and bool(_UNIT_HEADS.intersection(following))
    )


def _is_university_over(part: str, chosen: str) -> bool:
    """A university part wins a tie against a school or college part (``Feinberg School of
    Medicine, Northwestern University``); hospitals keep their own identity."""
    return bool(
        re.search(r"\buniversit", fold(part))
        and not re.search(r"\b(universit\w*|hospital\w*|clinic|medical center)\b", fold(chosen))
    )
