"""Territory alignment: which territory each HCP belongs to, from where they practise.

An alignment file is a CSV with the columns ``territory,country,state,postal_code``; each row
is a rule whose non-blank cells must all match an HCP's place (a blank cell matches
anything; ``postal_code`` is a US ZIP5 or a 3-digit ZIP prefix).  The most specific matching
rule wins: ZIP5, then ZIP3, then state, then country (then a rule with no place at all).  Two
equally specific rules that can match the same HCP but name different territories are an
error naming both lines.

An HCP whose source gave a territory (an *explicit* territory) keeps it, unless the alignment
was given with ``override``: then a matching rule wins over it (and the explicit territory is
kept aside, so a later alignment without ``override`` gives it back).  The stores keep, for
every HCP, the territory in force (``territory``), whether it came from the alignment
(``territory_aligned``) and the explicit one it replaced (``source_territory``).

>>> rules = Alignment((Rule(2, "East", "US", "", ""), Rule(3, "Boston", "", "", "021")))
>>> rules.territory_for("United States", "MA", "02115"), rules.territory_for("USA", "NY", "10001")
('Boston', 'East')
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph import locations
from kolgraph.errors import InputError, Problem, ValidationFailed

#: The columns of an alignment file (and of a stored rule, after ``line``).
COLUMNS = ("territory", "country", "state", "postal_code")
#: Specificity levels, least specific first.
LEVELS = ("anywhere", "country", "state", "ZIP3", "ZIP5")
#: What :func:`report` and :func:`realigned` read per HCP (the stores' ``hcp_places`` frame).
PLACE_COLUMNS = (
    "hcp_id",
    "country",
    "state",
    "postal_code",
    "territory",
    "territory_aligned",
    "source_territory",
)
#: Why an HCP is left without a territory.
NO_LOCATION = "no location"
NO_RULE = "no matching rule"


@dataclass(frozen=True)
class Rule:
    """One line of an alignment file."""

    line: int
    territory: str
    country: str = ""
    state: str = ""
    postal_code: str = ""

    @property
    def level(self) -> int:
        """Index into :data:`LEVELS`: how specific the rule is."""
        if self.postal_code:
            return 4 if len(self.postal_code) == 5 else 3
        return 2 if self.state else 1 if self.country else 0

    @property
    def country_key(self) -> str:
        return locations.country_key(self.country)

    @property
    def state_key(self) -> str:
        return locations.us_state(self.state)

    def lookup_key(self) -> str:
        """What an HCP must have at the rule's level: the ZIP (prefix), state or country."""
        return (
            "",
            self.country_key,
            self.state_key,
            self.postal_code,
            self.postal_code,
        )[self.level]

    def matches(self, country: str, state: str, zip5: str | None) -> bool:
        """Whether every non-blank cell matches an HCP place (keys as :func:`_place_keys`)."""
        if self.country and self.country_key != country:
            return False
        if self.state and self.state_key != state:
            return False
        return not self.postal_code or (zip5 is not None and zip5.startswith(self.postal_code))

    def overlaps(self, other: Rule) -> bool:
        """Whether some place matches both rules (for two rules of the same level and key)."""
        return all(
            not a or not b or a == b
            for a, b in (
                (self.country_key, other.country_key),
                (self.state_key, other.state_key),
            )
        )

    def describe(self) -> str:
        """The rule's place, for messages: ``ZIP 02115``, ``state MA``, ``country US``."""
        parts = [
            f"{name} {value}"
            for name, value in (
                ("country", self.country),
                ("state", self.state),
                ("ZIP" if len(self.postal_code) == 5 else "ZIP prefix", self.postal_code),
            )
            if value
        ]
        return ", ".join(parts) or "anywhere"


@dataclass(frozen=True)
class Alignment:
    """A checked set of rules; ``override``: matching rules win over explicit territories."""

    rules: tuple[Rule, ...]
    override: bool = False
    source: str = ""
    _index: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[tuple[int, str], list[Rule]] = defaultdict(list)
        for rule in self.rules:
            index[(rule.level, rule.lookup_key())].append(rule)
        object.__setattr__(self, "_index", dict(index))

    def zip3s(self) -> frozenset[str]:
        """The three-digit ZIP prefixes the rules name (a ZIP5 rule names its prefix)."""
        return frozenset(rule.postal_code[:3] for rule in self.rules if rule.postal_code)

    def territory_for(
        self, country: str | None, state: str | None, postal: str | None
    ) -> str | None:
        """The territory of the most specific rule matching the place, or ``None``."""
        return self._match(*_place_keys(country, state, postal))

    def _match(self, country: str, state: str, zip5: str | None) -> str | None:
        keys = ("", country, state, zip5[:3] if zip5 else None, zip5)
        for level in range(len(LEVELS) - 1, -1, -1):
            if keys[level] is None:
                continue
            for rule in self._index.get((level, keys[level]), ()):
                if rule.matches(country, state, zip5):
                    return rule.territory
        return None

    def territories(self, frame: pd.DataFrame) -> np.ndarray:
        """The matching territory (or ``None``) of every row of a frame with ``country``,
        ``state`` and ``postal_code`` columns; each distinct place is matched once."""
        places = list(zip(*(_cells(frame, c) for c in ("country", "state", "postal_code"))))
        found = {place: self.territory_for(*place) for place in dict.fromkeys(places)}
        return np.array([found[p] for p in places], dtype=object).reshape(len(places))


def _place_keys(country: str | None, state: str | None, postal: str | None) -> tuple:
    """A place as rules compare it; the ZIP5 only for a place with US ZIPs (or no country)."""
    return locations.country_key(country), locations.us_state(state), us_zip5(country, postal)


def us_zip5(country: str | None, postal: str | None) -> str | None:
    """The postal code when it is a US ZIP5 (of a place with US ZIPs, or with no country).

    >>> us_zip5("US", "52242"), us_zip5(None, "52242"), us_zip5("DE", "52242"), us_zip5("US", "5224")
    ('52242', '52242', None, None)
    """
    us_zip = not locations.country_key(country) or locations.uses_us_zip(country)
    if us_zip and postal and len(postal) == 5 and postal.isdigit():
        return postal
    return None


def _cells(frame: pd.DataFrame, column: str) -> list[str | None]:
    if column not in frame:
        return [None] * len(frame)
    values = frame[column].astype(object)
    return values.where(values.notna(), None).tolist()


# --- explicit vs aligned territories --------------------------------------------------------


def resolve(
    explicit: str | None, aligned: str | None, override: bool
) -> tuple[str | None, bool, str | None]:
    """``(territory, territory_aligned, source_territory)`` of one HCP.

    >>> resolve("Kept", "Rule", False), resolve("Kept", "Rule", True), resolve(None, None, True)
    (('Kept', False, None), ('Rule', True, 'Kept'), (None, False, None))
    """
    if explicit and not (override and aligned):
        return explicit, False, None
    return aligned, aligned is not None, explicit if aligned is not None else None


def aligned_hcps(frame: pd.DataFrame, alignment: Alignment | None) -> pd.DataFrame:
    """A validated ``hcps`` frame as a store writes it: ``territory`` the one in force, plus
    ``territory_aligned`` and ``source_territory`` (the frame's ``territory`` is explicit)."""
    frame = frame.copy()
    explicit = _cells(frame, "territory")
    if alignment is None:
        frame["territory_aligned"] = pd.Series(
            [False] * len(frame), index=frame.index, dtype=object
        )
        frame["source_territory"] = pd.Series([None] * len(frame), index=frame.index, dtype=object)
        return frame
    matched = alignment.territories(frame)
    resolved = [resolve(e, a, alignment.override) for e, a in zip(explicit, matched)]
    for position, column in enumerate(("territory", "territory_aligned", "source_territory")):
        values = [r[position] for r in resolved]
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return frame


def realigned(places: pd.DataFrame, alignment: Alignment) -> pd.DataFrame:
    """The stored HCPs (:data:`PLACE_COLUMNS`) whose territory changes under ``alignment``:
    ``hcp_id, territory, territory_aligned, source_territory`` as they become."""
    was_aligned = [bool(a) for a in _cells(places, "territory_aligned")]
    explicit = [
        s if a else t
        for t, a, s in zip(
            _cells(places, "territory"), was_aligned, _cells(places, "source_territory")
        )
    ]
    frame = places.assign(territory=pd.Series(explicit, index=places.index, dtype=object))
    new = aligned_hcps(frame, alignment)
    old = list(zip(_cells(places, "territory"), was_aligned, _cells(places, "source_territory")))
    now = list(zip(new["territory"], new["territory_aligned"], new["source_territory"]))
    changed = [o != n for o, n in zip(old, now)]
    columns = ["hcp_id", "territory", "territory_aligned", "source_territory"]
    return new.loc[changed, columns].reset_index(drop=True)


# --- the report ------------------------------------------------------------------------------


def report(places: pd.DataFrame) -> dict:
    """HCPs per territory (with how many were aligned / explicit) and those without one, by
    reason: ``{"territories": [{territory, hcps, aligned, explicit}], "unassigned": {reason: n}}``.
    """
    per: dict[str, Counter] = defaultdict(Counter)
    unassigned: Counter = Counter()
    columns = [
        _cells(places, c)
        for c in ("territory", "territory_aligned", "country", "state", "postal_code")
    ]
    for territory, aligned, *place in zip(*columns):
        if territory:
            per[territory]["aligned" if aligned else "explicit"] += 1
        else:
            unassigned[NO_RULE if any(place) else NO_LOCATION] += 1
    rows = [
        {
            "territory": name,
            "hcps": counts["aligned"] + counts["explicit"],
            "aligned": counts["aligned"],
            "explicit": counts["explicit"],
        }
        for name, counts in sorted(per.items())
    ]
    return {"territories": rows, "unassigned": {r: unassigned[r] for r in (NO_LOCATION, NO_RULE)}}


# --- reading an alignment file ---------------------------------------------------------------


def read_alignment(path: Path | str, override: bool = False) -> Alignment:
    """The checked rules of an alignment CSV; raises ``ValidationFailed`` listing every
    problem (unknown or missing columns, blank territories, bad ZIP codes, conflicts)."""
    from kolgraph.loaders.bundle import read_csv_table  # the bundle's CSV reader and lines

    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    table, problems = read_csv_table("touchpoints", data, path.name)
    if table is None:
        raise ValidationFailed(problems)
    problems += _header_problems(path.name, table.frame.columns, table.header_line)
    if problems:
        raise ValidationFailed(problems)
    rules = [_rule(int(line), cells) for line, cells in zip(table.lines, _rows(table.frame))]
    problems = [p for rule in rules for p in _rule_problems(path.name, rule)]
    problems += conflicts(path.name, rules)
    if problems:
        raise ValidationFailed(problems)
    return Alignment(tuple(rules), override, path.name)


def _header_problems(source: str, columns: Iterable[str], line: int) -> list[Problem]:
    columns = list(columns)
    problems = [
        Problem(source, line, str(c), f"unknown column; expected {','.join(COLUMNS)}")
        for c in columns
        if c not in COLUMNS
    ]
    return problems + [
        Problem(source, line, c, "missing required column") for c in COLUMNS if c not in columns
    ]


def _rows(frame: pd.DataFrame) -> Iterable[dict]:
    cells = frame[list(COLUMNS)].astype(object).where(frame[list(COLUMNS)].notna(), "")
    return (
        {c: " ".join(str(v).split()) for c, v in row.items()} for row in cells.to_dict("records")
    )


def _rule(line: int, cells: dict) -> Rule:
    return Rule(line, cells["territory"], cells["country"], cells["state"], cells["postal_code"])


def _rule_problems(source: str, rule: Rule) -> list[Problem]:
    problems = []
    if not rule.territory:
        problems.append(Problem(source, rule.line, "territory", "required value is empty"))
    code = rule.postal_code
    if code and not (code.isascii() and code.isdigit() and len(code) in (3, 5)):
        problems.append(
            Problem(
                source, rule.line, "postal_code", f"not a US ZIP5 or 3-digit ZIP prefix: {code}"
            )
        )
    if code and rule.country and not locations.uses_us_zip(rule.country):
        problems.append(
            Problem(
                source,
                rule.line,
                "country",
                f"postal_code is a US ZIP code but the country is {rule.country}",
            )
        )
    return problems


def conflicts(source: str, rules: list[Rule]) -> list[Problem]:
    """One problem per pair of equally specific rules that can match the same HCP and name
    different territories, on the later line, naming the earlier one."""
    groups: dict[tuple[int, str], list[Rule]] = defaultdict(list)
    for rule in rules:
        groups[(rule.level, rule.lookup_key())].append(rule)
    problems = []
    for group in groups.values():
        for i, later in enumerate(group):
            for earlier in group[:i]:
                if earlier.territory != later.territory and earlier.overlaps(later):
                    problems.append(_conflict(source, earlier, later))
    return problems


def _conflict(source: str, earlier: Rule, later: Rule) -> Problem:
    return Problem(
        source,
        later.line,
        "territory",
        f"conflicts with {source}:{earlier.line}: both match {later.describe()} "
        f"({LEVELS[later.level]} level) but say {later.territory!r} and {earlier.territory!r}",
    )


# --- stored form -------------------------------------------------------------------------


def rule_rows(alignment: Alignment) -> list[dict]:
    """The rules as the stores keep them: ``line`` and :data:`COLUMNS`."""
    return [
        {
            "line": r.line,
            "territory": r.territory,
            "country": r.country,
            "state": r.state,
            "postal_code": r.postal_code,
        }
        for r in alignment.rules
    ]


def from_rows(rows: Iterable[dict], override: bool, source: str) -> Alignment:
    """An alignment from stored rule rows (already checked when they were stored)."""
    rules = sorted(
        (
            Rule(int(r["line"]), r["territory"], *(r.get(c) or "" for c in COLUMNS[1:]))
            for r in rows
        ),
        key=lambda r: r.line,
    )
    return Alignment(tuple(rules), bool(override), source or "")
