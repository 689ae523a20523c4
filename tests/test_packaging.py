"""The distribution's layout: every Python folder is a listed package, every data file ships."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def configured() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]


def package_name(folder: Path, package_dir: dict[str, str]) -> str:
    """The installed name of a source folder (``web/templates`` -> ``kolgraph.web.templates``)."""
    relative = folder.relative_to(ROOT).as_posix()
    for name, source in sorted(package_dir.items(), key=lambda kv: -len(kv[1])):
        if relative == source or relative.startswith(source + "/"):
            return name + relative[len(source) :].replace("/", ".")
    raise AssertionError(f"{relative} is outside every package folder")


def test_every_folder_with_an_init_is_a_listed_package():
    setup = configured()
    mapping = setup["package-dir"]
    found = {
        package_name(init.parent, mapping)
        for source in mapping.values()
        for init in (ROOT / source).rglob("__init__.py")
    }
    assert found == set(setup["packages"])


def test_data_files_ship_as_package_data():
    setup = configured()
    assert setup["include-package-data"] is False  # see the comment in pyproject.toml
    data = setup["package-data"]
    assert "*.cypher" in data["kolgraph.queries"]
    assert "sql/*.sql" in data["kolgraph.store.sqlite"]
    assert "*.json" in data["kolgraph.loaders"]  # the author linkage model
    assert {"templates/**/*.html", "static/**/*"} <= set(data["kolgraph.web"])
