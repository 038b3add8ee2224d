# Two commands do everything on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck check bench i18n clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/csnet demo --dir demo-data

# The suite on every core (pytest-xdist; the browser tests stay together on one worker), then the
# few tests marked `serial` apart (exit status 5: none selected). One worker more than cores:
# about a fifth of the suite's time is spent waiting on node processes, browsers and timeouts
# (docs/benchmarks.md, "Test pipeline"). Bytecode is written even where the environment says not
# to, so that workers, reruns and the node processes the end-to-end tests start import compiled
# modules. JUNIT_DIR=dir keeps a JUnit report of each run (.ci/run).
PYTEST := PYTHONDONTWRITEBYTECODE= $(BIN)/pytest
WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))
junit = $(if $(JUNIT_DIR),--junitxml=$(JUNIT_DIR)/$(1).xml)

# lint-imports checks the import-linter contracts in pyproject.toml (README.md, "Architecture").
test: $(STAMP)
	$(BIN)/ruff check csnet tests benchmarks
	$(BIN)/mypy csnet
	$(BIN)/lint-imports
	$(PYTEST) -n $(WORKERS) --dist loadgroup -m "not serial" $(call junit,sqlite)
	$(PYTEST) -m serial $(call junit,sqlite-serial) || [ $$? -eq 5 ]

lint: $(STAMP)
	$(BIN)/ruff check csnet tests benchmarks
	$(BIN)/ruff format --check csnet tests benchmarks
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy csnet

bench: $(STAMP)
	$(BIN)/python benchmarks/bench_items.py

# Extract the web app's messages and merge them into every language's catalogue; translators then
# fill in the new entries (tests/web/pages/test_i18n.py fails while one is missing).
i18n: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output -o csnet/web/locale/messages.pot csnet/web
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i csnet/web/locale/messages.pot -d csnet/web/locale -D messages

clean:
	rm -rf $(VENV) demo-data
