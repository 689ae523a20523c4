"""Links to pages, for code outside the blueprint that serves them (no blueprint imports
another for a URL)."""

from __future__ import annotations

from urllib.parse import quote

from flask import request


def profile_url(hcp_id: str) -> str:
    """The HCP's profile page, ``/hcp/<hcp_id>`` under this app's root (the id
    percent-encoded), served by :mod:`kolgraph.web.hcps`."""
    return f"{request.script_root}/hcp/{quote(hcp_id, safe='')}"
