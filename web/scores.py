"""Recomputing the scores from the web app: an admin starts ``kolgraph score`` in the
background (:mod:`kolgraph.score_runs`) from the "scores are out of date" banner, which a
load or a steward's correction raises; the pages show the new scores when it has written
them.  POST with CSRF, admins only (checked here), audited."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, request, url_for
from flask_login import current_user

from kolgraph import score_runs
from kolgraph.web import audit
from kolgraph.web.security import require_role, safe_next

bp = Blueprint("scores", __name__)


@bp.post("/admin/rescore")
@require_role("admin")
def rescore():
    """Start a score run unless one is going; back to the page the banner was on."""
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
    offers the button); asked only when the banner shows."""

    @app.context_processor
    def score_run() -> dict:
        if not current_user.is_authenticated or current_user.role != "admin":
            return {"score_run_going": None}
        home = current_app.config["KOLGRAPH_SETTINGS"].home
        return {"score_run_going": lambda: score_runs.running(home)}
