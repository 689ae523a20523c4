"""Who may see what: login on every endpoint, roles, territory scoping, secret key, headers.

Every view is behind login without having to say so: :func:`init_app` installs a
``before_request`` hook that lets through only the login page, static files and views
marked :func:`public`.  Views then narrow what they show with :func:`current_scope`,
:func:`check_territory` and :func:`require_role`.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Request, abort, current_app, jsonify, redirect, request, url_for
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import RequestRedirect

from kolgraph.config import env_flag
from kolgraph.errors import ConfigError

SECRET_KEY_FILE = "secret_key"
#: Request size caps (bytes): a whole body, one form field kept in memory, and form parts.
MAX_REQUEST_BYTES = 1024 * 1024
MAX_FIELD_BYTES = 64 * 1024
MAX_FORM_PARTS = 100
#: The longest ``next=`` target followed after login.
MAX_NEXT_LENGTH = 2048

#: Sent with every response.  Scripts only from the app itself (vis-network included), so an
#: injected ``<script>`` or ``onerror=`` attribute would not run even if escaping were missed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    """Install the proxy setting, the body size cap, the login gate and the response headers.

    ``KOLGRAPH_PROXY_HOPS=N``: the app runs behind N reverse proxies, so the client address
    (used to throttle failed logins) is taken from ``X-Forwarded-For`` and the scheme from
    ``X-Forwarded-Proto``.  The ``Host`` header is never trusted either way.
    """
    hops = int(_env_number("KOLGRAPH_PROXY_HOPS", 0))
    if hops:
        # Flask documents wrapping wsgi_app this way; mypy sees a method being replaced.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=0, x_port=0
        )
    app.before_request(_cap_body)
    app.before_request(_require_login)
    app.after_request(_add_headers)


class CappedRequest(Request):
    """A request whose URL-encoded form, if any, may be at most ``MAX_FORM_MEMORY_SIZE``
    bytes in all (Werkzeug applies that cap to multipart fields only)."""

    @property
    def max_content_length(self) -> int | None:
        limit = super().max_content_length
        if self.mimetype == "application/x-www-form-urlencoded" and self.max_form_memory_size:
            return min(limit or self.max_form_memory_size, self.max_form_memory_size)
        return limit

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


class KolgraphFlask(Flask):
    """Flask whose routing redirects (``//gaps`` -> ``/gaps``, ``/network`` -> ``/network/``)
    carry a path only: Werkzeug builds them as absolute URLs from the request's Host header,
    which a client chooses.  Requests are :class:`CappedRequest`."""

    request_class = CappedRequest

    def raise_routing_exception(self, request):
        found = request.routing_exception
        if isinstance(found, RequestRedirect):
            parts = urlsplit(found.new_url)
            path = "/" + parts.path.lstrip("/")  # never //host: a protocol-relative URL
            request.routing_exception = RequestRedirect(
                path + (f"?{parts.query}" if parts.query else "")
            )
        super().raise_routing_exception(request)


def session_config() -> dict:
    """Cookie, session, login-limit, request-size and CSRF settings, from the environment.

    ``KOLGRAPH_SECURE_COOKIES=1`` when served over HTTPS; ``KOLGRAPH_SESSION_HOURS``
    (absolute session lifetime, default 12), ``KOLGRAPH_SESSION_IDLE_MINUTES`` (default 60),
    ``KOLGRAPH_LOGIN_SLOW_AFTER`` (3), ``KOLGRAPH_LOGIN_LOCK_AFTER`` (10),
    ``KOLGRAPH_LOGIN_LOCK_MINUTES`` (15), ``KOLGRAPH_MAX_REQUEST_BYTES`` (1 MiB).
    """
    from kolgraph.users import SessionPolicy
    from kolgraph.web.auth import LoginLimits

    secure = env_flag("KOLGRAPH_SECURE_COOKIES", default=False)
    policy = SessionPolicy(
        lifetime=_env_number("KOLGRAPH_SESSION_HOURS", 12) * 3600,
        idle=_env_number("KOLGRAPH_SESSION_IDLE_MINUTES", 60) * 60,
    )
    limits = LoginLimits(
        slow_after=int(_env_number("KOLGRAPH_LOGIN_SLOW_AFTER", 3)),
        lock_after=int(_env_number("KOLGRAPH_LOGIN_LOCK_AFTER", 10)),
        lock_seconds=_env_number("KOLGRAPH_LOGIN_LOCK_MINUTES", 15) * 60,
    )
    return {
        "KOLGRAPH_SESSION_POLICY": policy,
        "KOLGRAPH_LOGIN_LIMITS": limits,
        "MAX_CONTENT_LENGTH": int(_env_number("KOLGRAPH_MAX_REQUEST_BYTES", MAX_REQUEST_BYTES)),
        "MAX_FORM_MEMORY_SIZE": MAX_FIELD_BYTES,
        "MAX_FORM_PARTS": MAX_FORM_PARTS,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": secure,
        # The cookie expires with the session's absolute lifetime and is not renewed by
        # each request; the idle timeout is checked on the server (kolgraph.users).
        "PERMANENT_SESSION_LIFETIME": timedelta(seconds=policy.lifetime),
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": secure,
        # The CSRF token lives as long as the session, so a form left open is still accepted.
        "WTF_CSRF_TIME_LIMIT": None,
    }


def _env_number(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ConfigError(f"{name} must be a number (got {text[:40]!r})") from None
    if not 0 < value < 1e9:
        raise ConfigError(f"{name} must be positive (got {text[:40]!r})")
    return value


def ensure_secret_key(app: Flask) -> None:
    """Set the secret key from the environment or the home folder unless the config has one."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = load_secret_key(app.config["KOLGRAPH_SETTINGS"].home)


def load_secret_key(home: Path) -> str:
    """``KOLGRAPH_SECRET_KEY``, else ``home/secret_key``, created (mode 0600) on first run."""
    if os.environ.get("KOLGRAPH_SECRET_KEY"):
        return os.environ["KOLGRAPH_SECRET_KEY"]
    path = Path(home) / SECRET_KEY_FILE
    if not path.exists():
        _create_key_file(path)
    return _read_key(path)


def _create_key_file(path: Path) -> None:
    """Write a new key to a private temporary file, then link it into place: two workers
    starting at once both end up with whichever key landed first, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        with os.fdopen(fd, "w") as out:
            out.write(secrets.token_hex(32) + "\n")
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process won the race; use its key
    finally:
        temporary.unlink(missing_ok=True)


def _read_key(path: Path) -> str:
    key = path.read_text().strip()
    if not key:
        raise ConfigError(f"{path} is empty; delete it to generate a new secret key")
    return key


def public(view):
    """Mark a view as reachable without login (the login page itself, health checks)."""
    view.kolgraph_public = True
    return view


def is_api_request() -> bool:
    """Whether this request is for JSON (the API, and a page's ``.json`` data such as a
    network's expand-in-place): answered with JSON, never HTML or a login redirect."""
    return request.path.startswith("/api/") or request.path.endswith(".json")


def current_scope() -> str | None:
    """The one territory the logged-in user may see, or None for every territory."""
    return current_user.scope if current_user.is_authenticated else None


def in_scope(territory: str | None) -> bool:
    """Whether the logged-in user may see data of ``territory``."""
    scope = current_scope()
    return scope is None or territory == scope


def check_territory(territory: str | None) -> None:
    """Abort with 404 for data outside the user's territory.

    404 rather than 403, so that a tampered URL cannot tell an HCP exists elsewhere.
    """
    if not in_scope(territory):
        abort(404)


def filter_scope(rows, column: str = "territory"):
    """Keep the rows (a pandas DataFrame or a list of dicts) inside the user's territory."""
    scope = current_scope()
    if scope is None:
        return rows
    if isinstance(rows, list):
        return [row for row in rows if row.get(column) == scope]
    return rows[rows[column] == scope]


#: Who may correct who is who (merge and split HCPs): the data stewards.
STEWARD_ROLES = ("admin",)


def require_role(*roles: str):
    """Decorator: 403 unless the logged-in user has one of ``roles``."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects, and nothing
    that would break a ``Location`` header: control characters, over-long targets)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if len(target) > MAX_NEXT_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


def _cap_body():
    """413 for a body over the cap even where the view would never read it."""
    limit = request.max_content_length
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)


def _require_login():
    if current_user.is_authenticated or _is_public_endpoint():
        return None
    if is_api_request():
        response = jsonify(error="login required")
        response.status_code = 401
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def _is_public_endpoint() -> bool:
    endpoint = request.endpoint
    if endpoint is None:
        return False  # unknown URL: logged-out visitors learn nothing, not even 404
    if endpoint == "static" or endpoint.endswith(".static"):
        return True
    view = current_app.view_functions.get(endpoint)
    return bool(getattr(view, "kolgraph_public", False))


def _add_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
