"""The CRM-ready target list on every store: the NPI beside hcp_id, engaged HCPs with --all.

Uses the coverage-gap data of ``test_gaps_contract`` (H1 engaged, H2 stale ...), with an NPI
given to H1 and H2.
"""

from __future__ import annotations

import csv

from sample import frame
from test_gaps_contract import AS_OF, _hcp, gap_batch, score_frame

from kolgraph.answers.gaps import GapQuery
from kolgraph.export import export_targets, target_rows


def _with_npi(n: int, npi: str) -> tuple:
    row = list(_hcp(n, "NE"))
    row[10] = npi
    return tuple(row)


def test_target_rows_carry_the_npi_and_all_includes_engaged_hcps(store, tmp_path):
    store.load(gap_batch())
    store.load({"hcps": frame("hcps", [_with_npi(1, "1234567893"), _with_npi(2, "1245319599")])})
    store.write_scores(score_frame())
    gaps = GapQuery(max_tier=2, territory="NE", stale_days=180, as_of=AS_OF)
    every = GapQuery(max_tier=2, territory="NE", stale_days=180, as_of=AS_OF, include_engaged=True)
    assert {(r["hcp_id"], r["npi"]) for r in target_rows(store, gaps)} == {
        ("H2", "1245319599"),
        ("H3", None),
    }
    rows = target_rows(store, every)
    assert {(r["hcp_id"], r["npi"], r["reason"]) for r in rows} == {
        ("H1", "1234567893", "engaged"),
        ("H2", "1245319599", "stale"),
        ("H3", None, "never engaged"),
    }
    out = tmp_path / "targets.csv"
    export_targets(rows, out, every)
    with out.open(encoding="utf-8", newline="") as handle:
        written = list(csv.DictReader(handle))
    assert list(written[0])[4:6] == ["hcp_id", "npi"]
    assert {(r["hcp_id"], r["npi"]) for r in written} == {
        ("H1", "1234567893"),
        ("H2", "1245319599"),
        ("H3", ""),
    }
