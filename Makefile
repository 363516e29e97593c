# Two commands do everything on a fresh machine: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONHASHSEED := 0

W7     := $(VENV)/ipywidgets7
.PHONY: install book test lint unit widgets7 notebooks book-strict browser browser-deps bench lab train compare-norms sync-url clean

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book)" >/dev/null
	# ipywidgets 7.7.1 (what Colab ships), kept apart: `make widgets7` tests the explorers with it
	$(BIN)/python -m pip install --quiet --no-deps --target $(W7) ipywidgets==7.7.1 ipython_genutils==0.2.0
	touch $(STAMP)

install: $(STAMP)

## make book: install, execute every notebook and build the static site in _build/html
book: install
	$(BIN)/jupyter-book build . --keep-going
	@echo "Open $(CURDIR)/_build/html/index.html"

## make test: lint, unit tests (ipywidgets 8 and 7), every notebook under nbval,
## the book with warnings as errors, and the built site in a headless browser
test: install lint unit widgets7 notebooks book-strict browser

lint:
	$(BIN)/ruff check src tests scripts chapters

unit:
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 tests --ignore=tests/browser

widgets7:
	PYTHONPATH=$(W7) EXPECT_IPYWIDGETS=7 $(BIN)/python -m pytest -q tests/test_widgets.py

notebooks:
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q --nbval-lax --nbval-current-env -n 2 --dist loadfile chapters

book-strict:
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "Built $(CURDIR)/_build/html/index.html"

## make browser: the built site in headless Chromium, network off (installs chromium as root)
browser: browser-deps
	$(BIN)/python -m pytest -q tests/browser

browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	    else echo "Install Chromium (e.g. sudo apt-get install chromium) for the browser test"; exit 1; fi; }

## make train: retrain the toy translator with its saved settings (about a minute on a CPU)
train: install
	$(BIN)/python scripts/train_translator.py

## make compare-norms: train the translator pre-/post-norm, with/without warm-up (chapter 7's log; minutes)
compare-norms: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/compare_norms.py

## make sync-url: copy the repository URL of _config.yml into every chapter's Colab cell
sync-url:
	$(BIN)/python scripts/sync_repo_url.py

## make bench: time and peak memory of each notebook, and of the whole book; then the
## from-scratch BPE trainer beside the tokenizers library on the same 200 KB of prose
bench: install
	$(BIN)/python scripts/bench.py chapters/*.ipynb
	$(BIN)/python scripts/bench_bpe.py

## make lab: JupyterLab on the chapters
lab: install
	$(BIN)/jupyter lab chapters

clean:
	rm -rf _build .pytest_cache .hypothesis
