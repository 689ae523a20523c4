"""Places as the territory alignment compares them: countries, US states and postal codes.

Sources spell the same place many ways ("US", "USA", "United States"; "MA", "Massachusetts";
ZIP "02134", "2134", "02134-1234", "21341234.0").  These functions give one spelling to
compare, and read a US ZIP code out of an address or affiliation line.

>>> is_us("U.S.A.")
True
>>> us_state("massachusetts")
'MA'
>>> us_zip5("2134")
'02134'
>>> us_zip5("322044736.0")
'32204'
>>> address_zip5("Dept. of Medicine, Boston, MA 02115, USA.")
'02115'
"""

from __future__ import annotations

import re

#: Ways sources write the United States, compared in lower case without dots or spaces.
_US_NAMES = {"us", "usa", "unitedstates", "unitedstatesofamerica", "america"}
#: Territories that sources name as countries but that use US ZIP codes.
_US_ZIP_TERRITORIES = {
    "puertorico",
    "guam",
    "virginislands",
    "usvirginislands",
    "virginislandsus",
    "americansamoa",
    "northernmarianaislands",
}

#: US state and territory names -> USPS codes.
US_STATES = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "district of columbia": "DC",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "puerto rico": "PR",
    "guam": "GU",
    "virgin islands": "VI",
    "american samoa": "AS",
    "northern mariana islands": "MP",
}
US_STATE_CODES = frozenset(US_STATES.values())

_ZIP_LIKE = re.compile(r"(\d{1,5})(?:-?\d{4})?")
_FLOAT_ZIP = re.compile(r"(\d{1,9})\.0*")
# "MA 02115", "MA, 02115", "Massachusetts 02115-1234": a state then a ZIP, as US addresses end.
_ADDRESS_ZIP = re.compile(r"\b([A-Z]{2}|[A-Z][a-z]+(?: [A-Z][a-z]+)*),? (\d{5})(?:-\d{4})?\b")


def country_key(country: str | None) -> str:
    """The country as compared: ``"US"`` for any spelling of the United States, else the
    name in lower case with single spaces; ``""`` when blank."""
    text = " ".join((country or "").split())
    if not text:
        return ""
    return "US" if is_us(text) else text.lower()


def is_us(country: str | None) -> bool:
    """Whether ``country`` names the United States (any usual spelling)."""
    squeezed = re.sub(r"[\s.]", "", country or "").lower()
    return squeezed in _US_NAMES


def us_state(state: str | None) -> str:
    """The USPS code of a US state written as a code or a name (any case); else the state
    in lower case with single spaces; ``""`` when blank."""
    text = " ".join((state or "").split())
    if text.upper() in US_STATE_CODES:
        return text.upper()
    return US_STATES.get(text.lower(), text.lower())


def us_zip5(postal: str | None) -> str | None:
    """A US ZIP as 5 digits: ZIP+4 cut to its ZIP, lost leading zeros restored (also from a
    float spelling such as ``"13069.0"``); ``None`` when it is not a US ZIP."""
    text = (postal or "").strip()
    floating = _FLOAT_ZIP.fullmatch(text)
    if floating:  # a number that went through a float: up to 5 digits a ZIP, else a ZIP+4
        digits = floating.group(1)
        return digits.zfill(5) if len(digits) <= 5 else digits.zfill(9)[:5]
    match = _ZIP_LIKE.fullmatch(text)
    return match.group(1).zfill(5) if match else None


def looks_us(country: str | None, state: str | None) -> bool:
    """Whether a place has US ZIP codes: the country is the US or a US territory (Puerto
    Rico, Guam ...), or it is blank and the state is a US state."""
    if (country or "").strip():
        return uses_us_zip(country)
    return us_state(state) in US_STATE_CODES


def uses_us_zip(country: str | None) -> bool:
    """Whether ``country`` is the US or a US territory that sources name as a country."""
    return is_us(country) or re.sub(r"[\s.,]", "", country or "").lower() in _US_ZIP_TERRITORIES


def postal_code(postal: str | None, country: str | None, state: str | None) -> str | None:
    """The canonical postal code: a US ZIP5 for a US place (``None`` when it is not a ZIP),
    another country's code as given (trimmed); ``None`` when blank."""
    text = (postal or "").strip()
    if not text:
        return None
    return us_zip5(text) if looks_us(country, state) else text


def source_postal_codes(postal, country, state) -> list[str]:
    """Postal codes of a source's rows as validation accepts them: a US place's ZIP as ZIP5,
    blank where it is no ZIP (a messy public record must not fail a whole load), other
    countries' codes as given.  Each distinct place is worked out once."""
    places = list(zip(postal, country, state))
    found = {place: postal_code(*place) or "" for place in dict.fromkeys(places)}
    return [found[place] for place in places]


def address_zip5(address: str | None) -> str | None:
    """The US ZIP code at the end of an address or affiliation line ("Boston, MA 02115"),
    when a US state (code or name) stands right before it; else ``None``."""
    for state, zip5 in reversed(_ADDRESS_ZIP.findall(address or "")):
        if us_state(state) in US_STATE_CODES:
            return zip5
    return None
