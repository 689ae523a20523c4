"""The kolgraph web app: a Flask application factory (``flask --app kolgraph.web run``)."""

from __future__ import annotations

from flask import Flask

from kolgraph.config import Settings


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    """Build the app for ``settings`` (default: from the environment)."""
    app = Flask(__name__)
    app.config["KOLGRAPH_SETTINGS"] = settings or Settings.from_env()
    if test_config:
        app.config.update(test_config)

    from kolgraph.web import dashboard, stores

    stores.init_app(app)
    app.register_blueprint(dashboard.bp)
    return app
