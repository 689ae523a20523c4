"""What a data steward reads on a terminal: the identity review and an HCP's identity evidence,
one block per row and one fact per line (a table would put a dozen merges in one cell).
``--json`` and ``--csv`` keep every field for machines."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Sequence

from kolgraph.answers.identity import evidence_lines

#: Lines are wrapped to the terminal, but never narrower than this.
MIN_WIDTH = 60


def review_text(rows: Sequence[dict]) -> str:
    """The review rows as numbered blocks: who, why, and the commands that would fix it."""
    if not rows:
        return "Nothing to review: no likely duplicates and no shaky merges."
    return "\n\n".join(_review_block(n, row) for n, row in enumerate(rows, 1))


def _review_block(number: int, row: dict) -> str:
    who = f"{row['name']} ({row['hcp_id']})"
    if row.get("other_id"):
        who += f" and {row['other_name']} ({row['other_id']})"
    facts = [f"influence {_number(row.get('influence'))}"]
    if row.get("confidence") is not None:
        facts.append(f"confidence {row['confidence']:.2f}")
    lines = [f"{number}. {row['kind']}: {who}; {', '.join(facts)}"]
    for reason in row["evidence"]:
        lines += _facts(evidence_lines(reason), "     ")
    commands = row["action"].split("; ")
    fix = next((c for c in commands if " identity " in c), commands[-1])
    lines.append(f"   fix: {fix}")
    lines += [f"   see: {c}" for c in commands if c != fix]
    return "\n".join(lines)


def explanation_text(found: dict) -> str:
    """``kolgraph explain-identity``: the HCP, then each source record with its evidence."""
    hcp = found["hcp"]
    lines = [
        f"{hcp['name']} ({hcp['hcp_id']})  npi {hcp.get('npi') or '-'}  "
        f"orcid {hcp.get('orcid') or '-'}"
    ]
    if not found["evidence"]:
        lines.append("no identity evidence recorded (loaded from a canonical bundle?)")
    for row in found["evidence"]:
        heading, *record = _record_heading(row)
        lines += ["", heading]
        lines += _facts([*record, *evidence_lines(row.get("evidence") or "")], "    ")
        if row.get("split_pmids"):
            split = f"kolgraph identity split {hcp['hcp_id']} --pmids {row['split_pmids']}"
            lines += _facts([f"to undo the weakest merge: {split}"], "    ")
    return "\n".join(lines)


def _record_heading(row: dict) -> list[str]:
    """Where the record came from and how it was resolved; then the name it wrote and which
    record (or papers) it was."""
    how = [row.get("method") or "-"]
    if row.get("confidence") is not None:
        how.append(f"confidence {float(row['confidence']):.2f}")
    which = str(row["source_ref"])
    if row["source"] == "pubmed":
        which = "PMID " + ", ".join(which.split(";"))
    written = [f"written {row['name_as_written']}"] if row.get("name_as_written") else []
    return [f"{row['source']}: {', '.join(how)}", *written, which]


def _facts(facts: Sequence[str], indent: str) -> list[str]:
    width = max(MIN_WIDTH, shutil.get_terminal_size().columns - 1)
    return [
        textwrap.fill(
            fact,
            width,
            initial_indent=indent,
            subsequent_indent=indent + "  ",
            break_on_hyphens=False,
        )
        for fact in facts
    ]


def _number(value) -> str:
    return "-" if value is None else f"{float(value):.1f}"
