# The two commands of the quick start: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# axe-core, which the design checks load into the browser (tests/web/test_design.py)
AXE := .cache/axe/node_modules/axe-core/axe.min.js

.PHONY: run test lint typecheck unit quick bench clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(DEV_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(STAMP)

# make run PORT=8080 HOST=0.0.0.0: where the server listens
HOST ?= 127.0.0.1
PORT ?= 8000

run: $(STAMP)
	@echo "To use /admin, create an admin first: $(BIN)/tidings user add NAME --admin"
	$(BIN)/tidings serve --host $(HOST) --port $(PORT)

lint: $(DEV_STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

$(AXE):
	@if command -v npm >/dev/null; then \
	  npm install --no-save --no-audit --no-fund --prefix .cache/axe axe-core@4 >/dev/null; \
	else echo "npm is not installed: the axe checks cannot run"; fi

# The google-reader client of PyPI (it needs Python >= 3.12), which
# tests/web/greader/test_clients.py runs against `tidings serve`, in a venv of its own; the first
# Python >= 3.12 found is used, GREADER_PYTHON if set.
GREADER_PYTHON ?=
GREADER := .cache/greader-venv/.installed

$(GREADER):
	@for py in $(GREADER_PYTHON) python3.13 python3.12 $(wildcard $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python3); do \
	  if $$py -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	    $$py -m venv .cache/greader-venv && \
	    .cache/greader-venv/bin/python -m pip install --quiet google-reader && touch $@; exit; \
	  fi; \
	done; echo "no Python >= 3.12 (set GREADER_PYTHON): the google-reader client tests cannot run"

unit: $(DEV_STAMP) $(AXE) $(GREADER)
	$(BIN)/pytest -q

# The loop while editing: every test but those marked slow (over 5 s each), in under a minute.
quick: $(DEV_STAMP)
	$(BIN)/pytest -q -m "not slow"

test: lint typecheck unit

# The catalogs (docs/translating.md): extract every marked text into the template, merge it into
# each language's .po, compile the .mo files (the wheel carries them; a checkout reads the .po).
LOCALES := src/tidings/locale
messages: $(DEV_STAMP)
	$(BIN)/pybabel -q extract -F babel.cfg -k N_ --add-comments=Translators: --no-location --sort-output \
	  --project tidings --msgid-bugs-address "" -o $(LOCALES)/tidings.pot .
	$(BIN)/pybabel -q update -i $(LOCALES)/tidings.pot -d $(LOCALES) -D tidings \
	  --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -d $(LOCALES) -D tidings

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache

# The performance benchmark (bench/, results in docs/performance.md); needs nginx and wrk
# (apt-get install -y nginx wrk). Parts: make bench BENCH_ARGS="--only update --feeds 1000".
bench: $(STAMP)
	BENCH_FROM_MAKE=1 $(BIN)/python -m bench $(BENCH_ARGS)
