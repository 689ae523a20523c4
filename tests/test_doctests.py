"""Docstring examples run, and importing any module of the package does nothing but import.

pytest's ``--doctest-modules`` (on for ``kolgraph/``, see ``pyproject.toml``) would import the
folders ``loaders/`` and ``web/`` as top-level ``loaders`` and ``web``: second copies of
``kolgraph.loaders`` and ``kolgraph.web``.  Their examples run here instead, under the names
the package installs them as.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import subprocess
import sys

import pytest

import kolgraph
import kolgraph.loaders
import kolgraph.web


def modules(*packages) -> list[str]:
    return sorted(
        info.name
        for package in packages
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + ".")
    )


@pytest.mark.parametrize("name", modules(kolgraph.loaders, kolgraph.web))
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0, f"{name}: {result.failed} docstring example(s) failed"


def test_importing_every_module_has_no_side_effects(tmp_path):
    names = ["kolgraph", *modules(kolgraph), "kolgraph.loaders", "kolgraph.web", "kolgraph.queries"]
    names += modules(kolgraph.loaders, kolgraph.web)
    code = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)\n"
    result = subprocess.run(
        [sys.executable, "-c", code, *names],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "KOLGRAPH_HOME": str(tmp_path / "home")},
    )
    assert result.returncode == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert list(tmp_path.iterdir()) == []  # no file written, no home folder made
