"""Pre-norm vs post-norm, with and without learning-rate warm-up: training runs of the translator.

``scripts/compare_norms.py`` calls ``compare`` once and writes the result as a small JSON log
(``helpers/data/norm_runs.json``) that chapter 7 loads with ``load``; every run uses the same
training loop, ``helpers.translator.train``, with only ``norm_first`` and ``warmup`` changed.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from importlib import resources
from pathlib import Path

import torch

from . import corpus, translator
from .i18n import t

LOG = "norm_runs.json"
NO_WARMUP = 1  # the schedule's factor min(1, (step + 1) / warmup) is 1 from the first step

# (name, norm_first, warm-up on?)
RUNS = (
    ("post-norm, warm-up", False, True),
    ("post-norm, no warm-up", False, False),
    ("pre-norm, warm-up", True, True),
    ("pre-norm, no warm-up", True, False),
)


def compare(base: translator.TrainSettings, progress: bool = True, n_test: int | None = None,
            extra_lrs: tuple[float, ...] = (), seeds: tuple[int, ...] | None = None,
            on_run: Callable[[dict], None] | None = None) -> dict:
    """Train the four variants of ``base`` (same seed, data order and steps); return the log.

    Each run is scored on the held-out sentences (the first ``n_test`` of them, default all):
    greedy exact match and mean cross-entropy per token. For each learning rate in
    ``extra_lrs``, one more run follows: post-norm without warm-up at that peak learning rate
    (with the first seed only). ``seeds`` (default: ``base.seed`` alone) repeats the four
    variants with each seed, which sets both the initial weights and the order of the batches.
    ``on_run(log_so_far)`` is called after every run (the script saves the partial log with it).

    Returns {"torch", "base_settings", "n_test", "seeds", "runs": [{"name", "seed", "norm_first",
    "warmup", "lr", "log", "test_exact_match", "test_loss", "seconds"}, ...]}, the runs grouped
    by seed in the order of ``seeds``.
    """
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
        plan += [(name, replace(seeded, norm_first=norm_first, warmup=base.warmup if warm else NO_WARMUP))
                 for name, norm_first, warm in RUNS]
        if k == 0:
            plan += [(f"post-norm, no warm-up, lr {lr:g}",
                      replace(seeded, norm_first=False, warmup=NO_WARMUP, lr=float(lr))) for lr in extra_lrs]
    log = {"torch": torch.__version__, "base_settings": asdict(base), "n_test": len(test_pairs),
           "seeds": list(seeds), "runs": []}
    for name, settings in plan:
        if progress:
            print(t("{name} (seed {seed})", name=t(name), seed=settings.seed), flush=True)
        result = translator.train(settings, progress=progress, evaluate=False)
        with torch.no_grad():
            test_loss = translator.loss_on(result.model, test_pairs, en, zh).item()
        log["runs"].append({
            "name": name,
            "seed": settings.seed,
            "norm_first": settings.norm_first,
            "warmup": settings.warmup,
            "lr": settings.lr,
            "log": result.log,
            "test_exact_match": translator.exact_match(result.model, test_pairs, en, zh),
            "test_loss": round(test_loss, 5),
            "seconds": round(result.seconds, 1),
        })
        if on_run is not None:
            on_run(log)
    return log


def save(log: dict, folder: str | Path) -> Path:
    """Write the log of ``compare`` as ``norm_runs.json`` in ``folder``; returns the path."""
    path = Path(folder) / LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(log, indent=1), encoding="utf-8")
    return path


def load(folder: str | Path | None = None) -> dict:
    """Load the log written by ``scripts/compare_norms.py`` (default: the copy shipped in this package)."""
    base = resources.files("helpers").joinpath("data") if folder is None else Path(folder)
    path = base.joinpath(LOG)
    try:
        log = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"no log at {path}; run scripts/compare_norms.py") from None
    if not isinstance(log, dict) or not isinstance(log.get("runs"), list) or "base_settings" not in log:
        raise ValueError(f"{path} is not a norm comparison log (needs 'runs' and 'base_settings')")
    return log
