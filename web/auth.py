"""Logging in and out (flask-login sessions backed by :class:`kolgraph.users.UserStore`).

Sessions are server-side: the signed session cookie carries a random session id, and the
users file says whose it is and whether it still lives (see :class:`SessionPolicy`).
Logging out ends the session, so a saved copy of the cookie is worth nothing afterwards.

Failed logins are counted per user name and per client address: after
``KOLGRAPH_LOGIN_SLOW_AFTER`` failures, each further attempt must wait (1, 2, 4 ...
seconds, a 429); after ``KOLGRAPH_LOGIN_LOCK_AFTER`` the name or client is locked for
``KOLGRAPH_LOGIN_LOCK_MINUTES``.  The lockout is written to the audit log once.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import LoginManager, current_user, login_user, logout_user

from kolgraph import users
from kolgraph.audit import bounded
from kolgraph.users import SessionPolicy, User, UserStore
from kolgraph.web import audit
from kolgraph.web.security import public, safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
#: The longest user name echoed back into the login form (the longest valid name).
ECHO_LIMIT = 64


@dataclass(frozen=True)
class LoginLimits:
    """When failed logins slow down and lock out a user name or a client."""

    slow_after: int = 3
    lock_after: int = 10
    lock_seconds: float = 15 * 60.0

    def wait(self, count: int, last: float, now: float) -> float:
        """Seconds before the next attempt is accepted after ``count`` recent failures."""
        if count >= self.lock_after:
            return last + self.lock_seconds - now
        if count >= self.slow_after:
            return last + min(2.0 ** (count - self.slow_after), self.lock_seconds) - now
        return 0.0


class SessionUser:
    """The logged-in user as flask-login sees it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User, session_id: str = ""):
        self.user = user
        self.session_id = session_id
        self.name = user.name
        self.role = user.role
        self.territory = user.territory
        self.scope = user.scope

    def get_id(self) -> str:
        return self.session_id


def init_app(app) -> None:
    """Attach the login manager to the app."""
    login_manager.init_app(app)
    # Only used if a view also carries flask-login's @login_required; the gate in
    # kolgraph.web.security normally answers unauthenticated requests first.
    login_manager.login_view = "auth.login"


def user_store() -> UserStore:
    """The users of this app's home folder."""
    return UserStore.for_home(current_app.config["KOLGRAPH_SETTINGS"].home)


def session_policy() -> SessionPolicy:
    """The app's session lifetime and idle timeout."""
    return current_app.config["KOLGRAPH_SESSION_POLICY"]


def login_limits() -> LoginLimits:
    """The app's failed-login limits."""
    return current_app.config["KOLGRAPH_LOGIN_LIMITS"]


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    user = user_store().session_user(session_id, session_policy())
    return SessionUser(user, session_id) if user else None


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """The login form; on success, go to ``next`` (a local path) or the dashboard."""
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(target or url_for("dashboard.index"))
    if request.method == "GET":
        return render_template("auth/login.html", next=target)
    name = request.form.get("username", "").strip()
    keys = _throttle_keys(name)
    wait = _wait(user_store().failures(keys, login_limits().lock_seconds))
    if wait > 0:
        return _too_many(target, wait)
    user = user_store().authenticate(name, request.form.get("password", ""))
    if user is None:
        return _failed(name, keys, target)
    user_store().clear_failures(keys)
    _start_session(user)
    return redirect(target or url_for("dashboard.index"))


@bp.post("/logout")
def logout():
    """End the session (POST only, with a CSRF token, so a link cannot log anyone out)."""
    if current_user.is_authenticated:
        user_store().end_session(current_user.session_id)
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


def _throttle_keys(name: str) -> list[str]:
    return [f"user:{bounded(name.lower())}", f"client:{request.remote_addr or '-'}"]


def _wait(failures: dict[str, tuple[int, float]]) -> float:
    now, limits = users.clock(), login_limits()
    return max([0.0, *(limits.wait(count, last, now) for count, last in failures.values())])


def _failed(name: str, keys: list[str], target: str | None):
    limits = login_limits()
    counts = user_store().record_failure(keys, limits.lock_seconds)
    audit.record_as(name or "(blank)", "login_failed", "web login", 0)
    locked = [key for key, (count, _) in counts.items() if count == limits.lock_after]
    if locked:  # once per lockout: later attempts are refused before they count
        audit.record_as(name or "(blank)", "login_locked", " ".join(locked), limits.lock_after)
    flash("Wrong user name or password.", "error")
    echo = name if len(name) <= ECHO_LIMIT else ""
    return render_template("auth/login.html", next=target, username=echo), 401


def _too_many(target: str | None, wait: float):
    seconds = math.ceil(wait)
    flash(f"Too many failed logins; try again in {seconds} seconds.", "error")
    page = render_template("auth/login.html", next=target)
    return page, 429, {"Retry-After": str(seconds)}


def _start_session(user: User) -> None:
    # A fresh session on login: nothing set before it (fixation) survives.
    session.clear()
    session.permanent = True
    login_user(SessionUser(user, user_store().start_session(user.name, session_policy())))
    audit.record("login", "web login", 0)
