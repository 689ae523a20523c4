"""``kolgraph demo``: a realistic dataset, generated once, loaded into the store."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from kolgraph.store import GraphStore

DEMO_SEED = 42


def demo_bundle(home: Path, echo: Callable[[str], None]) -> Path:
    """The S bundle under ``home/demo-bundle``, generated on first use.

    Generated into a temporary folder and renamed, so an interrupted run never leaves a
    half-written bundle that later runs would trust.
    """
    from kolgraph.generate import generate_bundle

    bundle = home / "demo-bundle"
    if bundle.is_dir():
        return bundle
    partial = home / "demo-bundle.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    echo("generating the demo dataset (size S) ...")
    generate_bundle(partial, "S", seed=DEMO_SEED)
    partial.rename(bundle)
    return bundle


def prepare_demo(store: GraphStore, home: Path, echo: Callable[[str], None] = print) -> None:
    """Generate (once) and load the demo bundle; loading again changes nothing."""
    from kolgraph.loading import load_path

    bundle = demo_bundle(home, echo)
    echo(f"loading {bundle} into the {store.backend} store ...")
    summary = load_path(bundle, store)
    echo(summary.describe())
