# Everything runs from the project's own files: the first target builds or refreshes .venv from pyproject.toml.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rcm-installed
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_HOME ?= $(CURDIR)/var/prefect
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS ?= 180

.PHONY: venv system-packages demo test test-postgres bench lint clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

## The nightly flow on the bundled sample: SQLite and local folders under ./var
demo: $(STAMP)
	@mkdir -p $(PREFECT_HOME)
	$(BIN)/python -m flows.nightly --sample

## Debian's sshd and chromium for the tests that use real ones (skipped, saying why, when they cannot be installed)
system-packages:
	@bash scripts/system-packages || echo "warning: sshd/chromium not installed: the SFTP and browser tests will skip"

## The test suite (SQLite unless RCM_DATABASE_URL points elsewhere)
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q -n 2

test-postgres: $(STAMP) system-packages
	RCM_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest -q -n 2

## Speed, measured (figures printed and written to bench/out/): X12 parse/validate vs pyx12, scrubber, posting
bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -c "from rcm.coding.bench import run_benchmark; run_benchmark()"
	RCM_BENCH_POSTGRES_URL=$${RCM_BENCH_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -c "from rcm.remits.bench import run_benchmark; run_benchmark()"
	RCM_BENCH_POSTGRES_URL=$${RCM_BENCH_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test} \
		$(BIN)/python -c "from rcm.denials.bench import run_benchmark; run_benchmark()"

lint: $(STAMP)
	$(BIN)/ruff check rcm flows tests bench
	$(BIN)/mypy rcm flows

clean:
	rm -rf var bench/out .pytest_cache .mypy_cache .ruff_cache
