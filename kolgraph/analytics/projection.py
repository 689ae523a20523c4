"""The projection: the tables analytics need, pulled from a store once.

Graph algorithms run in Python on plain pandas DataFrames, so they give the same answers on
every store.  A :class:`Projection` holds those frames; :meth:`Projection.from_store` reads
them with one ``store.table(name)`` call each, and :meth:`Projection.from_frames` builds one
from hand-made frames (tests, benchmarks, a bundle read straight from CSV).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from typing import Protocol

import pandas as pd

from kolgraph.authorship_numbers import AuthorshipNumbers
from kolgraph.coauthorship import MAX_AUTHORS, CoauthorEdges, coauthorship_pairs
from kolgraph.schema import COAUTHORSHIP_COLUMNS, TABLES_BY_NAME, empty_frame


class TableSource(Protocol):
    """Where a projection reads its tables: any store (``GraphStore.table``), and the cap it
    derives co-author pairs with (``GraphStore.coauthor_max_authors``)."""

    coauthor_max_authors: int

    def table(self, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame: ...

    def coauthor_edges(self) -> CoauthorEdges | None: ...

    def authorship_numbers(self) -> AuthorshipNumbers | None: ...


#: The tables and columns scoring reads (:meth:`Projection.for_scoring`); explanations read
#: every column of every table.  At 500,000 HCPs the rest (titles, MeSH terms, affiliation
#: strings of 11.7 M authorships) would be most of scoring's memory.
SCORING_COLUMNS: dict[str, tuple[str, ...]] = {
    "hcps": ("hcp_id",),
    "publications": ("pmid", "year", "citation_count"),
    "authorships": ("pmid", "hcp_id", "position"),
    "coauthorships": ("hcp_a", "hcp_b", "papers"),
    "trial_roles": ("hcp_id", "role"),
}


@dataclass(frozen=True)
class Projection:
    """The canonical tables scoring and explanations read, as a store returns them, and the
    store's co-author cap (publications with more authors make no co-author link)."""

    hcps: pd.DataFrame
    publications: pd.DataFrame
    authorships: pd.DataFrame
    coauthorships: pd.DataFrame
    trials: pd.DataFrame
    trial_roles: pd.DataFrame
    affiliations: pd.DataFrame
    institutions: pd.DataFrame
    coauthor_max_authors: int = MAX_AUTHORS
    #: The co-author graph in numbers, when the store keeps it so (``coauthorships`` is
    #: then not read): scoring builds its graph from it.
    coauthor_edges: CoauthorEdges | None = None
    #: Every authorship in numbers, when the store keeps them so (``authorships`` and
    #: ``publications`` are then not read): scoring weighs the papers from them.
    authorship_numbers: AuthorshipNumbers | None = None

    @classmethod
    def from_store(cls, store: TableSource) -> Projection:
        """Every table the analytics need, read from ``store`` once."""
        tables = {name: store.table(name) for name in table_names()}
        return cls(**tables, coauthor_max_authors=store.coauthor_max_authors)

    @classmethod
    def for_scoring(
        cls,
        store: TableSource,
        tables: Iterable[str] = tuple(SCORING_COLUMNS),
        into: Projection | None = None,
    ) -> Projection:
        """The columns scoring reads (:data:`SCORING_COLUMNS`) of ``tables``, from
        ``store``, added to ``into`` (default: a projection of empty tables).  What the store
        keeps in numbers stands for the tables it replaces: the co-author graph
        (:attr:`coauthor_edges`) for ``coauthorships``, the authorships
        (:attr:`authorship_numbers`) for ``authorships`` and ``publications``."""
        wanted = set(tables)
        base = into if into is not None else cls.from_frames(store.coauthor_max_authors)
        if "coauthorships" in wanted and (edges := store.coauthor_edges()) is not None:
            wanted.discard("coauthorships")
            base = replace(base, coauthor_edges=edges)
        if "authorships" in wanted and (numbers := store.authorship_numbers()) is not None:
            wanted -= {"authorships", "publications"}
            base = replace(base, authorship_numbers=numbers)
        read = {name: store.table(name, SCORING_COLUMNS[name]) for name in sorted(wanted)}
        return replace(base, **read)

    @classmethod
    def from_frames(
        cls, coauthor_max_authors: int = MAX_AUTHORS, **frames: pd.DataFrame
    ) -> Projection:
        """A projection from the frames given; missing tables are empty.

        ``coauthorships`` is derived from ``authorships`` and ``publications`` when it is
        not given, exactly as the stores derive ``COAUTHORED_WITH``.
        """
        unknown = set(frames) - set(table_names())
        if unknown:
            raise TypeError(f"unknown table(s): {', '.join(sorted(unknown))}")
        full = {name: frames.get(name, _empty(name)) for name in table_names()}
        if "coauthorships" not in frames:
            full["coauthorships"] = derive_coauthorships(
                full["authorships"], full["publications"], coauthor_max_authors
            )
        return cls(**full, coauthor_max_authors=coauthor_max_authors)


def table_names() -> tuple[str, ...]:
    """The names of the tables a projection holds, in field order."""
    return tuple(f.name for f in fields(Projection) if f.name not in _NOT_TABLES)


_NOT_TABLES = ("coauthor_max_authors", "coauthor_edges", "authorship_numbers")


def _empty(name: str) -> pd.DataFrame:
    if name == "coauthorships":
        return pd.DataFrame({c: pd.Series(dtype=object) for c in COAUTHORSHIP_COLUMNS})
    return empty_frame(TABLES_BY_NAME[name])


def derive_coauthorships(
    authorships: pd.DataFrame, publications: pd.DataFrame, max_authors: int = MAX_AUTHORS
) -> pd.DataFrame:
    """One row per unordered pair of HCPs sharing a publication with at most ``max_authors``
    authors (``hcp_a < hcp_b``), as the stores derive ``COAUTHORED_WITH``; rows sorted by
    ``(hcp_a, hcp_b)``."""
    pairs = authorships[["pmid", "hcp_id"]].drop_duplicates()
    years = publications.assign(year=pd.to_numeric(publications["year"]))
    return coauthorship_pairs(pairs, years, max_authors).reset_index(drop=True)
