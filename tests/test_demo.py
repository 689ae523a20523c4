"""``kolgraph demo --no-serve``: generate once, load, score, and a first admin login."""

from __future__ import annotations

from click.testing import CliRunner

from kolgraph.cli import cli
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.users import UserStore


def run_demo(home):
    result = CliRunner().invoke(cli, ["--home", str(home), "demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_scores_and_creates_a_login(tmp_path):
    output = run_demo(tmp_path)
    assert "created web login 'admin'" in output and "scored 2,000 HCPs" in output
    with EmbeddedStore(tmp_path) as store:
        assert store.stats()["nodes"]["HCP"] == 2000
        scores = store.scores()
    assert len(scores) == 2000 and sorted(scores["rank"]) == list(range(1, 2001))
    assert [u.name for u in UserStore.for_home(tmp_path).list()] == ["admin"]


def test_demo_again_changes_nothing(tmp_path):
    run_demo(tmp_path)
    with EmbeddedStore(tmp_path) as store:
        before = store.stats()
    output = run_demo(tmp_path)
    assert "generating" not in output and "created web login" not in output
    with EmbeddedStore(tmp_path) as store:
        assert store.stats() == before


def test_real_demo_loads_the_shipped_sample_aligns_and_loads_crm_calls(tmp_path):
    result = CliRunner().invoke(cli, ["--home", str(tmp_path), "demo", "--real", "--no-serve"])
    assert result.exit_code == 0, result.output
    assert "crm: " in result.output and "created web login 'admin'" in result.output
    with EmbeddedStore(tmp_path) as store:
        stats = store.stats()
        hcps = store.table("hcps").set_index("hcp_id")
        touchpoints = store.table("touchpoints")
        assert store.alignment().source == "alignment.csv"
    assert stats["nodes"]["HCP"] > 4000 and stats["nodes"]["MSL"] == 10
    assert stats["nodes"]["Touchpoint"] == 600
    by_npi = touchpoints["hcp_id"].str.startswith("NPI-")  # the calls named by NPI
    assert 0 < by_npi.sum() < len(touchpoints)
    assert hcps.loc["NPI-1588667638", "postal_code"] == "32204"  # a real NPPES ZIP+4
    assert hcps["territory"].value_counts()["Iowa City"] >= 1  # Open Payments, ZIP 52242
    again = CliRunner().invoke(cli, ["--home", str(tmp_path), "demo", "--real", "--no-serve"])
    assert again.exit_code == 0, again.output
    with EmbeddedStore(tmp_path) as store:
        assert store.stats() == stats
