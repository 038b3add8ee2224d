# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/csnet demo --dir demo-data

test: $(STAMP)
	$(BIN)/ruff check csnet tests benchmarks
	$(BIN)/mypy csnet
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check csnet tests benchmarks
	$(BIN)/ruff format --check csnet tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy csnet

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_items.py

clean:
	rm -rf $(VENV) demo-data
