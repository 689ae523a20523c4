"""Benchmark: finding one person across sources in a large store (``docs/BENCHMARKS.md``).

Reads what the rules compare of every HCP of a home, then times the candidates and
:func:`kolgraph.cross_source.find_links` (with the affiliation places it needs) twice: for the
HCPs of one source (what a load of that source compares) and for every HCP.  Prints the HCPs
compared, those whose places were read, the links found and the seconds.

Run on a home that holds two sources, for example the L bundle with the NPPES sample loaded
after it::

    .venv/bin/python bench/bench_cross_source.py HOME [--source NPI-]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from kolgraph import cross_source
from kolgraph.store.sqlite import EmbeddedStore


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("home", type=Path)
    parser.add_argument("--source", default="NPI-", help="id prefix of the loaded source")
    args = parser.parse_args()
    with EmbeddedStore(args.home) as store:
        started = time.perf_counter()
        every = store.reads.link_fields()
        print(f"read {len(every):,} HCPs: {time.perf_counter() - started:.1f} s")
        touched = [row[0] for row in every if row[0].startswith(args.source)]
        for label, wanted in ((f"HCPs {args.source}*", touched), ("every HCP", None)):
            started = time.perf_counter()
            hcps = cross_source.candidates(every, wanted)
            mates = cross_source.name_candidates(hcps, wanted)
            places = store.reads.affiliation_places(sorted(mates)) if mates else {}
            links = cross_source.find_links(hcps, places, wanted, [])
            print(
                f"{label}: {len(hcps):,} HCPs compared, places read for {len(mates):,}, "
                f"{len(links):,} links, {time.perf_counter() - started:.1f} s"
            )


if __name__ == "__main__":
    main()
