"""Benchmark: loading a CRM call export (Veeva layout, 100,000 calls) into the embedded store.

Builds an embedded store holding 20,000 HCPs (each with a valid NPI) and 60 MSLs (with
e-mails), writes a call export in the layout of the shipped Veeva CRM mapping
(``kolgraph/loaders/mappings/veeva_crm_calls.toml``: NPIs, owner e-mails in mixed case, ISO
dates, channels, products, insight text, categories, sentiments), then times
:func:`kolgraph.loading.load_crm` (read, map, look up NPIs and e-mails, validate, write):
a first load, and the same export again (an idempotent reload).  With ``--cli`` it also
times the whole ``kolgraph load ... --format crm`` command in a fresh process.

Run::

    .venv/bin/python bench/bench_crm.py [--calls 100000] [--hcps 20000] [--cli]

Prints a markdown table (rows/s over everything the load does).
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pandas as pd

from kolgraph.loaders.crm import VEEVA_MAPPING, read_mapping
from kolgraph.loading import load_crm
from kolgraph.schema import TABLES_BY_NAME
from kolgraph.store.sqlite import EmbeddedStore

TODAY = date(2026, 12, 1)
CHANNELS = ("Face_to_face_vod", "Video_vod", "Phone_vod", "Email_vod")
PRODUCTS = ("Drug A", "Drug B", "Drug C; Drug A", "")
CATEGORIES = ("unmet need", "treatment practice", "safety", "competitor", "")
SENTIMENTS = ("positive", "neutral", "negative", "")


def npi(base: int) -> str:
    """A valid NPI: 9 digits, then the Luhn check digit over ``80840`` + those digits."""
    body = f"{base:09d}"
    digits = [int(d) for d in "80840" + body]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return body + str((10 - total % 10) % 10)


def store_with_roster(home: Path, hcps: int, msls: int) -> list[str]:
    """HCPs ``H<n>`` with NPIs and MSLs ``M<n>`` with e-mails; returns the NPIs."""
    npis = [npi(100_000_000 + 7 * n) for n in range(hcps)]
    hcp_rows = {c: [None] * hcps for c in TABLES_BY_NAME["hcps"].column_names}
    hcp_rows |= {
        "hcp_id": [f"H{n}" for n in range(hcps)],
        "first_name": ["First"] * hcps,
        "last_name": [f"Last{n}" for n in range(hcps)],
        "npi": npis,
    }
    msl_rows = {
        "msl_id": [f"M{n}" for n in range(msls)],
        "name": [f"MSL {n}" for n in range(msls)],
        "territory": [f"T{n % 12}" for n in range(msls)],
        "therapeutic_area": [None] * msls,
        "email": [f"msl.{n}@pharma.example" for n in range(msls)],
    }
    frames = {"hcps": hcp_rows, "msls": msl_rows}
    with EmbeddedStore(home) as store:
        store.load({k: pd.DataFrame(v, dtype=object) for k, v in frames.items()})
    return npis


def write_export(path: Path, calls: int, npis: list[str], msls: int, seed: int = 7) -> None:
    """A Veeva-layout call export with ``calls`` rows."""
    mapping = read_mapping(VEEVA_MAPPING)
    rng = random.Random(seed)
    header = list(mapping.columns.values())
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        for n in range(calls):
            owner = f"msl.{rng.randrange(msls)}@pharma.example"
            writer.writerow(
                [
                    f"a0X{n:012d}",
                    (TODAY - timedelta(days=rng.randrange(730))).isoformat(),
                    rng.choice(npis),
                    owner.upper() if n % 3 == 0 else owner,
                    rng.choice(CHANNELS),
                    rng.choice(PRODUCTS),
                    f"Discussed dosing and access, call {n}" if n % 2 else "",
                    rng.choice(CATEGORIES),
                    rng.choice(SENTIMENTS),
                ]
            )


def timed_load(home: Path, export: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds of this process (every thread) and rows of one load."""
    mapping = read_mapping(VEEVA_MAPPING)
    with EmbeddedStore(home) as store:
        started, cpu = time.perf_counter(), time.process_time()
        summary = load_crm(export, store, mapping, today=TODAY)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return seconds, cpu, summary.total_rows


def timed_cli(home: Path, export: Path) -> float:
    """The whole command in a fresh process (start-up and imports included)."""
    env = {**os.environ, "KOLGRAPH_HOME": str(home), "KOLGRAPH_BACKEND": "embedded"}
    command = [
        str(Path(sys.executable).with_name("kolgraph")),
        "load",
        str(export),
        "--format",
        "crm",
        "--mapping",
        str(VEEVA_MAPPING),
    ]
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--hcps", type=int, default=20_000)
    parser.add_argument("--msls", type=int, default=60)
    parser.add_argument("--cli", action="store_true", help="Also time the kolgraph command.")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kolgraph-bench-crm-") as folder:
        work = Path(folder)
        npis = store_with_roster(work / "home", args.hcps, args.msls)
        export = work / "calls.csv"
        write_export(export, args.calls, npis, args.msls)
        size = export.stat().st_size / 1e6
        print(f"{platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"export: {args.calls:,} calls, {size:.1f} MB; store: {args.hcps:,} HCPs\n")
        print(f"load average before: {', '.join(f'{x:.1f}' for x in os.getloadavg())}\n")
        print("| run | rows | seconds | rows/s | CPU seconds | rows per CPU second |")
        print("|---|---:|---:|---:|---:|---:|")
        for run in ("first load", "reload (no change)"):
            seconds, cpu, rows = timed_load(work / "home", export)
            print(
                f"| {run} | {rows:,} | {seconds:.2f} | **{rows / seconds:,.0f}** | {cpu:.2f} "
                f"| {rows / cpu:,.0f} |"
            )
        if args.cli:
            seconds = timed_cli(work / "home", export)
            print(
                f"| `kolgraph load` (reload, whole process) | {args.calls:,} | {seconds:.2f} "
                f"| {args.calls / seconds:,.0f} |"
            )


if __name__ == "__main__":
    main()
