"""US state outlines as SVG paths, from the bundled Census geometry (``static/geo``).

The TopoJSON file is already projected (Albers USA, 975×610) and quantized: each arc is a
list of integer deltas; a state's polygons are rings of arc indices (``~i`` reversed).  The
outlines are decoded once per process.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
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


def bounds(path: str) -> tuple[float, float, float, float]:
    """The box (x0, y0, x1, y1) around an outline's path data.

    >>> bounds("M1,2L5,0L3,7Z")
    (1.0, 0.0, 5.0, 7.0)
    """
    numbers = [float(n) for n in re.findall(r"-?[\d.]+", path)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


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


# --- ZIP3 points ------------------------------------------------------------------------------


@cache
def zip3_points() -> dict[str, tuple[float, float]]:
    """ZIP3 -> its point on the map (the mean of its ZCTAs' Census internal points, projected
    as the state outlines are); ZIP3s the projection does not cover (Puerto Rico, Guam, ...)
    are left out."""
    text = resources.files("kolgraph.web").joinpath("static", "geo", "zip3-points.csv")
    points = {}
    for row in csv.DictReader(io.StringIO(text.read_text("utf-8"))):
        point = albers_usa(float(row["longitude"]), float(row["latitude"]))
        if point is not None:
            points[row["zip3"]] = point
    return points


class _ConicEqualArea:
    """d3-geo's spherical conic equal-area projection, with its rotate, center, scale and
    translate, so points land where the bundled (d3-projected) outlines put them."""

    def __init__(self, parallels, rotate, center, scale, translate):
        phi0, phi1 = (math.radians(p) for p in parallels)
        self.n = (math.sin(phi0) + math.sin(phi1)) / 2
        self.c = 1 + math.sin(phi0) * (2 * self.n - math.sin(phi0))
        self.r0 = math.sqrt(self.c) / self.n
        self.rotate, self.scale = math.radians(rotate), scale
        cx, cy = self._raw(math.radians(center[0]), math.radians(center[1]))
        self.dx, self.dy = translate[0] - scale * cx, translate[1] + scale * cy

    def _raw(self, lam: float, phi: float) -> tuple[float, float]:
        r = math.sqrt(self.c - 2 * self.n * math.sin(phi)) / self.n
        return r * math.sin(lam * self.n), self.r0 - r * math.cos(lam * self.n)

    def __call__(self, longitude: float, latitude: float) -> tuple[float, float]:
        lam = math.radians(longitude) + self.rotate
        lam = (lam + math.pi) % (2 * math.pi) - math.pi
        x, y = self._raw(lam, math.radians(latitude))
        return self.dx + self.scale * x, self.dy - self.scale * y


#: d3.geoAlbersUsa().scale(1300).translate([487.5, 305]), as the outlines were projected:
#: the lower 48 states, then Alaska and Hawaii as insets, each valid within its box.
_K, _X, _Y = 1300, 487.5, 305
_ALBERS_USA = (
    (
        _ConicEqualArea((29.5, 45.5), 96, (-0.6, 38.7), _K, (_X, _Y)),
        ((_X - 0.455 * _K, _Y - 0.238 * _K), (_X + 0.455 * _K, _Y + 0.238 * _K)),
    ),
    (
        _ConicEqualArea((55, 65), 154, (-2, 58.5), 0.35 * _K, (_X - 0.307 * _K, _Y + 0.201 * _K)),
        ((_X - 0.425 * _K, _Y + 0.120 * _K), (_X - 0.214 * _K, _Y + 0.234 * _K)),
    ),
    (
        _ConicEqualArea((8, 18), 157, (-3, 19.9), _K, (_X - 0.205 * _K, _Y + 0.212 * _K)),
        ((_X - 0.214 * _K, _Y + 0.166 * _K), (_X - 0.115 * _K, _Y + 0.234 * _K)),
    ),
)


def albers_usa(longitude: float, latitude: float) -> tuple[float, float] | None:
    """A place on the map (rounded to 0.1), or None outside the three projected areas.

    >>> albers_usa(-71.06, 42.36), albers_usa(-66.1, 18.4)
    ((908.7, 167.1), None)
    """
    for project, ((x0, y0), (x1, y1)) in _ALBERS_USA:
        x, y = project(longitude, latitude)
        if x0 <= x < x1 and y0 <= y < y1:
            return round(x, 1), round(y, 1)
    return None
