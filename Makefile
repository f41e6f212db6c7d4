# Two commands: `make demo` and `make test`. Both create .venv on first use, and
# re-install it when pyproject.toml changes (new dependencies).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test test-browser test-sqlite test-postgres lint bench docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -e ".[postgres]" --group dev
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/diplocode demo

# DIPLOCODE_TEST_DB=postgresql://... runs the same suite against PostgreSQL.
test: $(STAMP)
	$(BIN)/python -m pytest -q

# The end-to-end tests alone: headless Chromium (/usr/bin/chromium, Debian's package)
# driven by Playwright; screenshots go to DIPLOCODE_SCREENSHOTS (default build/screenshots).
test-browser: $(STAMP)
	$(BIN)/python -m pytest -q tests/web/test_browser.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python benchmarks/ingest.py

docs: $(STAMP)
	$(BIN)/python docs/gen_cli_reference.py > docs/cli.md

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .ruff_cache .mypy_cache diplocode-demo
