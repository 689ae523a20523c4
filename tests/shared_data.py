"""Where the real public data (PubMed, NPPES, ClinicalTrials.gov, Open Payments) lives.

The data sits beside the project in ``../shared/data`` (see its README); a clone elsewhere
finds it through ``KOLGRAPH_SHARED_DATA`` or the workplace's ``/work/shared/data``.  Tests
on real data are skipped when it is missing, except in CI (``CI`` set), where that fails.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_CANDIDATES = [
    os.environ.get("KOLGRAPH_SHARED_DATA"),
    Path(__file__).resolve().parents[2] / "shared" / "data",
    "/work/shared/data",
]


def _find() -> Path:
    for candidate in filter(None, _CANDIDATES):
        if (Path(candidate) / "pubmed").is_dir():
            return Path(candidate)
    return Path(_CANDIDATES[1])


SHARED_DATA = _find()


def require_shared_data() -> None:
    """Skip (fail in CI) when the real data is not there."""
    if (SHARED_DATA / "pubmed").is_dir():
        return
    message = (
        f"real public data not found (looked in {', '.join(map(str, filter(None, _CANDIDATES)))})"
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
