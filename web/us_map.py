"""US state outlines as SVG paths, from the bundled Census geometry (``static/geo``).

The TopoJSON file is already projected (Albers USA, 975×610) and quantized: each arc is a
list of integer deltas; a state's polygons are rings of arc indices (``~i`` reversed).  The
outlines are decoded once per process.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

WIDTH, HEIGHT = 975, 610

#: Census FIPS code -> USPS code, for the states (and DC) the geometry holds.
USPS = {
    "01": "AL", "02": "AK", "04": "AZ", "05": "AR", "06": "CA", "08": "CO", "09": "CT",
    "10": "DE", "11": "DC", "12": "FL", "13": "GA", "15": "HI", "16": "ID", "17": "IL",
    "18": "IN", "19": "IA", "20": "KS", "21": "KY", "22": "LA", "23": "ME", "24": "MD",
    "25": "MA", "26": "MI", "27": "MN", "28": "MS", "29": "MO", "30": "MT", "31": "NE",
    "32": "NV", "33": "NH", "34": "NJ", "35": "NM", "36": "NY", "37": "NC", "38": "ND",
    "39": "OH", "40": "OK", "41": "OR", "42": "PA", "44": "RI", "45": "SC", "46": "SD",
    "47": "TN", "48": "TX", "49": "UT", "50": "VT", "51": "VA", "53": "WA", "54": "WV",
    "55": "WI", "56": "WY",
}  # fmt: skip


@cache
def state_outlines() -> dict[str, tuple[str, str]]:
    """USPS code -> (state name, SVG path data) of every state in the bundled geometry."""
    text = resources.files("kolgraph.web").joinpath("static", "geo", "states-albers-10m.json")
    topology = json.loads(text.read_text("utf-8"))
    arcs = _decoded_arcs(topology)
    outlines = {}
    for geometry in topology["objects"]["states"]["geometries"]:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        path = " ".join(_ring_path(ring, arcs) for polygon in polygons for ring in polygon)
        outlines[USPS[geometry["id"]]] = (geometry["properties"]["name"], path)
    return outlines


def _decoded_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc as absolute points: the quantized deltas summed, then scaled and shifted."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((round(x * sx + tx, 1), round(y * sy + ty, 1)))
        decoded.append(points)
    return decoded


def _ring_path(ring: list[int], arcs: list[list[tuple[float, float]]]) -> str:
    """One closed ring; arcs after the first drop their first point (the previous one's last)."""
    points: list[tuple[float, float]] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return "M" + "L".join(f"{x},{y}" for x, y in points) + "Z"
