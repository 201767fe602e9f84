# samizdat — the two commands of the quick start are `make demo` and `make test`.
# Each creates its own virtualenv (.venv) and installs what it needs.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
FUZZ_SECONDS ?= 20
FUZZ_TARGETS ?=
FUZZ_MERGE ?=

.PHONY: all venv accel system-deps test test-fast lint typecheck demo bench bench-smoke fuzz clean

all: test

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# The engine compiled with mypyc (samizdat/accel.py): a cache of exactly these
# sources, rebuilt when they change; without it the same code runs as plain Python.
accel: venv
	-@$(BIN)/python -m samizdat.build_accel

# Debian packages the tests use for real: minisign, tor, poppler-utils, dovecot.
system-deps:
	@bash scripts/install-system-deps

test: venv accel system-deps
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-fast: venv accel
	$(BIN)/python -m pytest -m "not slow and not tor and not mail" $(PYTEST_ARGS)

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

typecheck: venv
	$(BIN)/mypy

demo: venv accel
	@bash scripts/install-system-deps --quiet || true
	$(BIN)/samizdat demo

bench: venv accel
	$(BIN)/python -m bench

bench-smoke: venv accel
	$(BIN)/python -m bench --smoke

# Coverage-guided fuzzing (atheris), one harness at a time on one core:
#   make fuzz FUZZ_SECONDS=600 FUZZ_TARGETS="cbor package" FUZZ_MERGE=1
# FUZZ_MERGE=1 merges the inputs that add coverage into tests/fuzz/corpus/.
# Figures: build/fuzz/summary.json; crashes: build/fuzz/crashes/.
fuzz: venv
	$(BIN)/python -m tests.fuzz all --seconds $(FUZZ_SECONDS) $(if $(FUZZ_MERGE),--merge) $(FUZZ_TARGETS)

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
