"""Bounded input: unsafe ids, control characters, over-long text, huge headers, gzip bombs
and damaged gzip files are refused at once, with the file (and line), writing nothing."""

from __future__ import annotations

import gzip
import shutil
import time
import zlib
from pathlib import Path

import pytest

from kolgraph.errors import InputError, ValidationFailed
from kolgraph.loaders import pubmed
from kolgraph.loaders.bundle import MAX_COLUMNS
from kolgraph.loaders.validate import MAX_ID_LENGTH, MAX_TEXT_LENGTH
from kolgraph.loading import load_path, validate_path

HCP_ROW = "{id},Ada,Lovelace,MD,Oncology,Boston,MA,US,Northeast,,,\n"


def _bundle(tmp_path: Path, small_bundle: Path, name: str, extra: str) -> Path:
    folder = tmp_path / "bundle"
    shutil.copytree(small_bundle, folder)
    with (folder / name).open("a", encoding="utf-8") as out:
        out.write(extra)
    return folder


def _problems(path: Path, store) -> list[str]:
    with pytest.raises(ValidationFailed) as failed:
        validate_path(path, store)
    return [str(p) for p in failed.value.problems]


# --- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bad_id",
    ["H/9", "H?9", "H#9", "H%2F9", 'H"9', "H'9", "<b>H9</b>", "H&9", "H 9", "H\\9", "H`9"],
)
def test_unsafe_ids_are_refused_with_file_and_line(loaded, tmp_path, small_bundle, bad_id):
    before = loaded.stats()
    cell = '"' + bad_id.replace('"', '""') + '"'
    folder = _bundle(tmp_path, small_bundle, "hcps.csv", HCP_ROW.format(id=cell))
    problems = _problems(folder, loaded)
    assert any(p.startswith("hcps.csv:8: hcp_id: id ") for p in problems), problems
    with pytest.raises(ValidationFailed):
        load_path(folder, loaded)
    assert loaded.stats() == before


def test_an_unsafe_reference_is_refused_too(embedded, tmp_path, small_bundle):
    folder = _bundle(tmp_path, small_bundle, "authorships.csv", "31000001,../H001,3\n")
    assert any(
        p.startswith("authorships.csv:") and "hcp_id: id" in p for p in _problems(folder, embedded)
    )


def test_an_over_long_id_is_refused(embedded, tmp_path, small_bundle):
    folder = _bundle(
        tmp_path, small_bundle, "hcps.csv", HCP_ROW.format(id="H" * (MAX_ID_LENGTH + 1))
    )
    assert any(f"longer than {MAX_ID_LENGTH} characters" in p for p in _problems(folder, embedded))


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["NUL\x00here", "bidi \u202eevil", "isolate \u2066x", "bell\x07"])
def test_control_and_bidi_characters_are_refused_with_file_and_line(
    embedded, tmp_path, small_bundle, text
):
    row = f'31000099,"{text}",J,2020,,\n'
    folder = _bundle(tmp_path, small_bundle, "publications.csv", row)
    problems = _problems(folder, embedded)
    assert any(
        p.startswith("publications.csv:") and "title: holds a control" in p for p in problems
    )


def test_line_breaks_and_tabs_in_text_are_kept(embedded, tmp_path, small_bundle):
    folder = _bundle(
        tmp_path, small_bundle, "publications.csv", '31000099,"two\nlines\tand tab",J,2020,,\n'
    )
    validate_path(folder, embedded)


def test_over_long_text_is_refused(embedded, tmp_path, small_bundle):
    folder = _bundle(
        tmp_path,
        small_bundle,
        "publications.csv",
        f"31000099,{'t' * (MAX_TEXT_LENGTH + 1)},J,2020,,\n",
    )
    assert any(
        f"title: longer than {MAX_TEXT_LENGTH:,}".replace(",", "") in p.replace(",", "")
        for p in _problems(folder, embedded)
    )


# --- CSV headers -----------------------------------------------------------------------------


def test_a_header_of_thousands_of_repeated_names_is_refused_at_once(embedded, tmp_path):
    folder = tmp_path / "bundle"
    folder.mkdir()
    width = 20_000
    (folder / "hcps.csv").write_text(
        ",".join(["hcp_id"] * width) + "\n" + ",".join(["x"] * width) + "\n"
    )
    started = time.perf_counter()
    problems = _problems(folder, embedded)
    assert time.perf_counter() - started < 5
    assert problems == [
        f"hcps.csv:1: header: {width:,} columns; a file may have at most {MAX_COLUMNS}"
    ]


# --- gzip ------------------------------------------------------------------------------------

XML_HEAD = b'<?xml version="1.0"?>\n<PubmedArticleSet>\n'


def _bomb(path: Path, opening: bytes, size: int) -> Path:
    """A small .xml.gz expanding to ``size`` bytes of one token after ``opening``."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [packer.compress(XML_HEAD + opening)]
    block = b"a" * (1 << 20)
    parts += [packer.compress(block) for _ in range(size >> 20)]
    path.write_bytes(b"".join([*parts, packer.flush()]))
    return path


@pytest.mark.parametrize(
    "opening",
    [b"<!--", b"<PubmedArticle><MedlineCitation><PMID>1</PMID><Article><ArticleTitle>"],
    ids=["comment", "title"],
)
def test_a_gzip_expanding_to_a_huge_token_is_refused_quickly(tmp_path, opening):
    bomb = _bomb(tmp_path / "bomb.xml.gz", opening, 1 << 30)
    assert bomb.stat().st_size < 2 << 20
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"^bomb\.xml\.gz: a record .* longer than 16 MB"):
        pubmed.read_pubmed(bomb)
    assert time.perf_counter() - started < 20  # it reads 16 MB, not 1 GB


def test_a_long_token_is_fed_in_growing_pieces():
    """Expat rescans an unfinished token at every feed: feeds double, so the cost is linear."""
    chunks = iter([b"<!--"] + [b"a" * pubmed.CHUNK_BYTES] * 200)
    feeds = list(pubmed._feeds(chunks, Path("x.xml")))
    assert b"".join(feeds) == b"<!--" + b"a" * pubmed.CHUNK_BYTES * 200
    assert len(feeds) <= 12


def test_record_ends_keep_normal_files_in_small_feeds():
    record = b"<PubmedArticle><MedlineCitation><PMID>1</PMID></MedlineCitation></PubmedArticle>\n"
    chunks = [record * 800] * 400  # 25 MB in all, more than one record limit
    feeds = list(pubmed._feeds(iter(chunks), Path("x.xml")))
    assert len(feeds) == len(chunks)


def _damaged(tmp_path: Path, how: str) -> Path:
    data = gzip.compress(XML_HEAD + b"<PubmedArticle/>\n" * 200 + b"</PubmedArticleSet>\n")
    damaged = {
        "truncated": data[: len(data) // 2],
        "corrupt": data[:20] + bytes(b ^ 0x55 for b in data[20:40]) + data[40:],
        "bad header": b"\x1f\x8b" + b"\x00" * 40,
        "bad checksum": data[:-8] + b"\0\0\0\0" + data[-4:],
    }[how]
    path = tmp_path / "small.xml.gz"
    path.write_bytes(damaged)
    return path


@pytest.mark.parametrize("how", ["truncated", "corrupt", "bad header", "bad checksum"])
@pytest.mark.parametrize("fmt", [None, "pubmed"])
def test_a_damaged_small_gzip_says_so(embedded, tmp_path, how, fmt):
    path = _damaged(tmp_path, how)
    with pytest.raises(InputError, match=r"^small\.xml\.gz: damaged gzip"):
        validate_path(path, embedded, fmt=fmt)
