# Quick start: `make demo` (audit the bundled demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.bie-installed

.PHONY: demo test fuzz lint clean fixtures bench bench-scale

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

demo: $(STAMP)
	$(BIN)/bie demo

# Two workers (one per core of a small machine), each test file on one worker so that its fixtures are built
# once: the whole suite in about 8 minutes instead of 14 on 2 cores.
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile

# Property tests with many random examples (the `fuzz` hypothesis profile, tests/conftest.py).
fuzz: $(STAMP)
	BIE_HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -q --hypothesis-show-statistics \
		tests/test_pipeline_properties.py tests/test_properties_read.py tests/test_web_properties.py

lint: $(STAMP)
	$(BIN)/ruff check src cli tests fixtures benchmarks
	$(BIN)/ruff format --check src cli tests fixtures benchmarks
	$(BIN)/mypy

fixtures: $(STAMP)
	$(BIN)/python fixtures/make_fixtures.py

# One table (docs/performance.md): at 20k and 100k actions the bare read, bie's JSON path, the full audit, the
# tagging alone and the pandas + openpyxl peer, each run in a fresh process (3 rounds at 20k, 1 at 100k),
# then 200 small contracts consolidated in one call; about 8 minutes on 2 cores. The 10k/100k/1M sweep:
# `make bench-scale` (generates a 1M-row workbook once, a few minutes, kept in benchmarks/_data).
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet "pandas>=2"
	$(BIN)/python -m benchmarks.harness --rows 20000,100000 --rounds 3,1 --files 200 \
		--json benchmarks/_data/bench.json

bench-scale: $(STAMP)
	$(BIN)/python -m benchmarks.scale --json benchmarks/_data/scale.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache bie-demo
