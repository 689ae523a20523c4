"""The coverage-gaps page: influential HCPs never engaged or engaged too long ago.

Filters are GET parameters (``top``, ``max_tier``, ``territory``, ``stale_days``, ``as_of``,
``include_engaged``), so a filtered list is a bookmarkable URL; ``sort`` and ``order`` sort
it; the export links carry the same filters.
"""

from __future__ import annotations

from flask import Blueprint, render_template

from kolgraph.analytics.gaps import GAP_FIELDS
from kolgraph.web import params
from kolgraph.web.stores import get_store

bp = Blueprint("gaps", __name__)


@bp.get("/gaps")
def index():
    """The gaps in the user's scope, filtered and sorted."""
    query = params.gap_query()
    rows, column, order = params.sort_rows(get_store().coverage_gaps(query))
    return render_template("gaps/index.html", rows=rows, query=query, sort=column, order=order,
                           filters=params.gap_filters(), sorts=params.GAP_SORTS, fields=GAP_FIELDS)
