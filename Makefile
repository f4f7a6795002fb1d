# `make demo` sets up .venv, builds the index over corpus/ and asks one question.
# `make test` sets up .venv and runs the whole test suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup demo test bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,dev]'
	$(BIN)/python -m compileall -q qa  # an editable install writes no bytecode; a cold `qa ask` should not compile
	touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(BIN)/qa index build
	$(BIN)/qa ask "How many political prisoners did Foro Penal confirm had been freed?"

test: setup
	$(BIN)/ruff check qa tests scripts
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python scripts/bench.py --quick

clean:
	rm -rf $(VENV) index/CURRENT index/v-* index/.tmp-* index/.lock
