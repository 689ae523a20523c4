"""Recomputing the scores from the web app: an admin starts ``kolgraph score`` in the
background (:mod:`kolgraph.score_runs`) from the "scores are out of date" banner, which a
load or a steward's correction raises; the pages show the new scores when it has written
them.  POST with CSRF, admins only (checked here), audited.

``KOLGRAPH_WEB_RESCORE=0`` turns the button off, for a server without the memory for a run
beside its workers (2.8 GB at 500,000 HCPs): the banner then only says to run ``kolgraph
score``, and a post is refused (403)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, request, url_for
from flask_login import current_user

from kolgraph import score_runs
from kolgraph.config import env_flag
from kolgraph.web import audit
from kolgraph.web.errors import error_response
from kolgraph.web.security import require_role, safe_next

bp = Blueprint("scores", __name__)


@bp.post("/admin/rescore")
@require_role("admin")
def rescore():
    """Start a score run unless one is going; back to the page the banner was on."""
    if not current_app.config["KOLGRAPH_WEB_RESCORE"]:
        return error_response(
            403,
            "Score runs from the web app are turned off on this server "
            "(KOLGRAPH_WEB_RESCORE=0): run `kolgraph score` there instead.",
        )
    settings = current_app.config["KOLGRAPH_SETTINGS"]
    if score_runs.start(settings):
        audit.record("rescore", "kolgraph score in the background", 0)
        flash(
            "Recomputing every score in the background (minutes at hundreds of thousands of "
            f"HCPs; its output goes to {score_runs.LOG} in the home folder). Pages show the "
            "new scores once it has written them."
        )
    else:
        flash("The scores are being recomputed already.")
    return redirect(safe_next(request.form.get("next")) or url_for("dashboard.index"))


def init_app(app: Flask) -> None:
    """Give the banner, for admins, ``score_run_going()``: whether a run is going (else it
    offers the button); asked only when the banner shows, and never with the button off."""
    app.config.setdefault("KOLGRAPH_WEB_RESCORE", web_rescore())

    @app.context_processor
    def score_run() -> dict:
        admin = current_user.is_authenticated and current_user.role == "admin"
        if not admin or not app.config["KOLGRAPH_WEB_RESCORE"]:
            return {"score_run_going": None}
        home = current_app.config["KOLGRAPH_SETTINGS"].home
        return {"score_run_going": lambda: score_runs.running(home)}


def web_rescore() -> bool:
    """``KOLGRAPH_WEB_RESCORE``: whether admins may start score runs from the web app."""
    return env_flag("KOLGRAPH_WEB_RESCORE", default=True)
