"""``kolgraph demo``: a realistic dataset, generated once, loaded into the store."""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

from kolgraph.store import GraphStore

DEMO_SEED = 42
DEMO_USER = "admin"


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
    """Generate (once), load and score the demo bundle; loading again changes nothing."""
    from kolgraph.loading import load_path
    from kolgraph.scoring import rescore

    bundle = demo_bundle(home, echo)
    echo(f"loading {bundle} into the {store.backend} store ...")
    echo(load_path(bundle, store).describe())
    echo(f"scored {len(rescore(store, home)):,} HCPs")
    ensure_demo_user(home, echo)


def ensure_demo_user(home: Path, echo: Callable[[str], None]) -> None:
    """A first admin account, so the demo can be logged into; its password is printed once."""
    from kolgraph.users import UserStore

    users = UserStore.for_home(home)
    if users.list():
        return
    password = secrets.token_urlsafe(12)
    users.add(DEMO_USER, password, "admin")
    echo(
        f"created web login {DEMO_USER!r} with password {password}  (shown once; "
        "manage users with `kolgraph users`)"
    )
