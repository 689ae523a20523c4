"""The ``kolgraph`` command line.

Every command reports user errors (bad input, unreachable database) as one line on stderr
and a non-zero exit status, never a traceback.
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from tqdm import tqdm

from kolgraph.config import BACKENDS, Settings, local_server_dir
from kolgraph.errors import InputError, KolgraphError, StoreUnavailable, ValidationFailed
from kolgraph.limits import MAX_COUNT, MAX_STALE_DAYS, MAX_TIER, check_date
from kolgraph.output import chosen_format, emit, output_options, table_text

if TYPE_CHECKING:  # the store modules load only when a command needs one
    import socket

    from kolgraph.store import GraphStore

MAX_PROBLEMS_SHOWN = 200

# No monitor thread behind the progress bars (tqdm starts one with its first bar, shown or
# not): while another thread runs, scoring computes the betweenness estimate in this process
# instead of forking a worker per core (a thread's held locks would be copied into the
# children), so the scoring after a load at 500,000 HCPs took twice as long.
tqdm.monitor_interval = 0


class AppContext:
    """Settings plus a store opened on first use and closed when the command ends.

    Only commands that set :attr:`create` (``init``, ``load``, ``demo``) may create an
    embedded store; the others report a missing one.
    """

    def __init__(self, settings: Settings):
        self.settings = settings
        self.create = False
        #: Whether opening the store warns when its scores are out of date (not for
        #: the commands that recompute them).
        self.warn_stale = True
        self._store: GraphStore | None = None

    @property
    def store(self) -> GraphStore:
        if self._store is None:
            from kolgraph.store import open_store

            self._store = open_store(self.settings, create=self.create)
            if self.warn_stale and not self.create:
                _warn_if_stale(self._store)
        return self._store

    def store_or_empty(self, stack: ExitStack):
        """The store, or an empty throw-away one when no embedded store exists yet
        (``validate`` before the first load: nothing is created in the home folder)."""
        from kolgraph.store.sqlite import DB_FILENAME, EmbeddedStore

        home = self.settings.home
        if self.settings.backend != "embedded" or (home / DB_FILENAME).is_file():
            return self.store
        scratch = stack.enter_context(tempfile.TemporaryDirectory(prefix="kolgraph-validate-"))
        return stack.enter_context(EmbeddedStore(Path(scratch)))

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def _warn_if_stale(store) -> None:
    from kolgraph.store.base import STALE_SCORES_MESSAGE

    if store.scores_stale():
        click.echo(f"Warning: {STALE_SCORES_MESSAGE}", err=True)


class KolgraphGroup(click.Group):
    """A click group that turns kolgraph errors into one clear message and exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ValidationFailed as failed:
            _print_problems(failed)
            ctx.exit(1)
        except KolgraphError as error:
            raise click.ClickException(str(error)) from None


def _print_problems(failed: ValidationFailed) -> None:
    shown = failed.problems[:MAX_PROBLEMS_SHOWN]
    for problem in shown:
        click.echo(str(problem), err=True)
    if len(failed.problems) > len(shown):
        click.echo(f"... and {len(failed.problems) - len(shown)} more", err=True)
    click.echo(f"Error: {failed}", err=True)


pass_app = click.make_pass_decorator(AppContext)


class BoundedDate(click.DateTime):
    """A ``YYYY-MM-DD`` option inside :mod:`kolgraph.limits`' date range."""

    def __init__(self):
        super().__init__(["%Y-%m-%d"])

    def convert(self, value, param, ctx):
        converted = super().convert(value, param, ctx)
        try:
            check_date(param.name if param else "date", converted.date())
        except InputError as error:
            self.fail(str(error), param, ctx)
        return converted


DATE = BoundedDate()
#: A count of rows, HCPs or pages (1 .. MAX_COUNT).
COUNT = click.IntRange(1, MAX_COUNT)
TIER = click.IntRange(1, MAX_TIER)
STALE_DAYS = click.IntRange(0, MAX_STALE_DAYS)
PORT = click.IntRange(1, 65535)


@click.group(cls=KolgraphGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--backend",
    type=click.Choice(BACKENDS),
    envvar="KOLGRAPH_BACKEND",
    help="Graph store (env KOLGRAPH_BACKEND; default embedded).",
)
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="KOLGRAPH_HOME",
    help="State folder (env KOLGRAPH_HOME; default ./.kolgraph).",
)
@click.version_option(package_name="kolgraph")
@click.pass_context
def cli(ctx: click.Context, backend: str | None, home: Path | None) -> None:
    """kolgraph: KOL relationship graph explorer for medical affairs teams."""
    app = AppContext(Settings.from_env(backend=backend, home=home))
    ctx.obj = app
    ctx.call_on_close(app.close)


# --- loading -------------------------------------------------------------------------------

FORMATS = ("bundle", "pubmed", "nppes", "ctgov", "open-payments", "crm")

_mapping_option = click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="With --format crm: the TOML file mapping the export's columns (see docs/territories-and-crm.md).",
)


@cli.command()
@pass_app
def init(app: AppContext) -> None:
    """Create an empty store (loads create it too); other commands never create one."""
    app.create = True
    store = app.store
    click.echo(f"the {store.backend} store is ready" + _where(store))


def _where(store) -> str:
    path = getattr(store, "path", None)
    return f" at {path}" if path else ""


def _no_score_option(after: str) -> Callable:
    """``--no-score`` of a command that writes what scores are computed from."""
    return click.option(
        "--no-score",
        is_flag=True,
        help=f"Leave the scores out of date, to run `kolgraph score` once after {after} "
        "(scoring takes a minute or more at hundreds of thousands of HCPs).",
    )


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Source format (detected when omitted)."
)
@_mapping_option
@click.option(
    "--skip-invalid",
    is_flag=True,
    help="With --format crm: load the valid rows, write the others to FILE.rejects.csv.",
)
@click.option(
    "--import-tool/--no-import-tool",
    default=True,
    show_default=True,
    help="Neo4j: write a first load into the empty database of the local server "
    "(kolgraph neo4j start) with neo4j-admin database import, restarting the server.",
)
@_no_score_option("loading several files")
@pass_app
def load(
    app: AppContext,
    path: Path,
    fmt: str | None,
    mapping: Path | None,
    skip_invalid: bool,
    import_tool: bool,
    no_score: bool,
) -> None:
    """Validate PATH (a bundle folder or a source file) and load it; prints counts.

    A folder of PubMed/MEDLINE files (.xml, .xml.gz: baseline and update files, efetch
    results) loads file by file in name order, each one's authors compared with those
    loaded before it, then scores once.

    A CRM call export (--format crm --mapping M.toml) becomes touchpoints: HCPs named by
    NPI or hcp_id, MSLs by msl_id or e-mail; any bad row fails the load unless
    --skip-invalid, which writes bad rows to FILE.rejects.csv beside the export.

    On Neo4j, a first load into the empty database of the server `kolgraph neo4j start`
    runs in the home folder goes through neo4j-admin database import (several times
    faster; the server restarts once); every later load is incremental, through Bolt.
    """
    app.create = True
    app.settings = replace(app.settings, import_tool=import_tool)
    from kolgraph.loading import source_files

    crm_mapping = _crm_mapping(fmt, mapping, skip_invalid)
    if crm_mapping is not None:
        _load_crm(app, path, crm_mapping, skip_invalid)
        return
    files = source_files(path, fmt)
    for number, file in enumerate(files, start=1):
        if len(files) > 1:
            click.echo(f"{file.name} ({number} of {len(files)}):")
        try:
            _load_one(app, file, fmt)
        except (InputError, ValidationFailed):
            if number > 1:
                click.echo(
                    f"{file.name}: nothing of it was loaded; the {number - 1} file(s) before it "
                    "are (loading the folder again changes them no further; then `kolgraph "
                    "score`)",
                    err=True,
                )
            raise
    _rescore_unless(app, no_score)


def _load_one(app: AppContext, path: Path, fmt: str | None) -> None:
    """One load: validated whole, written, and what it leaves in the home folder kept."""
    from kolgraph.analytics.insights import load_insight_categories
    from kolgraph.audit import record_cli
    from kolgraph.identities import record_identities, record_links
    from kolgraph.loading import load_path

    with tqdm(unit="rows", desc="loading", disable=None, file=sys.stderr) as bar:
        _notify_into(app.store, bar)
        summary = load_path(
            path,
            app.store,
            fmt=fmt,
            progress=bar.update,
            insight_categories=load_insight_categories(app.settings.home),
            home=app.settings.home,
        )
    click.echo(summary.describe())
    record_cli("load", str(path), summary.total_rows, app.settings.home)
    record_identities(app.settings.home, summary.identities)
    record_links(app.settings.home, summary.links)


def _notify_into(store: GraphStore, bar: tqdm) -> None:
    """Print a Neo4j first load's steps (the import tool's) on stderr, above the bar."""
    server = getattr(store, "local_server", None)
    if server is not None:
        server.notify = lambda text: bar.write(text, file=sys.stderr)


def _crm_mapping(fmt: str | None, mapping: Path | None, skip_invalid: bool) -> Path | None:
    """The mapping of a CRM load (None: not one); --mapping and --skip-invalid need
    --format crm, which needs --mapping."""
    if fmt == "crm":
        if mapping is None:
            raise click.UsageError("--format crm needs --mapping MAPPING.toml")
        return mapping
    if mapping is not None or skip_invalid:
        raise click.UsageError("--mapping and --skip-invalid go with --format crm")
    return None


def _load_crm(app: AppContext, path: Path, mapping: Path, skip_invalid: bool) -> None:
    """Touchpoints from a CRM export; no rescore (influence does not use touchpoints)."""
    from kolgraph.analytics.insights import load_insight_categories
    from kolgraph.audit import record_cli
    from kolgraph.loaders.crm import read_mapping
    from kolgraph.loading import load_crm

    with tqdm(unit="rows", desc="loading", disable=None, file=sys.stderr) as bar:
        summary = load_crm(
            path,
            app.store,
            read_mapping(mapping),
            skip_invalid=skip_invalid,
            progress=bar.update,
            insight_categories=load_insight_categories(app.settings.home),
        )
    click.echo(summary.describe())
    record_cli("load", str(path), summary.total_rows, app.settings.home)
    app.store.prepare_reads()


#: Runs ``score --until-fresh`` makes at most: a burst of corrections during one run is caught
#: up by the next, and writes that never stop do not keep it scoring for ever.
FRESH_ROUNDS = 5


def _rescore(app: AppContext, until_fresh: bool = False) -> None:
    """Score every HCP; ``until_fresh``: again while a write during the run left the new
    scores out of date, at most :data:`FRESH_ROUNDS` runs."""
    from kolgraph.scoring import rescore, rescore_until_fresh

    def again(run: int) -> None:
        click.echo(f"a write came while scoring: scoring again (run {run})", err=True)

    click.echo("scoring influence ...", err=True)
    if until_fresh:
        scores = rescore_until_fresh(app.store, app.settings.home, FRESH_ROUNDS, again)
    else:
        scores = rescore(app.store, app.settings.home)
    click.echo(f"scored {len(scores):,} HCPs")
    app.store.prepare_reads()


@cli.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format", "fmt", type=click.Choice(FORMATS), help="Source format (detected when omitted)."
)
@_mapping_option
@pass_app
def validate(app: AppContext, path: Path, fmt: str | None, mapping: Path | None) -> None:
    """Run every check a load runs on PATH; write nothing."""
    from kolgraph.analytics.insights import load_insight_categories
    from kolgraph.loading import source_files, validate_path

    with ExitStack() as stack:
        store = app.store_or_empty(stack)
        crm_mapping = _crm_mapping(fmt, mapping, False)
        if crm_mapping is not None:
            from kolgraph.loaders.crm import read_mapping
            from kolgraph.loading import load_crm

            categories = load_insight_categories(app.settings.home)
            summary = load_crm(
                path, store, read_mapping(crm_mapping), write=False, insight_categories=categories
            )
            click.echo(f"{path}: valid; {summary.describe(verb='would load')}")
            return
        for file in source_files(path, fmt):  # each against the store as it is
            validated = validate_path(
                file,
                store,
                fmt=fmt,
                insight_categories=load_insight_categories(app.settings.home),
                home=app.settings.home,
            )
            click.echo(f"{file}: valid; {validated.describe()}")


@cli.command()
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--override",
    is_flag=True,
    help="A matching rule wins over a territory the source gave (kept aside, not lost).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as a JSON object.")
@pass_app
def align(app: AppContext, path: Path, override: bool, as_json: bool) -> None:
    """Align territories with the rules of PATH (territory,country,state,postal_code).

    The most specific matching rule wins: ZIP5 > ZIP3 > state > country; a blank cell
    matches anything.  The alignment is stored, applied at once to every stored HCP and to
    every later load.  Prints HCPs per territory and those left without one, and why.
    """
    from kolgraph.audit import record_cli
    from kolgraph.territories import read_alignment, report

    alignment = read_alignment(path, override)
    changed = app.store.set_alignment(alignment)
    record_cli("align", str(path), changed, app.settings.home)
    result = report(app.store.hcp_places())
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    click.echo(
        f"{path.name}: {len(alignment.rules):,} rules stored"
        f"{' (override: rules win over source territories)' if override else ''}; "
        f"{changed:,} HCPs changed territory"
    )
    emit(result["territories"], "table", ["territory", "hcps", "aligned", "explicit"])
    unassigned = result["unassigned"]
    reasons = ", ".join(f"{reason}: {n:,}" for reason, n in unassigned.items())
    click.echo(f"without a territory: {sum(unassigned.values()):,} HCPs ({reasons})")


@cli.command()
@click.option(
    "--json", "as_json", is_flag=True, help='Print {"nodes": {...}, "relationships": {...}}.'
)
@pass_app
def stats(app: AppContext, as_json: bool) -> None:
    """Counts per node label and relationship type."""
    counts = app.store.stats()
    if as_json:
        click.echo(json.dumps(counts, indent=2))
        return
    for kind, title in (("nodes", "label"), ("relationships", "type")):
        rows = [{title: k, "count": v} for k, v in counts[kind].items()]
        emit(rows, "table", [title, "count"])
        click.echo()


@cli.command("explain-identity")
@click.argument("hcp_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@pass_app
def explain_identity(app: AppContext, hcp_id: str, as_json: bool) -> None:
    """Why source records were resolved to this HCP: evidence, method and confidence."""
    from kolgraph.identities import explain_identity as explain
    from kolgraph.steward_text import explanation_text

    found = explain(app.settings.home, app.store, hcp_id)
    if as_json:
        click.echo(json.dumps(found, indent=2, default=str))
        return
    click.echo(explanation_text(found))


@cli.group()
def identity() -> None:
    """Steward corrections of who is who: review, merge, split (kept through every reload)."""


@identity.command("review")
@click.option("--limit", default=50, show_default=True, type=COUNT, help="How many rows.")
@output_options
@pass_app
def identity_review(app: AppContext, limit: int, as_json: bool, as_csv: bool) -> None:
    """Likely duplicates (same name block, compatible first names, and shared co-authors,
    institution, NPI or city) and shaky merges (weak or conflicting identity evidence),
    most influential first, each with its evidence and the command that would fix it."""
    from kolgraph.answers.identity import REVIEW_FIELDS
    from kolgraph.identities import all_evidence
    from kolgraph.steward_text import review_text

    fmt = chosen_format(as_json, as_csv)
    # a terminal sees the name blocks compared (the most influential first, up to --limit's)
    with tqdm(desc="comparing name blocks", unit=" HCPs", file=sys.stderr, disable=None) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        rows = app.store.identity_review(all_evidence(app.settings.home), limit, progress=progress)
    if fmt == "table":
        click.echo(review_text(rows))
        return
    if fmt == "csv":
        rows = [{**r, "evidence": "; ".join(r["evidence"])} for r in rows]
    emit(rows, fmt, REVIEW_FIELDS)


@identity.command("merge")
@click.argument("keep_id", metavar="HCP_A")
@click.argument("other_id", metavar="HCP_B")
@_no_score_option("a batch of corrections")
@pass_app
def identity_merge(app: AppContext, keep_id: str, other_id: str, no_score: bool) -> None:
    """Fold HCP_B into HCP_A: B's authorships, trial roles, touchpoints and affiliations
    become A's, A takes the fields it lacked (NPI, ORCID, place...), B is gone; co-authorships
    are recounted and influence rescored (unless --no-score).  Later loads keep the merge."""
    from kolgraph.audit import record_cli

    app.warn_stale = False
    done = app.store.merge_hcps(keep_id, other_id, steward=_os_user())
    _after_correction(app, done)
    record_cli("identity merge", f"{other_id} into {keep_id}", len(done.slots), app.settings.home)
    click.echo(
        f"merged {other_id} into {keep_id} ({len(done.slots)} authorship(s) moved"
        + (f"; took {', '.join(sorted(done.fields))}" if done.fields else "")
        + f"); correction {done.correction_id}"
    )
    _rescore_unless(app, no_score)


#: The columns of ``kolgraph identity link``.
LINK_FIELDS = ("keep_id", "other_id", "method", "confidence", "evidence")


@identity.command("link")
@click.option("--dry-run", is_flag=True, help="List the links; change nothing.")
@_no_score_option("a batch of corrections")
@output_options
@pass_app
def identity_link(
    app: AppContext, dry_run: bool, no_score: bool, as_json: bool, as_csv: bool
) -> None:
    """Join the HCPs that different sources (NPPES, Open Payments, ClinicalTrials.gov,
    PubMed, your own files) made of one person, over the whole store: same NPI, ORCID or
    e-mail, or the same full name with a city or institution in common, or with the same
    state and specialty field.  Every load does this for the HCPs it writes; run it after
    upgrading from a version that did not.  Each link is a merge later loads keep."""
    from kolgraph.audit import record_cli
    from kolgraph.identities import record_links

    fmt = chosen_format(as_json, as_csv)
    app.warn_stale = False
    if dry_run:
        links = app.store.source_links()
    else:
        done = app.store.link_sources()
        record_links(app.settings.home, done)
        record_cli("identity link", f"{len(done)} link(s)", len(done), app.settings.home)
        links = [link for link, _correction in done]
    rows = [_link_row(link, fmt) for link in links]
    emit(rows, fmt, LINK_FIELDS)
    if fmt == "table":
        verb = "would join" if dry_run else "joined"
        click.echo(f"{verb} {len(links):,} HCP(s) to the same person's HCP of another source")
    if links and not dry_run:
        _rescore_unless(app, no_score)


def _link_row(link, fmt: str) -> dict:
    evidence = list(link.evidence) if fmt == "json" else "; ".join(link.evidence)
    return {**{f: getattr(link, f) for f in LINK_FIELDS}, "evidence": evidence}


@identity.command("split")
@click.argument("hcp_id")
@click.option(
    "--pmids", required=True, help="Comma-separated PMIDs of the papers that are someone else's."
)
@_no_score_option("a batch of corrections")
@pass_app
def identity_split(app: AppContext, hcp_id: str, pmids: str, no_score: bool) -> None:
    """Make the authorships of --pmids a new HCP (named as HCP_ID is): the papers of another
    person with the same name; influence is rescored (unless --no-score).  Later loads keep
    the split."""
    from kolgraph.audit import record_cli

    app.warn_stale = False
    done = app.store.split_hcp(hcp_id, pmids, steward=_os_user())
    _after_correction(app, done)
    record_cli("identity split", f"{hcp_id} -> {done.other_id}", len(done.pmids), app.settings.home)
    click.echo(
        f"split {len(done.pmids)} paper(s) of {hcp_id} into new HCP {done.other_id}; "
        f"correction {done.correction_id}"
    )
    _rescore_unless(app, no_score)


def _rescore_unless(app: AppContext, no_score: bool) -> None:
    """Rescore after a write, or say that the scores are left out of date."""
    if no_score:
        click.echo(
            "scores left out of date (--no-score): run `kolgraph score` when you are done",
            err=True,
        )
    else:
        _rescore(app)


def _after_correction(app: AppContext, done) -> None:
    from kolgraph.identities import record_correction

    record_correction(app.settings.home, done)


def _os_user() -> str:
    from kolgraph.audit import os_user

    return os_user()


# --- influence --------------------------------------------------------------------------------


@cli.command()
@click.option(
    "--until-fresh",
    is_flag=True,
    help="Score again while a load or correction made during the run left the new scores "
    f"out of date (at most {FRESH_ROUNDS} runs; the web app's background runs do this).",
)
@pass_app
def score(app: AppContext, until_fresh: bool) -> None:
    """Recompute every HCP's influence, tier and rising-star flag (loads do this too)."""
    app.warn_stale = False
    _rescore(app, until_fresh)


@cli.command()
@click.option("--limit", default=20, show_default=True, type=COUNT, help="How many HCPs.")
@click.option("--territory", help="Only HCPs of this territory.")
@click.option("--rising", is_flag=True, help="Rising stars, fastest growth first.")
@output_options
@pass_app
def top(
    app: AppContext, limit: int, territory: str | None, rising: bool, as_json: bool, as_csv: bool
) -> None:
    """HCPs by influence (0-100), with rank, tier (1 = highest) and score components."""
    from kolgraph.answers.browse import RISING_FIELDS, TOP_FIELDS
    from kolgraph.scoring import top_hcps

    fmt = chosen_format(as_json, as_csv)
    rows = top_hcps(app.store, limit=limit, territory=territory, rising=rising)
    emit(rows, fmt, RISING_FIELDS if rising else TOP_FIELDS)


@cli.command()
@click.argument("hcp_id")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@pass_app
def explain(app: AppContext, hcp_id: str, as_json: bool) -> None:
    """Why an HCP scores as they do: each component's value, weight, contribution, evidence."""
    from kolgraph.scoring import explain as explain_score

    explanation = explain_score(
        app.store,
        app.settings.home,
        hcp_id,
        notice=lambda text: click.echo(f"Note: {text}", err=True),
    )
    if as_json:
        click.echo(json.dumps(explanation, indent=2, default=str))
    else:
        click.echo(_explanation_text(explanation))


def _explanation_text(e: dict) -> str:
    lines = [
        f"{e['name']} ({e['hcp_id']}): influence {e['influence']:.1f}, rank {e['rank']}, "
        f"tier {e['tier']}" + (", rising star" if e["rising"] else ""),
        "",
    ]
    rows = [
        {"component": name, **{k: c[k] for k in ("raw", "percentile", "weight", "contribution")}}
        for name, c in e["components"].items()
    ]
    lines += [table_text(rows, ["component", "raw", "percentile", "weight", "contribution"]), ""]
    evidence = e["evidence"]
    lines += ["Top papers:"] + [
        f"  {p['year']}  {p['title']} (PMID {p['pmid']}, position {p['position']})"
        for p in evidence["papers"]
    ]
    lines += ["Strongest co-authors:"] + [
        f"  {c['name']} ({c['hcp_id']}): {c['papers']} joint paper{'s' * (c['papers'] != 1)}"
        for c in evidence["coauthors"]
    ]
    lines += ["Trials:"] + [
        f"  {t['nct_id']}  {t['role']}  {t.get('title') or ''}" for t in evidence["trials"]
    ]
    return "\n".join(lines)


@cli.command()
@click.option("--territory", help="Only insights about HCPs of this territory.")
@click.option("--since", type=DATE, help="Only insights on or after DATE.")
@click.option("--tier", type=TIER, help="Only insights about HCPs of this tier (1 = highest).")
@click.option("--category", help="Only insights of this category.")
@click.option("--themes", is_flag=True, help="Also find recurring themes in the insight texts.")
@output_options
@pass_app
def insights(
    app: AppContext,
    territory: str | None,
    since,
    tier: int | None,
    category: str | None,
    themes: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Field insights: counts by category, sentiment, territory, tier and quarter; newest
    insights from tier 1-2 HCPs; with --themes, recurring themes and their trends."""
    from kolgraph.analytics.insights import load_insight_categories
    from kolgraph.insights_report import CSV_COLUMNS, insights_report, report_rows, report_text

    fmt = chosen_format(as_json, as_csv)
    report = insights_report(
        app.store,
        load_insight_categories(app.settings.home),
        territory=territory,
        since=since,
        tier=None if tier is None else str(tier),
        category=category,
        themes=themes,
    )
    if fmt == "json":
        click.echo(json.dumps(report, indent=2, default=str))
    elif fmt == "csv":
        emit(report_rows(report), "csv", CSV_COLUMNS)
    else:
        click.echo(report_text(report))


# --- coverage gaps, coverage and exports ------------------------------------------------------


def _gap_filters(command):
    """The HCP selection and window options of ``gaps`` and ``export targets``."""
    options = (
        click.option("--top", type=COUNT, help="Only the N highest-ranked HCPs."),
        click.option(
            "--max-tier",
            type=TIER,
            help="Only tiers 1..T (1 = highest; default 2 when --top is not given).",
        ),
        click.option("--territory", help="Only HCPs of this territory (exact match)."),
        _stale_days_option,
        _as_of_option,
    )
    for option in reversed(options):
        command = option(command)
    return command


_stale_days_option = click.option(
    "--stale-days",
    type=STALE_DAYS,
    default=180,
    show_default=True,
    help="Engaged means a touchpoint at most this many days before the as-of date.",
)
_as_of_option = click.option(
    "--as-of",
    "as_of",
    type=DATE,
    help="Reference date, YYYY-MM-DD (default today).",
)


def _gap_query(
    top, max_tier, territory, stale_days, as_of, include_engaged=False, with_institution=False
):
    from kolgraph.answers.gaps import GapQuery

    return GapQuery(
        top=top,
        max_tier=max_tier,
        territory=territory,
        stale_days=stale_days,
        as_of=as_of.date() if as_of else date.today(),
        include_engaged=include_engaged,
        with_institution=with_institution,
    )


@cli.command()
@_gap_filters
@output_options
@pass_app
def gaps(
    app: AppContext, top, max_tier, territory, stale_days, as_of, as_json: bool, as_csv: bool
) -> None:
    """Influential HCPs never engaged, engaged longer than --stale-days ago, or in a territory
    no MSL covers; highest influence first."""
    from kolgraph.answers.gaps import GAP_FIELDS

    fmt = chosen_format(as_json, as_csv)
    rows = app.store.coverage_gaps(_gap_query(top, max_tier, territory, stale_days, as_of))
    emit(rows, fmt, GAP_FIELDS)


COVERAGE_LISTINGS = {"territory": "territories", "msl": "msls"}


@cli.command()
@_stale_days_option
@_as_of_option
@click.option("--territory", help="Only this territory and its MSLs.")
@click.option(
    "--by",
    type=click.Choice(sorted(COVERAGE_LISTINGS)),
    help="Only one listing (CSV prints one: territory unless --by msl).",
)
@click.option(
    "--reach",
    is_flag=True,
    help="Also count the tier 1-2 HCPs not engaged by how many hops (co-authorship or a "
    "shared current institution) they are from one that is: 1, 2, or out of reach "
    "(an MSL's row: from the HCPs that MSL engaged).",
)
@output_options
@pass_app
def coverage(
    app: AppContext,
    stale_days: int,
    as_of,
    territory: str | None,
    by: str | None,
    reach: bool,
    as_json: bool,
    as_csv: bool,
) -> None:
    """Per territory and per MSL: tier 1-2 HCPs and the share engaged within --stale-days
    (an MSL's row: the HCPs of its territory it engaged itself).  The tier 1-2 HCPs of no
    territory are counted too: the last territory row of the table and of --csv (its
    territory blank in --csv), ``unassigned`` in --json."""
    from kolgraph.answers.gaps import MSL_FIELDS, REACH_FIELDS, TERRITORY_FIELDS

    fmt = chosen_format(as_json, as_csv)
    on = as_of.date() if as_of else date.today()
    result = app.store.coverage(on, stale_days, territory, reach=reach)
    extra = REACH_FIELDS if reach else ()
    fields = {"territories": TERRITORY_FIELDS + extra, "msls": MSL_FIELDS + extra}
    if fmt == "json":
        click.echo(json.dumps(result[COVERAGE_LISTINGS[by]] if by else result, indent=2))
        return
    listings = {"territories": _with_unassigned(result, fmt), "msls": result["msls"]}
    if fmt == "csv":
        key = COVERAGE_LISTINGS[by or "territory"]
        emit(listings[key], "csv", fields[key])
    else:
        keys = [COVERAGE_LISTINGS[by]] if by else list(fields)
        click.echo(
            "\n\n".join(f"{key.upper()}\n{table_text(listings[key], fields[key])}" for key in keys)
        )
        if not result["territories"] and territory is None:
            click.echo(NO_TERRITORIES, err=True)


def _with_unassigned(result: dict, fmt: str) -> list[dict]:
    """The territory rows, and a row of the tier 1-2 HCPs of no territory when there are any."""
    unassigned = result["unassigned"]
    if not unassigned or not unassigned["tier12_hcps"]:
        return result["territories"]
    name = "" if fmt == "csv" else NO_TERRITORY
    return [*result["territories"], {"territory": name, **unassigned, "msls": 0}]


#: The row of ``coverage`` that counts the tier 1-2 HCPs of no territory.
NO_TERRITORY = "(no territory)"
#: What ``coverage`` says when no territory has a tier 1-2 HCP or an MSL (real sources give
#: HCPs none: NPPES, PubMed and the others know places, not a team's territories).
NO_TERRITORIES = (
    "no territory has a tier 1-2 HCP or an MSL yet: every tier 1-2 HCP is in the row of no "
    "territory. Give HCPs territories with `kolgraph align RULES.csv` "
    "(territory,country,state,postal_code) and load the MSL roster (msls.csv); "
    "`kolgraph gaps` lists the HCPs meanwhile."
)


@cli.command()
@click.option(
    "--since",
    type=DATE,
    required=True,
    help="Compare with the scoring run kept from this date (or the newest before it).",
)
@click.option("--territory", help="Only changes about HCPs of this territory.")
@_stale_days_option
@output_options
@pass_app
def changes(
    app: AppContext, since, territory: str | None, stale_days: int, as_json: bool, as_csv: bool
) -> None:
    """What changed since a date: new tier 1-2 HCPs, tier moves, new rising stars, coverage
    decay, new insights by category; and tier 1-2 coverage share by quarter per territory."""
    from kolgraph.answers.changes import CHANGE_FIELDS, QUARTER_FIELDS

    fmt = chosen_format(as_json, as_csv)
    answer = app.store.changes(since.date(), date.today(), stale_days, territory)
    insight_rows = [
        {"change": "new insights", "name": category, "after": count}
        for category, count in answer["new_insights"].items()
    ]
    if fmt == "json":
        click.echo(json.dumps(answer, indent=2))
    elif fmt == "csv":
        emit(answer["changes"] + insight_rows, "csv", CHANGE_FIELDS)
    else:
        run = answer["compared_run"]
        click.echo(f"Since {answer['since']} (compared with the scoring run of {run['scored_on']})")
        click.echo(table_text(answer["changes"] + insight_rows, CHANGE_FIELDS))
        click.echo(
            "\nCOVERAGE BY QUARTER\n" + table_text(answer["coverage_by_quarter"], QUARTER_FIELDS)
        )


@cli.group()
def export() -> None:
    """Write lists for other tools (CRM imports, spreadsheets)."""


@export.command("targets")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="The file to write: FILE.csv or FILE.xlsx.",
)
@_gap_filters
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Every selected HCP, engaged ones too (reason 'engaged').",
)
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@pass_app
def export_targets_command(
    app: AppContext,
    out: Path,
    top,
    max_tier,
    territory,
    stale_days,
    as_of,
    include_all: bool,
    force: bool,
) -> None:
    """A target list with the reason each HCP is on it, and its NPI for a CRM import (the
    gaps filters; --all adds the engaged HCPs)."""
    from kolgraph.audit import record_cli
    from kolgraph.export import check_destination, export_targets, target_rows

    query = _gap_query(
        top, max_tier, territory, stale_days, as_of, include_all, with_institution=True
    )
    check_destination(out, force)  # before the query, so a typo fails at once
    rows = export_targets(target_rows(app.store, query), out, query, force=force)
    record_cli("export", str(out), rows, app.settings.home)
    click.echo(f"wrote {rows:,} targets to {out}")


@export.command("bundle")
@click.argument("out", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace an earlier bundle in DIR (a folder holding other files is never replaced).",
)
@pass_app
def export_bundle_command(app: AppContext, out: Path, force: bool) -> None:
    """The whole store as a canonical bundle in folder DIR, loadable into either store with
    `kolgraph load DIR`: a backup, or how a team moves from the embedded store to Neo4j.

    \b
    kolgraph export bundle moved/
    kolgraph --backend neo4j load moved/
    kolgraph --backend neo4j align moved/alignment/alignment.csv   (when one was stored)

    DIR must be new or empty. The files are written beside it and moved into place at the
    end, so a failed export leaves nothing. Scores, co-author pairs and histories are not
    written: a load recomputes them. See docs/data-contract.md.
    """
    from kolgraph.audit import record_cli
    from kolgraph.bundle_export import (
        ALIGNMENT_FILE,
        bundle_rows,
        check_bundle_destination,
        export_bundle,
    )

    check_bundle_destination(out, force)  # before reading the store, so a typo fails at once
    app.warn_stale = False  # scores are not exported
    store = app.store  # a missing store or an unreachable server fails before the bar shows
    with tqdm(
        total=bundle_rows(store), unit="rows", desc="exporting", disable=None, file=sys.stderr
    ) as bar:
        written = export_bundle(
            store, out, force=force, progress=bar.update, home=app.settings.home
        )
    total = sum(written.values())
    record_cli("export", str(out), total, app.settings.home)
    click.echo(f"wrote {total:,} rows to {out}")
    for name, rows in written.items():
        click.echo(f"  {name:<28} {rows:>10,} rows")
    if ALIGNMENT_FILE.as_posix() in written:
        alignment = store.alignment()
        flag = " --override" if alignment is not None and alignment.override else ""
        click.echo(f"after loading it elsewhere: kolgraph align {out / ALIGNMENT_FILE}{flag}")


# --- collaborators, suggestions, paths and introductions -----------------------------------------


@cli.command()
@click.argument("hcp_id")
@output_options
@pass_app
def collaborators(app: AppContext, hcp_id: str, as_json: bool, as_csv: bool) -> None:
    """An HCP's existing co-authors, most joint publications first."""
    from kolgraph.answers.network import COAUTHOR_COLUMNS

    fmt = chosen_format(as_json, as_csv)
    emit(app.store.coauthors(hcp_id), fmt, COAUTHOR_COLUMNS)


@cli.command()
@click.argument("hcp_id")
@click.option("--limit", default=10, show_default=True, type=COUNT, help="How many suggestions.")
@output_options
@pass_app
def suggest(app: AppContext, hcp_id: str, limit: int, as_json: bool, as_csv: bool) -> None:
    """People the HCP has not published with, best link-prediction score first."""
    from kolgraph.answers.network import SUGGESTION_COLUMNS

    fmt = chosen_format(as_json, as_csv)
    rows = app.store.suggest_collaborators(hcp_id, limit)
    if fmt == "table":  # four decimals, as computed (the table would show one)
        rows = [{**row, "score": f"{row['score']:.4f}"} for row in rows]
    emit(rows, fmt, SUGGESTION_COLUMNS)


@cli.command()
@click.argument("from_id")
@click.argument("to_id")
@click.option("--json", "as_json", is_flag=True, help="Print the path as JSON (null when none).")
@pass_app
def path(app: AppContext, from_id: str, to_id: str, as_json: bool) -> None:
    """The shortest path between two HCPs over co-authorship and shared current institutions.

    Exits with status 1 when there is no path.
    """
    from kolgraph.answers.network import MAX_PATH_EDGES

    found = app.store.shortest_path(from_id, to_id)
    _print_path(
        found,
        as_json,
        f"no path between {from_id} and {to_id} (within {MAX_PATH_EDGES} relationships)",
    )


@cli.command()
@click.argument("target_id")
@_stale_days_option
@_as_of_option
@click.option("--territory", help="Only start from HCPs of this territory.")
@click.option(
    "--json", "as_json", is_flag=True, help="Print the introduction as JSON (null when none)."
)
@pass_app
def intro(
    app: AppContext, target_id: str, stale_days: int, as_of, territory: str | None, as_json: bool
) -> None:
    """A warm introduction: the shortest path to TARGET_ID from an HCP engaged in the window.

    Exits with status 1 when no engaged HCP reaches the target.
    """
    as_of_date = as_of.date() if as_of else date.today()
    found = app.store.warm_intro(target_id, as_of_date, stale_days, territory)
    _print_path(
        found,
        as_json,
        f"no HCP engaged within {stale_days} days before "
        f"{as_of_date.isoformat()} reaches {target_id}",
    )


def _print_path(found: dict | None, as_json: bool, none_message: str) -> None:
    """Print a path or introduction (JSON, or one line per hop); exit 1 when there is none."""
    if as_json:
        click.echo(json.dumps(found, indent=2))
    elif found is None:
        click.echo(none_message, err=True)
    else:
        click.echo(_path_text(found))
    if found is None:
        click.get_current_context().exit(1)


def _path_text(found: dict) -> str:
    def who(hcp_id: str, name: str | None) -> str:
        return f"{name} ({hcp_id})" if name else hcp_id

    if found.get("already_engaged"):
        touch = found["via_engaged"]["last_touch"]
        return (
            f"{who(found['target'], found['target_name'])} is already engaged (last touch {touch})."
        )
    lines = []
    if "via_engaged" in found:
        via = found["via_engaged"]
        lines.append(
            f"Introduction to {who(found['target'], found['target_name'])} through "
            f"{who(via['hcp_id'], via['name'])}, last touch {via['last_touch']}:"
        )
    hops = "hop" if found["length"] == 1 else "hops"
    lines.append(
        f"{who(found['from'], found['from_name'])} -> {who(found['to'], found['to_name'])}: "
        f"{found['length']} {hops}"
    )
    for number, hop in enumerate(found["hops"], 1):
        link = "co-author of" if hop["via"] == "coauthor" else "same institution as"
        lines.append(
            f"  {number}. {who(hop['from'], hop['from_name'])} {link} "
            f"{who(hop['to'], hop['to_name'])}: {'; '.join(hop['evidence'])}"
        )
    return "\n".join(lines)


# --- data generation and demo ----------------------------------------------------------------


@cli.command()
@click.option(
    "--size",
    type=click.Choice(["S", "M", "L"], case_sensitive=False),
    default="S",
    show_default=True,
    help="S ~2,000 HCPs; M 50,000 HCPs; L ten times M.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder to write the bundle into.",
)
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=42, show_default=True)
@click.option("--as-of", "as_of", type=DATE, help="Anchor date (default today).")
def generate(size: str, out: Path, seed: int, as_of) -> None:
    """Write a realistic synthetic canonical bundle."""
    from kolgraph.generate import generate_bundle

    with tqdm(unit="rows", desc=f"generating {size.upper()}", disable=None, file=sys.stderr) as bar:
        counts = generate_bundle(
            out, size.upper(), seed=seed, as_of=as_of and as_of.date(), progress=bar.update
        )
    click.echo(
        f"wrote {sum(counts.values()):,} rows to {out}: "
        + ", ".join(f"{name} {n:,}" for name, n in counts.items())
    )


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes (default: one per core plus one, at most 8; "
    "1 = one waitress process, as on Windows).",
)
@pass_app
def serve(app: AppContext, host: str, port: int, workers: int | None) -> None:
    """Serve the web app with a production WSGI server (gunicorn workers, or waitress)."""
    from kolgraph.serving import listen

    _serve(app.settings, listen(host, port), workers)


def _serve(settings: Settings, listening: socket.socket, workers: int | None = None) -> None:
    from kolgraph.serving import serve as run_server

    run_server(settings, listening, workers, echo=click.echo)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=PORT)
@click.option("--no-serve", is_flag=True, help="Build and load the demo data, then exit.")
@click.option(
    "--real",
    is_flag=True,
    help="A small real sample (PubMed, NPPES, ClinicalTrials.gov, Open Payments) with a "
    "sample alignment, MSL roster and CRM export, instead of synthetic data.",
)
@pass_app
def demo(app: AppContext, host: str, port: int, no_serve: bool, real: bool) -> None:
    """Generate the S dataset (once), load it into the store, and serve the app; with
    --real, load the shipped real sample instead."""
    app.create = True
    from kolgraph.demo import prepare_demo, prepare_real_demo
    from kolgraph.serving import listen

    listening = None if no_serve else listen(host, port)  # a port in use: said before loading
    prepare = prepare_real_demo if real else prepare_demo
    prepare(app.store, app.settings.home, echo=click.echo)
    app.close()
    if listening is not None:
        _serve(app.settings, listening)


# --- the local Neo4j server ------------------------------------------------------------------


@cli.group()
def neo4j() -> None:
    """Run a local Neo4j Community server (fetched once from Maven Central)."""


def _server_dir(app: AppContext, directory: Path | None) -> Path:
    return directory or local_server_dir(app.settings.home)


_dir_option = click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="Server folder (default: neo4j-server in the home folder).",
)
_port_option = click.option("--port", type=PORT, default=7687, show_default=True, help="Bolt port.")


def _memory_size(_ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    from kolgraph.neo4j_server import SIZE

    if value is not None and not SIZE.fullmatch(value):
        raise click.BadParameter(
            f"{value!r} is not a size: a whole number with k, m or g, such as 4g or 512m",
            param=param,
        )
    return value


@neo4j.command("start")
@_port_option
@_dir_option
@click.option(
    "--heap",
    metavar="SIZE",
    callback=_memory_size,
    help="Java heap of the server, such as 4g (default: the folder's, 4g in a new one); "
    "kept for later starts.",
)
@click.option(
    "--page-cache",
    metavar="SIZE",
    callback=_memory_size,
    help="Page cache for the graph's files, such as 6g (default: the folder's, 2g in a new "
    "one); about the size of the database on disk keeps it all in memory. Kept for later "
    "starts.",
)
@pass_app
def neo4j_start(
    app: AppContext, port: int, directory: Path | None, heap: str | None, page_cache: str | None
) -> None:
    """Start the local server in the background and wait until Bolt answers."""
    from kolgraph import neo4j_server

    text = neo4j_server.start_and_describe(
        _server_dir(app, directory), port, echo=click.echo, heap=heap, page_cache=page_cache
    )
    click.echo(text)


@neo4j.command("stop")
@_dir_option
@pass_app
def neo4j_stop(app: AppContext, directory: Path | None) -> None:
    """Stop the local server cleanly."""
    from kolgraph import neo4j_server

    click.echo(neo4j_server.stop_and_describe(_server_dir(app, directory)))


@neo4j.command("status")
@_dir_option
@pass_app
def neo4j_status(app: AppContext, directory: Path | None) -> None:
    """Say whether the local server runs, and where."""
    from kolgraph import neo4j_server

    click.echo(neo4j_server.status(_server_dir(app, directory)).describe())


# --- web app users ---------------------------------------------------------------------------

USER_COLUMNS = ["name", "role", "territory", "created_at"]
#: How many known territories the error about an unknown one lists.
KNOWN_SHOWN = 20


@cli.group()
def users() -> None:
    """Manage web app logins (stored in the home folder, whatever the backend)."""


def _user_store(app: AppContext):
    from kolgraph.users import UserStore

    return UserStore.for_home(app.settings.home)


def _read_new_password() -> str:
    """The first line of stdin when it is piped, else a hidden prompt typed twice."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt(
        "Password", hide_input=True, confirmation_prompt=True, default="", show_default=False
    )


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["admin", "manager", "msl"]), required=True)
@click.option("--territory", help="The one territory an msl user sees (required for msl).")
@click.option(
    "--force", is_flag=True, help="Accept a territory that no MSL, HCP or alignment rule has yet."
)
@pass_app
def users_add(app: AppContext, name: str, role: str, territory: str | None, force: bool) -> None:
    """Create user NAME; the password is read from stdin, or prompted for twice."""
    store = _user_store(app)
    store.check_new(name, role, territory)  # before asking for a password
    if territory and not force:
        _check_known_territory(app, territory)
    user = store.add(name, _read_new_password(), role, territory)
    scope = f"territory {user.territory}" if user.territory else "every territory"
    click.echo(f"added {user.role} {user.name} ({scope})")


def _check_known_territory(app: AppContext, territory: str) -> None:
    """An msl user scoped to a territory nobody has would see nothing: almost always a typo."""
    app.warn_stale = False
    try:
        known = app.store.known_territories()
    except StoreUnavailable as error:
        raise InputError(
            f"cannot check territory {territory!r} ({error}); add --force to accept it unchecked"
        ) from None
    if territory not in known:
        shown = ", ".join(known[:KNOWN_SHOWN]) + (" ..." if len(known) > KNOWN_SHOWN else "")
        raise InputError(
            f"no MSL, HCP or alignment rule has territory {territory!r} "
            f"(known: {shown or 'none yet'}); add --force to accept it anyway"
        )


@users.command("list")
@output_options
@pass_app
def users_list(app: AppContext, as_json: bool, as_csv: bool) -> None:
    """Every user with role and territory (never passwords)."""
    fmt = chosen_format(as_json, as_csv)
    # out= at call time: emit's default is the sys.stdout of import time.
    emit([u.as_row() for u in _user_store(app).list()], fmt, USER_COLUMNS)


@users.command("remove")
@click.argument("name")
@pass_app
def users_remove(app: AppContext, name: str) -> None:
    """Delete user NAME; their open sessions end with it."""
    _user_store(app).remove(name)
    click.echo(f"removed {name}")


@users.command("password")
@click.argument("name")
@pass_app
def users_password(app: AppContext, name: str) -> None:
    """Set user NAME's password (stdin, or prompted twice); their open sessions end."""
    store = _user_store(app)
    if store.get(name) is None:
        raise click.ClickException(f"no user {name!r}")
    store.set_password(name, _read_new_password())
    click.echo(f"changed the password of {name}; their sessions have ended")


def main() -> None:
    """Console-script entry point."""
    # The driver logs connection failures itself; the CLI reports them as one clear error.
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)
    cli(prog_name="kolgraph")


if __name__ == "__main__":
    main()
