"""HCP search, profiles, and the collaborators & paths page.

The profile shows the stored score with its breakdown (each component's percentile, weight
and contribution): recomputing graph measures per page view, as ``kolgraph explain`` does,
would cost seconds on a big graph.  Everything is scoped: another territory's HCP is a 404.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user
from markupsafe import Markup

from kolgraph.answers.gaps import GapQuery
from kolgraph.errors import InputError
from kolgraph.identities import hcp_evidence
from kolgraph.scoring import score_breakdown
from kolgraph.store import GraphStore
from kolgraph.web import cache, cached_answers, hcp_picks, params, scoping
from kolgraph.web.identity import identity_index, readable
from kolgraph.web.security import STEWARD_ROLES, current_scope
from kolgraph.web.stores import get_store

bp = Blueprint("hcps", __name__)

SEARCH_LIMIT = 100
#: Touchpoints and publications a profile opens on (the newest); tabs list them all.
LATEST_SHOWN = 10
PROFILE_TABS = ("overview", "publications", "touchpoints")
COAUTHORS_SHOWN = 10
SUGGESTIONS_SHOWN = 5
DUPLICATES_SHOWN = 10


@bp.get("/hcps")
def search():
    """Search HCPs by name, specialty, institution or topic (``q``), in the user's scope."""
    text = params.arg_text("q")
    territory = scoping.scoped_territory(params.arg_text("territory"))
    rows = get_store().search_hcps(text, territory, SEARCH_LIMIT) if text or territory else []
    return render_template(
        "hcps/search.html",
        q=text or "",
        territory=territory,
        rows=rows,
        limit=SEARCH_LIMIT,
        searched=bool(text or territory),
    )


@bp.get("/hcp/<hcp_id>")
def profile(hcp_id: str):
    """One HCP, opening on what matters: score and why, coverage gap, the latest touchpoints
    and papers, co-authors, the introduction.  ``tab=publications`` (with trials) and
    ``tab=touchpoints`` (with affiliations) list all of them (the top HCPs have hundreds of
    papers)."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    record = profile_record(store, hcp_id)
    tab = request.args.get("tab", "overview")
    if tab not in PROFILE_TABS:
        raise InputError(f"tab must be one of {', '.join(PROFILE_TABS)}")
    if tab != "overview":
        return _profile_tab(store, hcp_id, record, tab)
    stale = params.stale_days()
    return render_template(
        "hcps/profile.html",
        p=record,
        hcp=record["hcp"],
        tab=tab,
        tabs=PROFILE_TABS,
        gap=gap_of(store, hcp_id),
        outside=scoping.OUTSIDE,
        breakdown=score_breakdown(record["score"], current_app.config["KOLGRAPH_SETTINGS"].home),
        coauthors=cached_answers.top_coauthors(store, hcp_id, COAUTHORS_SHOWN),
        suggestions=cached_answers.suggestions(store, hcp_id, SUGGESTIONS_SHOWN),
        intro=cached_answers.warm_intro(store, hcp_id, date.today(), stale),
        stale_days=stale,
        duplicates=possible_duplicates(store, hcp_id),
    )


def _profile_tab(store: GraphStore, hcp_id: str, record: dict, tab: str):
    """Every publication and trial, or every affiliation and touchpoint, of the HCP
    (rendered on request only)."""
    found = cached_answers.hcp_profile(store, hcp_id)
    return render_template(
        "hcps/profile_tab.html", p=record, hcp=record["hcp"], tab=tab, tabs=PROFILE_TABS, all=found
    )


def gap_of(store: GraphStore, hcp_id: str) -> dict | None:
    """The HCP's row of the default coverage gaps (the dashboard's: tier 1-2, 180 days, the
    user's scope), or None when it is not a gap; the gap list is cached per data version."""
    rows = cached_answers.gap_rows(store, GapQuery(territory=current_scope()))
    return next((row for row in rows if row["hcp_id"] == hcp_id), None)


def possible_duplicates(store: GraphStore, hcp_id: str) -> list[dict] | None:
    """The identity review rows about one HCP, for a steward (None for anyone else, who
    sees no such section and costs no read): merges and splits post to
    :mod:`kolgraph.web.identity`."""
    if current_user.role not in STEWARD_ROLES:
        return None
    home = current_app.config["KOLGRAPH_SETTINGS"].home

    def review() -> list[dict]:
        index = identity_index(store)
        evidence = hcp_evidence(home, hcp_id)
        return readable(
            store.identity_review(evidence, DUPLICATES_SHOWN, hcp_id=hcp_id, index=index)
        )

    # Kept per data version. A load records its identity evidence just after its store
    # write, so a review cached in between lacks that evidence until the next write.
    return cache.cached(store, "identity_review", hcp_id, review)


def profile_record(store: GraphStore, hcp_id: str) -> dict:
    """The HCP, its score, and its own record rendered: ``history`` (affiliations and
    touchpoints) and ``works`` (publications and trials), as HTML.

    Made from a profile holding only the latest publications (the most viewed HCPs have
    hundreds), and shared by every worker while the data is unchanged: rendering was most
    of a profile page's CPU time.  The same for every user allowed to see
    the HCP (the caller checks the scope first).  The fragments come from our own
    templates with autoescape, through the server's private cache file, hence ``Markup``.
    """

    def build() -> dict:
        found = store.hcp_profile(hcp_id, latest=LATEST_SHOWN)
        if found is None:
            abort(404)
        latest = {"shown": LATEST_SHOWN, "hcp_id": hcp_id}
        return {
            "hcp": found["hcp"],
            "score": found["score"],
            "counts": {
                "publications": found["publication_count"],
                **{k: len(found[k]) for k in ("touchpoints", "trials")},
            },
            "history": render_template("hcps/_history.html", p=found, **latest),
            "works": render_template("hcps/_works.html", p=found, **latest),
        }

    record = cache.cached_rendering(store, "profile_overview", hcp_id, build, shared=True)
    return {**record, "history": Markup(record["history"]), "works": Markup(record["works"])}


def _name_of(store: GraphStore, hcp_id: str) -> str:
    """The HCP's name (from the cached profile: the page about it may come next)."""
    return cached_answers.hcp_profile(store, hcp_id)["hcp"]["name"] or hcp_id


@bp.get("/hcp/<hcp_id>/collaborators")
def collaborators(hcp_id: str):
    """Co-authors, suggested collaborators, the warm introduction, and a path to ``to``."""
    store = get_store()
    scoping.require_hcp(store, hcp_id)
    found = cached_answers.hcp_profile(store, hcp_id)
    limit = params.arg_int("limit", 20, low=1, high=200)
    target = hcp_picks.picked_hcp("to")
    if target.unresolved:
        return hcp_picks.choose_page(target, f"Path from {found['hcp']['name']}")
    to, path = target.hcp_id, None
    if to:
        scoping.require_hcp(store, to)
        path = scoping.scoped_path(store, store.shortest_path(hcp_id, to))
    stale = params.stale_days()
    return render_template(
        "hcps/collaborators.html",
        hcp=found["hcp"],
        coauthors=cached_answers.coauthors(store, hcp_id),
        suggestions=cached_answers.suggestions(store, hcp_id, limit),
        intro=cached_answers.warm_intro(store, hcp_id, params.arg_date("as_of"), stale),
        to=to or "",
        to_name=_name_of(store, to) if to else "",
        path=path,
        stale_days=stale,
        limit=limit,
    )
