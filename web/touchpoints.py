"""Logging a touchpoint with its insight: ``/hcp/<hcp_id>/touchpoints/new``.

An msl logs for HCPs of their own territory only (any other HCP is a 404, as everywhere);
managers and admins for any HCP.  The MSL to choose is one of the HCP's territory, so an msl
can only pick an MSL of their own territory.  Every value is checked by
:func:`kolgraph.touchpoints.log_touchpoint`, i.e. by the same validation as a load, and its
messages are shown next to the fields; the form comes back with what was typed (escaped by
Jinja like everything else).  CSRF is checked by the app's ``CSRFProtect`` on every POST.
On success the write is audited and the browser goes to the HCP's profile, where the new
touchpoint shows at once (as it does in gaps and insights: nothing is cached past a load).
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request

from kolgraph.analytics.insights import load_insight_categories
from kolgraph.errors import ValidationFailed
from kolgraph.schema import SENTIMENTS
from kolgraph.touchpoints import CHANNELS, FIELDS, check_touchpoint, field_problems, log_touchpoint
from kolgraph.web import audit
from kolgraph.web.links import profile_url
from kolgraph.web.security import check_territory, require_role
from kolgraph.web.stores import get_store

bp = Blueprint("touchpoints", __name__)

#: Who may log a touchpoint (msls within their own territory).
LOG_ROLES = ("admin", "manager", "msl")
#: Longest topic / insight accepted from the form (a note, not a document).
MAX_TEXT = {"topic": 200, "insight": 5000}


@bp.route("/hcp/<hcp_id>/touchpoints/new", methods=("GET", "POST"))
@require_role(*LOG_ROLES)
def new(hcp_id: str):
    """The form (GET), or log the touchpoint it sends (POST)."""
    hcp = _hcp_in_scope(hcp_id)
    msls = _msls_of(hcp["territory"])
    if request.method == "GET":
        return _form(hcp, msls, _defaults(msls), {})
    values = {name: request.form.get(name, "") for name in FIELDS if name != "hcp_id"}
    errors = _problems(hcp_id, values, msls)
    if errors:
        return _form(hcp, msls, values, errors, status=400)
    row = log_touchpoint(get_store(), _home(), {**values, "hcp_id": hcp_id})
    audit.record("log touchpoint", f"{row['touchpoint_id']} with HCP {hcp_id}", 1)
    flash("Touchpoint logged.")
    return redirect(profile_url(hcp_id))


def _hcp_in_scope(hcp_id: str) -> dict:
    """The HCP's fields; 404 when unknown or outside the user's territory."""
    profile = get_store().hcp_profile(hcp_id)
    if profile is None:
        abort(404)
    check_territory(profile["hcp"]["territory"])
    return profile["hcp"]


def _msls_of(territory: str | None) -> list[dict]:
    """The MSLs covering ``territory`` (none for an HCP without one), by name."""
    msls = get_store().table("msls")
    rows = msls[msls["territory"] == territory] if territory else msls.iloc[0:0]
    return sorted(
        rows[["msl_id", "name"]].to_dict("records"), key=lambda m: (m["name"] or "", m["msl_id"])
    )


def _defaults(msls: list[dict]) -> dict:
    """A new form: today's date, and the MSL preselected when it can only be one."""
    return {"date": date.today().isoformat(), "msl_id": msls[0]["msl_id"] if len(msls) == 1 else ""}


def _form_problems(values: dict, msls: list[dict]) -> dict[str, list[str]]:
    """What only the form restricts (a load accepts any channel, any MSL, any length)."""
    problems: dict[str, list[str]] = {}
    msl_id = values["msl_id"].strip()
    if not msls:
        problems["msl_id"] = ["no MSL covers this HCP's territory"]
    elif msl_id and msl_id not in {m["msl_id"] for m in msls}:
        problems["msl_id"] = [f"must be an MSL of this HCP's territory; got {msl_id}"]
    if values["channel"].strip() and values["channel"].strip() not in CHANNELS:
        problems["channel"] = [f"must be one of {', '.join(CHANNELS)}; got {values['channel']}"]
    for name, limit in MAX_TEXT.items():
        if len(values[name]) > limit:
            problems[name] = [f"at most {limit:,} characters (got {len(values[name]):,})"]
    return problems


def _problems(hcp_id: str, values: dict, msls: list[dict]) -> dict[str, list[str]]:
    """Every problem at once: the form's own, then the load validation's (per field)."""
    problems = _form_problems(values, msls)
    try:
        check_touchpoint(get_store(), _home(), {**values, "hcp_id": hcp_id})
    except ValidationFailed as error:
        for name, messages in field_problems(error).items():
            problems.setdefault(name, []).extend(messages)
    return problems


def _form(hcp: dict, msls: list[dict], values: dict, errors: dict, status: int = 200):
    choices = {
        "msl_id": [(m["msl_id"], f"{m['name']} ({m['msl_id']})") for m in msls],
        "channel": _same(CHANNELS),
        "insight_category": _same(load_insight_categories(_home())),
        "sentiment": _same(SENTIMENTS),
    }
    page = render_template(
        "touchpoints/new.html",
        hcp=hcp,
        values=values,
        errors=errors,
        choices=choices,
        max_text=MAX_TEXT,
        today=date.today().isoformat(),
        profile_url=profile_url(hcp["hcp_id"]),
    )
    return page, status


def _same(names) -> list[tuple[str, str]]:
    return [(name, name) for name in names]


def _home():
    return current_app.config["KOLGRAPH_SETTINGS"].home
