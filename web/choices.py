"""The known values a form offers as choices, so nobody has to type an id or a code.

Territories are read from the store (:func:`kolgraph.web.known_territories`); tiers follow the
scoring configuration (one tier per cutoff, plus the last); states are those the bundled map
draws.  Templates reach these through the Jinja globals :func:`init_app` installs.
"""

from __future__ import annotations

from flask import Flask, current_app, g

from kolgraph.analytics.influence import load_scoring_config
from kolgraph.web.us_map import state_outlines


def init_app(app: Flask) -> None:
    """Make the choices callable from every template."""
    app.jinja_env.globals.update(known_tiers=known_tiers, known_states=known_states)


def known_tiers() -> list[int]:
    """Tiers 1..n of the home's scoring configuration (its cutoffs split scores into n tiers),
    read once per request: ``scoring.toml`` may change between runs, not within a page."""
    if "known_tiers" not in g:
        home = current_app.config["KOLGRAPH_SETTINGS"].home
        g.known_tiers = list(range(1, len(load_scoring_config(home).tier_cutoffs) + 2))
    return g.known_tiers


def known_states() -> list[tuple[str, str]]:
    """(USPS code, name) of every state the coverage map draws, by name."""
    return sorted(
        ((code, name) for code, (name, _path) in state_outlines().items()), key=lambda s: s[1]
    )
