"""What a source-format loader returns: raw canonical tables plus an account of the source."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from kolgraph.loaders.validate import RawBundle


@dataclass
class SourceRead:
    """One source file turned into raw canonical tables (validated and loaded like a bundle).

    ``records_read`` counts source records (citations, NPPES rows, studies, payments);
    ``skipped`` counts records left out, by reason (``"deactivated NPI"``); ``notes`` are
    one-line facts for the load summary (``"author slots: 3,394 -> 2,980 HCPs; 12 ambiguous"``);
    ``identities`` holds, per resolved person, the evidence behind the identity (columns
    hcp_id, source, source_ref, name_as_written, method, confidence, evidence).
    """

    raw: RawBundle
    records_read: int = 0
    skipped: Counter = field(default_factory=Counter)
    notes: list[str] = field(default_factory=list)
    identities: pd.DataFrame | None = None
    #: What to keep once the load is written (the PubMed reader: the file's author slots).
    written: Callable[[], None] | None = None
