"""Logging one touchpoint by hand (the web form): checked exactly as a load, then written.

:func:`log_touchpoint` turns the form's values into a one-row ``touchpoints`` table from the
source ``web form``, runs :func:`kolgraph.loaders.validate.validate` on it (the same checks
and messages as ``kolgraph load``: required values, a real date not in the future, the
configured insight categories, a known sentiment, an MSL and HCP that exist) and hands the
batch to :meth:`~kolgraph.store.base.GraphStore.load`.

Nothing has to be recomputed afterwards: influence does not depend on touchpoints, and the
store's caches of gaps and coverage are keyed by its data version, which every load bumps,
so the new touch counts on the very next query.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from kolgraph.analytics.insights import load_insight_categories
from kolgraph.errors import ValidationFailed
from kolgraph.loaders.validate import RawBundle, RawTable, validate
from kolgraph.schema import TOUCHPOINTS, Batch
from kolgraph.store.base import GraphStore

#: The source name validation problems carry (instead of a file name).
SOURCE = "web form"
ID_PREFIX = "TP-WEB-"
#: The columns a caller gives; the key is generated.
FIELDS = tuple(c for c in TOUCHPOINTS.column_names if c != "touchpoint_id")
#: Channels the form offers (the generator's, plus phone and other); a load may hold others.
CHANNELS = ("in-person", "virtual", "phone", "email", "congress", "other")


def new_touchpoint_id() -> str:
    """A fresh touchpoint id, ``TP-WEB-`` and 12 random hex digits (e.g. ``TP-WEB-3f9c0a1b2d4e``)."""
    return f"{ID_PREFIX}{uuid.uuid4().hex[:12]}"


def log_touchpoint(
    store: GraphStore, home: Path, values: Mapping[str, str | None], *, today: date | None = None
) -> dict:
    """Validate one touchpoint given as text ``values`` (keys of :data:`FIELDS`) and store it.

    Returns the stored row (typed as in a :data:`~kolgraph.schema.Batch`, with its new
    ``touchpoint_id``).  Raises :class:`~kolgraph.errors.ValidationFailed` with every
    problem (see :func:`check_touchpoint`), writing nothing.
    """
    batch = check_touchpoint(store, home, values, today=today)
    store.load(batch)
    return batch["touchpoints"].iloc[0].to_dict()


def check_touchpoint(
    store: GraphStore, home: Path, values: Mapping[str, str | None], *, today: date | None = None
) -> Batch:
    """The one-row batch :func:`log_touchpoint` would write, with a new id; writes nothing.

    The checks and messages are those of a load; the insight categories come from
    ``home/insights.toml`` (:func:`~kolgraph.analytics.insights.load_insight_categories`).
    Raises :class:`~kolgraph.errors.ValidationFailed` with every problem.
    """
    raw = RawBundle(tables={"touchpoints": one_row_table(_unused_id(store), values)})
    return validate(raw, store, today=today, insight_categories=load_insight_categories(home))


def one_row_table(touchpoint_id: str, values: Mapping[str, str | None]) -> RawTable:
    """The raw ``touchpoints`` table of one form: every canonical column (blank when not
    given), plus any extra key of ``values``, which validation reports as an unknown column."""
    cells = {"touchpoint_id": touchpoint_id}
    cells |= dict.fromkeys(FIELDS, "")
    cells |= {
        str(k): "" if v is None else str(v) for k, v in values.items() if k != "touchpoint_id"
    }
    frame = pd.DataFrame({k: pd.Series([v], dtype=object) for k, v in cells.items()})
    return RawTable("touchpoints", frame, lines=np.array([1]), source=SOURCE)


def field_problems(error: ValidationFailed) -> dict[str, list[str]]:
    """The problems of a failed :func:`log_touchpoint`, per column, without ``file:line:``."""
    by_field: dict[str, list[str]] = {}
    for problem in error.problems:
        by_field.setdefault(problem.column, []).append(problem.message)
    return by_field


def _unused_id(store: GraphStore) -> str:
    """A new id the store does not hold yet (a load is an upsert: a clash would overwrite)."""
    while True:
        touchpoint_id = new_touchpoint_id()
        if not store.existing_keys("touchpoints", [touchpoint_id]):
            return touchpoint_id
