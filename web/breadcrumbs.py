"""The breadcrumb: the pages that led to this one, so a user sees how they got here.

Each page rendered for a logged-in GET request is added to a short trail kept in the session
(title and path on this site, at most :data:`MAX_CRUMBS`).  A main-navigation page starts a
new trail, and coming back to a page already on the trail cuts the trail back to it (as the
browser's back button would).  Titles come from each page's ``title`` block as plain text,
escaped again when shown; paths are this site's own (``request.full_path``), never a
``Referer``, so a breadcrumb cannot point elsewhere.
"""

from __future__ import annotations

from flask import Flask, request, session
from flask_login import current_user
from markupsafe import Markup

#: Pages kept on the trail, this one included.
MAX_CRUMBS = 5
#: Longest title and path kept (the session is a cookie: a few hundred bytes per crumb).
MAX_TITLE, MAX_PATH = 80, 400


def init_app(app: Flask, roots: tuple[str, ...]) -> None:
    """Offer :func:`breadcrumb` to templates; ``roots`` are the endpoints that start a trail."""
    app.config["KOLGRAPH_BREADCRUMB_ROOTS"] = roots
    app.jinja_env.globals["breadcrumb"] = breadcrumb


def breadcrumb(title: str) -> list[dict]:
    """The trail ending at this page (``{"title", "url"}`` each), after recording this page."""
    path = request.full_path.rstrip("?")
    if request.method != "GET" or not current_user.is_authenticated or len(path) > MAX_PATH:
        return []
    here = {"title": Markup(title).striptags()[:MAX_TITLE], "url": request.script_root + path}
    trail = followed(_stored_trail(), here, request.endpoint in _roots())
    session["trail"] = trail
    return trail


def followed(trail: list[dict], here: dict, is_root: bool) -> list[dict]:
    """The trail after visiting ``here``.

    >>> a, b, c = ({"title": t, "url": "/" + t} for t in "abc")
    >>> [c["title"] for c in followed([a, b], c, False)], [c["title"] for c in followed([a, b, c], a, False)]
    (['a', 'b', 'c'], ['a'])
    """
    if is_root:
        return [here]
    urls = [crumb["url"] for crumb in trail]
    if here["url"] in urls:
        return trail[: urls.index(here["url"])] + [here]
    return (trail + [here])[-MAX_CRUMBS:]


def _stored_trail() -> list[dict]:
    stored = session.get("trail")
    if not isinstance(stored, list):
        return []
    return [c for c in stored if isinstance(c, dict) and {"title", "url"} <= c.keys()]


def _roots() -> tuple[str, ...]:
    from flask import current_app

    return current_app.config["KOLGRAPH_BREADCRUMB_ROOTS"]
