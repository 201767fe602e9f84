# samizdat — the two commands of the quick start are `make demo` and `make test`.
# Each creates its own virtualenv (.venv) and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: all venv system-deps test test-fast lint typecheck demo bench bench-smoke clean

all: test

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# Debian packages the tests use for real: minisign, tor, poppler-utils, dovecot.
system-deps:
	@bash scripts/install-system-deps

test: venv system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: venv
	$(BIN)/python -m pytest -m "not slow and not tor and not mail" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

typecheck: venv
	$(BIN)/mypy

demo: venv
	@bash scripts/install-system-deps --quiet || true
	$(BIN)/samizdat demo

bench: venv
	$(BIN)/python -m bench

bench-smoke: venv
	$(BIN)/python -m bench --smoke

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
