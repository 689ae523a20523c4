"""Error pages and JSON errors: a friendly page (or ``{"error": ...}`` under ``/api/``), never a traceback.

A lost graph database is a 503 saying so; nothing about it is cached (and the request's
store connection is not reused), so the next request after the database returns simply works.
"""

from __future__ import annotations

from flask import Flask, current_app, jsonify, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from kolgraph.errors import InputError, NotFoundError, StoreUnavailable
from kolgraph.web import stores
from kolgraph.web.security import is_api_request

MESSAGES = {
    400: ("Bad request", "The request could not be understood."),
    401: ("Login required", "Please log in."),
    403: ("Not allowed", "Your account does not have access to this page."),
    404: ("Not found", "There is nothing here, or it is outside your territory."),
    405: ("Not allowed", "This page does not accept that kind of request."),
    413: ("Too large", "The request is larger than this site accepts."),
    429: ("Too many requests", "Too many attempts; wait a moment and retry."),
    500: ("Something went wrong", "An unexpected error occurred; it has been logged."),
    503: ("Database unavailable", "The graph database is not reachable; retry in a moment."),
}


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(StoreUnavailable, _store_unavailable)
    app.register_error_handler(NotFoundError, lambda error: error_response(404, str(error)))
    app.register_error_handler(InputError, lambda error: error_response(400, str(error)))
    app.register_error_handler(Exception, _unexpected)


def error_response(status: int, detail: str | None = None):
    """A JSON error for the API, an HTML page otherwise."""
    title, default = MESSAGES.get(status, (f"Error {status}", "The request failed."))
    message = detail or default
    if is_api_request():
        return jsonify(error=message, status=status), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _http_error(error: HTTPException):
    # Werkzeug's own descriptions are generic; ours read better and never echo input.
    return error_response(error.code or 500)


def _csrf_error(error: CSRFError):
    return error_response(
        400, "The form expired or was not sent by this site; reload the page and retry."
    )


def _store_unavailable(error: StoreUnavailable):
    current_app.logger.warning("graph store unavailable: %s", error)
    stores.discard_request_store()
    response, status = error_response(503)
    return response, status, {"Retry-After": "10"}


def _unexpected(error: Exception):
    current_app.logger.exception("unhandled error")
    stores.discard_request_store()
    return error_response(500)
