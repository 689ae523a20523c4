"""Author record linkage: the pairwise evidence that two author slots are one person.

Two author slots of one name block (same folded last name and first initial) are compared on
the evidence a curator would weigh: are the first names compatible (``Deborah L`` ~ ``D L``,
``Deborah`` is not ``Diane``), do the middle initials agree, how common is the name, do they
share an institution, a city, a country, an e-mail, co-authors (by full name), MeSH terms or
a journal, and how many years apart are the papers.  Each comparison is a feature; a logistic
regression trained on the labelled MEDLINE pairs of Vishnyakova et al. (JAMIA 2019) turns
them into the log-odds that the two slots are one person.  The learned weights, the decision
threshold and the limits live in ``linkage_model.json`` beside this module, written by
``bench/train_identity.py``; nothing reads the gold standard at run time.

:func:`link_blocks` clusters the slots of each block with average linkage under hard
constraints (two ORCIDs, two slots of one paper, two different full first names or
conflicting middle initials are never one person), so one strong pair does not chain two
different people through a third slot.  Work is linear in the number of slots apart from
the comparisons inside a block; a block larger than ``max_block_full`` compares only pairs
that share a piece of evidence, and papers with more than ``max_coauthor_evidence`` authors
give no co-author evidence (and cost no co-author work).
"""

from __future__ import annotations

import json
import math
import operator
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import repeat
from pathlib import Path
from typing import Protocol

from kolgraph.errors import InputError
from kolgraph.loaders.institutions import fold

MODEL_PATH = Path(__file__).with_name("linkage_model.json")
NAME_FREQUENCY_PATH = Path(__file__).with_name("name_frequency.json")

#: The features, in the order of the model's weights.
FEATURES = (
    "first_name_equal",
    "first_name_conflict",
    "first_name_initial_only",
    "first_name_equal_x_commonness",
    "middle_equal",
    "middle_conflict",
    "name_commonness",
    "same_institution",
    "institution_similarity",
    "same_city",
    "same_country",
    "country_conflict",
    "both_placed",
    "same_email",
    "shared_coauthors",
    "mesh_similarity",
    "title_similarity",
    "same_journal",
    "journal_similarity",
    "year_gap",
    "surname_commonness",
)

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


@dataclass(frozen=True)
class LinkageSettings:
    """The model and its limits (``linkage_model.json``; see docs/identity.md)."""

    weights: tuple[float, ...]
    intercept: float
    threshold: float  # log-odds above which two clusters merge
    max_coauthor_evidence: int = 100
    max_block_full: int = 400
    #: features the model file gives no weight (an older copy): weighed 0, said in the notes
    unweighed: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> LinkageSettings:
        """The settings stored in ``path`` (the shipped model by default); ``InputError``
        naming the file, and the line or field, when it cannot be used."""
        data = _model_data(path)
        weights = _field(path, data, "weights", dict)
        unknown = sorted(set(weights) - set(FEATURES))
        if unknown:
            raise InputError(
                f"{path}: weights: unknown feature {', '.join(map(repr, unknown))} "
                f"(the features: {', '.join(FEATURES)})"
            )
        return cls(
            # a copy made before a feature existed weighs it 0: it decides as it did then
            tuple(_number(path, f"weights.{n}", weights.get(n, 0.0)) for n in FEATURES),
            _number(path, "intercept", _field(path, data, "intercept", (int, float))),
            _number(path, "threshold", _field(path, data, "threshold", (int, float))),
            _count(path, data, "max_coauthor_evidence", 100),
            _count(path, data, "max_block_full", 400),
            tuple(n for n in FEATURES if n not in weights),
        )

    def log_odds(self, features: Sequence[float]) -> float:
        """The model's log-odds that a pair with these features is one person."""
        # map in C, summed left to right as a generator would: the same bits, faster
        return self.intercept + sum(map(operator.mul, self.weights, features))


def _model_data(path: Path) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such linkage model file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the linkage model ({error})") from None
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: line {error.lineno}, column {error.colno}: not JSON ({error.msg})"
        ) from None
    if not isinstance(data, dict):
        raise InputError(
            f"{path}: a linkage model is a JSON object with weights, intercept, threshold"
        )
    return data


def _field(path: Path, data: dict, name: str, kind):
    if name not in data:
        raise InputError(
            f"{path}: {name}: missing (a linkage model needs weights, intercept, threshold)"
        )
    if not isinstance(data[name], kind) or isinstance(data[name], bool):
        raise InputError(f"{path}: {name}: {data[name]!r} is not {_KIND_WORDS[kind]}")
    return data[name]


_KIND_WORDS = {dict: "an object of feature weights", (int, float): "a number"}


def _number(path: Path, name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise InputError(f"{path}: {name}: {value!r} is not a number")
    return float(value)


def _count(path: Path, data: dict, name: str, default: int) -> int:
    value = data.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(f"{path}: {name}: {value!r} is not a whole number of at least 1")
    return value


@cache
def default_settings() -> LinkageSettings:
    """The model in ``KOLGRAPH_LINKAGE_MODEL`` (a JSON file like ``linkage_model.json``, e.g.
    with another threshold), else the shipped one."""
    return LinkageSettings.load(Path(os.environ.get("KOLGRAPH_LINKAGE_MODEL") or MODEL_PATH))


@cache
def name_frequency() -> tuple[dict[str, int], dict[str, int], int]:
    """Reference counts of name blocks (``"smith j"``) and of block surnames (``"smith"``),
    and the number of slots counted."""
    data = json.loads(NAME_FREQUENCY_PATH.read_text(encoding="utf-8"))
    return data["blocks"], data.get("surnames", {}), int(data["slots"])


def commonness(block: str) -> float:
    """log10 of a block's expected slots per million author slots (>= 0): common names
    (``wang y``) need more evidence than rare ones."""
    counts, _surnames, total = name_frequency()
    return math.log10(1 + 1e6 * counts.get(block, 0) / max(total, 1))


def surname_commonness(surname: str) -> float:
    """log10 of a surname's slots per million author slots, a surname never seen counted
    once.  Most blocks are too rare to be counted in the reference slots, while their
    surnames are: a rare surname makes a namesake unlikely."""
    _blocks, counts, total = name_frequency()
    return math.log10(1e6 * (counts.get(surname, 0) + 1) / max(total, 1))


@lru_cache(maxsize=65536)
def emails_in(text: str) -> tuple[str, ...]:
    """The e-mail addresses written in an affiliation, lower case."""
    if "@" not in (text or ""):  # the pattern backtracks over every word of the text
        return ()
    return tuple(m.lower().rstrip(".") for m in _EMAIL.findall(text))


# --- per-slot profiles (computed once per slot: linear) ------------------------------------


@dataclass(frozen=True)
class Profile:
    """What a slot brings to a comparison."""

    pmid: str
    given: str  # folded first given name, "" when only initials are written
    letters: str  # initials, upper case letters
    institutions: frozenset[str]
    institution_words: tuple[frozenset[str], ...]
    cities: frozenset[str]
    countries: frozenset[str]
    emails: frozenset[str]
    coauthors: frozenset[str] | None  # name keys of the paper's authors; None: no evidence
    own_key: str
    mesh: frozenset[str]
    topic: dict[str, float]  # unit tf-idf vector of title words and MeSH terms
    journal: str
    journal_words: frozenset[str]
    year: int
    commonness: float
    surname_commonness: float
    placed_by_paper: bool  # the places are the paper's: the slot names no affiliation


def author_key(last_name: str, given: str, letters: str) -> str:
    """A co-author compared on the full name: ``yang yi`` (or ``yang yq`` with initials only)."""
    return f"{fold(last_name).replace(' ', '')} {given or letters.lower()}"


def profiles(
    slots: Sequence,
    papers: Mapping[str, tuple],
    settings: LinkageSettings,
    given_name: Callable[[str], str],
    letters: Callable[[str], str],
    needed: Sequence[int] | None = None,
    bylines: Mapping[str, tuple[frozenset[str] | None, tuple]] | None = None,
) -> list[Profile | None]:
    """The profile of each ``needed`` slot (all by default; ``None`` for the others).

    ``papers`` gives each PMID's (journal, MeSH terms[, title]).  Only the papers of needed
    slots are read (and give the topic vectors' document frequencies), so a file whose
    names are mostly unique costs little.  ``bylines`` gives the co-author keys and places of
    papers whose other slots are not in ``slots`` (papers loaded before: their archive).
    """
    needed = range(len(slots)) if needed is None else needed
    wanted = {slots[i].pmid for i in needed}
    by_paper: dict[str, list[int]] = defaultdict(list)
    for i, slot in enumerate(slots):
        if slot.pmid in wanted:
            by_paper[slot.pmid].append(i)
    keys = {
        i: author_key(
            slots[i].last_name, given_name(slots[i].fore_name), letters(slots[i].initials)
        )
        for members in by_paper.values()
        if len(members) <= settings.max_coauthor_evidence
        for i in members
    }
    paper_keys = {
        pmid: frozenset(keys[i] for i in members)
        if len(members) <= settings.max_coauthor_evidence
        else None
        for pmid, members in by_paper.items()
    }
    facts = _paper_facts(by_paper, papers)
    paper_places = _PaperPlaces(slots, by_paper, settings.max_coauthor_evidence)
    for pmid, (coauthors, places) in (bylines or {}).items():
        if pmid in by_paper:
            paper_keys[pmid], paper_places[pmid] = coauthors, places
    found: list[Profile | None] = [None] * len(slots)
    for i in needed:
        slot = slots[i]
        own = keys.get(i) or author_key(
            slot.last_name, given_name(slot.fore_name), letters(slot.initials)
        )
        found[i] = _profile(
            slot,
            slot.institutions or paper_places[slot.pmid],
            own,
            paper_keys[slot.pmid],
            facts[slot.pmid],
            given_name,
            letters,
        )
    return found


class _PaperPlaces(dict):
    """Per PMID, the institutions of its authors, for slots that name none of their own:
    MEDLINE kept only the first author's affiliation before 2014, and co-authors mostly
    work where it says.  A paper of more than ``limit`` authors places no one."""

    def __init__(self, slots: Sequence, by_paper: Mapping[str, list[int]], limit: int):
        super().__init__()
        self.slots, self.by_paper, self.limit = slots, by_paper, limit

    def __missing__(self, pmid: str) -> tuple:
        members = self.by_paper[pmid]
        found: tuple = ()
        if len(members) <= self.limit:
            written = (inst for i in members for inst in self.slots[i].institutions)
            found = tuple(dict.fromkeys(written))
        self[pmid] = found
        return found


@lru_cache(maxsize=262144)
def _block_commonness(block: tuple[str, str]) -> float:
    return commonness(" ".join(block))


@lru_cache(maxsize=262144)
def _surname_commonness(surname: str) -> float:
    return surname_commonness(surname)


#: Title words: three or more letters or digits (case folded; accents kept, which is cheap
#: and costs nothing within one language).
_WORD = re.compile(r"[^\W_]{3,}")


@lru_cache(maxsize=65536)
def _journal(title: str) -> str:
    return fold(title)


_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "is",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "without",
        "its",
        "their",
        "study",
        "report",
        "case",
        "effect",
        "effects",
        "patients",
        "patient",
        "using",
        "use",
        "during",
        "after",
        "between",
    ]
)


def _paper_facts(by_paper, papers) -> dict[str, tuple]:
    """Per PMID: folded journal, its words, MeSH set, and a unit tf-idf topic vector whose
    document frequencies come from the papers being linked (linear in their size)."""
    raw: dict[str, tuple] = {}
    df: Counter[str] = Counter()
    for pmid in by_paper:
        journal, mesh, *title = papers.get(pmid, ("", ()))
        mesh_set = frozenset(m.lower() for m in mesh or ())
        title_words = _WORD.findall(title[0].lower()) if title else ()
        words = {w for w in title_words if w not in _STOP}
        tokens = words | {f"m:{m}" for m in mesh_set}
        df.update(tokens)
        raw[pmid] = (_journal(journal or ""), mesh_set, tokens)
    n = len(raw) + 1
    idf = {t: math.log(n / (count + 1)) + 1 for t, count in df.items()}  # once per token
    facts = {}
    for pmid, (journal, mesh_set, tokens) in raw.items():
        weights = {t: idf[t] for t in tokens}
        norm = math.sqrt(sum(map(operator.mul, weights.values(), weights.values()))) or 1.0
        topic = {t: w / norm for t, w in weights.items()}
        facts[pmid] = (journal, frozenset(journal.split()) - _STOP, mesh_set, topic)
    return facts


_NONE: frozenset[str] = frozenset()


def _profile(slot, institutions, key, coauthors, facts, given_name, letters) -> Profile:
    places: _Places = _places(institutions) if institutions else (_NONE, (), _NONE, _NONE)
    block = slot.block
    return Profile(
        slot.pmid,
        given_name(slot.fore_name),
        letters(slot.initials) or fold(slot.fore_name)[:1].upper(),
        *places,
        frozenset(slot.emails) if slot.emails else _NONE,
        coauthors,
        key,
        facts[2],
        facts[3],
        facts[0],
        facts[1],
        slot.year,
        _block_commonness(block),
        _surname_commonness(block[0]),
        bool(institutions) and not slot.institutions,
    )


_Places = tuple[frozenset[str], tuple[frozenset[str], ...], frozenset[str], frozenset[str]]


@lru_cache(maxsize=65536)
def _places(institutions: tuple) -> _Places:
    """Ids, name words, cities and countries of a slot's institutions (shared by slots)."""
    return (
        frozenset(i.institution_id for i in institutions),
        tuple(frozenset(i.key.split()) for i in institutions),
        frozenset(fold(i.city) for i in institutions if i.city),
        frozenset(i.country for i in institutions if i.country),
    )


# --- pairwise features ---------------------------------------------------------------------


def features(a: Profile, b: Profile) -> list[float]:
    """The comparison vector of two profiles of one block, in :data:`FEATURES` order."""
    equal, conflict, initial_only = _first_names(a, b)
    common = max(a.commonness, b.commonness)
    same_country = not a.countries.isdisjoint(b.countries)
    return [
        equal,
        conflict,
        initial_only,
        equal * common,
        *_middles(a.letters, b.letters),
        common,
        float(not a.institutions.isdisjoint(b.institutions)),
        _best_overlap(a.institution_words, b.institution_words),
        float(not a.cities.isdisjoint(b.cities)),
        float(same_country),
        float(bool(a.countries and b.countries and not same_country)),
        float(bool(a.institutions and b.institutions)),
        float(not a.emails.isdisjoint(b.emails)),
        math.log1p(_shared_coauthors(a, b)),
        _jaccard(a.mesh, b.mesh),
        _cosine(a.topic, b.topic),
        float(bool(a.journal) and a.journal == b.journal),
        _jaccard(a.journal_words, b.journal_words),
        math.log1p(abs(a.year - b.year)) if a.year and b.year else 0.0,
        a.surname_commonness,  # one block, one surname
    ]


def _cosine(x: dict[str, float], y: dict[str, float]) -> float:
    if len(x) > len(y):
        x, y = y, x
    # the terms in the order of x, as sum(w * y.get(t, 0.0) for ...) adds them, at C speed
    return sum(map(operator.mul, x.values(), map(y.get, x, repeat(0.0))))


def _first_names(a: Profile, b: Profile) -> tuple[float, float, float]:
    """(equal, conflict, one of them initials only); a name that starts the other
    (``Rob`` / ``Robert``, ``Jean`` / ``Jean-Pierre``) is neither equal nor a conflict."""
    if a.given and b.given:
        if a.given == b.given:
            return 1.0, 0.0, 0.0
        return 0.0, float(not names_compatible(a.given, b.given)), 0.0
    return 0.0, 0.0, float(bool(a.given or b.given))


def names_compatible(x: str, y: str) -> bool:
    """Two written first names (folded, no spaces) that may be one person's."""
    return x.startswith(y) or y.startswith(x)


def _middles(x: str, y: str) -> tuple[float, float]:
    if len(x) < 2 or len(y) < 2:
        return 0.0, 0.0
    return float(x[1:] == y[1:]), float(not (x.startswith(y) or y.startswith(x)))


def _best_overlap(xs: tuple[frozenset[str], ...], ys: tuple[frozenset[str], ...]) -> float:
    if not xs or not ys:
        return 0.0
    return max((_jaccard(x, y) for x in xs for y in ys), default=0.0)


def _jaccard(x: frozenset[str], y: frozenset[str]) -> float:
    if not x or not y:
        return 0.0
    shared = len(x & y)
    return shared / (len(x) + len(y) - shared)


def _shared_coauthors(a: Profile, b: Profile) -> int:
    if a.coauthors is None or b.coauthors is None:
        return 0
    shared = a.coauthors & b.coauthors
    return len(shared - {a.own_key, b.own_key})


def hard_conflict(a: Profile, b: Profile) -> bool:
    """Two slots that cannot be one person whatever else they share."""
    if a.pmid == b.pmid:
        return True
    if a.given and b.given and not names_compatible(a.given, b.given):
        return True
    return not (a.letters.startswith(b.letters) or b.letters.startswith(a.letters))


def candidate_tokens(p: Profile) -> set[str]:
    """Evidence tokens; in a very large block only slots sharing one are compared.  The
    written first name (or all initials) is one: pairs joined by names, middle initials and
    topics alone were otherwise never proposed (``bench/bench_blocking.py``)."""
    tokens = {f"i:{x}" for x in p.institutions} | {f"e:{x}" for x in p.emails}
    tokens |= {f"c:{x}" for x in p.coauthors or () if x != p.own_key}
    tokens.add(f"n:{p.given or p.letters}")
    if p.journal:
        tokens.add(f"j:{p.journal}")
    return tokens


# --- clustering ----------------------------------------------------------------------------


class Linkable(Protocol):
    """What :func:`agglomerate` needs of a union-find over slots (``authors._Clusters``)."""

    def find(self, i: int) -> int: ...
    def members(self, root: int) -> list[int]: ...
    def can_merge(self, a: int, b: int) -> bool: ...
    def merge(
        self,
        a: int,
        b: int,
        method: str,
        evidence: str = "",
        force: bool = False,
        probability: float = 1.0,
    ) -> bool: ...


#: Only an ORCID makes a person certain: a model merge is at most this confident.
MAX_CONFIDENCE = 0.99
#: The log-odds given to a pair that can never be one person.
NEVER = -50.0


def block_scores(
    members: Sequence[int], profiles: Sequence[Profile], settings: LinkageSettings
) -> dict[tuple[int, int], float]:
    """Log-odds of the pairs of a block worth scoring (all of them in a block of at most
    ``max_block_full`` slots, else those sharing an evidence token)."""
    pairs: Iterable[tuple[int, int]]
    if len(members) <= settings.max_block_full:
        pairs = ((a, b) for k, a in enumerate(members) for b in members[k + 1 :])
    else:
        pairs = _sharing_pairs(members, profiles)
    return {pair: pair_score(profiles[pair[0]], profiles[pair[1]], settings) for pair in pairs}


def pair_score(a: Profile, b: Profile, settings: LinkageSettings) -> float:
    """The log-odds that two slots are one person (:data:`NEVER` on a hard conflict)."""
    if hard_conflict(a, b):
        return NEVER
    return settings.log_odds(features(a, b))


def _sharing_pairs(members: Sequence[int], profiles: Sequence[Profile]) -> set[tuple[int, int]]:
    holders: dict[str, list[int]] = defaultdict(list)
    for i in members:
        for token in candidate_tokens(profiles[i]):
            holders[token].append(i)
    pairs: set[tuple[int, int]] = set()
    for group in holders.values():
        if len(group) <= 200:  # a token every slot holds (one journal) says little and costs n^2
            pairs.update((a, b) for k, a in enumerate(group) for b in group[k + 1 :])
    return pairs


def agglomerate(
    scored: dict[tuple[int, int], float],
    clusters: Linkable,
    threshold: float,
    order: Callable[[int], tuple],
    score: Callable[[int, int], float],
    describe: Callable[[int, int], str] = lambda i, j: "",
) -> int:
    """Average-linkage merges, strongest pair first: two clusters merge when the mean
    log-odds over all their cross pairs reaches ``threshold`` and no hard constraint forbids
    it.  ``order`` breaks ties independently of file order; ``score`` scores a pair that
    ``scored`` lacks.  Returns the number of merges."""
    strong = sorted(
        ((s, pair) for pair, s in scored.items() if s >= threshold),
        key=lambda item: (-item[0], order(item[1][0]), order(item[1][1])),
    )
    merged = 0
    for _strength, (i, j) in strong:
        a, b = clusters.find(i), clusters.find(j)
        if a == b or not clusters.can_merge(a, b):
            continue
        mean = _mean_linkage(clusters.members(a), clusters.members(b), scored, score)
        if mean >= threshold:
            probability = min(round(1 / (1 + math.exp(-mean)), 2), MAX_CONFIDENCE)
            evidence = f"{describe(i, j)} (mean log-odds {mean:.1f})"
            merged += clusters.merge(a, b, "name+evidence", evidence, probability=probability)
    return merged


def _mean_linkage(xs: list[int], ys: list[int], scored, score) -> float:
    total = 0.0
    for x in xs:
        for y in ys:
            pair = (x, y) if (x, y) in scored else (y, x)
            value = scored.get(pair)
            if value is None:
                value = scored[pair] = score(*pair)
            total += value
    return total / (len(xs) * len(ys))


def explain(a: Profile, b: Profile) -> str:
    """The evidence of a pair in words (for the identity record)."""
    x = dict(zip(FEATURES, features(a, b)))
    said = ["same first name" if x["first_name_equal"] else "compatible initials"]
    said += [text for name, text in _SAID if x[name]]
    if (x["same_institution"] or x["same_city"]) and (a.placed_by_paper or b.placed_by_paper):
        last_place = max(said.index(t) for t in ("same institution", "same city") if t in said)
        said[last_place] += " (a slot without affiliation placed by its paper's)"
    if x["shared_coauthors"]:
        said.append(f"{round(math.expm1(x['shared_coauthors']))} shared co-author(s)")
    if x["mesh_similarity"]:
        said.append(f"MeSH overlap {x['mesh_similarity']:.2f}")
    if a.year and b.year:
        said.append(f"{abs(a.year - b.year)} year(s) apart")
    return f"PMID {a.pmid} ~ PMID {b.pmid}: " + ", ".join(said)


_SAID = (
    ("middle_equal", "same middle initials"),
    ("same_institution", "same institution"),
    ("same_city", "same city"),
    ("same_email", "same e-mail"),
    ("same_journal", "same journal"),
)
