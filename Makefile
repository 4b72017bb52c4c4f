# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv if needed, installs, runs the baseline, writes plots to outputs/
#   make test   the same set-up, then lint, type checks and the whole test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint install clean

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

test: lint
	$(BIN)/python -m pytest -n 2

clean:
	rm -rf $(VENV) outputs/*/ .pytest_cache .mypy_cache .ruff_cache .hypothesis
