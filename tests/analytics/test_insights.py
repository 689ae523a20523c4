"""Insight counts on hand-made data with known answers; themes on the generator's data."""

from __future__ import annotations

import multiprocessing
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from kolgraph.analytics.insights import (
    EXAMPLE_CANDIDATES,
    NONE_LABEL,
    _vectorize,
    cluster_texts,
    insight_summary,
    insight_themes,
    label_terms,
    load_insight_categories,
    quarter_range,
    quarters,
    theme_stop_words,
    trend_direction,
)
from kolgraph.errors import ConfigError, InputError
from kolgraph.generate import PLANTED_THEMES, generate_bundle
from kolgraph.schema import DEFAULT_INSIGHT_CATEGORIES

TP_COLUMNS = [
    "touchpoint_id",
    "msl_id",
    "hcp_id",
    "date",
    "channel",
    "topic",
    "insight",
    "insight_category",
    "sentiment",
]

# (id, msl, hcp, date, insight, category, sentiment); topic = "t" + id
TOUCHES = [
    (
        "T01",
        "M1",
        "H1",
        "2024-12-31",
        "Wants registry data <b>now</b>",
        "research interest",
        "positive",
    ),
    ("T02", "M1", "H1", "2025-01-01", "Prior auth delays", "access and reimbursement", "negative"),
    ("T03", "M1", "H2", "2025-03-31", "Asked about dosing", "product perception", "neutral"),
    ("T04", "M2", "H3", "2025-04-01", "Competitor oral option", "competitor", "negative"),
    ("T05", "M2", "H3", "2025-04-02", "   ", "other", "neutral"),  # blank: not an insight
    ("T06", "M2", "H4", "2025-06-30", "", None, None),  # blank: not an insight
    ("T07", "M2", "H4", "2025-10-15", "Unscored HCP's note", None, None),
    ("T08", "M1", "H2", "2025-10-15", "Dosing again", "product perception", "positive"),
]
HCPS = pd.DataFrame(
    {
        "hcp_id": ["H1", "H2", "H3", "H4"],
        "name": ["Ann A", "Bo B", "Cy C", "Di D"],
        "territory": ["North", "North", "South", None],
    },
    dtype=object,
)
SCORES = pd.DataFrame({"hcp_id": ["H1", "H2", "H3"], "tier": [1, 2, 3]}, dtype=object)
MSLS = pd.DataFrame({"msl_id": ["M1", "M2"], "name": ["Mia M", "Max X"]}, dtype=object)


def touchpoints(rows=TOUCHES) -> pd.DataFrame:
    records = [
        (i, m, h, d, "in-person", f"t{i}", text, cat, sent) for i, m, h, d, text, cat, sent in rows
    ]
    return pd.DataFrame(records, columns=TP_COLUMNS, dtype=object)


def summary(**filters) -> dict:
    return insight_summary(touchpoints(), HCPS, SCORES, msls=MSLS, **filters)


# --- the vocabulary ------------------------------------------------------------------------------


def test_categories_default_without_a_file(tmp_path):
    assert load_insight_categories(tmp_path) == DEFAULT_INSIGHT_CATEGORIES


def test_categories_from_insights_toml(tmp_path):
    (tmp_path / "insights.toml").write_text('categories = ["Efficacy", " safety ", "other"]\n')
    assert load_insight_categories(tmp_path) == ("Efficacy", "safety", "other")


@pytest.mark.parametrize(
    "text",
    [
        "categories = []",
        'categories = "safety"',
        'categories = ["a", ""]',
        'categories = ["Safety", "safety"]',
        "categories = [",
        "categories = [1]",
    ],
)
def test_bad_category_settings_are_config_errors(tmp_path, text):
    (tmp_path / "insights.toml").write_text(text)
    with pytest.raises(ConfigError, match=re.escape("insights.toml")):
        load_insight_categories(tmp_path)


# --- counts ---------------------------------------------------------------------------------------


def test_quarters_split_at_calendar_boundaries():
    dates = pd.Series(
        ["2024-12-31", "2025-01-01", "2025-03-31", "2025-04-01", "2025-09-30", "2025-10-01"]
    )
    assert quarters(dates).tolist() == [
        "2024-Q4",
        "2025-Q1",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    assert quarter_range(["2025-Q3", "2024-Q4"]) == ["2024-Q4", "2025-Q1", "2025-Q2", "2025-Q3"]
    assert quarter_range([]) == []


def test_blank_insights_are_not_counted():
    result = summary()
    assert result["total"] == 6
    assert sum(result["counts"]["sentiment"].values()) == 6


def test_counts_by_every_dimension():
    counts = summary()["counts"]
    assert list(counts["category"]) == [*DEFAULT_INSIGHT_CATEGORIES, NONE_LABEL]
    assert counts["category"]["product perception"] == 2
    assert counts["category"]["competitor"] == 1
    assert counts["category"]["safety"] == 0
    assert counts["category"][NONE_LABEL] == 1
    assert counts["sentiment"] == {"positive": 2, "neutral": 1, "negative": 2, NONE_LABEL: 1}
    assert counts["territory"] == {"North": 4, "South": 1, NONE_LABEL: 1}
    assert counts["tier"] == {"1": 2, "2": 2, "3": 1, NONE_LABEL: 1}
    # quarters run without gaps: 2025-Q3 has no insight but is listed
    assert counts["quarter"] == {
        "2024-Q4": 1,
        "2025-Q1": 2,
        "2025-Q2": 1,
        "2025-Q3": 0,
        "2025-Q4": 2,
    }


def test_category_by_quarter():
    grid = summary()["category_by_quarter"]
    assert grid["product perception"] == {
        "2024-Q4": 0,
        "2025-Q1": 1,
        "2025-Q2": 0,
        "2025-Q3": 0,
        "2025-Q4": 1,
    }
    assert grid[NONE_LABEL]["2025-Q4"] == 1
    assert sum(sum(q.values()) for q in grid.values()) == 6


def test_newest_insights_are_from_tier_1_and_2_newest_first():
    newest = summary()["newest"]
    assert [n["touchpoint_id"] for n in newest] == ["T08", "T03", "T02", "T01"]
    first = newest[0]
    assert first == {
        "date": "2025-10-15",
        "touchpoint_id": "T08",
        "hcp_id": "H2",
        "hcp_name": "Bo B",
        "tier": 2,
        "territory": "North",
        "msl_id": "M1",
        "msl_name": "Mia M",
        "insight_category": "product perception",
        "sentiment": "positive",
        "topic": "tT08",
        "insight": "Dosing again",
    }


def test_insight_text_is_kept_as_given():
    newest = summary()["newest"]
    assert newest[-1]["insight"] == "Wants registry data <b>now</b>"  # escaping is the web's job


def test_newest_limit():
    assert len(insight_summary(touchpoints(), HCPS, SCORES, limit=2)["newest"]) == 2


@pytest.mark.parametrize(
    "filters, expected_ids",
    [
        ({"territory": "South"}, {"T04"}),
        ({"since": "2025-03-31"}, {"T03", "T04", "T07", "T08"}),
        ({"since": date(2025, 4, 1), "as_of": "2025-10-14"}, {"T04"}),
        ({"tier": 2}, {"T03", "T08"}),
        ({"tier": "1"}, {"T01", "T02"}),
        ({"category": "Product Perception"}, {"T03", "T08"}),
    ],
)
def test_filters(filters, expected_ids):
    frame = touchpoints()
    result = insight_summary(frame, HCPS, SCORES, msls=MSLS, **filters)
    assert result["total"] == len(expected_ids)
    tier12 = {i for i in expected_ids if i in {"T01", "T02", "T03", "T08"}}
    assert {n["touchpoint_id"] for n in result["newest"]} == tier12


def test_filters_are_echoed_in_canonical_form():
    result = summary(category="SAFETY", since="2025-01-01", tier="2")
    assert result["filters"] == {
        "territory": None,
        "since": "2025-01-01",
        "tier": 2,
        "category": "safety",
        "as_of": None,
    }
    assert result["total"] == 0


def test_unknown_category_lists_the_allowed_ones():
    with pytest.raises(InputError, match="allowed: unmet need, treatment practice"):
        summary(category="gossip")


def test_a_configured_vocabulary_is_used():
    result = insight_summary(touchpoints(), HCPS, SCORES, categories=("competitor", "mood"))
    assert list(result["counts"]["category"])[:2] == ["competitor", "mood"]
    # stored categories outside the vocabulary are still counted, after it
    assert result["counts"]["category"]["product perception"] == 2
    with pytest.raises(InputError, match="allowed: competitor, mood"):
        insight_summary(
            touchpoints(), HCPS, SCORES, categories=("competitor", "mood"), category="safety"
        )


@pytest.mark.parametrize("tier", [0, -1, "x", "1.5", True, 4])
def test_bad_tier(tier):
    with pytest.raises(InputError, match="tier"):
        summary(tier=tier)


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"since": "2025-13-01"}, "--since must be a date"),
        ({"since": "2025-05-01", "as_of": "2025-01-01"}, "is after"),
        ({"territory": "Atlantis"}, "territories with insights: North, South"),
    ],
)
def test_bad_filters(filters, message):
    with pytest.raises(InputError, match=message):
        summary(**filters)


def test_no_touchpoints_at_all():
    result = insight_summary(touchpoints([]), HCPS, SCORES)
    assert result["total"] == 0 and result["newest"] == []
    assert result["counts"]["quarter"] == {} and result["counts"]["category"]["safety"] == 0


# --- trends and labels ------------------------------------------------------------------------


def test_trend_direction_uses_the_share_of_insights():
    totals = np.array([100, 200, 400, 800])
    assert trend_direction(np.array([10, 20, 40, 80]), totals)[0] == "stable"  # same share
    assert trend_direction(np.array([5, 20, 60, 160]), totals)[0] == "growing"
    assert trend_direction(np.array([30, 30, 30, 30]), totals)[0] == "fading"
    assert trend_direction(np.array([1, 2]), np.array([5, 5])) == ("stable", 0.0)  # too short


def test_label_terms_skip_overlapping_phrases():
    vocabulary = np.array(["real", "real world", "registry", "world evidence", "evidence"])
    center = np.array([0.9, 1.0, 0.8, 0.7, 0.1])
    assert label_terms(center, vocabulary, n=3) == ["real world", "registry", "evidence"]


def test_label_terms_prefer_a_phrase_as_heavy_as_its_word():
    vocabulary = np.array(["real", "real world", "registry", "world"])
    assert label_terms(np.array([1.0, 0.9, 0.5, 0.3]), vocabulary, n=2) == [
        "real world",
        "registry",
    ]
    assert label_terms(np.array([1.0, 0.5, 0.6, 0.0]), vocabulary, n=2) == ["real", "registry"]


def test_too_few_notes_make_no_themes():
    assert insight_themes(touchpoints(), HCPS, SCORES) == []


def test_n_themes_must_be_positive():
    with pytest.raises(InputError, match="at least 1"):
        cluster_texts(["a b"] * 30, n_themes=0)


# --- themes on the generator's data ------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The S bundle's touchpoints, HCPs and a tier per HCP (ranked by id: any tier will do)."""
    folder = tmp_path_factory.mktemp("bundle")
    generate_bundle(folder, "S", seed=42, as_of=date(2025, 6, 30))
    read = lambda name: pd.read_csv(folder / f"{name}.csv", dtype=str, keep_default_na=False)  # noqa: E731
    hcps = read("hcps").assign(name=lambda f: f["first_name"] + " " + f["last_name"])
    scores = pd.DataFrame({"hcp_id": hcps["hcp_id"], "tier": np.arange(len(hcps)) % 4 + 1})
    return read("touchpoints"), hcps, scores


def planted_truth(texts: pd.Series) -> np.ndarray:
    """The planted theme of each note (every phrasing contains ``keywords[0]``), or noise."""
    lowered = texts.str.lower()
    truth = np.full(len(texts), "noise", dtype=object)
    for planted in PLANTED_THEMES:
        truth[lowered.str.contains(planted.keywords[0], regex=False).to_numpy()] = planted.key
    return truth


@pytest.fixture(scope="module")
def themes(generated):
    touchpoints_, hcps, scores = generated
    return insight_themes(touchpoints_, hcps, scores, seed=0)


def matching_theme(themes: list[dict], planted) -> dict | None:
    """The largest found theme whose label or examples mention a planted theme's key word."""
    for theme in themes:
        text = " ".join([theme["label"], *(e["insight"] for e in theme["examples"])]).lower()
        if theme["theme"] and planted.keywords[0] in text:
            return theme
    return None


@pytest.mark.parametrize("planted", PLANTED_THEMES, ids=lambda p: p.key)
def test_every_planted_theme_is_found(themes, planted):
    theme = matching_theme(themes, planted)
    assert theme is not None, f"no theme for {planted.label}: {[t['label'] for t in themes]}"
    examples = [e["insight"].lower() for e in theme["examples"]]
    assert len(examples) == 3 and all(planted.keywords[0] in e for e in examples)


def test_found_themes_are_pure_and_cover_the_planted_ones(generated):
    touchpoints_, _, _ = generated
    notes = touchpoints_[touchpoints_["insight"].str.strip() != ""]
    labels = cluster_texts(notes["insight"].tolist(), seed=0).labels
    truth = planted_truth(notes["insight"])
    for planted in PLANTED_THEMES:
        members = truth == planted.key
        best = max(
            np.unique(labels[members & (labels >= 0)]),
            key=lambda t: (members & (labels == t)).sum(),
        )
        in_best = labels == best
        purity = (members & in_best).sum() / in_best.sum()
        recall = (members & in_best).sum() / members.sum()
        assert purity >= 0.9, (planted.key, purity)
        assert recall >= 0.5, (planted.key, recall)
    # noise notes do not form big themes: a noise-led theme is smaller than any planted theme
    smallest_planted = min((truth == p.key).sum() for p in PLANTED_THEMES)
    for theme in np.unique(labels[labels >= 0]):
        in_theme = labels == theme
        if (truth[in_theme] == "noise").mean() > 0.5:
            assert in_theme.sum() <= 1.1 * smallest_planted


@pytest.mark.parametrize(
    "planted", [p for p in PLANTED_THEMES if p.trend != "steady"], ids=lambda p: p.key
)
def test_trends_come_out_as_planted(themes, planted):
    theme = matching_theme(themes, planted)
    expected = {"growing": "growing", "fading": "fading"}[planted.trend]
    assert theme["direction"] == expected, (theme["label"], theme["trend"], theme["change"])


def test_theme_shape(themes):
    theme = themes[0]
    assert set(theme) == {
        "theme",
        "label",
        "terms",
        "size",
        "share",
        "trend",
        "direction",
        "change",
        "examples",
    }
    assert theme["theme"] == 1 and theme["label"] == ", ".join(theme["terms"])
    assert 3 <= len(theme["terms"]) <= 4
    assert sum(theme["trend"].values()) == theme["size"]
    assert [t["size"] for t in themes if t["theme"]] == sorted(
        (t["size"] for t in themes if t["theme"]), reverse=True
    )


def test_themes_are_deterministic_for_a_seed(generated, themes):
    again = insight_themes(*generated, seed=0)
    assert again == themes


def test_themes_take_the_same_filters(generated):
    touchpoints_, hcps, scores = generated
    tier1 = insight_themes(touchpoints_, hcps, scores, tier=1, since="2024-07-01")
    assert 0 < sum(t["size"] for t in tier1) < len(touchpoints_) / 3
    with pytest.raises(InputError, match="allowed"):
        insight_themes(touchpoints_, hcps, scores, category="rumours")


def test_n_themes_fixes_the_number_of_groups(generated):
    touchpoints_, _, _ = generated
    notes = touchpoints_[touchpoints_["insight"].str.strip() != ""]["insight"].tolist()
    model = cluster_texts(notes, n_themes=5, seed=1)
    assert len(model.terms) <= 5


def test_examples_never_show_one_note_twice():
    """A templated note logged hundreds of times fills the most central places of its theme;
    the examples still show each text once, and a theme of one text has one example."""
    supply = "Needs drug supply for the investigator-initiated trial."
    variants = [
        "Needs drug supply for the investigator-initiated trial; 4 patients enrolled.",
        "Investigator-initiated trial stalled: drug supply and contract pending.",
    ]
    other = "Prior authorization for biologics now renewed every 6 months."
    texts = [supply] * (EXAMPLE_CANDIDATES + 100) + variants * 5 + [other] * 200
    model = cluster_texts(texts, n_themes=2, seed=0)
    shown = [[texts[i] for i in theme] for theme in model.examples]
    one_text, templated = sorted(shown, key=len)
    assert one_text == [other]
    assert templated[0] == supply and sorted(templated) == sorted([supply, *variants])


@pytest.mark.parametrize("repeats", [1, 3])
def test_notes_logged_again_are_vectorised_as_scikit_learn_would(generated, repeats):
    """Each distinct text is counted once, yet the vectors and the vocabulary are those of
    TfidfVectorizer over every note: a term of one note logged twice recurs."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    touchpoints_, _, _ = generated
    notes = touchpoints_["insight"][touchpoints_["insight"].str.strip() != ""].tolist()
    texts = notes * repeats + ["zanubrutinib shortage", "zanubrutinib shortage"]
    vectors, vocabulary = _vectorize(texts)
    reference = TfidfVectorizer(
        ngram_range=(1, 2),
        stop_words=theme_stop_words(),
        sublinear_tf=True,
        use_idf=False,
        min_df=max(2, round(0.001 * len(texts))),
    )
    expected = reference.fit_transform(texts)
    assert list(vocabulary) == list(reference.get_feature_names_out())
    assert "zanubrutinib" in vocabulary or round(0.001 * len(texts)) > 2
    assert vectors.shape == expected.shape and abs(vectors - expected).max() < 1e-12


def _cluster_in_child(texts: list[str]) -> None:
    cluster_texts(texts, seed=0)


def test_themes_are_found_in_a_process_forked_after_openmp_ran():
    """``kolgraph demo`` scores, then forks its web workers: GNU OpenMP hung a worker's
    k-means on the themes page until gunicorn killed it (300 s)."""
    from sklearn.cluster import MiniBatchKMeans

    points = np.random.default_rng(0).random((2000, 20))
    MiniBatchKMeans(n_clusters=5, n_init=1, random_state=0).fit(points)  # OpenMP ran here
    texts = [f"Needs drug supply for trial {i % 7}; site {i % 3}." for i in range(300)]
    child = multiprocessing.get_context("fork").Process(target=_cluster_in_child, args=(texts,))
    child.start()
    child.join(60)
    hung = child.is_alive()
    if hung:
        child.kill()
        child.join()
    assert not hung and child.exitcode == 0
