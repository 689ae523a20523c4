"""Field insights: counts by category, sentiment, territory, tier and quarter; recurring themes.

Pure functions over the plain tables a store returns (``touchpoints``, ``hcps``, ``msls``)
and its ``scores``, so every store gives the same answers.

A touchpoint is an *insight* only when its ``insight`` text is not blank: a logged call with
no note says nothing about what the field is hearing, so it counts nowhere here.

Themes are found in two steps (:func:`cluster_texts`):

1. TF-IDF vectors of the notes (term frequencies without IDF; word 1-2 grams, English stop words plus the reporting words
   every MSL note is full of, :data:`ROUTINE_WORDS`), clustered by MiniBatchKMeans into many
   small, tight groups (one per way of saying something);
2. those groups merged by average-linkage agglomerative clustering of their centroids, so
   different phrasings of one subject (sharing its key terms) become one theme.

Groups smaller than :func:`min_theme_size` and notes with no vocabulary term form ``other``.
"""

from __future__ import annotations

import math
import tomllib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from kolgraph.answers.browse import InsightNarrowing
from kolgraph.config import default_home
from kolgraph.errors import ConfigError, InputError
from kolgraph.schema import DEFAULT_INSIGHT_CATEGORIES, SENTIMENTS

if TYPE_CHECKING:
    from sklearn.cluster import MiniBatchKMeans

# scikit-learn is imported where themes are computed: importing it takes 1-3 s, which every
# ``kolgraph load`` paid only to read the category vocabulary.

INSIGHTS_FILE = "insights.toml"

#: How a missing category, sentiment, territory or tier is counted.
NONE_LABEL = "(none)"
#: The newest insights come from HCPs of these tiers.
NEWEST_TIERS = (1, 2)
NEWEST_LIMIT = 10
NEWEST_COLUMNS = (
    "date",
    "touchpoint_id",
    "hcp_id",
    "hcp_name",
    "tier",
    "territory",
    "msl_id",
    "msl_name",
    "insight_category",
    "sentiment",
    "topic",
    "insight",
)
#: What themes read of each insight (:func:`themes_of`).
NOTE_COLUMNS = ("touchpoint_id", "date", "hcp_id", "insight")
#: The count dimensions of :func:`insight_summary`, in report order.
DIMENSIONS = ("category", "sentiment", "territory", "tier", "quarter")

#: Words that say how a note was reported, not what it is about ("asked", "wants", "sent",
#: "follow-up planned"); left in, they glue unrelated notes together.
ROUTINE_WORDS = frozenset(
    [
        "ask",
        "asked",
        "asking",
        "asks",
        "believe",
        "believes",
        "call",
        "called",
        "discuss",
        "discussed",
        "feel",
        "feels",
        "follow",
        "hcp",
        "hcps",
        "keen",
        "like",
        "likes",
        "meeting",
        "mention",
        "mentioned",
        "noted",
        "notes",
        "patient",
        "patients",
        "plan",
        "planned",
        "plans",
        "relevant",
        "reported",
        "reports",
        "request",
        "requested",
        "said",
        "says",
        "send",
        "sent",
        "share",
        "shared",
        "sharing",
        "team",
        "think",
        "thinks",
        "told",
        "visit",
        "want",
        "wanted",
        "wants",
        "would",
        "afterwards",
        "currently",
        "data",
        "questions",
        "question",
        "interested",
    ]
)


@cache
def theme_stop_words() -> list[str]:
    """English stop words and :data:`ROUTINE_WORDS`, sorted: what themes never consist of."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return sorted(ENGLISH_STOP_WORDS | ROUTINE_WORDS)


#: At most this many micro-clusters (step 1); enough for the phrasings of a dozen themes.
MICRO_CLUSTERS = 50
#: Micro-clusters whose centroids are at least this similar (cosine, average linkage) merge.
MERGE_SIMILARITY = 0.10
#: Fewer insights than this: no themes (too little text to say anything recurs).
MIN_THEME_NOTES = 20
EXAMPLES = 3
#: Example notes more similar than this (cosine) to one already shown are passed over.
EXAMPLE_OVERLAP = 0.8
EXAMPLE_CANDIDATES = 500
LABEL_TERMS = 4
#: A two-word phrase at least this heavy, relative to a word of it already in a label, replaces it.
PHRASE_PREFERENCE = 0.8
#: Relative change of a theme's share over the window beyond which it is growing / fading.
TREND_THRESHOLD = 0.3


# --- the vocabulary --------------------------------------------------------------------------


def load_insight_categories(home: Path | None = None) -> tuple[str, ...]:
    """The insight category vocabulary: ``categories`` in ``home/insights.toml``, else the default.

    ``home`` defaults to ``KOLGRAPH_HOME``.  Raises :class:`ConfigError` when the file cannot be
    read or ``categories`` is not a non-empty list of distinct non-blank strings.
    """
    path = Path(home if home is not None else default_home()) / INSIGHTS_FILE
    if not path.is_file():
        return DEFAULT_INSIGHT_CATEGORIES
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read insight settings: {exc}") from None
    if "categories" not in data:
        return DEFAULT_INSIGHT_CATEGORIES
    return _checked_categories(data["categories"], path)


def _checked_categories(value, path: Path) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise ConfigError(f"{path}: categories must be a non-empty list of strings")
    if not all(isinstance(v, str) and v.strip() for v in value):
        raise ConfigError(f"{path}: every category must be a non-blank string; got {value}")
    names = [v.strip() for v in value]
    lowered = [n.lower() for n in names]
    duplicates = sorted({n for n in lowered if lowered.count(n) > 1})
    if duplicates:
        raise ConfigError(
            f"{path}: categories listed twice (ignoring case): {', '.join(duplicates)}"
        )
    return tuple(names)


# --- the insight table and its filters ----------------------------------------------------


@dataclass(frozen=True)
class InsightFilter:
    """Which insights to look at; every field optional.  Build it with :meth:`checked`."""

    territory: str | None = None
    since: date | None = None
    tier: int | None = None
    category: str | None = None
    as_of: date | None = None

    @classmethod
    def checked(
        cls,
        categories: Sequence[str],
        *,
        known_territories: Sequence[str] | None,
        known_tiers: Sequence[int],
        territory=None,
        since=None,
        tier=None,
        category=None,
        as_of=None,
    ) -> InsightFilter:
        """A filter with every value checked; raises :class:`InputError`.  The territory must
        be one of ``known_territories`` (not checked when None), the tier at most the highest
        of ``known_tiers``."""
        since, as_of = _date_arg(since, "--since"), _date_arg(as_of, "--as-of")
        if since and as_of and since > as_of:
            raise InputError(f"--since {since} is after --as-of {as_of}")
        return cls(
            territory=_territory_arg(territory, known_territories),
            since=since,
            tier=_tier_arg(tier, known_tiers),
            category=_category_arg(category, categories),
            as_of=as_of,
        )

    @classmethod
    def checked_on(cls, frame: pd.DataFrame, categories: Sequence[str], **filters) -> InsightFilter:
        """:meth:`checked` against the territories and tiers of an :func:`insight_frame`."""
        return cls.checked(
            categories,
            known_territories=sorted({t for t in frame["territory"] if t}),
            known_tiers=sorted({t for t in frame["tier"] if t is not None}),
            **filters,
        )

    def apply(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of an :func:`insight_frame` this filter keeps."""
        keep = pd.Series(True, index=frame.index)
        if self.territory is not None:
            keep &= frame["territory"] == self.territory
        if self.since is not None:
            keep &= frame["date"] >= self.since.isoformat()  # ISO dates sort as text
        if self.as_of is not None:
            keep &= frame["date"] <= self.as_of.isoformat()
        if self.tier is not None:
            keep &= frame["tier"] == self.tier
        if self.category is not None:
            keep &= frame["insight_category"] == self.category
        return frame[keep]

    def narrowing(self) -> InsightNarrowing:
        """This filter beyond the territory, as a store's reads take it (ISO dates)."""
        return InsightNarrowing(_iso(self.since), _iso(self.as_of), self.tier, self.category)

    def as_dict(self) -> dict:
        """The filter as JSON-ready values (dates as ``YYYY-MM-DD``)."""
        return {
            "territory": self.territory,
            "since": _iso(self.since),
            "tier": self.tier,
            "category": self.category,
            "as_of": _iso(self.as_of),
        }


def insight_frame(
    touchpoints: pd.DataFrame,
    hcps: pd.DataFrame,
    scores: pd.DataFrame,
    msls: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Touchpoints with non-blank insight text, joined to their HCP, tier and MSL.

    Columns: the touchpoint columns, ``hcp_name``, ``territory`` (the HCP's), ``tier``
    (``None`` when unscored), ``msl_name`` and ``quarter`` (``YYYY-Qn``); sorted newest first.
    """
    text = touchpoints["insight"].fillna("").astype(str)
    frame = touchpoints[text.str.strip() != ""].copy()
    people = hcps[["hcp_id", "name", "territory"]].rename(columns={"name": "hcp_name"})
    frame = frame.merge(people, on="hcp_id", how="left")
    frame = frame.merge(scores[["hcp_id", "tier"]], on="hcp_id", how="left")
    names = (
        msls[["msl_id", "name"]] if msls is not None else pd.DataFrame(columns=["msl_id", "name"])
    )
    frame = frame.merge(names.rename(columns={"name": "msl_name"}), on="msl_id", how="left")
    frame["quarter"] = quarters(frame["date"])
    frame = frame.astype(object).where(frame.notna(), None)
    # an object column, or pandas turns the ints of a column with gaps into floats
    frame["tier"] = pd.Series(
        [_int_or_none(t) for t in frame["tier"]], index=frame.index, dtype=object
    )
    return frame.sort_values(["date", "touchpoint_id"], ascending=False, ignore_index=True)


def quarters(dates: pd.Series) -> pd.Series:
    """``YYYY-MM-DD`` dates as calendar quarters ``YYYY-Qn`` (e.g. ``2025-04-01`` -> ``2025-Q2``)."""
    text = dates.astype(str)
    distinct = pd.Series(text.unique(), dtype=object)  # a few hundred days for a million notes
    month = pd.to_numeric(distinct.str[5:7], errors="coerce").fillna(1).astype(int)
    quarter = distinct.str[:4] + "-Q" + ((month - 1) // 3 + 1).astype(str)
    return text.map(dict(zip(distinct, quarter)))


def quarter_range(present: Sequence[str]) -> list[str]:
    """Every quarter from the first to the last of ``present``, gaps included, in order."""
    if not len(present):
        return []
    first, last = min(present), max(present)
    year, q = int(first[:4]), int(first[-1])
    out = []
    while f"{year}-Q{q}" <= last:
        out.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


# --- aggregation -------------------------------------------------------------------------------

#: What insights are counted by (:func:`month_counts`); ``month`` is ``YYYY-MM``.  A report is
#: made from these counts, so a store can count in its query language and send a few rows.
GROUP_COLUMNS = ("insight_category", "sentiment", "territory", "tier", "month")


def insight_summary(
    touchpoints: pd.DataFrame,
    hcps: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    msls: pd.DataFrame | None = None,
    territory: str | None = None,
    since: date | str | None = None,
    tier: int | str | None = None,
    category: str | None = None,
    as_of: date | str | None = None,
    categories: Sequence[str] = DEFAULT_INSIGHT_CATEGORIES,
    limit: int = NEWEST_LIMIT,
) -> dict:
    """Insight counts by category, sentiment, territory, tier, quarter and category x quarter,
    and the newest insights from tier 1-2 HCPs, over whole tables (the reference every store's
    report must equal: :mod:`kolgraph.insights_report` reads counts and newest rows only).

    ``since`` / ``as_of`` bound the date (both inclusive); ``territory`` is the HCP's;
    ``tier`` is one exact tier; ``category`` one of ``categories`` (any case).  Bad filter
    values raise :class:`InputError`.  Returns ``{"filters", "total", "counts":
    {dimension: {value: n}}, "category_by_quarter": {category: {quarter: n}}, "newest"}``;
    missing values count under :data:`NONE_LABEL`; tiers are keyed as strings.
    """
    frame = insight_frame(touchpoints, hcps, scores, msls)
    chosen = InsightFilter.checked_on(
        frame,
        categories,
        territory=territory,
        since=since,
        tier=tier,
        category=category,
        as_of=as_of,
    )
    kept = chosen.apply(frame)
    return summarise(chosen, month_counts(kept), newest_insights(kept, limit), categories)


def summarise(
    chosen: InsightFilter, groups: pd.DataFrame, newest: list[dict], categories: Sequence[str]
) -> dict:
    """The report of :func:`insight_summary` from the insights ``chosen`` keeps, counted by
    :data:`GROUP_COLUMNS` (``groups``, see :func:`count_frame`), and the newest of them."""
    groups = groups.assign(quarter=quarters(groups["month"]))
    return {
        "filters": chosen.as_dict(),
        "total": int(groups["insights"].sum()),
        "counts": dimension_counts(groups, categories),
        "category_by_quarter": category_by_quarter(groups, categories),
        "newest": newest,
    }


def month_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """The insights of an :func:`insight_frame` counted by :data:`GROUP_COLUMNS`."""
    months = (str(d)[:7] for d in frame["date"])
    keys = zip(
        frame["insight_category"], frame["sentiment"], frame["territory"], frame["tier"], months
    )
    return count_frame([(*key, n) for key, n in Counter(keys).items()])


def count_frame(rows: Iterable[Sequence]) -> pd.DataFrame:
    """Rows of :data:`GROUP_COLUMNS` values and a count as a frame (``insights``), missing
    values ``None`` and tiers ints, as every store's rows must give the same report."""
    frame = pd.DataFrame(list(rows), columns=[*GROUP_COLUMNS, "insights"], dtype=object)
    frame = frame.where(frame.notna(), None)
    frame["tier"] = pd.Series(
        [_int_or_none(t) for t in frame["tier"]], index=frame.index, dtype=object
    )
    frame["insights"] = frame["insights"].astype(np.int64)
    return frame


def dimension_counts(groups: pd.DataFrame, categories: Sequence[str]) -> dict[str, dict[str, int]]:
    """``{dimension: {value: count}}`` over counted insights (:func:`summarise`'s ``groups``).

    Categories and sentiments list their whole vocabulary (zeros included) in vocabulary
    order; territories sort by name, tiers by number, quarters run without gaps.
    """
    weights = groups["insights"]
    tiers = sorted({t for t in groups["tier"] if t is not None})
    return {
        "category": _counts(groups["insight_category"], weights, categories),
        "sentiment": _counts(groups["sentiment"], weights, SENTIMENTS),
        "territory": _counts(
            groups["territory"], weights, sorted({t for t in groups["territory"] if t})
        ),
        "tier": _counts(
            [None if t is None else str(t) for t in groups["tier"]],
            weights,
            [str(t) for t in tiers],
        ),
        "quarter": _counts(groups["quarter"], weights, quarter_range(groups["quarter"].tolist())),
    }


def category_by_quarter(
    groups: pd.DataFrame, categories: Sequence[str]
) -> dict[str, dict[str, int]]:
    """``{category: {quarter: count}}``: every category, every quarter of the span."""
    span = quarter_range(groups["quarter"].tolist())
    cats = groups["insight_category"].map(lambda c: NONE_LABEL if c is None else c)
    return {
        cat: _counts(groups.loc[cats == cat, "quarter"], groups.loc[cats == cat, "insights"], span)
        for cat in _with_extra(categories, cats)
    }


def newest_insights(frame: pd.DataFrame, limit: int = NEWEST_LIMIT) -> list[dict]:
    """The ``limit`` newest insights of tier 1-2 HCPs (ties: higher touchpoint id first)."""
    top = frame[frame["tier"].isin(NEWEST_TIERS)].head(limit)  # frame is sorted newest first
    return [dict(row) for row in top[list(NEWEST_COLUMNS)].to_dict("records")]


def _counts(values: Iterable, weights: Iterable[int], order: Sequence[str]) -> dict[str, int]:
    """Sums of ``weights`` by value, in ``order``; values outside it (and missing ones) after it."""
    counts: Counter = Counter()
    for value, n in zip(values, weights):
        counts[NONE_LABEL if value is None else value] += int(n)
    return {key: counts.get(key, 0) for key in _with_extra(order, counts)}


def _with_extra(order: Sequence[str], present) -> list[str]:
    """``order``, then any value of ``present`` not in it (sorted), ``(none)`` last."""
    extra = sorted(set(present) - set(order) - {NONE_LABEL})
    return [*order, *extra, *([NONE_LABEL] if NONE_LABEL in set(present) else [])]


# --- filter arguments -------------------------------------------------------------------------


def _date_arg(value, flag: str) -> date | None:
    if isinstance(value, datetime):  # click's DateTime gives datetimes
        return value.date()
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InputError(f"{flag} must be a date YYYY-MM-DD; got {value!r}") from None


def _tier_arg(value, known: Sequence[int]) -> int | None:
    if value is None:
        return None
    try:
        tier = int(str(value))
    except ValueError:
        tier = 0
    if isinstance(value, bool) or tier < 1:
        raise InputError(f"--tier must be a whole number from 1; got {value!r}")
    if known and tier > max(known):
        raise InputError(f"--tier {tier}: the tiers of these HCPs run from 1 to {max(known)}")
    return tier


def _category_arg(value: str | None, categories: Sequence[str]) -> str | None:
    if value is None:
        return None
    spelling = {c.lower(): c for c in categories}
    if value.strip().lower() not in spelling:
        raise InputError(f"unknown insight category {value!r}; allowed: {', '.join(categories)}")
    return spelling[value.strip().lower()]


def _territory_arg(value: str | None, known: Sequence[str] | None) -> str | None:
    if value is None or known is None:
        return value
    if value not in known:
        shown = ", ".join(known[:30]) + (", ..." if len(known) > 30 else "")
        raise InputError(
            f"no insight comes from territory {value!r}; territories with insights: "
            f"{shown or '(none)'}"
        )
    return value


def _int_or_none(value) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --- themes ------------------------------------------------------------------------------------


@dataclass
class ThemeModel:
    """What :func:`cluster_texts` found: a theme per note (``-1`` = other), and per theme its
    label terms and the notes' similarity to the theme centroid."""

    labels: np.ndarray
    terms: list[list[str]]
    centrality: np.ndarray
    examples: list[list[int]]  # per theme, the positions of its example notes


def insight_themes(
    touchpoints: pd.DataFrame,
    hcps: pd.DataFrame,
    scores: pd.DataFrame,
    *,
    territory: str | None = None,
    since: date | str | None = None,
    tier: int | str | None = None,
    category: str | None = None,
    as_of: date | str | None = None,
    categories: Sequence[str] = DEFAULT_INSIGHT_CATEGORIES,
    n_themes: int | None = None,
    seed: int = 0,
) -> list[dict]:
    """Recurring themes in the insight texts (same filters as :func:`insight_summary`).

    Each theme: ``theme`` (1 = largest), ``label`` (its top terms joined), ``terms``, ``size``,
    ``share`` of the insights, ``trend`` ``{quarter: count}``, ``direction`` (growing /
    fading / stable), ``change`` (relative change of its share over the window) and
    ``examples`` (the most central notes).  Notes in no theme form a last entry with
    ``theme`` 0 and label ``other``.  Deterministic for a ``seed``; ``n_themes`` fixes how
    many groups the notes are merged into (default: decided by similarity).
    """
    frame = insight_frame(touchpoints, hcps, scores)
    chosen = InsightFilter.checked_on(
        frame,
        categories,
        territory=territory,
        since=since,
        tier=tier,
        category=category,
        as_of=as_of,
    )
    return themes_of(chosen.apply(frame)[list(NOTE_COLUMNS)], n_themes=n_themes, seed=seed)


def themes_of(notes: pd.DataFrame, *, n_themes: int | None = None, seed: int = 0) -> list[dict]:
    """:func:`insight_themes` of the insights a filter kept, :data:`NOTE_COLUMNS` only (a
    store reads just these)."""
    # oldest first, by id: the clustering sees the notes in a fixed order
    kept = notes.sort_values(["date", "touchpoint_id"], ignore_index=True)
    kept["quarter"] = quarters(kept["date"])
    if len(kept) < MIN_THEME_NOTES:
        return []
    model = cluster_texts(kept["insight"].tolist(), n_themes=n_themes, seed=seed)
    return describe_themes(kept, model)


def min_theme_size(n_notes: int) -> int:
    """The smallest group that counts as a theme: 1% of the notes, at least 5."""
    return max(5, math.ceil(0.01 * n_notes))


def cluster_texts(
    texts: Sequence[str], *, n_themes: int | None = None, seed: int = 0
) -> ThemeModel:
    """Group ``texts`` into themes (see the module docstring); ``-1`` marks other."""
    from threadpoolctl import threadpool_limits

    if n_themes is not None and (isinstance(n_themes, bool) or int(n_themes) < 1):
        raise InputError(f"the number of themes must be at least 1; got {n_themes!r}")
    # One thread: a web worker is a forked process, and GNU OpenMP hangs in a child forked
    # after its parent ran a parallel region (``kolgraph demo`` scores, then serves).
    with threadpool_limits(limits=1):
        return _clustered(texts, n_themes, seed)


def _clustered(texts: Sequence[str], n_themes: int | None, seed: int) -> ThemeModel:
    text_ids, distinct = _text_ids(texts)
    vectors, vocabulary = _vectors_of(text_ids, distinct)
    if vectors is None:
        return ThemeModel(np.full(len(texts), -1), [], np.zeros(len(texts)), [])
    has_terms = np.asarray(vectors.getnnz(axis=1) > 0)
    micro = _micro_clusters(vectors[has_terms], seed)
    merged = _merge(micro.cluster_centers_, n_themes)[micro.labels_]
    labels = np.full(len(texts), -1)
    labels[has_terms] = merged
    return _finish(vectors, labels, vocabulary, text_ids)


def _vectorize(texts: Sequence[str]):
    """TF-IDF rows (L2-normalised) and the vocabulary, or ``(None, None)`` when no term recurs.

    What ``TfidfVectorizer(sublinear_tf=True, use_idf=False, min_df=...)`` gives, with each
    distinct text counted once: notes logged again and again (a templated "Routine
    follow-up", a pick-list value) are most of a large CRM export, and counting words is most
    of the work.  A term's document frequency still counts every note.
    """
    return _vectors_of(*_text_ids(texts))


def _text_ids(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """A number per note, the same for the same text, and the distinct texts in that order."""
    return pd.factorize(np.asarray(texts, dtype=object))


def _vectors_of(codes: np.ndarray, distinct: np.ndarray):
    """:func:`_vectorize` of the notes ``distinct[codes]``."""
    from sklearn.feature_extraction.text import CountVectorizer
    from sklearn.preprocessing import normalize

    counter = CountVectorizer(ngram_range=(1, 2), stop_words=theme_stop_words())
    try:
        counts = counter.fit_transform(distinct)
    except ValueError:  # no term at all
        return None, None
    notes_per_text = np.bincount(codes, minlength=len(distinct))
    notes_with_term = (counts > 0).T @ notes_per_text
    # no IDF: the key words a theme's phrasings share must outweigh each phrasing's own words
    recurring = np.flatnonzero(notes_with_term >= max(2, round(0.001 * len(codes))))
    if not len(recurring):
        return None, None
    weights = counts[:, recurring].astype(np.float64)
    weights.data = np.log(weights.data) + 1.0  # sublinear term frequency
    vectors = normalize(weights)[codes]
    return vectors, counter.get_feature_names_out()[recurring]


def _micro_clusters(vectors, seed: int) -> MiniBatchKMeans:
    """Many small tight groups (one per phrasing); k-means on unit vectors = cosine k-means."""
    from sklearn.cluster import MiniBatchKMeans

    k = max(1, min(MICRO_CLUSTERS, vectors.shape[0] // 10))
    model = MiniBatchKMeans(n_clusters=k, random_state=seed, n_init=3, batch_size=4096)
    return model.fit(vectors)


def _merge(centers: np.ndarray, n_themes: int | None) -> np.ndarray:
    """A theme number per micro-cluster: centroids merged by average-linkage cosine similarity."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.preprocessing import normalize

    if len(centers) < 2:
        return np.zeros(len(centers), dtype=int)
    if n_themes is not None:
        merger = AgglomerativeClustering(
            n_clusters=min(int(n_themes), len(centers)), metric="cosine", linkage="average"
        )
    else:
        merger = AgglomerativeClustering(
            n_clusters=None,
            distance_threshold=1 - MERGE_SIMILARITY,
            metric="cosine",
            linkage="average",
        )
    return merger.fit_predict(normalize(centers))


def _finish(vectors, labels: np.ndarray, vocabulary, text_ids: np.ndarray) -> ThemeModel:
    """Small groups to other; themes renumbered largest first; labels, centrality, examples."""
    sizes = pd.Series(labels[labels >= 0]).value_counts()
    big = sizes[sizes >= min_theme_size(len(labels))]
    # largest first; equal sizes by old number, so the order is deterministic
    order = sorted(big.index, key=lambda c: (-big[c], c))
    renumber = {old: new for new, old in enumerate(order)}
    labels = np.array([renumber.get(c, -1) for c in labels])
    centrality = np.zeros(len(labels))
    terms, examples = [], []
    for theme in range(len(order)):
        members = np.flatnonzero(labels == theme)
        center = np.asarray(vectors[members].mean(axis=0)).ravel()
        centrality[members] = vectors[members] @ (center / (np.linalg.norm(center) or 1.0))
        terms.append(label_terms(center, vocabulary))
        examples.append(_varied_central(vectors, text_ids, members, centrality[members]))
    return ThemeModel(labels, terms, centrality, examples)


def _varied_central(
    vectors, text_ids: np.ndarray, members: np.ndarray, centrality: np.ndarray
) -> list[int]:
    """The most central notes, each unlike those already taken (cosine below
    :data:`EXAMPLE_OVERLAP`), so the examples show different ways the theme comes up.  One
    text is never shown twice: a theme of one note logged again and again has one example."""
    # most central first; ties: the later (newer) note first
    ranked = members[np.lexsort((-members, -centrality))]
    ranked = _first_of_each_text(ranked, text_ids)[:EXAMPLE_CANDIDATES]
    similar = (vectors[ranked] @ vectors[ranked].T).toarray()  # one product, not one per pick
    picks: list[int] = []
    for position in range(len(ranked)):
        if len(picks) == EXAMPLES:
            break
        if not picks or similar[position, picks].max() < EXAMPLE_OVERLAP:
            picks.append(position)
    chosen = [int(ranked[p]) for p in picks]
    rest = [int(i) for i in ranked if i not in chosen]
    return chosen + rest[: EXAMPLES - len(chosen)]


def _first_of_each_text(ranked: np.ndarray, text_ids: np.ndarray) -> np.ndarray:
    """``ranked`` without the notes whose text an earlier one of them has (``text_ids``:
    :func:`_text_ids`)."""
    _values, first = np.unique(text_ids[ranked], return_index=True)
    return ranked[np.sort(first)]


def label_terms(center: np.ndarray, vocabulary, n: int = LABEL_TERMS) -> list[str]:
    """The ``n`` heaviest terms of a centroid, skipping a term that shares a word with one
    already taken ("real world" then not "world evidence"), except that a phrase nearly as
    heavy as a single word it contains replaces it ("real" becomes "real world")."""
    chosen: dict[str, float] = {}
    for index in np.argsort(-center, kind="stable"):
        term, weight = vocabulary[index], float(center[index])
        if weight <= 0 or len(chosen) == n:
            break
        words = set(term.split())
        taken = [c for c in chosen if set(c.split()) & words]
        if not taken:
            chosen[term] = weight
        elif (
            len(words) > 1
            and taken == [w for w in taken if w in words]
            and len(taken) == 1
            and weight >= PHRASE_PREFERENCE * chosen[taken[0]]
        ):
            chosen = {(term if c == taken[0] else c): v for c, v in chosen.items()}
    return list(chosen)


def describe_themes(frame: pd.DataFrame, model: ThemeModel) -> list[dict]:
    """One dict per theme (then ``other``) from the notes of ``frame`` and their ``model``."""
    span = quarter_range(frame["quarter"].tolist())
    totals = frame["quarter"].value_counts().reindex(span, fill_value=0).to_numpy()
    themes = [_theme(frame, model, t, span, totals) for t in range(len(model.terms))]
    other = model.labels == -1
    if other.any():
        themes.append(_theme(frame, model, -1, span, totals))
    return themes


def _theme(
    frame: pd.DataFrame, model: ThemeModel, theme: int, span: list[str], totals: np.ndarray
) -> dict:
    members = model.labels == theme
    notes = frame[members]
    counts = notes["quarter"].value_counts().reindex(span, fill_value=0)
    direction, change = trend_direction(counts.to_numpy(), totals)
    terms = model.terms[theme] if theme >= 0 else []
    return {
        "theme": theme + 1,
        "label": ", ".join(terms) if terms else "other",
        "terms": terms,
        "size": int(members.sum()),
        "share": round(float(members.mean()), 4),
        "trend": {q: int(n) for q, n in counts.items()},
        "direction": direction,
        "change": round(change, 3),
        "examples": _examples(frame, model, theme),
    }


def _examples(frame: pd.DataFrame, model: ThemeModel, theme: int) -> list[dict]:
    """The theme's example notes; for other, simply the newest ones."""
    positions = (
        model.examples[theme] if theme >= 0 else np.flatnonzero(model.labels == -1)[::-1][:EXAMPLES]
    )
    rows = frame.iloc[list(positions)]
    return [
        {k: row[k] for k in ("touchpoint_id", "date", "hcp_id", "insight")}
        for row in rows.to_dict("records")
    ]


def trend_direction(counts: np.ndarray, totals: np.ndarray) -> tuple[str, float]:
    """``(direction, change)`` of a theme from its counts and all insights per quarter.

    ``change`` is the fitted change of the theme's share of insights from the first to the
    last quarter, relative to its mean share (least squares, quarters weighted by their
    insight volume, so a nearly empty first or last quarter cannot swing it).  Growing
    above +:data:`TREND_THRESHOLD`, fading below minus it; stable otherwise or with fewer than
    three quarters of data.
    """
    used = totals > 0
    if used.sum() < 3 or counts.sum() == 0:
        return "stable", 0.0
    x = np.arange(len(totals))[used]
    share = counts[used] / totals[used]
    weights = totals[used] / totals[used].sum()
    mean_x = (weights * x).sum()
    mean_share = (weights * share).sum()
    slope = (weights * (x - mean_x) * (share - mean_share)).sum() / (
        weights * (x - mean_x) ** 2
    ).sum()
    change = float(slope * (x[-1] - x[0]) / mean_share)
    if change > TREND_THRESHOLD:
        return "growing", change
    if change < -TREND_THRESHOLD:
        return "fading", change
    return "stable", change
