"""A server process builds its caches again soon after the data changes
(``kolgraph.serving.follow_data``), and a value being built is built once, however many
threads ask for it."""

from __future__ import annotations

import gc
import shutil
import threading
import time
from datetime import date
from pathlib import Path

import counting
import pytest
from counting import Reads
from sample import frame

from kolgraph.answers.gaps import GapQuery
from kolgraph.config import Settings
from kolgraph.serving import follow_data, warm_if_changed
from kolgraph.store import gap_snapshot, search_index
from kolgraph.store.sqlite import EmbeddedStore
from kolgraph.web import create_app

AS_OF = date(2024, 6, 30)
NEW_HCP = ("H-NEW", "Zebulon", "Quennell", "MD", "Oncology", "Boston", "MA", "02115", "US")


@pytest.fixture(scope="module")
def scored_home(tmp_path_factory) -> Path:
    """The generator's S bundle, loaded and scored (copied by each test)."""
    return counting.scored_home(tmp_path_factory.mktemp("follow"), 7, AS_OF)


@pytest.fixture
def home(scored_home, tmp_path) -> Path:
    return Path(shutil.copytree(scored_home, tmp_path / "home"))


@pytest.fixture(autouse=True)
def unfrozen():
    """A warm-up freezes what it built; the tests go on in this process."""
    yield
    gc.unfreeze()


@pytest.fixture
def app(home):
    return create_app({"TESTING": True}, settings=Settings(backend="embedded", home=home))


def test_new_data_is_built_by_the_follower_before_a_page_asks(home, app, monkeypatch):
    with EmbeddedStore(home, create=False) as follower:
        seen = warm_if_changed(app, follower, None)
        with EmbeddedStore(home, create=False) as writer:
            writer.load({"hcps": frame("hcps", [NEW_HCP + (None,) * 4])})
        index_reads = Reads(monkeypatch, search_index, "read_index")
        gaps_reads = Reads(monkeypatch, gap_snapshot, "read_frames")
        assert warm_if_changed(app, follower, seen) != seen
        assert (index_reads.count, gaps_reads.count) == (1, 1)
    with EmbeddedStore(home, create=False) as page:  # a request's own store, same process
        assert [h["hcp_id"] for h in page.search_hcps("Quennell")] == ["H-NEW"]
        page.coverage_gaps(GapQuery(as_of=AS_OF))
    assert (index_reads.count, gaps_reads.count) == (1, 1)


def test_the_caches_built_are_kept_from_the_cyclic_collector(home, app):
    gc.unfreeze()
    with EmbeddedStore(home, create=False) as follower:
        warm_if_changed(app, follower, None)
    assert gc.get_freeze_count() > 0


def test_nothing_is_built_while_the_data_is_unchanged(home, app, monkeypatch):
    with EmbeddedStore(home, create=False) as follower:
        seen = warm_if_changed(app, follower, None)
        index_reads = Reads(monkeypatch, search_index, "read_index")
        assert warm_if_changed(app, follower, seen) == seen
    assert index_reads.count == 0


def test_a_value_being_built_is_built_once_for_every_thread_asking(home):
    built, answers = [], []

    def slow_read(_fetch):
        built.append(1)
        time.sleep(0.3)
        return object()

    def ask():
        with EmbeddedStore(home, create=False) as store:
            answers.append(store.cached("slow", slow_read))

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(built) == 1 and len({id(a) for a in answers}) == 1


def test_only_the_embedded_store_is_followed(app):
    assert follow_data(app, Settings(backend="neo4j")) is None


def test_the_follower_waits_for_a_store_it_cannot_open_yet_then_follows_it(
    scored_home, tmp_path, monkeypatch
):
    """A server started before its store can be opened (none yet, or a first load holding
    it) keeps looking, and builds the caches once the file is in place."""
    home = tmp_path / "home"
    settings = Settings(backend="embedded", home=home)
    app = create_app({"TESTING": True}, settings=settings)
    index_reads = Reads(monkeypatch, search_index, "read_index")
    stop = threading.Event()
    follower = follow_data(app, settings, every=0.05, stop=stop)
    try:
        time.sleep(0.3)  # several looks at a home with no store
        assert follower.is_alive()
        shutil.copytree(scored_home, home, dirs_exist_ok=True)  # as a first load's rename
        assert _eventually(lambda: index_reads.count == 1)
        assert follower.is_alive()
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()


def test_the_follower_reopens_a_file_another_replaced(scored_home, home, app, monkeypatch):
    settings = app.config["KOLGRAPH_SETTINGS"]
    stop = threading.Event()
    follower = follow_data(app, settings, every=0.05, stop=stop)
    try:
        time.sleep(0.2)
        index_reads = Reads(monkeypatch, search_index, "read_index")
        other = Path(shutil.copytree(scored_home, home.parent / "other"))
        with EmbeddedStore(other, create=False) as writer:  # another file, with a new HCP
            writer.load({"hcps": frame("hcps", [NEW_HCP + (None,) * 4])})
        (other / "kolgraph.sqlite3").replace(home / "kolgraph.sqlite3")
        assert _eventually(lambda: index_reads.count == 1)
    finally:
        stop.set()
        follower.join(timeout=10)
    with EmbeddedStore(home, create=False) as page:  # the follower built the new file's index
        assert [h["hcp_id"] for h in page.search_hcps("Quennell")] == ["H-NEW"]
    assert index_reads.count == 1


def _eventually(condition, seconds: float = 30.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False
