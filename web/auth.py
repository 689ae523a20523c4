"""Logging in and out (flask-login sessions backed by :class:`kolgraph.users.UserStore`)."""

from __future__ import annotations

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

from kolgraph.users import User, UserStore
from kolgraph.web import audit
from kolgraph.web.security import public, safe_next

bp = Blueprint("auth", __name__)
login_manager = LoginManager()


class SessionUser:
    """The logged-in user as flask-login sees it."""

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def __init__(self, user: User):
        self.user = user
        self.name = user.name
        self.role = user.role
        self.territory = user.territory
        self.scope = user.scope

    def get_id(self) -> str:
        # The salt makes a session die with its account, even if the name is reused later.
        return f"{self.user.name}:{self.user.session_salt}"


def init_app(app) -> None:
    """Attach the login manager to the app."""
    login_manager.init_app(app)
    # Only used if a view also carries flask-login's @login_required; the gate in
    # kolgraph.web.security normally answers unauthenticated requests first.
    login_manager.login_view = "auth.login"


def user_store() -> UserStore:
    """The users of this app's home folder."""
    return UserStore.for_home(current_app.config["KOLGRAPH_SETTINGS"].home)


@login_manager.user_loader
def _load_user(session_id: str) -> SessionUser | None:
    name, _, salt = session_id.rpartition(":")
    user = user_store().get(name)
    return SessionUser(user) if user and user.session_salt == salt else None


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
    user = user_store().authenticate(name, request.form.get("password", ""))
    if user is None:
        audit.record_as(name or "(blank)", "login_failed", "web login", 0)
        flash("Wrong user name or password.", "error")
        return render_template("auth/login.html", next=target, username=name), 401
    _start_session(user)
    return redirect(target or url_for("dashboard.index"))


@bp.post("/logout")
def logout():
    """End the session (POST only, with a CSRF token, so a link cannot log anyone out)."""
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


def _start_session(user: User) -> None:
    # A fresh session on login: nothing set before it (fixation) survives.
    session.clear()
    session.permanent = True
    login_user(SessionUser(user))
    audit.record("login", "web login", 0)
