"""The synthetic bundle generator: determinism, the input contract, and the planted structure.

Checks read the CSV files with pandas, independently of the project's validator (which gets
its own end-to-end check at the bottom).
"""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta
from pathlib import Path

import networkx as nx
import pandas as pd
import pytest

from kolgraph import schema
from kolgraph.errors import InputError
from kolgraph.generate import (
    NO_MSL_CELL,
    PLANTED_THEMES,
    TERRITORIES,
    THERAPEUTIC_AREAS,
    generate_bundle,
)

AS_OF = date(2024, 6, 30)
SEED = 7


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle-s")
    generate_bundle(out, "S", seed=SEED, as_of=AS_OF)
    return out


def read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / f"{name}.csv", dtype="string", keep_default_na=False)


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob("*.csv"))
    }


# --- determinism and counts ---------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(bundle, tmp_path):
    generate_bundle(tmp_path, "S", seed=SEED, as_of=AS_OF)
    assert digests(tmp_path) == digests(bundle)


def test_another_seed_gives_other_data(bundle, tmp_path):
    generate_bundle(tmp_path, "S", seed=SEED + 1, as_of=AS_OF)
    ours, theirs = digests(bundle), digests(tmp_path)
    assert all(ours[name] != theirs[name] for name in ours)


def test_counts_match_files_and_progress(tmp_path):
    reported = []
    counts = generate_bundle(tmp_path, "s", seed=3, as_of=AS_OF, progress=reported.append)
    assert list(counts) == [t.name for t in schema.TABLES]
    for name, n in counts.items():
        assert len(read(tmp_path, name)) == n
    assert sum(reported) == sum(counts.values())


def test_s_has_about_the_right_sizes(bundle):
    assert len(read(bundle, "hcps")) == 2_000
    assert len(read(bundle, "publications")) == 8_000
    assert len(read(bundle, "touchpoints")) == 6_000
    assert 30 <= len(read(bundle, "institutions")) <= 100
    assert 100 <= len(read(bundle, "trials")) <= 200
    assert 4 <= len(read(bundle, "authorships")) / 8_000 <= 8


def test_unknown_size_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="unknown size 'XL'"):
        generate_bundle(tmp_path, "XL")


def test_as_of_defaults_to_today(tmp_path):
    generate_bundle(tmp_path, "S", seed=1)
    dates = pd.to_datetime(read(tmp_path, "touchpoints")["date"])
    assert dates.max().date() <= date.today()
    assert dates.max().date() >= date.today() - timedelta(days=30)


# --- the input contract ---------------------------------------------------------------------


def test_every_file_has_the_canonical_header(bundle):
    for table in schema.TABLES:
        with open(bundle / table.filename, encoding="utf-8") as f:
            assert f.readline().rstrip("\n") == ",".join(table.column_names)


def test_keys_unique_and_required_cells_filled(bundle):
    for table in schema.TABLES:
        frame = read(bundle, table.name)
        assert not frame.duplicated(list(table.key)).any(), table.name
        for column in table.required:
            assert (frame[column] != "").all(), (table.name, column)


def test_references_resolve(bundle):
    for table in schema.TABLES:
        frame = read(bundle, table.name)
        for column, target in table.references:
            known = set(read(bundle, target)[schema.TABLES_BY_NAME[target].key[0]])
            missing = set(frame[column]) - known
            assert not missing, (table.name, column, sorted(missing)[:5])


def test_nothing_is_dated_after_as_of(bundle):
    dates = pd.to_datetime(read(bundle, "touchpoints")["date"], format="%Y-%m-%d")
    assert dates.max().date() <= AS_OF
    assert dates.min().date() >= AS_OF - timedelta(days=735)
    years = read(bundle, "publications")["year"].astype(int)
    assert years.max() == AS_OF.year and years.min() == AS_OF.year - 14
    assert read(bundle, "trials")["start_year"].astype(int).max() <= AS_OF.year
    affiliations = read(bundle, "affiliations")
    start = affiliations["start_year"].astype(int)
    assert start.max() <= AS_OF.year
    ended = affiliations[affiliations["end_year"] != ""]
    assert (ended["end_year"].astype(int) <= AS_OF.year).all()
    assert (ended["end_year"].astype(int) >= ended["start_year"].astype(int)).all()
    assert 0 < len(ended) < len(affiliations)  # past posts exist, most are current


def luhn_ok(npi: str) -> bool:
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for i, d in enumerate(reversed(digits)):
        d = d * 2 if i % 2 else d
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def orcid_ok(orcid: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", orcid):
        return False
    total = 0
    for c in orcid.replace("-", "")[:15]:
        total = (total + int(c)) * 2
    check = (12 - total % 11) % 11
    return orcid[-1] == ("X" if check == 10 else str(check))


def test_npis_and_orcids_are_valid(bundle):
    hcps = read(bundle, "hcps")
    npis = hcps.loc[hcps["npi"] != "", "npi"]
    assert 0.8 < len(npis) / len(hcps) < 1.0  # most have one, some are blank
    assert npis.str.fullmatch(r"[12]\d{9}").all() and npis.is_unique
    assert all(map(luhn_ok, npis))
    orcids = hcps.loc[hcps["orcid"] != "", "orcid"]
    assert 0.1 < len(orcids) / len(hcps) < 0.9
    assert all(map(orcid_ok, orcids))


def test_hcp_territory_matches_state_and_specialty_matches_area(bundle):
    hcps = read(bundle, "hcps")
    territory_of = {s: t for t, states in TERRITORIES.items() for s in states}
    assert (hcps["state"].map(territory_of) == hcps["territory"]).all()
    assert set(hcps["territory"]) == set(TERRITORIES)
    specialties = {s for ta in THERAPEUTIC_AREAS for s in ta.specialties}
    assert set(hcps["specialty"]) <= specialties


def test_tricky_names_are_present_and_survive_reading(bundle):
    hcps = read(bundle, "hcps")
    names = set(zip(hcps["first_name"], hcps["last_name"]))
    assert {
        ("José", "Núñez"),
        ("Siobhan", "O'Brien"),
        ("Min-jun", "NA"),
        ("Anne-Marie", "Smith-Jones"),
    } <= names


def test_trials_and_roles(bundle):
    trials, roles = read(bundle, "trials"), read(bundle, "trial_roles")
    assert trials["nct_id"].str.fullmatch(r"NCT\d{8}").all()
    assert set(roles["role"]) == {"principal investigator", "sub-investigator", "overall official"}
    pis = roles[roles["role"] == "principal investigator"].groupby("nct_id").size()
    assert len(pis) == len(trials) and (pis == 1).all()
    # investigators are drawn from the productive HCPs
    papers = read(bundle, "authorships").groupby("hcp_id").size()
    pi_ids = roles.loc[roles["role"] == "principal investigator", "hcp_id"]
    assert papers.reindex(pi_ids).fillna(0).median() > 3 * papers.median()


# --- planted structure ----------------------------------------------------------------------


def test_author_positions_run_from_one_to_n(bundle):
    authorships = read(bundle, "authorships")
    authorships["position"] = authorships["position"].astype(int)
    per_paper = authorships.groupby("pmid")["position"].agg(["min", "max", "count"])
    assert (per_paper["min"] == 1).all()
    assert (per_paper["max"] == per_paper["count"]).all()
    assert per_paper["count"].max() <= 12 and per_paper["count"].mean() > 4


def test_productivity_is_heavy_tailed(bundle):
    authorships = read(bundle, "authorships")
    per_hcp = authorships.groupby("hcp_id").size().sort_values(ascending=False)
    top = per_hcp.iloc[: len(read(bundle, "hcps")) // 20]
    assert top.sum() / len(authorships) > 0.25
    assert per_hcp.max() > 10 * per_hcp.median()


def test_coauthorship_has_communities_joined_by_bridges(bundle):
    authorships = read(bundle, "authorships")
    pairs = authorships.merge(authorships, on="pmid")
    pairs = pairs[pairs["hcp_id_x"] < pairs["hcp_id_y"]]
    graph = nx.Graph(zip(pairs["hcp_id_x"], pairs["hcp_id_y"]))
    giant = max(nx.connected_components(graph), key=len)
    assert len(giant) > 0.8 * graph.number_of_nodes()  # bridges connect the groups
    communities = nx.community.louvain_communities(graph, seed=1)
    assert nx.community.modularity(graph, communities) > 0.5  # ... which are still distinct


def test_planted_themes_are_present_and_trend(bundle):
    notes = read(bundle, "touchpoints")
    text = notes["insight"].str.lower()
    day = pd.to_datetime(notes["date"])
    early = day < pd.Timestamp(AS_OF - timedelta(days=540))
    late = day >= pd.Timestamp(AS_OF - timedelta(days=180))
    themed = pd.Series(False, index=notes.index)
    for theme in PLANTED_THEMES:
        hit = text.str.contains(theme.keywords[0], regex=False)
        themed |= hit
        assert hit.mean() > 0.02, theme.key
        assert (notes.loc[hit, "insight_category"] == theme.category).mean() > 0.8, theme.key
        if theme.trend == "growing":
            assert hit[late].mean() > 1.5 * hit[early].mean(), theme.key
        elif theme.trend == "fading":
            assert hit[early].mean() > 1.5 * hit[late].mean(), theme.key
    noise = ~themed & (text != "")
    assert 0.2 < noise.mean() < 0.6


def test_touchpoint_values_are_in_their_vocabularies(bundle):
    notes = read(bundle, "touchpoints")
    assert set(notes["sentiment"]) <= {*schema.SENTIMENTS, ""}
    assert set(notes["insight_category"]) <= {*schema.DEFAULT_INSIGHT_CATEGORIES, ""}
    assert set(notes["channel"]) == {"in-person", "virtual", "email", "congress"}


def test_touchpoints_are_logged_by_an_msl_of_the_hcps_territory_and_area(bundle):
    notes, msls, hcps = read(bundle, "touchpoints"), read(bundle, "msls"), read(bundle, "hcps")
    area_of = {s: ta.name for ta in THERAPEUTIC_AREAS for s in ta.specialties}
    hcps["area"] = hcps["specialty"].map(area_of)
    joined = notes.merge(msls, on="msl_id").merge(hcps, on="hcp_id", suffixes=("_msl", "_hcp"))
    assert (joined["territory_msl"] == joined["territory_hcp"]).all()
    assert (joined["therapeutic_area"] == joined["area"]).all()


def test_coverage_gaps_are_planted(bundle):
    notes, msls, hcps = read(bundle, "touchpoints"), read(bundle, "msls"), read(bundle, "hcps")
    territory, area = NO_MSL_CELL
    assert not ((msls["territory"] == territory) & (msls["therapeutic_area"] == area)).any()
    assert {(t, a) for t in TERRITORIES for a in (ta.name for ta in THERAPEUTIC_AREAS)} - set(
        zip(msls["territory"], msls["therapeutic_area"])
    ) == {NO_MSL_CELL}
    papers = read(bundle, "authorships").groupby("hcp_id").size().sort_values(ascending=False)
    top = papers.index[: len(hcps) // 50]
    last_touch = pd.to_datetime(notes.groupby("hcp_id")["date"].max()).reindex(top)
    never = last_touch.isna()
    stale = last_touch < pd.Timestamp(AS_OF - timedelta(days=365))
    assert never.sum() >= 2 and stale.sum() >= 2
    assert (~never & ~stale).mean() > 0.4  # most top HCPs are covered
    # touches are skewed to the productive HCPs
    touches = notes.groupby("hcp_id").size()
    assert (
        touches.reindex(papers.index[:200]).fillna(0).mean()
        > 3 * touches.reindex(papers.index[-500:]).fillna(0).mean()
    )


def test_bundle_passes_the_project_validation(bundle):
    from kolgraph.loaders.bundle import read_bundle
    from kolgraph.loaders.validate import validate

    raw = read_bundle(bundle)
    assert raw.problems == []
    batch = validate(raw, None, today=AS_OF)
    assert len(batch["hcps"]) == 2_000


# --- benchmark size ---------------------------------------------------------------------------


@pytest.mark.slow
def test_m_has_benchmark_counts(tmp_path):
    counts = generate_bundle(tmp_path, "M", seed=SEED, as_of=AS_OF)
    assert counts["hcps"] == 50_000 and counts["publications"] == 200_000
    assert counts["touchpoints"] == 100_000
    authorships = pd.read_csv(
        tmp_path / "authorships.csv",
        dtype={"pmid": "int64", "hcp_id": "string", "position": "int64"},
    )
    authorships["hcp"] = authorships["hcp_id"].str[3:].astype("int64")
    pairs = authorships[["pmid", "hcp"]].merge(authorships[["pmid", "hcp"]], on="pmid")
    pairs = pairs[pairs["hcp_x"] < pairs["hcp_y"]]
    distinct = len(pairs[["hcp_x", "hcp_y"]].drop_duplicates())
    assert 800_000 <= distinct <= 1_300_000
