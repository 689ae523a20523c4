"""Exports: the coverage-gap target list as CSV or XLSX, with the gaps page's filters.

Every download is recorded in the audit log (who, when, which filters, how many rows), and
holds only the user's territory.  The file is written by :func:`kolgraph.export.export_targets`
into a private temporary folder, read back, and deleted: nothing lands in the working directory.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from flask import Blueprint, Response, abort, render_template

from kolgraph.export import export_targets, target_rows
from kolgraph.web import audit, params
from kolgraph.web.stores import get_store

bp = Blueprint("exports", __name__)

MIMETYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/exports")
def index():
    """The export form (same filters as the gaps page)."""
    return render_template(
        "exports/index.html", filters=params.gap_filters(), formats=tuple(MIMETYPES)
    )


@bp.get("/exports/targets.<fmt>")
def targets(fmt: str):
    """Download the target list in ``fmt`` (csv or xlsx), recorded in the audit log."""
    if fmt not in MIMETYPES:
        abort(404)
    query = params.gap_query()
    rows = target_rows(get_store(), query)
    name = f"kolgraph-targets-{date.today().isoformat()}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="kolgraph-export-") as folder:
        path = Path(folder) / name
        count = export_targets(rows, path, query)
        body = path.read_bytes()
    audit.record("export", f"{name} " + _describe(query), count)
    return Response(
        body,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _describe(query) -> str:
    return "; ".join(f"{k}={v}" for k, v in query.describe().items())
