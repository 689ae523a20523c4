"""``kolgraph demo``: a realistic dataset, generated once, loaded into the store; with
``--real``, a small real sample shipped with kolgraph (:data:`REAL_SAMPLE`) instead."""

from __future__ import annotations

import csv
import random
import secrets
import shutil
from collections.abc import Callable
from datetime import date, timedelta
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


# --- the real-data demo ----------------------------------------------------------------------

#: The real sample shipped with kolgraph (see its README.md).
REAL_SAMPLE = Path(__file__).with_name("demo_data") / "real"
#: The sources of the real demo, in load order: (path under REAL_SAMPLE, format).
REAL_SOURCES = (
    ("nppes/nppes_sample.csv", "nppes"),
    ("open_payments/OP_RSRCH_IA_2014_first_1200.csv", "open-payments"),
    ("ctgov", "ctgov"),
    ("pubmed/medline16n0902.xml.gz", "pubmed"),
    ("roster", "bundle"),
)
#: The mapping of the demo's second call export: the Veeva layout, HCPs by kolgraph id.
DEMO_ID_MAPPING = REAL_SAMPLE / "veeva_calls_by_external_id.toml"
#: Calls in the generated CRM exports, and the days before today they spread over.
DEMO_CALLS, DEMO_CALL_DAYS = 600, 540
_CHANNELS = ("Face_to_face_vod", "Video_vod", "Phone_vod", "Email_vod")
_PRODUCTS = ("Oncology pipeline", "Cardiology portfolio", "Neurology pipeline", "")
_INSIGHTS = (
    ("Asked for real-world data on long-term safety.", "safety", "neutral"),
    (
        "Prior authorisation delays push patients to older therapies.",
        "access and reimbursement",
        "negative",
    ),
    ("Interested in joining an investigator-initiated study.", "research interest", "positive"),
    ("Sees an unmet need in second-line treatment.", "unmet need", "neutral"),
    ("", "", ""),
)


def prepare_real_demo(store: GraphStore, home: Path, echo: Callable[[str], None] = print) -> None:
    """Load the shipped real sample, the sample roster and alignment, and two CRM exports of
    calls generated once (dates before the day they are generated): one naming HCPs by NPI
    (the shipped Veeva mapping), one by kolgraph id for HCPs without an NPI (the demo's
    mapping, the account's ``External_ID_vod__c``); score; a first login.  Loading again
    changes nothing."""
    from kolgraph.loaders.crm import VEEVA_MAPPING, read_mapping
    from kolgraph.loading import load_crm, load_path
    from kolgraph.scoring import rescore
    from kolgraph.territories import read_alignment, report

    for relative, fmt in REAL_SOURCES:
        echo(f"loading {relative} ({fmt}) into the {store.backend} store ...")
        echo(load_path(REAL_SAMPLE / relative, store, fmt=fmt, home=home).describe())
    store.set_alignment(read_alignment(REAL_SAMPLE / "alignment.csv"))
    unassigned = report(store.hcp_places())["unassigned"]
    echo(f"aligned territories; without one: {sum(unassigned.values()):,} HCPs {unassigned}")
    by_npi, by_id = demo_calls(store, home, echo)
    echo(load_crm(by_npi, store, read_mapping(VEEVA_MAPPING)).describe())
    echo(load_crm(by_id, store, read_mapping(DEMO_ID_MAPPING)).describe())
    echo(f"scored {len(rescore(store, home)):,} HCPs")
    ensure_demo_user(home, echo)


def demo_calls(store: GraphStore, home: Path, echo: Callable[[str], None]) -> tuple[Path, Path]:
    """``home/demo-real/calls.csv`` (HCPs by NPI) and ``calls_by_id.csv`` (by hcp_id):
    Veeva-layout call exports, written on first use."""
    folder = home / "demo-real"
    out = (folder / "calls.csv", folder / "calls_by_id.csv")
    if not all(path.is_file() for path in out):
        folder.mkdir(parents=True, exist_ok=True)
        echo(f"writing sample CRM call exports to {folder} ...")
        partial = tuple(path.with_suffix(".partial") for path in out)
        write_demo_calls(store, partial[0], partial[1], date.today())
        for done, path in zip(partial, out):
            done.rename(path)
    return out


def write_demo_calls(
    store: GraphStore, by_npi: Path, by_id: Path, today: date, seed: int = DEMO_SEED
) -> int:
    """Calls by each MSL to a third of the HCPs of their territory, in the Veeva CRM layout:
    HCPs with an NPI into ``by_npi``, the others (by hcp_id) into ``by_id``; returns how
    many calls."""
    from kolgraph.loaders.crm import VEEVA_MAPPING, read_mapping

    rng = random.Random(seed)
    hcps = store.table("hcps")
    rows: list[list[str]] = []
    for msl in store.table("msls").itertuples():
        mine = hcps[hcps["territory"] == msl.territory]
        keys = sorted(n if n else f"id:{h}" for h, n in zip(mine["hcp_id"], mine["npi"]))
        for key in rng.sample(keys, k=len(keys) // 3):
            rows += [_call(rng, key, msl.email, today) for _ in range(rng.randint(1, 3))]
    rows = sorted(rows, key=lambda r: (r[1], r[2]))[-DEMO_CALLS:]  # the newest
    for n, row in enumerate(rows, 1):
        row[0] = f"a0X{n:08d}"
    _write_calls(
        by_npi, read_mapping(VEEVA_MAPPING), [r for r in rows if not r[2].startswith("id:")]
    )
    _write_calls(
        by_id,
        read_mapping(DEMO_ID_MAPPING),
        [[r[0], r[1], r[2][3:], *r[3:]] for r in rows if r[2].startswith("id:")],
    )
    return len(rows)


def _write_calls(out: Path, mapping, rows: list[list[str]]) -> None:
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(mapping.columns.values()))
        writer.writerows(rows)


def _call(rng: random.Random, hcp: str, email: str, today: date) -> list[str]:
    insight, category, sentiment = rng.choice(_INSIGHTS)
    day = today - timedelta(days=rng.randrange(1, DEMO_CALL_DAYS))
    owner = email.upper() if rng.random() < 0.2 else email  # CRM exports mix cases
    return [
        "",
        day.isoformat(),
        hcp,
        owner,
        rng.choice(_CHANNELS),
        rng.choice(_PRODUCTS),
        insight,
        category,
        sentiment,
    ]
