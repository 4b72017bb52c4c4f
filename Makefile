# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv if needed, installs, runs the baseline, writes plots to outputs/
#   make test   the same set-up, then lint, type checks, the docs site and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint docs install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/alignsim run scenarios/baseline.yaml
	@echo "Plots and tables: outputs/korean-peninsula-hedging-2018-2027/"

lint: $(STAMP)
	$(BIN)/ruff check sim tests
	$(BIN)/ruff format --check sim tests
	$(BIN)/mypy sim

# The documentation site (mkdocs.yml) into site/, warnings as errors; open site/index.html.
# NO_MKDOCS_2_WARNING: Material's end-of-life notice, which README "Documentation" records.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

test: lint docs
	$(BIN)/python -m pytest -n 2

clean:
	rm -rf $(VENV) outputs/*/ site .pytest_cache .mypy_cache .ruff_cache .hypothesis
