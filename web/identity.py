"""Steward corrections in the web app: an admin finds what to correct and merges or splits.

``/admin/identity-review`` lists the whole identity review (likely duplicates and shaky
merges, most influential first, as ``kolgraph identity review`` does); the profile
(:mod:`kolgraph.web.hcps`) shows admins the HCP's own rows, each duplicate with a merge
button, a shaky merge with the split that undoes its weakest merge, and a form that splits
papers off.  The forms post here, as POST forms (CSRF checked by the app's
``CSRFProtect``); the role is checked here, server-side, whatever the page showed; every
correction is audited and kept as identity evidence.  Bad input (an unknown HCP, a PMID the
HCP did not author, a merge of an HCP into itself) is a 400 or 404 page with the reason, and
changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from kolgraph.answers.identity import IdentityIndex, evidence_lines
from kolgraph.corrections import Correction
from kolgraph.errors import InputError
from kolgraph.identities import all_evidence, hcp_evidence, record_correction
from kolgraph.store import GraphStore
from kolgraph.web import audit, cache
from kolgraph.web.links import profile_url
from kolgraph.web.security import STEWARD_ROLES, require_role
from kolgraph.web.stores import get_store

bp = Blueprint("identity", __name__)
T = TypeVar("T")
#: Rows of the review page (the most influential; the command line lists any number).
REVIEW_SHOWN = 100


@bp.get("/admin/identity-review")
@require_role(*STEWARD_ROLES)
def review():
    """The identity review, most influential first, each row with its evidence, links to the
    profiles and the correction that would fix it."""
    store = get_store()

    def rows() -> list[dict]:
        return readable(whole_review(store)[:REVIEW_SHOWN])

    # one page per data version for every worker
    found = cache.cached(store, "identity_review_page", None, rows, shared=True)
    return render_template("identity/review.html", rows=found, shown=REVIEW_SHOWN)


def whole_review(store: GraphStore) -> list[dict]:
    """Every row of the review, most influential first: computed once by this worker (about
    15 s at 500,000 HCPs), then mended after each steward correction."""
    home = current_app.config["KOLGRAPH_SETTINGS"].home

    def computed() -> list[dict]:
        return store.identity_review(all_evidence(home), None, index=identity_index(store))

    def mended(held: list[dict], corrected: list[str]) -> list[dict]:
        evidence = [row for hcp_id in corrected for row in hcp_evidence(home, hcp_id)]
        return store.mended_identity_review(held, corrected, evidence, identity_index(store))

    return cache.cached(
        store, "identity_review_rows", None, computed, pinned=True, mend=_after(store, mended)
    )


def identity_index(store: GraphStore) -> IdentityIndex:
    """Every HCP's row and influence, read once per data version (``kolgraph serve`` reads
    it before it forks its workers), then mended after each steward correction: one
    profile's review then reads only its own block."""
    mend = _after(store, store.mended_identity_index)
    return cache.cached(store, "identity_index", None, store.identity_index, pinned=True, mend=mend)


def _after(store: GraphStore, mend: Callable[[T, list[str]], T]) -> cache.Mend:
    """A pinned answer's mend: ``mend(held, corrected HCPs)`` when only steward corrections
    changed HCPs or links since the held answer's version; None (compute it) otherwise."""

    def after_corrections(held: T, version: str) -> T | None:
        corrected = store.corrected_since(version)
        if corrected is None:
            return None
        return mend(held, corrected) if corrected else held

    return after_corrections


def readable(rows: Sequence[dict]) -> list[dict]:
    """Review rows with their evidence one fact a line (``lines``), as a page shows it."""
    return [
        {**row, "lines": [f for e in row["evidence"] for f in evidence_lines(e)]} for row in rows
    ]


@bp.post("/hcp/<hcp_id>/merge")
@require_role(*STEWARD_ROLES)
def merge(hcp_id: str):
    """Fold the HCP named by the form's ``other_id`` into this one."""
    other_id = _field("other_id")
    done = get_store().merge_hcps(hcp_id, other_id, steward=current_user.name)
    _keep(done, "identity merge", f"{other_id} into {hcp_id}", len(done.slots))
    flash(f"Merged {other_id} into {hcp_id} ({len(done.slots)} authorship(s) moved).")
    return _back(hcp_id)


@bp.post("/hcp/<hcp_id>/split")
@require_role(*STEWARD_ROLES)
def split(hcp_id: str):
    """Make the authorships of the form's ``pmids`` (comma-separated) a new HCP."""
    done = get_store().split_hcp(hcp_id, _field("pmids"), steward=current_user.name)
    _keep(done, "identity split", f"{hcp_id} -> {done.other_id}", len(done.pmids))
    flash(f"Split {len(done.pmids)} paper(s) of {hcp_id} into new HCP {done.other_id}.")
    return _back(hcp_id)


def _back(hcp_id: str):
    """To the review page when the form came from it (a steward working down the list),
    else to the HCP's profile.  Only these two: ``back`` names a page, never a URL."""
    if request.form.get("back") == "review":
        return redirect(url_for("identity.review"))
    return redirect(profile_url(hcp_id))


def _field(name: str) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise InputError(f"the form sent no {name}")
    return value


def _keep(done: Correction, action: str, what: str, rows: int) -> None:
    record_correction(current_app.config["KOLGRAPH_SETTINGS"].home, done)
    audit.record(action, what, rows)
