"""Network rendering: escaping, no external URLs, sizes and colours, the cap, and no mutation."""

from __future__ import annotations

import copy
import json
import math
import os
import re
import subprocess
import sys

import networkx as nx
import pytest
from web_data import loaded  # noqa: F401 (fixture)

from kolgraph.web import network, network_render
from kolgraph.web.network_render import (
    ENGAGEMENT_COLORS,
    SETTLE_ITERATIONS,
    SPACING,
    TIER_COLORS,
    Shape,
    layout,
    render_network,
)

EVIL = "<img src=x onerror=alert(1)>"


def hcp_graph(n: int = 3) -> nx.Graph:
    """A small co-authorship graph with the attributes the views pass in."""
    graph = nx.Graph()
    for i in range(n):
        graph.add_node(
            f"H{i:04d}",
            name=f"Dr Test {i}",
            tier=i % 4 + 1,
            influence=float(i % 101),
            institution="Mercy Hospital",
            territory="North",
            specialty="Oncology",
            engagement=("engaged", "stale", "never")[i % 3],
        )
    for i in range(1, n):
        graph.add_edge(f"H{i - 1:04d}", f"H{i:04d}", papers=i)
    return graph


@pytest.fixture
def render(app):
    """render_network inside a request, returning the HTML and the embedded data."""

    def _render(graph, **options):
        with app.test_request_context():
            html = str(render_network(graph, **options))
        data = json.loads(
            re.search(
                r'<script type="application/json" class="network-data">(.*?)</script>', html, re.S
            ).group(1)
        )
        return html, data

    return _render


def test_names_are_escaped_everywhere(render):
    graph = hcp_graph()
    graph.add_node(
        "H<evil>",
        name=EVIL,
        tier=1,
        influence=50,
        institution="<script>alert(2)</script>",
        specialty="A & B",
        territory="North",
        engagement="never",
    )
    graph.add_edge("H<evil>", "H0000", papers=2)
    html, data = render(graph)
    assert EVIL not in html and "<script>alert" not in html and "onerror=alert(1)>" not in html
    node = next(n for n in data["nodes"] if n["id"] == "H<evil>")
    assert "&lt;img src=x onerror=alert(1)&gt;" in node["title"]
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in node["title"] and "A &amp; B" in node["title"]
    assert node["label"] == EVIL  # drawn on a canvas as text, and JSON-escaped in the page
    assert node["url"] == "/hcp/H%3Cevil%3E"


def test_no_external_urls_and_local_assets(render, client):
    html, _ = render(hcp_graph())
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assets = re.findall(r"""(?:src|href)="([^"]+)""", html)
    assert (
        "/static/vendor/vis-network/vis-network.min.js" in assets and "/static/network.js" in assets
    )
    for path in assets:
        assert client.get(path).status_code == 200, path


def test_hover_title_size_colour_width_and_link(render):
    html, data = render(hcp_graph(5))
    nodes = {n["id"]: n for n in data["nodes"]}
    assert (
        nodes["H0001"]["title"]
        == "<strong>Dr Test 1</strong><br>Tier 2<br>Mercy Hospital<br>Oncology · North"
    )
    assert nodes["H0004"]["size"] > nodes["H0001"]["size"] > nodes["H0000"]["size"]
    assert nodes["H0000"]["color"] == TIER_COLORS[1] and nodes["H0003"]["color"] == TIER_COLORS[4]
    assert nodes["H0002"]["url"] == "/hcp/H0002"
    widths = {(e["from"], e["to"]): e["width"] for e in data["edges"]}
    assert widths[("H0003", "H0004")] > widths[("H0000", "H0001")] == 1
    assert "Tier 1" in html and "Size: influence" in html and 'class="network-search"' in html


def test_colour_by_engagement(render):
    html, data = render(hcp_graph(3), color_by="engagement")
    assert [n["color"] for n in data["nodes"]] == [
        ENGAGEMENT_COLORS[s] for s in ("engaged", "stale", "never")
    ]
    legend = re.search(r'<ul class="legend".*?</ul>', html, re.S).group(0)
    assert "Engaged" in legend and "Never" in legend and "Tier 1" not in legend


def test_missing_attributes_still_render(render):
    graph = nx.Graph()
    graph.add_node("H1")
    graph.add_node("H2", name=None, tier=None, influence=None)
    graph.add_edge("H1", "H2")
    _, data = render(graph)
    assert [n["label"] for n in data["nodes"]] == ["H1", "H2"]
    assert all(n["color"] == "#cbd5e1" for n in data["nodes"]) and data["edges"][0]["width"] == 1


def test_large_graphs_keep_the_most_influential(render):
    graph = hcp_graph(350)
    html, data = render(graph, cap=300, note="Territory North")
    assert "Showing 300 of 350 HCPs (the most influential); narrow with filters." in html
    assert "Territory North" in html
    kept = {n["id"] for n in data["nodes"]}
    assert len(kept) == 300
    dropped = set(graph) - kept
    assert max(graph.nodes[n]["influence"] for n in dropped) <= min(
        graph.nodes[n]["influence"] for n in kept
    )
    assert all(e["from"] in kept and e["to"] in kept for e in data["edges"])


def test_no_note_under_the_cap(render):
    html, data = render(hcp_graph(10), cap=10)
    assert "Showing" not in html and len(data["nodes"]) == 10


def test_a_graph_capped_by_the_store_counts_its_total(render):
    graph = hcp_graph(300)
    graph.graph["total"] = 10235  # what the store read before its cap (kolgraph.answers.browse)
    html, data = render(graph, cap=300)
    assert "Showing 300 of 10,235 HCPs (the most influential); narrow with filters." in html
    assert len(data["nodes"]) == 300


def test_the_input_graph_is_not_modified(render):
    graph = hcp_graph(20)
    before = (
        copy.deepcopy(dict(graph.nodes(data=True))),
        copy.deepcopy(list(graph.edges(data=True))),
    )
    render(graph, cap=5)
    assert (dict(graph.nodes(data=True)), list(graph.edges(data=True))) == before


def test_unknown_colour_scheme_is_refused(render):
    with pytest.raises(ValueError, match="color_by"):
        render(hcp_graph(), color_by="rainbow")


# --- the layout computed on the server -------------------------------------------------------


def test_every_node_arrives_placed_and_the_simulation_only_settles_it(render):
    """vis-network gets positions and a short simulation from them, not from random places."""
    _, data = render(hcp_graph(40))
    assert data["options"]["physics"]["stabilization"]["iterations"] == SETTLE_ITERATIONS
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == 40  # no two dots on one spot


def test_the_same_graph_gets_the_same_picture_whatever_its_order():
    graph = hcp_graph(60)
    shuffled = nx.Graph()
    shuffled.add_nodes_from(reversed(list(graph.nodes(data=True))))
    shuffled.add_edges_from((b, a, d) for a, b, d in reversed(list(graph.edges(data=True))))
    assert layout(graph) == layout(shuffled)
    assert Shape.of(graph).key == Shape.of(shuffled).key
    assert layout(Shape.of(graph)) == layout(graph)
    graph.add_edge("H0000", "H0059", papers=1)
    assert Shape.of(graph).key != Shape.of(shuffled).key


def test_every_process_draws_the_same_picture():
    """Workers share a layout by its graph's name: a picture must not depend on the process
    (string hashing differs between processes, igraph's random moves are seeded)."""
    code = (
        "import json, networkx as nx\n"
        "from kolgraph.web.network_render import layout\n"
        "graph = nx.barabasi_albert_graph(120, 2, seed=3)\n"
        "graph = nx.relabel_nodes(graph, lambda n: f'H{n:04d}')\n"
        "graph.add_edges_from([('X1', 'X2'), ('X2', 'X3')])\n"
        "print(json.dumps(sorted(layout(graph).items())))\n"
    )
    drawn = {
        subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2")
    }
    assert len(drawn) == 1 and len(json.loads(drawn.pop())) == 123


def test_components_are_packed_apart():
    """Separate groups get separate squares: an isolated HCP is not flung to a far corner,
    and no group is drawn over another."""
    graph = nx.union(hcp_graph(30), nx.relabel_nodes(hcp_graph(30), lambda n: "B" + n))
    graph.add_node("LONER", name="Alone", influence=5)
    positions = layout(graph)

    def box(prefix):
        xs = [positions[n][0] for n in graph if n.startswith(prefix)]
        ys = [positions[n][1] for n in graph if n.startswith(prefix)]
        return min(xs), max(xs), min(ys), max(ys)

    a, b = box("H"), box("BH")
    apart = a[1] < b[0] or b[1] < a[0] or a[3] < b[2] or b[3] < a[2]
    assert apart
    span = max(max(abs(x), abs(y)) for x, y in positions.values())
    assert span < 2 * SPACING * math.sqrt(graph.number_of_nodes())


def test_a_network_view_reuses_its_layout(client, auth, monkeypatch, loaded):
    """The positions are computed once per graph and data version, then served from the cache."""
    calls = []
    real = network_render.layout
    monkeypatch.setattr(network, "layout", lambda g: calls.append(1) or real(g))
    auth.as_user("ada")
    first = client.get("/network/hcp/H01").get_data(as_text=True)
    second = client.get("/network/hcp/H01").get_data(as_text=True)
    assert len(calls) == 1
    positions = re.findall(r'"x": ?(-?[\d.]+), ?"y": ?(-?[\d.]+)', first)
    assert positions and positions == re.findall(r'"x": ?(-?[\d.]+), ?"y": ?(-?[\d.]+)', second)
