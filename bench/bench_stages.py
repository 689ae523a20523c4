"""Benchmark: every stage of the product at one size of the generator's bundle, each in a
fresh process as a user runs it, for ``docs/scaling.md`` (how each stage grows with size).

Stages: generate the bundle, ``kolgraph load`` (validate, write, derive co-authors, score),
``kolgraph score`` alone, then each one-off question (``top``, ``gaps``, ``coverage``,
``collaborators``, ``suggest``, ``path``, ``intro``, ``explain``) on the top-ranked HCPs.
For each: wall and CPU seconds (user + system) and the child's peak RSS (``os.wait4``; for
Neo4j the client only, the server's JVM is not counted).  Prints a markdown table.

Run::

    .venv/bin/python bench/bench_stages.py --size s|m|l [--work DIR] [--backend embedded]
    .venv/bin/python bench/bench_stages.py --size l --home HOME   # questions only

``--home`` asks the questions of a home already loaded (and scored) at that size, skipping
the generation, the load and ``score``.

The bundle is generated into ``--work`` (default a temporary folder) once per size and seed
and reused by later runs; the store is always loaded into a fresh home.  Neo4j:
``NEO4J_URI`` / ``NEO4J_PASSWORD`` name a running server, emptied by this script first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bench_pubmed import run_child

KOLGRAPH = Path(sys.executable).with_name("kolgraph")
#: Commands that answer "nothing found" with exit status 1 (still a complete answer).
NOTHING_FOUND_OK = {"intro", "path"}


def main() -> None:
    args = _arguments()
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    if args.home:
        rows = _ask(["--home", str(args.home), "--backend", args.backend], env)
    else:
        rows = _load_and_ask(args, env)
    _print(args, rows)


def _load_and_ask(args: argparse.Namespace, env: dict[str, str]) -> list[dict]:
    bundle = args.work / f"{args.size}-seed{args.seed}"
    rows = []
    if not (bundle / "hcps.csv").is_file():
        rows.append(_stage("generate", ["generate", "--size", args.size, "--out", str(bundle)]))
    with tempfile.TemporaryDirectory(prefix="kolgraph-stages-") as home:
        base = ["--home", home, "--backend", args.backend]
        rows.append(_stage("load (with scoring)", [*base, "load", str(bundle)], env))
        rows.append(_stage("score", [*base, "score"], env))
        rows += _ask(base, env)
    return rows


def _ask(base: list[str], env: dict[str, str]) -> list[dict]:
    first, second = _top_two(base, env)
    return [_stage(name, [*base, *command], env) for name, command in _questions(first, second)]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", choices=("s", "m", "l"), required=True)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--backend", choices=("embedded", "neo4j"), default="embedded")
    parser.add_argument(
        "--work", type=Path, default=Path(tempfile.gettempdir()) / "kolgraph-stages"
    )
    parser.add_argument("--home", type=Path, help="ask the questions of this loaded home only")
    return parser.parse_args()


def _questions(first: str, second: str) -> list[tuple[str, list[str]]]:
    return [
        ("top", ["top", "--limit", "20"]),
        ("gaps", ["gaps"]),
        ("gaps --max-tier 2", ["gaps", "--max-tier", "2"]),
        ("coverage", ["coverage"]),
        ("coverage --reach", ["coverage", "--reach"]),
        ("collaborators", ["collaborators", first]),
        ("suggest", ["suggest", first]),
        ("path", ["path", first, second]),
        ("intro", ["intro", first]),
        ("explain", ["explain", first]),
    ]


def _stage(name: str, command: list[str], env: dict[str, str] | None = None) -> dict:
    env = env or dict(os.environ)
    allowed = (0, 1) if command and _verb(command) in NOTHING_FOUND_OK else (0,)
    seconds, cpu, peak, _out = run_child([str(KOLGRAPH), *command], env, allowed)
    print(f"  {name}: {seconds:.1f} s", file=sys.stderr)
    return {"stage": name, "seconds": seconds, "cpu": cpu, "peak_rss_mb": peak}


def _verb(command: list[str]) -> str:
    options_with_values = {"--home", "--backend"}
    words = iter(command)
    for word in words:
        if word in options_with_values:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return ""


def _top_two(base: list[str], env: dict[str, str]) -> tuple[str, str]:
    _s, _c, _p, out = run_child([str(KOLGRAPH), *base, "top", "--limit", "2", "--json"], env)
    first, second = (row["hcp_id"] for row in json.loads(out))
    return first, second


def _print(args: argparse.Namespace, rows: list[dict]) -> None:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    load = os.getloadavg()[0]
    print(
        f"\n{args.size.upper()} bundle (seed {args.seed}), {args.backend} store; {when}; "
        f"{platform.machine()}, {os.cpu_count()} cores; load average {load:.1f} at the end\n"
    )
    print("| stage | wall s | CPU s | peak RSS |")
    print("|---|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['stage']} | {row['seconds']:.1f} | {row['cpu']:.1f} "
            f"| {row['peak_rss_mb']:,.0f} MB |"
        )


if __name__ == "__main__":
    main()
