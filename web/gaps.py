"""The coverage-gaps page: influential HCPs never engaged or engaged too long ago.

Filters are GET parameters (``top``, ``max_tier``, ``territory``, ``stale_days``, ``as_of``,
``include_engaged``), so a filtered list is a bookmarkable URL; ``sort`` and ``order`` sort
it; ``page`` picks a page of :data:`PAGE_SIZE` rows (the config key ``KOLGRAPH_GAPS_PAGE_SIZE``
changes it), and the paging links keep the filters and the sort.  The export links carry the
same filters and export every row, not one page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flask import Blueprint, current_app, render_template
from markupsafe import Markup

from kolgraph.answers.gaps import GAP_FIELDS, GapQuery
from kolgraph.errors import InputError
from kolgraph.store import GraphStore
from kolgraph.web import cache, cached_answers, params, scoping
from kolgraph.web.security import current_scope
from kolgraph.web.stores import get_store

bp = Blueprint("gaps", __name__)

#: Rows per page: 100 keeps the page small (a territory's whole gap list can run to thousands).
PAGE_SIZE = 100
#: MSL ids shown in a row; the rest are counted ("+N more") and listed in the cell's title.
MSL_IDS_SHOWN = 2


@dataclass(frozen=True)
class Page:
    """One page of rows: ``number`` (from 1) of ``count`` pages, rows ``first``..``last`` (from 1)."""

    number: int
    count: int
    size: int
    total: int

    @property
    def first(self) -> int:
        return min((self.number - 1) * self.size + 1, self.total)

    @property
    def last(self) -> int:
        return min(self.number * self.size, self.total)


@bp.get("/gaps")
def index():
    """The gaps in the user's scope, filtered, sorted, one page of them."""
    store = get_store()
    query = params.gap_query()
    column, order = params.sort_order()
    table = gaps_table(store, query, column, order, params.arg_int("page", 1, low=1), page_size())
    page = table["page"]
    return render_template(
        "gaps/index.html",
        table_body=table["body"],
        total=page.total,
        page=page,
        query=query,
        sort=column,
        order=order,
        filters=params.gap_filters(),
        sorts=params.GAP_SORTS,
        fields=GAP_FIELDS,
    )


def gaps_table(
    store: GraphStore, query: GapQuery, column: str, order: str, number: int, size: int
) -> dict:
    """Page ``number`` of the gaps for ``query`` sorted by ``column``: ``{"page": Page,
    "body": the table's <tbody> as HTML}``.

    Kept per query, sort, page and user scope while the data is unchanged, and shared by
    every worker: sorting thousands of gaps and rendering a hundred rows of links was most
    of the page's CPU time, and at 500,000 HCPs a worker's memory holds only a few gap lists
    of tens of thousands of rows, so a table kept only there was computed again and again.
    The scope is in the key although ``query`` holds the user's territory: whom a row is
    reached through (``reach_via``) is masked by scope, and a manager may ask for the same
    territory.  The body comes from our own template with autoescape, through the server's
    private cache file, hence ``Markup``.
    """

    def build() -> dict:
        rows = params.sort_rows(cached_answers.gap_rows(store, query), column, order)
        page = paginate(len(rows), number, size)
        shown = rows[(page.number - 1) * page.size : page.number * page.size]
        body = render_template(
            "gaps/_rows.html",
            rows=shown,
            fields=GAP_FIELDS,
            msl_ids_shown=MSL_IDS_SHOWN,
            outside=scoping.OUTSIDE,
        )
        return {"page": asdict(page), "body": body}

    key = (query, column, order, number, size, current_scope())
    found = cache.cached_rendering(store, "gaps_table", key, build, shared=True)
    return {"page": Page(**found["page"]), "body": Markup(found["body"])}


def page_size() -> int:
    """Rows per page: ``KOLGRAPH_GAPS_PAGE_SIZE`` from the app config, else :data:`PAGE_SIZE`."""
    return int(current_app.config.get("KOLGRAPH_GAPS_PAGE_SIZE", PAGE_SIZE))


def paginate(total: int, number: int, size: int) -> Page:
    """Page ``number`` of ``total`` rows; InputError past the last page (an empty list has page 1).

    >>> page = paginate(250, 3, 100)
    >>> (page.count, page.first, page.last)
    (3, 201, 250)
    """
    count = max(1, -(-total // size))
    if number > count:
        raise InputError(f"page {number} is past the last page ({count}) of these gaps")
    return Page(number=number, count=count, size=size, total=total)
