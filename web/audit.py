"""Audit entries of the web app: views record through :func:`record`; admins read the newest
entries at ``/admin/audit`` and ``/api/v1/audit``.  The log itself is :mod:`kolgraph.audit`."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, render_template, request
from flask_login import current_user

from kolgraph.audit import COLUMNS, PAGE_SIZE, recent, write
from kolgraph.web.security import require_role

bp = Blueprint("audit", __name__)


def record(action: str, what: str, rows: int) -> None:
    """Record an action of the logged-in web user (e.g. ``record("export", "gaps.csv", 120)``)."""
    name = current_user.name if current_user.is_authenticated else "(anonymous)"
    record_as(name, action, what, rows)


def record_as(user: str, action: str, what: str, rows: int) -> None:
    """Record a web action on behalf of ``user`` (e.g. a failed login, before anyone is logged in)."""
    write(_home(), user, "web", action, what, rows)


@bp.get("/admin/audit")
@require_role("admin")
def audit_page():
    """The newest audit entries (admins only)."""
    return render_template("audit/index.html", entries=recent(_home(), _limit()), columns=COLUMNS)


@bp.get("/api/v1/audit")
@require_role("admin")
def audit_api():
    """The newest audit entries as JSON (admins only)."""
    return jsonify(recent(_home(), _limit()))


def _home() -> Path:
    return current_app.config["KOLGRAPH_SETTINGS"].home


def _limit() -> int:
    return max(1, min(request.args.get("limit", PAGE_SIZE, type=int), 5000))
