"""The real ``medline16n0902.xml.gz`` cut in two MEDLINE files: the citations at even places
and those at odd places (a team's store growing file by file)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

from shared_data import SHARED_DATA, require_shared_data

MEDLINE = SHARED_DATA / "pubmed" / "medline16n0902.xml.gz"
#: Shailja Singh (Shiv Nadar University) wrote these five papers of one 2015 issue; they land
#: in both halves.
SINGH = {"26702303", "26702304", "26702305", "26702306", "26702309"}


def write_halves(folder: Path) -> tuple[Path, Path]:
    """``even.xml`` and ``odd.xml`` in ``folder``."""
    require_shared_data()
    text = gzip.decompress(MEDLINE.read_bytes()).decode("utf-8")
    records = re.findall(r"<MedlineCitation .*?</MedlineCitation>", text, re.S)
    files = []
    for start, name in ((0, "even.xml"), (1, "odd.xml")):
        body = "\n".join(records[start::2])
        path = folder / name
        path.write_text(f"<MedlineCitationSet>\n{body}\n</MedlineCitationSet>\n", "utf-8")
        files.append(path)
    return files[0], files[1]
