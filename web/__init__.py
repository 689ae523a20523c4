"""The kolgraph web app: a Flask application factory (``flask --app kolgraph.web run``).

Every endpoint requires a login (see :mod:`kolgraph.web.security`), every form carries a
CSRF token (flask-wtf ``CSRFProtect``), and errors become friendly pages or JSON
(:mod:`kolgraph.web.errors`).
"""

from __future__ import annotations

from flask import Flask, current_app
from flask_wtf.csrf import CSRFProtect

from kolgraph.config import Settings

csrf = CSRFProtect()

#: Main navigation; an entry shows once a blueprint provides its endpoint.
NAV_ITEMS = (
    ("dashboard.index", "Dashboard"),
    ("hcps.search", "HCPs"),
    ("network.explorer", "Network"),
    ("gaps.index", "Gaps"),
    ("coverage_map.index", "Map"),
    ("insights.index", "Insights"),
    ("changes.index", "What changed"),
    ("exports.index", "Exports"),
)
ADMIN_NAV_ITEMS = (("identity.review", "Who is who"), ("audit.audit_page", "Audit log"))


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app for ``settings`` (default: from the environment)."""
    from kolgraph.web import (
        api,
        audit,
        auth,
        breadcrumbs,
        cache,
        changes,
        choices,
        coverage_map,
        dashboard,
        errors,
        exports,
        gaps,
        hcps,
        identity,
        insights,
        network,
        network_render,
        scores,
        security,
        stores,
        touchpoints,
    )

    app = security.KolgraphFlask(__name__)
    app.config["KOLGRAPH_SETTINGS"] = settings or Settings.from_env()
    app.config.update(security.session_config())
    if test_config:
        app.config.update(test_config)
    security.ensure_secret_key(app)
    csrf.init_app(app)
    auth.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    stores.init_app(app)
    scores.init_app(app)
    cache.init_app(app)
    choices.init_app(app)
    breadcrumbs.init_app(app, tuple(e for e, _ in NAV_ITEMS + ADMIN_NAV_ITEMS))
    for blueprint in (
        auth.bp,
        dashboard.bp,
        audit.bp,
        network_render.assets,
        hcps.bp,
        network.bp,
        gaps.bp,
        coverage_map.bp,
        exports.bp,
        insights.bp,
        changes.bp,
        touchpoints.bp,
        identity.bp,
        scores.bp,
        api.bp,
    ):
        app.register_blueprint(blueprint)
    app.context_processor(_navigation)
    app.jinja_env.globals["known_territories"] = known_territories
    return app


def known_territories() -> list[str]:
    """The territories a form offers (every territory an HCP, MSL or alignment rule names),
    read once per data version (a scan of every HCP), and once per request at most."""
    from flask import g

    from kolgraph.web import cache
    from kolgraph.web.stores import get_store

    if "known_territories" not in g:
        store = get_store()
        g.known_territories = cache.cached(store, "territories", None, store.known_territories)
    return g.known_territories


def _navigation() -> dict:
    from flask_login import current_user

    items = list(NAV_ITEMS)
    if current_user.is_authenticated and current_user.role == "admin":
        items += ADMIN_NAV_ITEMS
    return {"nav_items": [(e, label) for e, label in items if e in current_app.view_functions]}
