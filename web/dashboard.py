"""The dashboard: what is in the graph."""

from __future__ import annotations

from flask import Blueprint, render_template

from kolgraph.web.stores import get_store

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def index():
    """Counts per label and relationship type."""
    return render_template("dashboard/index.html", counts=get_store().stats())
