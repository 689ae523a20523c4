"""The web target-list export carries each HCP's NPI next to hcp_id (a CRM imports by NPI)."""

from __future__ import annotations

import csv
import io

from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.store.sqlite import EmbeddedStore


def test_csv_export_has_the_npi_next_to_hcp_id(auth, loaded, home):
    with EmbeddedStore(home) as store:
        hcps = store.table("hcps")
        h03 = hcps[hcps["hcp_id"] == "H03"].drop(columns="name").assign(npi="1234567893")
        store.load({"hcps": h03})
    text = auth.as_user("max").get("/exports/targets.csv?max_tier=4").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(text)))
    at = rows[0].index("hcp_id")
    assert rows[0][at + 1] == "npi"
    npis = {row[at]: row[at + 1] for row in rows[1:]}
    assert npis["H03"] == "1234567893" and npis["H02"] == ""
