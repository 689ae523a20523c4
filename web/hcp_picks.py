"""Choosing an HCP by name instead of by id, for the network explorer, paths and introductions.

A form sends two fields per HCP: the name typed (``<field>_name``) and the id (``<field>``),
which ``static/typeahead.js`` fills when a suggestion of the HCP search API is chosen.
Without script only the name arrives: :func:`picked_hcp` then searches it in the user's
scope, takes the one HCP it names, and otherwise :func:`choose_page` lists the candidates,
each a link to the same request with the id filled in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import render_template, request, url_for

from kolgraph.web import params, scoping
from kolgraph.web.stores import get_store

#: Candidates listed for an ambiguous name (a name search, not a browse).
CANDIDATES = 20


@dataclass(frozen=True)
class Pick:
    """What a request says about one HCP field: the id chosen, else the name typed and the
    HCPs it may mean (empty when nothing matches)."""

    id_field: str
    hcp_id: str | None = None
    text: str | None = None
    candidates: list[dict] = field(default_factory=list)

    @property
    def unresolved(self) -> bool:
        """A name was typed that names no single HCP."""
        return self.hcp_id is None and self.text is not None


def picked_hcp(id_field: str) -> Pick:
    """The HCP of ``id_field`` (or, given only a name in ``<id_field>_name``, the one HCP of
    the user's scope it names).  The id is not checked here: views scope it as usual."""
    hcp_id, text = params.arg_text(id_field), params.arg_text(f"{id_field}_name")
    if hcp_id or not text:
        return Pick(id_field, hcp_id=hcp_id)
    candidates = named(text)
    if len(candidates) == 1:
        return Pick(id_field, hcp_id=candidates[0]["hcp_id"], text=text)
    return Pick(id_field, text=text, candidates=candidates)


def named(text: str) -> list[dict]:
    """The HCPs of the user's scope whose name contains ``text``; one exact name (any case)
    wins over longer ones ("Ann Lee" is not also "Ann Leeds"); failing any name, what the
    search matched elsewhere (specialty, institution, topic)."""
    rows = get_store().search_hcps(text, scoping.scoped_territory(None), CANDIDATES)
    by_name = [r for r in rows if "name" in r["matched"]]
    exact = [r for r in by_name if (r["name"] or "").strip().lower() == text.strip().lower()]
    return exact if len(exact) == 1 else by_name or rows


def choose_page(pick: Pick, purpose: str):
    """The page asking which HCP ``pick`` meant: each candidate links to this same request
    with its id in ``pick.id_field``."""
    choices = [{**row, "url": _with_id(pick.id_field, row["hcp_id"])} for row in pick.candidates]
    page = render_template(
        "hcps/choose.html", pick=pick, purpose=purpose, choices=choices, limit=CANDIDATES
    )
    return page, 200 if choices else 404


def _with_id(id_field: str, hcp_id: str) -> str:
    values: dict[str, Any] = {**(request.view_args or {}), **request.args, id_field: hcp_id}
    values.pop(f"{id_field}_name", None)
    return url_for(request.endpoint or "network.explorer", **values)
