"""The query catalog: shipped ``.cypher`` files load, and malformed ones fail early, by name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import kolgraph
from kolgraph.cypher import QueryCatalog, QueryFileError, default_catalog, parse_query, used_params

HEADER = "// purpose: test statement\n"


def test_every_shipped_query_loads_and_is_checked():
    catalog = QueryCatalog.from_package()
    assert len(catalog.names()) > 30
    for name in catalog.names():
        query = catalog.query(name)
        assert query.purpose, name
        assert query.params == used_params(query.text), name


def test_get_returns_the_statement_text():
    text = default_catalog().get("merge_hcps")
    assert text.startswith("// purpose:")
    assert "UNWIND $rows AS row" in text and "MERGE (n:HCP {hcp_id: row.hcp_id})" in text


def test_the_store_needs_a_constraint_for_every_node_key():
    names = default_catalog().names()
    for label in ("hcp", "institution", "publication", "trial", "msl", "touchpoint"):
        assert f"create_{label}_key_constraint" in names
        assert "IF NOT EXISTS" in default_catalog().get(f"create_{label}_key_constraint")


def test_an_unknown_name_is_a_clear_error():
    with pytest.raises(QueryFileError, match="no query named 'merge_nothing'"):
        default_catalog().get("merge_nothing")


def test_an_undeclared_parameter_fails_naming_file_and_parameter():
    text = HEADER + "// params: rows\nUNWIND $rows AS row MATCH (n {id: $key}) RETURN n"
    with pytest.raises(
        QueryFileError, match=r"^find_nodes\.cypher: undeclared parameter\(s\) key$"
    ):
        parse_query("find_nodes", text)


def test_an_unused_parameter_fails_naming_file_and_parameter():
    text = HEADER + "// params: rows, limit\nUNWIND $rows AS row RETURN row"
    with pytest.raises(
        QueryFileError, match=r"^list_rows\.cypher: declared but unused parameter\(s\) limit$"
    ):
        parse_query("list_rows", text)


def test_dollars_in_strings_and_comments_are_not_parameters():
    text = (
        HEADER + "// params: rows\n"
        "UNWIND $rows AS row // not $this one\n"
        "/* nor $that */ RETURN '$price' AS a, \"it's $5\" AS b, `$odd` AS c, row"
    )
    assert parse_query("read_rows", text).params == {"rows"}


def test_a_statement_without_parameters_declares_none():
    query = parse_query("check_nothing", HEADER + "// params:\nRETURN 1 AS ok")
    assert query.params == frozenset()


def test_missing_headers_are_reported():
    with pytest.raises(QueryFileError, match=r"read_rows\.cypher: missing header.*// params"):
        parse_query("read_rows", HEADER + "RETURN 1")
    with pytest.raises(QueryFileError, match=r"// purpose"):
        parse_query("read_rows", "// params:\nRETURN 1")


def test_one_statement_per_file():
    text = HEADER + "// params:\nMATCH (n) RETURN n;\nMATCH (m) RETURN m"
    with pytest.raises(QueryFileError, match="more than one statement"):
        parse_query("read_twice", text)
    assert parse_query("read_once", HEADER + "// params:\nRETURN ';' AS semi;").params == set()


def test_file_names_are_verb_noun():
    with pytest.raises(QueryFileError, match="verb_noun"):
        parse_query("MergeHcps", HEADER + "// params:\nRETURN 1")


def test_a_bad_file_in_a_package_fails_the_whole_catalog(tmp_path, monkeypatch):
    package = tmp_path / "badqueries"
    package.mkdir()
    (package / "__init__.py").write_text('"""Test queries."""\n')
    (package / "read_good.cypher").write_text(HEADER + "// params: id\nRETURN $id AS id\n")
    (package / "read_bad.cypher").write_text(HEADER + "// params: id\nRETURN $ident AS id\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(
        QueryFileError,
        match=r"^read_bad\.cypher: undeclared parameter\(s\) "
        r"ident; declared but unused parameter\(s\) id$",
    ):
        QueryCatalog.from_package("badqueries")


# --- the shipped catalogue: every file used, every purpose one short line ----------------------

PACKAGE_CODE = [Path(kolgraph.__file__).parent]
#: How the code names a query: a quoted snake_case literal (never an f-string).
_LITERAL = re.compile(r"""["']([a-z][a-z0-9]*(?:_[a-z0-9]+)+)["']""")


def _literals() -> set[str]:
    return {
        name
        for folder in PACKAGE_CODE
        for source in folder.rglob("*.py")
        for name in _LITERAL.findall(source.read_text("utf-8"))
    }


@pytest.mark.parametrize("name", default_catalog().names())
def test_every_query_file_is_used_by_its_literal_name(name):
    assert name in _literals(), f"queries/{name}.cypher: no quoted {name!r} in kolgraph/"


@pytest.mark.parametrize("name", default_catalog().names())
def test_every_purpose_is_one_short_line(name):
    (line,) = [x for x in default_catalog().get(name).splitlines() if x.startswith("// purpose")]
    assert len(line) <= 100, f"{name}.cypher: the reasoning belongs in docs/queries.md"


def test_no_shipped_query_uses_a_deprecated_feature(neo4j_driver):
    """Planned by the real server (EXPLAIN runs nothing): a deprecation is a warning in every
    log today and an error in the next major version."""
    catalog = default_catalog()
    deprecated = {}
    with neo4j_driver.session() as session:
        for name in catalog.names():
            query = catalog.query(name)
            summary = session.run("EXPLAIN " + query.text, dict.fromkeys(query.params)).consume()
            found = [
                n.description for n in summary.summary_notifications if n.category == "DEPRECATION"
            ]
            if found:
                deprecated[name] = found
    assert not deprecated
