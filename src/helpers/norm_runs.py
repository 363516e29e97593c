"""Pre-norm vs post-norm, with and without learning-rate warm-up: training runs of the translator.

``scripts/compare_norms.py`` calls ``compare`` and writes the result as a small JSON log that
chapter 7 loads with ``load``: ``helpers/data/norm_runs.json`` for the four main variants
(``RUNS``), ``norm_runs_controls.json`` for the controls (``CONTROL_RUNS``: the same variants
with embedding tables that start 8 times smaller, and two variants without residual
connections). Every run uses the same training loop, ``helpers.translator.train``; only
``norm_first``, ``warmup``, the embeddings' initial scale and ``residual`` change.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, replace
from importlib import resources
from pathlib import Path

import torch

from . import corpus, translator
from .i18n import t

LOG = "norm_runs.json"
LOG_CONTROLS = "norm_runs_controls.json"
NO_WARMUP = 1  # the schedule's factor min(1, (step + 1) / warmup) is 1 from the first step
SMALL_EMB = 1 / 8  # 1 / sqrt(d_model): embedding * sqrt(d_model) then has entries of std 1

# (name, norm_first, warm-up on?, initial scale of the embedding tables, residual connections?)
RUNS = (
    ("post-norm, warm-up", False, True, 1.0, True),
    ("post-norm, no warm-up", False, False, 1.0, True),
    ("pre-norm, warm-up", True, True, 1.0, True),
    ("pre-norm, no warm-up", True, False, 1.0, True),
)
# The controls: the same four with embedding tables that start SMALL_EMB times as large (so the
# stream starts at the size of a sub-layer's write), and two variants without residual connections.
CONTROL_RUNS = (
    ("post-norm, warm-up, embeddings / 8", False, True, SMALL_EMB, True),
    ("post-norm, no warm-up, embeddings / 8", False, False, SMALL_EMB, True),
    ("pre-norm, warm-up, embeddings / 8", True, True, SMALL_EMB, True),
    ("pre-norm, no warm-up, embeddings / 8", True, False, SMALL_EMB, True),
    ("post-norm, warm-up, no residuals", False, True, 1.0, False),
    ("pre-norm, warm-up, no residuals", True, True, 1.0, False),
)
SETS = {"main": (RUNS, LOG), "controls": (CONTROL_RUNS, LOG_CONTROLS)}


@contextmanager
def embeddings_scaled(scale: float) -> Iterator[None]:
    """While active, every model ``translator.build_model`` returns (so every model that
    ``translator.train`` trains) has its two embedding tables multiplied by ``scale`` right
    after initialisation. Nothing else changes: the random numbers drawn are the same, so a
    seed gives the same other weights and the same batches as without it."""
    if isinstance(scale, bool) or not isinstance(scale, (int, float)) or not scale > 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    build = translator.build_model

    def build_scaled(settings: translator.TrainSettings, en, zh):
        model = build(settings, en, zh)
        with torch.no_grad():
            model.src_emb.weight.mul_(scale)
            model.tgt_emb.weight.mul_(scale)
        return model

    translator.build_model = build_scaled
    try:
        yield
    finally:
        translator.build_model = build


def compare(base: translator.TrainSettings, progress: bool = True, n_test: int | None = None,
            extra_lrs: tuple[float, ...] = (), seeds: tuple[int, ...] | None = None,
            on_run: Callable[[dict], None] | None = None, runs: str = "main") -> dict:
    """Train the variants of ``base`` (same seed, data order and steps); return the log.

    ``runs`` names the set: "main" (``RUNS``, the four layouts x warm-up) or "controls"
    (``CONTROL_RUNS``).

    Each run is scored on the held-out sentences (the first ``n_test`` of them, default all):
    greedy exact match and mean cross-entropy per token. For each learning rate in
    ``extra_lrs``, one more run follows: post-norm without warm-up at that peak learning rate
    (with the first seed only). ``seeds`` (default: ``base.seed`` alone) repeats the four
    variants with each seed, which sets both the initial weights and the order of the batches.
    ``on_run(log_so_far)`` is called after every run (the script saves the partial log with it).

    Returns {"torch", "set", "base_settings", "n_test", "seeds", "runs": [{"name", "seed",
    "norm_first", "warmup", "lr", "emb_scale", "residual", "log", "test_exact_match", "test_loss",
    "seconds"}, ...]}, the runs grouped by seed in the order of ``seeds``.
    """
    if runs not in SETS:
        raise ValueError(f"runs must be one of {sorted(SETS)}, got {runs!r}")
    if not isinstance(base, translator.TrainSettings):
        raise TypeError(f"base must be a translator.TrainSettings, got {type(base).__name__}")
    if base.warmup <= NO_WARMUP:
        raise ValueError(f"base.warmup must be > {NO_WARMUP} (the runs with warm-up use it), got {base.warmup}")
    if n_test is not None and (isinstance(n_test, bool) or not isinstance(n_test, int) or n_test <= 0):
        raise ValueError(f"n_test must be a positive int or None, got {n_test!r}")
    for lr in extra_lrs:
        if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not lr > 0:
            raise ValueError(f"extra_lrs must hold positive learning rates, got {lr!r}")
    seeds = (base.seed,) if seeds is None else tuple(seeds)
    if not seeds or len(set(seeds)) != len(seeds) or any(isinstance(x, bool) or not isinstance(x, int) for x in seeds):
        raise ValueError(f"seeds must be distinct ints, at least one, got {seeds!r}")
    en, zh = translator.vocabularies()
    test_pairs = corpus.split_pairs()[1][:n_test]
    plan = []
    for k, seed in enumerate(seeds):
        seeded = replace(base, seed=seed)
        plan += [(name, replace(seeded, norm_first=norm_first, warmup=base.warmup if warm else NO_WARMUP,
                                residual=residual), emb_scale)
                 for name, norm_first, warm, emb_scale, residual in SETS[runs][0]]
        if k == 0:
            plan += [(f"post-norm, no warm-up, lr {lr:g}",
                      replace(seeded, norm_first=False, warmup=NO_WARMUP, lr=float(lr)), 1.0) for lr in extra_lrs]
    log = {"torch": torch.__version__, "set": runs, "base_settings": asdict(base), "n_test": len(test_pairs),
           "seeds": list(seeds), "runs": []}
    for name, settings, emb_scale in plan:
        if progress:
            print(t("{name} (seed {seed})", name=t(name), seed=settings.seed), flush=True)
        with embeddings_scaled(emb_scale):
            result = translator.train(settings, progress=progress, evaluate=False)
        with torch.no_grad():
            test_loss = translator.loss_on(result.model, test_pairs, en, zh).item()
        log["runs"].append({
            "name": name,
            "seed": settings.seed,
            "norm_first": settings.norm_first,
            "warmup": settings.warmup,
            "lr": settings.lr,
            "emb_scale": emb_scale,
            "residual": settings.residual,
            "log": result.log,
            "test_exact_match": translator.exact_match(result.model, test_pairs, en, zh),
            "test_loss": round(test_loss, 5),
            "seconds": round(result.seconds, 1),
        })
        if on_run is not None:
            on_run(log)
    return log


def save(log: dict, folder: str | Path) -> Path:
    """Write the log of ``compare`` in ``folder`` (``norm_runs.json``, or ``norm_runs_controls.json``
    for the controls); returns the path."""
    path = Path(folder) / SETS[log.get("set", "main")][1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(log, indent=1), encoding="utf-8")
    return path


def load(folder: str | Path | None = None, runs: str = "main") -> dict:
    """Load a log written by ``scripts/compare_norms.py`` (default: the copy shipped in this package).

    ``runs``: "main" (``norm_runs.json``) or "controls" (``norm_runs_controls.json``).
    """
    if runs not in SETS:
        raise ValueError(f"runs must be one of {sorted(SETS)}, got {runs!r}")
    base = resources.files("helpers").joinpath("data") if folder is None else Path(folder)
    path = base.joinpath(SETS[runs][1])
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no log at {path}; run scripts/compare_norms.py") from None
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list) or "base_settings" not in log:
        raise ValueError(f"{path} is not a norm comparison log (needs 'runs' and 'base_settings')")
    return log
