"""The distribution's layout: every Python folder is a listed package, every data file ships."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: What a checkout holds besides the sources (never copied to build a wheel from).
NOT_SOURCE = (
    ".git",
    ".venv",
    "build",
    "dist",
    "*.egg-info",
    "__pycache__",
    ".*_cache",
    ".kolgraph",
)


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


@pytest.mark.slow
def test_a_built_wheel_holds_every_data_file(tmp_path):
    """Build the wheel as ``pip install .`` does and look for every file of the package
    folders that is not Python: templates, static files, queries, SQL, models, mappings and
    the real demo sample."""
    # From a copy without build/: setuptools would reuse files a previous build left there.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), "."],
        cwd=source,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    (wheel,) = tmp_path.glob("kolgraph-*.whl")
    shipped = set(zipfile.ZipFile(wheel).namelist())
    wanted = {
        name.replace(".", "/") + "/" + path.relative_to(ROOT / source).as_posix()
        for name, source in configured()["package-dir"].items()
        for path in (ROOT / source).rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"} and "__pycache__" not in path.parts
    }
    assert len(wanted) > 100 and wanted <= shipped, sorted(wanted - shipped)[:20]
