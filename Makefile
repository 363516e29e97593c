# Two commands do everything on a fresh machine: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONHASHSEED := 0

.PHONY: install book test lint unit notebooks book-strict bench lab clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

## make book: install, execute every notebook and build the static site in _build/html
book: install
	$(BIN)/jupyter-book build . --keep-going
	@echo "Open $(CURDIR)/_build/html/index.html"

## make test: lint, unit tests, every notebook under nbval, the book with warnings as errors
test: install lint unit notebooks book-strict

lint:
	$(BIN)/ruff check src tests scripts chapters

unit:
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 tests

notebooks:
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q --nbval-lax --nbval-current-env -n 2 --dist loadfile chapters

book-strict:
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Built $(CURDIR)/_build/html/index.html"

## make bench: time and peak memory of each notebook, and of the whole book
bench: install
	$(BIN)/python scripts/bench.py chapters/*.ipynb

## make lab: JupyterLab on the chapters
lab: install
	$(BIN)/jupyter lab chapters

clean:
	rm -rf _build .pytest_cache .hypothesis
