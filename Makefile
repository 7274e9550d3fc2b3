# The two commands of the README. Each makes its own virtual environment, so a fresh machine with Python 3.11
# needs nothing else:
#   make run     install, build the graph from the bundled plans, serve it at http://127.0.0.1:8000
#   make check   install with the dev tools, then ruff, ruff format --check, mypy and pytest (CI runs this)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TYPECHECK := build/typecheck/dutygraph

.PHONY: run check install install-dev lint typecheck test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'

run: install
	$(BIN)/dutygraph build
	$(BIN)/dutygraph serve

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# mypy finds packages by folder name; the installed names (dutygraph.kg, …) map onto the top-level
# folders, so mypy reads them through a tree of links named as installed.
typecheck: install-dev
	rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)
	for pkg in ontology loaders kg queries data api; do ln -s ../../../$$pkg $(TYPECHECK)/$$pkg; done
	for f in dutygraph/*; do ln -s ../../../$$f $(TYPECHECK)/; done
	MYPYPATH=build/typecheck $(BIN)/mypy -p dutygraph

test: install-dev
	$(BIN)/python -m pytest

check: lint typecheck test

clean:
	rm -rf build .dutygraph .pytest_cache .mypy_cache .ruff_cache
