"""Which way the package's parts depend on each other: the CLI and the core import no Flask."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize("module", ["kolgraph.cli", "kolgraph.audit", "kolgraph.insights_report"])
def test_no_flask_below_the_web_app(module):
    code = f"import sys, {module}; print(sorted(m for m in sys.modules if m.startswith('flask')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
