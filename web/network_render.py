"""Network views: the one module that uses pyvis.

:func:`render_network` turns a networkx graph of HCPs into an HTML fragment: a search box,
an optional note, the drawing, and a legend.  pyvis builds the vis-network node, edge and
option records; the page draws them with ``static/network.js`` and vis-network served by
this app (:data:`assets`, from the copy pyvis ships), so it works with no internet.

Layout: the node positions are computed here, on the server (:func:`layout`, a seeded
spring layout), and sent as ``x``/``y``; vis-network then only settles them with a short
simulation (:data:`SETTLE_ITERATIONS`) that spreads the dots by their size and stops: a
simulation from random places would take far longer to settle.  From the same start the
simulation ends in the same place, so a network looks the same on every visit.  Views
cache the positions with the other answers (:class:`Shape` names a graph by its nodes
and edges).

Safety: the data travels as JSON in a ``<script type="application/json">`` block (Jinja's
``tojson`` escapes ``<``, ``>``, ``&`` and quotes), hover titles are HTML built only from
escaped strings (vis-network and pyvis templates put titles into ``innerHTML``), and the
labels are drawn on a canvas, where markup is never interpreted.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import igraph
import networkx as nx
import numpy as np
import pyvis
from flask import Blueprint, render_template
from markupsafe import Markup, escape
from pyvis.edge import Edge
from pyvis.network import Network

from kolgraph.web.links import profile_url

DEFAULT_CAP = 300
COLOR_BY = ("tier", "engagement")

TIER_COLORS = {1: "#c2410c", 2: "#f59e0b", 3: "#2563eb", 4: "#94a3b8"}
ENGAGEMENT_COLORS = {"engaged": "#16a34a", "stale": "#f59e0b", "never": "#dc2626"}
UNKNOWN_COLOR = "#cbd5e1"
LEGENDS = {
    "tier": [(f"Tier {tier}", color) for tier, color in TIER_COLORS.items()],
    "engagement": [(status.capitalize(), color) for status, color in ENGAGEMENT_COLORS.items()],
}

#: Simulation rounds vis-network runs from the server's positions before it draws (then
#: ``static/network.js`` stops the physics, so an idle page costs no CPU).
SETTLE_ITERATIONS = 100
#: vis-network options (see the module doc on the layout).
OPTIONS = {
    "nodes": {"shape": "dot", "borderWidth": 1, "font": {"size": 12, "face": "system-ui"}},
    "edges": {"color": {"color": "#94a3b8", "highlight": "#1e3a5f"}, "smooth": False},
    "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    "physics": {
        "solver": "forceAtlas2Based",
        "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 90},
        "stabilization": {"iterations": SETTLE_ITERATIONS, "updateInterval": 50},
    },
}
#: Canvas units per node along each side of the drawing's square: room for the largest
#: dots (radius 40) without a 300-node network turning into one blot.
SPACING = 90
#: The spring layout's rounds (the browser's settling spreads the last overlapping dots) and
#: the seed of its start positions and moves (fixed: the same graph, the same picture).
LAYOUT_ITERATIONS = 100
LAYOUT_SEED = 7

#: Node positions of a graph: hcp_id -> (x, y) in canvas units.
Positions = Mapping[str, tuple[float, float]]


def _vis_folder() -> Path:
    """vis-network as shipped inside the pyvis package."""
    root = Path(pyvis.__file__).parent
    for folder in (root / "lib" / "vis-9.1.2", root / "templates" / "lib" / "vis-9.1.2"):
        if (folder / "vis-network.min.js").exists():
            return folder
    raise RuntimeError(f"vis-network not found in the pyvis package at {root}")


#: Serves vis-network.min.js and vis-network.css at /static/vendor/vis-network/.
assets = Blueprint(
    "vis_network",
    __name__,
    static_folder=str(_vis_folder()),
    static_url_path="/static/vendor/vis-network",
)


def render_network(
    graph: nx.Graph,
    *,
    color_by: str = "tier",
    cap: int = DEFAULT_CAP,
    note: str | None = None,
    place: Callable[[nx.Graph], Positions] | None = None,
) -> Markup:
    """The HTML fragment drawing ``graph`` (call inside a request; ``graph`` is not modified).

    Nodes are keyed by ``hcp_id`` with attributes ``name``, ``tier``, ``influence`` (0-100),
    ``institution``, ``territory``, ``specialty`` and ``engagement`` (engaged / stale /
    never); edges carry ``papers``.  Size follows influence, colour follows ``color_by``,
    edge width follows joint papers.  Beyond ``cap`` nodes only the ``cap`` most
    influential are drawn, with a note saying so.  A graph already capped by the store
    carries its full size in ``graph.graph["total"]`` (see :mod:`kolgraph.answers.browse`);
    the note counts that.  ``place`` gives the positions of the drawn graph (default
    :func:`layout`; views pass a cached one).
    """
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {COLOR_BY}, not {color_by!r}")
    shown = most_influential(graph, cap)
    notes = [note] if note else []
    total = network_total(graph)
    if shown.number_of_nodes() < total:
        notes.append(
            f"Showing {shown.number_of_nodes():,} of {total:,} HCPs "
            "(the most influential); narrow with filters."
        )
    net = build_pyvis(shown, color_by, (place or layout)(shown))
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    data = {"nodes": nodes, "edges": edges, "options": json.loads(options)}
    return Markup(
        render_template(
            "network/fragment.html",
            data=data,
            notes=notes,
            legend=LEGENDS[color_by],
            color_by=color_by,
            node_count=len(nodes),
            edge_count=len(edges),
        )
    )


def vis_records(graph: nx.Graph, color_by: str = "tier") -> dict:
    """``graph``'s nodes and edges as the vis-network records a drawing holds, without
    positions: what the expand-in-place endpoint adds to an open view (``static/network.js``
    places the new nodes around the expanded one).  Titles are escaped as for a drawing."""
    if color_by not in COLOR_BY:
        raise ValueError(f"color_by must be one of {COLOR_BY}, not {color_by!r}")
    net = build_pyvis(graph, color_by, {str(n): (0.0, 0.0) for n in graph})
    nodes = [{k: v for k, v in node.items() if k not in ("x", "y")} for node in net.nodes]
    return {"nodes": nodes, "edges": list(net.edges)}


def network_total(graph: nx.Graph) -> int:
    """How many HCPs the network has: ``graph.graph["total"]`` when the store capped it."""
    return max(int(graph.graph.get("total") or 0), graph.number_of_nodes())


def most_influential(graph: nx.Graph, cap: int) -> nx.Graph:
    """``graph`` itself when it has at most ``cap`` nodes, else a view of its ``cap`` most
    influential nodes (ties broken by id, so the choice is stable)."""
    if graph.number_of_nodes() <= cap:
        return graph
    ranked = sorted(graph.nodes(data="influence"), key=lambda item: (-(item[1] or 0), str(item[0])))
    return graph.subgraph(node for node, _ in ranked[:cap])


def build_pyvis(graph: nx.Graph, color_by: str, positions: Positions | None = None) -> Network:
    """A fresh pyvis Network built node by node (``Network.from_nx`` would mutate ``graph``),
    each node at its place in ``positions`` (default :func:`layout`)."""
    positions = layout(graph) if positions is None else positions
    net = Network(directed=False, cdn_resources="local")
    for hcp_id, attrs in graph.nodes(data=True):
        x, y = positions[str(hcp_id)]
        net.add_node(
            str(hcp_id),
            label=str(attrs.get("name") or hcp_id),
            title=hover_title(attrs),
            size=node_size(attrs.get("influence")),
            color=node_color(attrs, color_by),
            url=profile_url(str(hcp_id)),
            x=x,
            y=y,
        )
    for a, b, attrs in graph.edges(data=True):
        papers = int(attrs.get("papers") or 1)
        # Not net.add_edge: it rescans every edge for duplicates (quadratic), and a networkx
        # Graph has none.
        edge = Edge(
            str(a),
            str(b),
            width=edge_width(papers),
            title=f"{papers} joint paper{'s' if papers != 1 else ''}",
        )
        net.edges.append(edge.options)
    net.set_options(json.dumps(OPTIONS))
    return net


@dataclass(frozen=True)
class Shape:
    """What a graph's layout depends on: its node ids, sorted, and its edges as pairs of
    their numbers in that order, sorted."""

    names: list[str]
    edges: list[tuple[int, int]]

    @classmethod
    def of(cls, graph: nx.Graph) -> Shape:
        names = sorted(str(n) for n in graph)
        number = {name: i for i, name in enumerate(names)}
        ends = ((number[str(a)], number[str(b)]) for a, b in graph.edges())
        return cls(names, sorted({(min(e), max(e)) for e in ends}))

    @property
    def key(self) -> str:
        """A name for the shape: equal names, equal :func:`layout`."""
        return hashlib.sha256(json.dumps([self.names, self.edges]).encode()).hexdigest()


def layout(graph: nx.Graph | Shape) -> dict[str, tuple[float, float]]:
    """Where to draw each node: hcp_id -> (x, y) in canvas units.

    Each connected component gets a Fruchterman-Reingold (spring) layout -- co-authors pull
    together, every pair pushes apart, so dots spread out instead of piling up -- in a
    square whose side grows with the square root of its size (:data:`SPACING`); the squares
    are then packed in rows, biggest first.  (One layout of the whole graph would fling
    isolated HCPs to the corners and shrink the main cluster to a dot.)  Components,
    nodes and edges go in sorted and the start positions come from a fixed seed, so a
    graph gets the same picture in every process and on every visit.
    """
    shape = graph if isinstance(graph, Shape) else Shape.of(graph)
    whole = igraph.Graph(n=len(shape.names), edges=shape.edges)
    # A component's members come in increasing number, i.e. sorted by name.
    parts = sorted(whole.connected_components(), key=lambda c: (-len(c), c))
    return _packed([_component_layout(whole, members, shape.names) for members in parts])


def _component_layout(
    whole: igraph.Graph, members: list[int], names: list[str]
) -> tuple[float, dict[str, tuple[float, float]]]:
    """The side of a component's square and its nodes' positions inside it (centred on 0, 0):
    igraph's Fruchterman-Reingold layout (in C, several times faster than networkx's) from
    seeded start positions, with seeded moves."""
    side = SPACING * math.sqrt(len(members))
    if len(members) == 1:
        return side, {names[members[0]]: (0.0, 0.0)}
    start = np.random.default_rng(LAYOUT_SEED).uniform(size=(len(members), 2)).tolist()
    with _seeded_igraph():
        found = whole.induced_subgraph(members).layout_fruchterman_reingold(
            niter=LAYOUT_ITERATIONS, seed=start
        )
    return side, dict(zip((names[i] for i in members), _scaled(found.coords, side * 0.9)))


_IGRAPH_RANDOM = threading.Lock()


@contextmanager
def _seeded_igraph() -> Iterator[None]:
    """igraph draws its random numbers from one process-wide generator (Python's ``random``
    by default): give it a seeded one for the duration, one thread at a time."""
    with _IGRAPH_RANDOM:
        igraph.set_random_number_generator(random.Random(LAYOUT_SEED))
        try:
            yield
        finally:
            igraph.set_random_number_generator(random)


def _packed(
    boxes: list[tuple[float, dict[str, tuple[float, float]]]],
) -> dict[str, tuple[float, float]]:
    """Squares (side, positions) placed left to right in rows about as wide as all of them
    would be tall, then the whole centred on (0, 0)."""
    width = max(boxes[0][0], math.sqrt(sum(side * side for side, _ in boxes))) if boxes else 0
    placed: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for side, positions in boxes:
        if x > 0 and x + side > width:
            x, y, row = 0.0, y + row, 0.0
        for node, (px, py) in positions.items():
            placed[node] = (x + side / 2 + px, y + side / 2 + py)
        x, row = x + side, max(row, side)
    if not placed:
        return {}
    nodes = list(placed)
    return dict(zip(nodes, _scaled([placed[n] for n in nodes], None)))


def _scaled(coords: list, side: float | None) -> list[tuple[float, float]]:
    """``coords`` centred on (0, 0) and, given a ``side``, scaled to fit a square of it;
    rounded to 0.1."""
    xs, ys = [c[0] for c in coords], [c[1] for c in coords]
    cx, cy = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    factor = side / extent if side is not None and extent > 0 else 1.0
    return [(round(float(x - cx) * factor, 1), round(float(y - cy) * factor, 1)) for x, y in coords]


def hover_title(attrs: dict) -> str:
    """The tooltip: name, tier, institution, specialty, territory; every value escaped."""
    tier = attrs.get("tier")
    lines = [
        f"<strong>{escape(attrs.get('name') or '')}</strong>",
        f"Tier {escape(tier)}" if tier is not None else "Tier: not scored",
        escape(attrs.get("institution") or "no institution"),
        escape(" · ".join(str(attrs[k]) for k in ("specialty", "territory") if attrs.get(k))),
    ]
    return "<br>".join(str(line) for line in lines if line)


def node_size(influence) -> float:
    """Radius in pixels: 8 for no influence up to 40 for 100."""
    value = max(0.0, min(float(influence or 0), 100.0))
    return round(8 + value * 0.32, 1)


@lru_cache(maxsize=256)
def edge_width(papers: int) -> float:
    """1 for one joint paper, growing with the log of the count (capped at 8)."""
    return round(min(1 + 1.5 * math.log2(max(papers, 1)), 8), 2)


def node_color(attrs: dict, color_by: str) -> str:
    """The node's colour for the chosen scheme; grey when the attribute is missing."""
    if color_by == "tier":
        tier = _int_or_none(attrs.get("tier"))
        return UNKNOWN_COLOR if tier is None else TIER_COLORS.get(tier, UNKNOWN_COLOR)
    return ENGAGEMENT_COLORS.get(str(attrs.get("engagement") or "").lower(), UNKNOWN_COLOR)


def _int_or_none(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
