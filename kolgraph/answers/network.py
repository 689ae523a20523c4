"""Collaborators, suggestions, shortest paths and warm introductions: the shared logic.

Stores only fetch raw facts (who co-authored with whom, who works where, who was engaged
when); everything that decides an answer -- ordering, scores, tie-breaks, the wording of
evidence -- happens here, so the embedded store and Neo4j give identical answers.

The path graph
--------------
Nodes are HCPs and Institutions.  Edges are ``COAUTHORED_WITH`` (HCP-HCP) and *current*
``AFFILIATED_WITH`` (HCP-Institution, ``end_year`` blank); a past affiliation is no edge.
A path is shortest by its number of graph edges (a shared institution costs two: HCP ->
Institution -> HCP), at most :data:`MAX_PATH_EDGES` of them.  Among several shortest paths
the one whose node sequence, read from its start, is lexicographically smallest wins; a
node compares as ``(id, kind)`` with plain string order (``"H10" < "H9"``) and ``"hcp"`` before
``"institution"`` when ids are equal.  The answer is reported as hops between HCPs: a
co-author hop, or an institution hop (the two HCPs and the institution between them).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import NamedTuple

import numpy as np

from kolgraph.errors import InputError, NotFoundError

#: Longest path searched, in graph edges (an institution hop counts two).
MAX_PATH_EDGES = 10
#: MeSH check tags: on nearly every paper, they say nothing about what two people work on.
MESH_CHECK_TAGS = frozenset(
    {
        "Humans",
        "Animals",
        "Male",
        "Female",
        "Adult",
        "Aged",
        "Aged, 80 and over",
        "Middle Aged",
        "Young Adult",
        "Adolescent",
        "Child",
        "Child, Preschool",
        "Infant",
        "Infant, Newborn",
        "Pregnancy",
        "Mice",
        "Rats",
    }
)

#: Weight of the Jaccard similarity of two HCPs' MeSH topic sets in a suggestion score.
TOPIC_WEIGHT = 0.5
#: Score added per current institution two HCPs share.
INSTITUTION_WEIGHT = 0.5
#: A store may drop a candidate whose score before topics is below the ``limit``-th best by
#: more than this: the topic term adds at most TOPIC_WEIGHT, and the rest covers float sums
#: added in another order.
PRUNING_MARGIN = TOPIC_WEIGHT + 0.01
#: Decimals of a suggestion score.
SCORE_DECIMALS = 4
#: Candidates scored in the first round of a suggestion (rounds then double).
SUGGEST_ROUND = 25
#: Names listed in a ``why`` sentence before "and N more".
WHY_NAMES = 3

COAUTHOR_COLUMNS = ("hcp_id", "name", "joint_publications", "last_year")
SUGGESTION_COLUMNS = ("hcp_id", "name", "score", "shared_coauthors", "shared_topics", "why")

HCP = "hcp"
INSTITUTION = "institution"


class Node(NamedTuple):
    """A node of the path graph; tuples compare by ``id`` first, then ``kind``."""

    id: str
    kind: str  # HCP or INSTITUTION


#: Neighbours of each node of a frontier (every node given must be a key).
Expand = Callable[[list[Node]], Mapping[Node, list[Node]]]
#: Engaged HCPs among the ids given: hcp_id -> last touch date (``YYYY-MM-DD``).
Engaged = Callable[[list[str]], Mapping[str, str]]


# --- co-authors --------------------------------------------------------------------------------


def sort_coauthors(rows: Iterable[dict]) -> list[dict]:
    """Co-author rows most joint publications first, then latest year, then ``hcp_id``."""
    return sorted(
        rows,
        key=lambda r: (
            -r["joint_publications"],
            -(r["last_year"] if r["last_year"] is not None else -1),
            r["hcp_id"],
        ),
    )


# --- suggestions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Neighbourhood:
    """What a store knows around one HCP, for link prediction, in numbers.

    A number is a position in ``ids`` (sorted, so number order is id order); ``hcp`` is the
    HCP's.  ``coauthors``: its co-authors' numbers, ascending, named by ``coauthor_names``;
    co-author ``k`` has ``coauthor_degrees[k]`` co-authors, listed in
    ``their_idx[their_ptr[k]:their_ptr[k + 1]]``.  ``institutions``: its current
    institution ids, sorted, named by ``institution_names``; institution ``k``'s current
    members (no repeats) are ``member_idx[member_ptr[k]:member_ptr[k + 1]]``.

    A store may leave out of those lists every candidate that cannot make the top
    ``limit`` (:data:`PRUNING_MARGIN`): the answer is the same.

    In numbers because a well-connected HCP's co-authors have tens of thousands of
    co-authors: as text, naming them cost more than the whole suggestion.
    """

    ids: np.ndarray
    hcp: int
    coauthors: np.ndarray
    coauthor_names: list[str | None]
    coauthor_degrees: np.ndarray
    their_ptr: np.ndarray
    their_idx: np.ndarray
    institutions: list[str]
    institution_names: list[str | None]
    member_ptr: np.ndarray
    member_idx: np.ndarray

    @property
    def hcp_id(self) -> str:
        return str(self.ids[self.hcp])

    @classmethod
    def of(
        cls,
        hcp_id: str,
        coauthors: Mapping[str, tuple[str | None, list[str]]],
        institutions: Mapping[str, tuple[str | None, list[str]]],
        degrees: Mapping[str, int] | None = None,
    ) -> Neighbourhood:
        """From ids: ``coauthors``: co-author id -> (name, that co-author's own co-author
        ids); ``institutions``: current institution id -> (name, ids of its members);
        ``degrees``: each co-author's number of co-authors, where the lists hold only the
        candidates that may make the top (by default, the lists' lengths)."""
        named = {hcp_id, *coauthors}
        for group in (coauthors, institutions):
            named.update(i for _name, ids in group.values() for i in ids)
        ids = sorted(named)
        number = {i: n for n, i in enumerate(ids)}
        own, places = sorted(coauthors), sorted(institutions)
        their_ptr, their_idx = _lists([[number[i] for i in coauthors[c][1]] for c in own])
        member_ptr, member_idx = _lists(
            [sorted({number[i] for i in institutions[p][1]}) for p in places]
        )
        return cls(
            ids=np.asarray(ids, dtype=object),
            hcp=number[hcp_id],
            coauthors=np.asarray([number[c] for c in own], dtype=np.int64),
            coauthor_names=[coauthors[c][0] for c in own],
            coauthor_degrees=np.asarray(
                [degrees[c] if degrees else len(coauthors[c][1]) for c in own], dtype=np.int64
            ),
            their_ptr=their_ptr,
            their_idx=their_idx,
            institutions=places,
            institution_names=[institutions[p][0] for p in places],
            member_ptr=member_ptr,
            member_idx=member_idx,
        )


def _lists(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Lists of numbers as (pointers, numbers)."""
    pointers = np.zeros(len(lists) + 1, dtype=np.int64)
    np.cumsum([len(x) for x in lists], out=pointers[1:])
    return pointers, np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64)


@dataclass
class _Candidate:
    hcp_id: str
    shared: list[int] = field(default_factory=list)  # shared co-authors (positions)
    institutions: list[int] = field(default_factory=list)  # shared current institutions
    base: float = 0.0  # the score before topics


#: Names and MeSH topic sets of the HCPs given: hcp_id -> (name, topics).
Details = Callable[[list[str]], Mapping[str, tuple[str, frozenset[str]]]]


def suggest(around: Neighbourhood, details: Details, limit: int) -> list[dict]:
    """Ranked collaborator suggestions for ``around.hcp_id``.

    Candidates share a co-author or a current institution with the HCP and are neither the
    HCP nor a co-author.  Score = Adamic-Adar over co-authorship (sum over shared co-authors
    of ``1 / ln(co-author count)``) + :data:`TOPIC_WEIGHT` x Jaccard of the MeSH topic sets +
    :data:`INSTITUTION_WEIGHT` per shared current institution, rounded to
    :data:`SCORE_DECIMALS`; best first, then ``hcp_id``.

    Candidates are scored in rounds, best score-before-topics first; the topic term is at
    most :data:`TOPIC_WEIGHT`, so once no remaining candidate can reach the current
    ``limit``-th score the rest are skipped, and a store reads few topic sets.
    """
    check_limit(limit)
    order = _ranked_candidates(around, limit)
    own_topics: frozenset[str] | None = None
    rows: list[dict] = []
    start, size = 0, max(2 * limit, SUGGEST_ROUND)
    while start < len(order) and not _settled(rows, order[start], limit):
        chunk = order[start : start + size]
        wanted = [c.hcp_id for c in chunk] + ([around.hcp_id] if own_topics is None else [])
        facts = details(sorted(wanted))
        if own_topics is None:
            own_topics = facts.get(around.hcp_id, ("", frozenset()))[1]
        rows.extend(_suggestion(c, own_topics, facts, around) for c in chunk)
        rows.sort(key=lambda r: (-r["score"], r["hcp_id"]))
        start, size = start + size, size * 2
    return rows[:limit]


def _settled(rows: list[dict], best_left: _Candidate, limit: int) -> bool:
    """True when no candidate left (the best is ``best_left``) can enter the top ``limit``.

    The margin covers rounding: a score that could round to a tie is still scored.
    """
    return len(rows) >= limit and best_left.base + TOPIC_WEIGHT + 1e-3 < rows[limit - 1]["score"]


def check_limit(limit: int) -> None:
    """A suggestion limit must be a positive number."""
    if limit < 1:
        raise InputError(f"the limit must be at least 1 (got {limit})")


def _ranked_candidates(around: Neighbourhood, limit: int) -> list[_Candidate]:
    """The candidates that can still make the top ``limit``, best score-before-topics first
    (then ``hcp_id``).

    A well-connected HCP has tens of thousands of candidates, almost all hopeless: any
    candidate whose base plus the largest topic term cannot reach the ``limit``-th best base
    is dropped before sorting (it could not beat the ``limit`` best, whose scores are at
    least their bases), and only the survivors become :class:`_Candidate` objects.
    """
    candidates, base = _base_scores(around)
    if not len(base):
        return []
    floor = np.sort(base)[-min(limit, len(base))] - TOPIC_WEIGHT - 2e-3
    kept = base >= floor
    order = np.lexsort((candidates[kept], -base[kept]))
    numbers, bases = candidates[kept][order], base[kept][order]
    found = {
        n: _Candidate(hcp_id, base=b)
        for n, hcp_id, b in zip(numbers.tolist(), around.ids[numbers].tolist(), bases.tolist())
    }
    coauthor_of = np.repeat(np.arange(len(around.coauthors)), np.diff(around.their_ptr))
    for k, other in _entries_among(coauthor_of, around.their_idx, numbers):
        found[other].shared.append(k)
    institution_of = np.repeat(np.arange(len(around.institutions)), np.diff(around.member_ptr))
    for k, other in _entries_among(institution_of, around.member_idx, numbers):
        found[other].institutions.append(k)
    return list(found.values())


def _entries_among(
    rows: np.ndarray, numbers: np.ndarray, wanted: np.ndarray
) -> Iterable[tuple[int, int]]:
    """The (row, number) entries whose number is one of ``wanted``, in entry order."""
    hit = np.isin(numbers, wanted)
    return zip(rows[hit].tolist(), numbers[hit].tolist())


def _base_scores(around: Neighbourhood) -> tuple[np.ndarray, np.ndarray]:
    """Each candidate's number, ascending, and its score before topics.

    The weights are added in a fixed order (co-authors, then institutions, each sorted by id),
    one addition at a time as ``bincount`` adds them, so a score is the same float whichever
    store supplied the neighbourhood.
    """
    # A co-author has >= 2 co-authors here (the HCP and each candidate): log > 0.
    weights = [1.0 / math.log(n) if n > 1 else 0.0 for n in around.coauthor_degrees.tolist()]
    who = np.concatenate([around.their_idx, around.member_idx])
    added = np.concatenate(
        [
            np.repeat(weights, np.diff(around.their_ptr)),
            np.full(len(around.member_idx), INSTITUTION_WEIGHT),
        ]
    )
    candidate = ~np.isin(who, around.coauthors) & (who != around.hcp)
    numbers, at = np.unique(who[candidate], return_inverse=True)
    return numbers, np.bincount(at, weights=added[candidate], minlength=len(numbers))


def _suggestion(
    candidate: _Candidate,
    own_topics: frozenset[str],
    facts: Mapping[str, tuple[str, frozenset[str]]],
    around: Neighbourhood,
) -> dict:
    name, topics = facts.get(candidate.hcp_id, (candidate.hcp_id, frozenset()))
    own_topics, topics = own_topics - MESH_CHECK_TAGS, topics - MESH_CHECK_TAGS
    union = own_topics | topics
    shared_topics = sorted(own_topics & topics)
    jaccard = len(shared_topics) / len(union) if union else 0.0
    shared_ids = around.ids[around.coauthors[candidate.shared]].tolist()
    coauthors = sorted(
        (around.coauthor_names[k] or i, i) for k, i in zip(candidate.shared, shared_ids)
    )
    coauthor_names = [name for name, _ in coauthors]
    institution_names = sorted(
        around.institution_names[k] or around.institutions[k] for k in candidate.institutions
    )
    return {
        "hcp_id": candidate.hcp_id,
        "name": name,
        "score": round(candidate.base + TOPIC_WEIGHT * jaccard, SCORE_DECIMALS),
        "shared_coauthors": coauthor_names,
        "shared_topics": shared_topics,
        "shared_coauthor_ids": [hcp_id for _, hcp_id in coauthors],
        "shared_institutions": institution_names,
        "why": why_sentence(coauthor_names, institution_names, shared_topics),
    }


def why_sentence(coauthors: list[str], institutions: list[str], topics: list[str]) -> str:
    """One readable sentence for a suggestion.

    >>> why_sentence(["A", "B"], ["X"], ["Y"])
    'Shares 2 co-authors (A, B), works at the same institution (X), and publishes on 1 of the same topics (Y).'
    """
    parts = []
    if coauthors:
        parts.append(f"shares {_count(len(coauthors), 'co-author')} ({_names(coauthors)})")
    if institutions:
        noun = "institution" if len(institutions) == 1 else f"{len(institutions)} institutions"
        parts.append(f"works at the same {noun} ({_names(institutions)})")
    if topics:
        parts.append(f"publishes on {len(topics)} of the same topics ({_names(topics)})")
    if not parts:
        return "No shared co-authors, institutions or topics."
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + ", and " + parts[-1]
    return text[0].upper() + text[1:] + "."


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _names(names: list[str]) -> str:
    shown = ", ".join(names[:WHY_NAMES])
    more = len(names) - WHY_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


# --- breadth-first search ----------------------------------------------------------------------


class _Search:
    """One side of a breadth-first search, a whole layer at a time.

    ``parents[v]`` holds *every* neighbour of ``v`` one layer closer to the root, which is
    what the lexicographic walk back needs.
    """

    def __init__(self, root: Node):
        self.root = root
        self.depth: dict[Node, int] = {root: 0}
        self.parents: dict[Node, list[Node]] = {root: []}
        self.frontier: list[Node] = [root]
        self.level = 0

    def advance(self, expand: Expand) -> list[Node]:
        """Expand the frontier by one layer; return the new frontier (sorted)."""
        neighbours = expand(self.frontier)
        found: dict[Node, list[Node]] = {}
        for node in self.frontier:
            for other in neighbours.get(node, ()):
                if other not in self.depth:
                    found.setdefault(other, []).append(node)
        self.level += 1
        for node, parents in found.items():
            self.depth[node] = self.level
            self.parents[node] = parents
        self.frontier = sorted(found)
        return self.frontier


def shortest_node_path(
    source: Node, target: Node, expand: Expand, max_edges: int = MAX_PATH_EDGES
) -> list[Node] | None:
    """The lexicographically smallest shortest path from ``source`` to ``target``, or None.

    Bidirectional breadth-first search, one whole layer at a time on the side with the
    smaller frontier.  The first layer that meets the other side gives the distance; the
    nodes on some shortest path are then traced back on both sides, and the walk from
    ``source`` takes the smallest next node at every step.
    """
    if source == target:
        return [source]
    forward, backward = _Search(source), _Search(target)
    while forward.frontier and backward.frontier and forward.level + backward.level < max_edges:
        side, other = (
            (forward, backward)
            if len(forward.frontier) <= len(backward.frontier)
            else (backward, forward)
        )
        meeting = [n for n in side.advance(expand) if n in other.depth]
        if meeting:
            return _smallest_path(forward, backward, meeting)
    return None


def _smallest_path(forward: _Search, backward: _Search, meeting: list[Node]) -> list[Node]:
    """Walk from the source through the meeting layer to the target, smallest node first."""
    children: dict[Node, list[Node]] = {}
    layer = set(meeting)
    while layer:  # back from the meeting layer to the source: nodes on a shortest path
        previous: set[Node] = set()
        for node in layer:
            for parent in forward.parents[node]:
                children.setdefault(parent, []).append(node)
                previous.add(parent)
        layer = previous
    path = [forward.root]
    while path[-1] in children:
        path.append(min(children[path[-1]]))
    while backward.parents[path[-1]]:
        path.append(min(backward.parents[path[-1]]))
    return path


def nearest_source_path(
    target: Node, expand: Expand, engaged: Engaged, max_edges: int = MAX_PATH_EDGES
) -> tuple[list[Node], str] | None:
    """The path from the nearest engaged HCP to ``target``, with that HCP's last touch date.

    Breadth-first from the target; in the first layer holding engaged HCPs the smallest
    hcp_id is the source, and the walk to the target takes the smallest next node at every
    step: the lexicographically smallest of all shortest paths from any engaged HCP.
    """
    search = _Search(target)
    while search.frontier and search.level < max_edges:
        layer = search.advance(expand)
        hcps = [n.id for n in layer if n.kind == HCP]
        touched = engaged(hcps) if hcps else {}
        if touched:
            source = Node(min(touched), HCP)
            return _walk_to_root(search, source), touched[source.id]
    return None


def _walk_to_root(search: _Search, start: Node) -> list[Node]:
    path = [start]
    while search.parents[path[-1]]:
        path.append(min(search.parents[path[-1]]))
    return path


# --- hops ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HopFacts:
    """What a store reads to describe a path's hops.

    ``names``: hcp_id -> name; ``institutions``: institution_id -> name;
    ``pairs``: (smaller hcp_id, larger hcp_id) -> (papers, first_year, last_year).
    """

    names: Mapping[str, str | None]
    institutions: Mapping[str, str | None]
    pairs: Mapping[tuple[str, str], tuple[int, int | None, int | None]]


def hop_requests(path: list[Node]) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """The hcp ids, institution ids and co-author pairs a path's :class:`HopFacts` need."""
    hcps = sorted({n.id for n in path if n.kind == HCP})
    institutions = sorted({n.id for n in path if n.kind == INSTITUTION})
    pairs = sorted(
        _pair(a.id, b.id) for a, b in itertools.pairwise(path) if a.kind == HCP and b.kind == HCP
    )
    return hcps, institutions, pairs


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def path_result(path: list[Node], facts: HopFacts) -> dict:
    """The public shape of a path: ``{"from", "from_name", "to", "to_name", "hops", "length"}``."""
    hops = _hops(path, facts)
    start, end = path[0].id, path[-1].id
    return {
        "from": start,
        "from_name": facts.names.get(start),
        "to": end,
        "to_name": facts.names.get(end),
        "hops": hops,
        "length": len(hops),
    }


def _hops(path: list[Node], facts: HopFacts) -> list[dict]:
    hops, index = [], 0
    while index < len(path) - 1:
        here, step = path[index], path[index + 1]
        if step.kind == HCP:
            hops.append(
                _hop(
                    here.id, step.id, "coauthor", _coauthor_evidence(here.id, step.id, facts), facts
                )
            )
            index += 1
        else:
            there = path[index + 2]
            evidence = [f"both at {facts.institutions.get(step.id) or step.id} ({step.id})"]
            hop = _hop(here.id, there.id, "institution", evidence, facts)
            hop["institution_id"] = step.id
            hops.append(hop)
            index += 2
    return hops


def _hop(start: str, end: str, via: str, evidence: list[str], facts: HopFacts) -> dict:
    return {
        "from": start,
        "from_name": facts.names.get(start),
        "to": end,
        "to_name": facts.names.get(end),
        "via": via,
        "evidence": evidence,
    }


def _coauthor_evidence(a: str, b: str, facts: HopFacts) -> list[str]:
    papers, first, last = facts.pairs.get(_pair(a, b), (0, None, None))
    years = "" if first is None else f", {first}" if first == last else f", {first}-{last}"
    return [f"{_count(papers, 'joint paper')}{years}"]


# --- the questions, given a store's primitives ----------------------------------------------

#: The subset of the hcp ids given that exist in the store.
Known = Callable[[list[str]], set[str]]
#: The :class:`HopFacts` for a path (see :func:`hop_requests`).
ReadHopFacts = Callable[[list[Node]], HopFacts]


def require_hcps(ids: list[str], known: Known) -> None:
    """Raise :class:`NotFoundError` naming the first of ``ids`` not in the store."""
    present = known(sorted(set(ids)))
    for hcp_id in ids:
        if hcp_id not in present:
            raise NotFoundError(f"no HCP with hcp_id {hcp_id!r}")


def path_between(
    from_id: str, to_id: str, *, known: Known, expand: Expand, hop_facts: ReadHopFacts
) -> dict | None:
    """The shortest path between two HCPs (see the module docstring), or None.

    Raises :class:`InputError` when both ids are the same, :class:`NotFoundError` for an
    unknown id.
    """
    if from_id == to_id:
        raise InputError(f"FROM and TO are the same HCP ({from_id}); give two different HCPs")
    require_hcps([from_id, to_id], known)
    path = shortest_node_path(Node(from_id, HCP), Node(to_id, HCP), expand)
    return None if path is None else path_result(path, hop_facts(path))


def engagement_window(as_of: date, stale_days: int) -> tuple[str, str]:
    """``(since, as_of)`` as ``YYYY-MM-DD``: a touchpoint on or after ``since`` and on or
    before ``as_of`` counts as engaged (exactly ``stale_days`` days before still counts)."""
    if stale_days < 0:
        raise InputError(f"--stale-days must be 0 or more (got {stale_days})")
    return (as_of - timedelta(days=stale_days)).isoformat(), as_of.isoformat()


def intro_to(
    target_id: str, *, known: Known, expand: Expand, engaged: Engaged, hop_facts: ReadHopFacts
) -> dict | None:
    """A warm introduction to ``target_id`` from the nearest engaged HCP, or None.

    ``engaged`` already applies the window and the territory.  When the target itself is
    engaged the answer says so (``already_engaged``: true, no hops).
    """
    require_hcps([target_id], known)
    target = Node(target_id, HCP)
    own = engaged([target_id])
    if target_id in own:
        facts = hop_facts([target])
        return _intro(
            target_id, facts, True, target_id, own[target_id], path_result([target], facts)
        )
    found = nearest_source_path(target, expand, engaged)
    if found is None:
        return None
    path, last_touch = found
    facts = hop_facts(path)
    return _intro(target_id, facts, False, path[0].id, last_touch, path_result(path, facts))


def _intro(
    target_id: str, facts: HopFacts, already: bool, source: str, last_touch: str, path: dict
) -> dict:
    return {
        "target": target_id,
        "target_name": facts.names.get(target_id),
        "already_engaged": already,
        "via_engaged": {
            "hcp_id": source,
            "name": facts.names.get(source),
            "last_touch": last_touch,
        },
        **path,
    }
