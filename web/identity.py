"""Steward corrections in the web app: an admin merges or splits HCPs from a profile.

The profile (:mod:`kolgraph.web.hcps`) shows admins the HCP's likely duplicates and shaky
evidence, each duplicate with a merge button, and a form that splits papers off; they post
here.  Both are POST forms (CSRF checked by the app's ``CSRFProtect``); the role is
checked here, server-side, whatever the page showed; every correction is audited and kept
as identity evidence.  Bad input (an unknown HCP, a PMID the HCP did not author, a merge of
an HCP into itself) is a 400 or 404 page with the reason, and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, request
from flask_login import current_user

from kolgraph.corrections import Correction
from kolgraph.errors import InputError
from kolgraph.identities import record_correction
from kolgraph.web import audit
from kolgraph.web.links import profile_url
from kolgraph.web.security import STEWARD_ROLES, require_role
from kolgraph.web.stores import get_store

bp = Blueprint("identity", __name__)


@bp.post("/hcp/<hcp_id>/merge")
@require_role(*STEWARD_ROLES)
def merge(hcp_id: str):
    """Fold the HCP named by the form's ``other_id`` into this one."""
    other_id = _field("other_id")
    done = get_store().merge_hcps(hcp_id, other_id, steward=current_user.name)
    _keep(done, "identity merge", f"{other_id} into {hcp_id}", len(done.slots))
    flash(f"Merged {other_id} into {hcp_id} ({len(done.slots)} authorship(s) moved).")
    return redirect(profile_url(hcp_id))


@bp.post("/hcp/<hcp_id>/split")
@require_role(*STEWARD_ROLES)
def split(hcp_id: str):
    """Make the authorships of the form's ``pmids`` (comma-separated) a new HCP."""
    done = get_store().split_hcp(hcp_id, _field("pmids"), steward=current_user.name)
    _keep(done, "identity split", f"{hcp_id} -> {done.other_id}", len(done.pmids))
    flash(f"Split {len(done.pmids)} paper(s) into new HCP {done.other_id}.")
    return redirect(profile_url(hcp_id))


def _field(name: str) -> str:
    value = request.form.get(name, "").strip()
    if not value:
        raise InputError(f"the form sent no {name}")
    return value


def _keep(done: Correction, action: str, what: str, rows: int) -> None:
    record_correction(current_app.config["KOLGRAPH_SETTINGS"].home, done)
    audit.record(action, what, rows)
