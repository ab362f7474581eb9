# Quick start: `make demo` (audit the bundled demo data) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.bie-installed

.PHONY: demo test fuzz lint clean fixtures bench

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

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet "pandas>=2"
	$(BIN)/python -m benchmarks.read
	$(BIN)/python -m benchmarks.tag
	$(BIN)/python -m benchmarks.audit

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache bie-demo
