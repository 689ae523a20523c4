# kolgraph: the two quick-start commands (see README.md).
#   make demo   set up, load the demo dataset into the embedded store, serve the app
#   make test   set up, install what the tests need (Chromium), lint, run every test (starts Neo4j)
#   make lint   ruff (lint and format) and mypy on the package

PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

# setuptools notes on every editable install of a package-dir layout that folders named like
# the package may shadow it; an information notice, not a problem to fix.
QUIET_EDITABLE = PYTHONWARNINGS="ignore:Editable installation"
# mypy sees the package as installed (web/ is kolgraph.web ...): a tree of links, as
# package-dir in pyproject.toml maps the folders.
MYPY_TREE = build/mypy/kolgraph

.PHONY: demo test lint setup setup-test browser clean

demo: setup
	$(BIN)/kolgraph demo

test: lint browser
	$(BIN)/pytest

lint: setup-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	rm -rf $(MYPY_TREE) && mkdir -p $(MYPY_TREE)
	ln -s $(CURDIR)/kolgraph/* $(MYPY_TREE)/
	ln -s $(CURDIR)/loaders $(MYPY_TREE)/loaders
	ln -s $(CURDIR)/web $(MYPY_TREE)/web
	ln -s $(CURDIR)/queries $(MYPY_TREE)/queries
	$(BIN)/mypy

setup: $(VENV)/.installed

setup-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(QUIET_EDITABLE) $(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(QUIET_EDITABLE) $(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Browser tests drive Debian's Chromium; nothing downloads a browser.
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium chromium-driver; }

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache build
