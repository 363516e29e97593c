"""A task whose label lives in the order of the characters (chapter 10).

Is a poem as the poet wrote it, or the same characters shuffled? ``shuffle_chars`` keeps every
punctuation mark in place and permutes the other characters, so a poem and its shuffle have the
same bag of characters: any model that reads counts only gives both the same answer, and on a test
set of (poem, shuffle) pairs it is right on exactly half.

``order_pairs`` encodes poems as interleaved pairs (row 2i the poem, label 1; row 2i+1 its shuffle,
label 0). ``mean_features`` computes a frozen body's mean-pooled final hidden states once;
``probe_curve`` then fits a linear probe (``finetune.fit_logistic_on_val``, L-BFGS) to a few
labelled pairs drawn with each seed, and measures it on held-out pairs.
"""

from __future__ import annotations

import random

import torch

from . import finetune, poems
from ._checks import check_int, check_tensor, show
from .gpt import GPT

PUNCTUATION = "，。"


def shuffle_chars(text: str, rng: random.Random, keep: str = PUNCTUATION) -> str:
    """``text`` with its characters permuted, those in ``keep`` left in place; never ``text`` itself."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {show(text)}")
    if not isinstance(rng, random.Random):
        raise TypeError(f"rng must be a random.Random, got {show(rng)}")
    if not isinstance(keep, str):
        raise TypeError(f"keep must be a str of characters left in place, got {show(keep)}")
    chars = [c for c in text if c not in keep]
    if len(set(chars)) < 2:
        raise ValueError(f"text must hold at least two different movable characters, got {text!r}")
    while True:
        order = chars[:]
        rng.shuffle(order)
        if order != chars:
            break
    moved = iter(order)
    return "".join(c if c in keep else next(moved) for c in text)


def order_pairs(texts: list[str], vocab: poems.CharVocab, block_size: int, seed: int = 0) -> finetune.PoetData:
    """Poems and their shuffles, interleaved: 2N rows, row 2i = texts[i] (label 1), row 2i+1 its shuffle (0)."""
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)):
        raise TypeError(f"texts must be a list of str, got {show(texts)}")
    check_int(seed, "seed")
    check_int(block_size, "block_size", 1)
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts[{i}] must be a str, got {show(text)}")
        if len(text) + 2 > block_size:  # <sos> text <eos>; a cut would make the two bags differ
            raise ValueError(
                f"texts[{i}] needs {len(text) + 2} tokens with <sos> and <eos>, more than block_size={block_size}"
            )
    rng = random.Random(seed)
    rows, labels = [], []
    for text in texts:
        rows += [text, shuffle_chars(text, rng)]
        labels += [1, 0]
    return finetune.encode(rows, labels, vocab, block_size)


@torch.no_grad()
def mean_features(body: GPT, data: finetune.PoetData, batch_size: int = 256) -> torch.Tensor:
    """A frozen body's final hidden states averaged over each row's real tokens: (N, d_model)."""
    if not isinstance(body, GPT):
        raise TypeError(f"body must be a helpers.gpt.GPT, got {show(body)}")
    if not isinstance(data, finetune.PoetData):
        raise TypeError(f"data must be a finetune.PoetData, got {show(data)}")
    check_int(batch_size, "batch_size", 1)
    reader = finetune.PoetClassifier(body)
    was_training = body.training
    body.eval()
    out = [
        reader.pooled(data.x[i : i + batch_size], data.lengths[i : i + batch_size])
        for i in range(0, len(data), batch_size)
    ]
    body.train(was_training)
    return torch.cat(out)


def split_pairs(n_pairs: int, n_test: int, n_val: int) -> tuple[list[int], list[int], list[int]]:
    """Pair indices: (test, validation, pool) = the first ``n_test``, the next ``n_val``, the rest."""
    check_int(n_pairs, "n_pairs", 1)
    check_int(n_test, "n_test", 1)
    check_int(n_val, "n_val", 1)
    if n_test + n_val >= n_pairs:
        raise ValueError(f"n_test + n_val must be below n_pairs={n_pairs}, got {n_test} + {n_val}")
    pairs = list(range(n_pairs))
    return pairs[:n_test], pairs[n_test : n_test + n_val], pairs[n_test + n_val :]


def rows_of(pairs: list[int]) -> list[int]:
    """Pair indices -> row indices of ``order_pairs`` (both rows of each pair)."""
    return [r for p in pairs for r in (2 * p, 2 * p + 1)]


def probe_curve(
    features: dict[str, torch.Tensor],
    y: torch.Tensor,
    sizes,
    seeds,
    n_test: int,
    n_val: int,
    l2_grid=(1e-4, 1e-3, 1e-2, 1e-1),
) -> dict[str, dict[int, list[float]]]:
    """Test accuracy of a linear probe on each feature set, per number of labelled pairs and seed.

    features: name -> (2P, F) rows of ``order_pairs``; y (2P,). For each size n and seed, n pairs
    are drawn from the pool (``random.Random(seed)``), the L2 strength is chosen on the validation
    pairs, and the probe is measured on the test pairs. Returns name -> {n: [accuracy per seed]}.
    """
    if not isinstance(features, dict) or not features:
        raise TypeError(f"features must be a non-empty dict name -> (2P, F) tensor, got {show(features)}")
    check_tensor(y, "y", ndim=1, floating=False)
    if len(y) % 2:
        raise ValueError(f"y must hold pairs (an even length), got length {len(y)}")
    for name, x in features.items():
        check_tensor(x, f"features[{name!r}]", ndim=2, floating=True)
        if x.size(0) != len(y):
            raise ValueError(f"features[{name!r}] has {x.size(0)} rows but y has {len(y)}")
    sizes = [check_int(n, "sizes[i]", 1) for n in sizes]
    seeds = [check_int(s, "seeds[i]") for s in seeds]
    test, val, pool = split_pairs(len(y) // 2, n_test, n_val)
    if max(sizes) > len(pool):
        raise ValueError(f"sizes must be at most the pool of {len(pool)} pairs, got {max(sizes)}")
    out = {}
    for name, x in features.items():
        out[name] = {}
        for n in sizes:
            accs = []
            for seed in seeds:
                train = rows_of(random.Random(seed).sample(pool, n))
                lin, _ = finetune.fit_logistic_on_val(x[train], y[train], x[rows_of(val)], y[rows_of(val)], l2_grid)
                accs.append(finetune.logistic_accuracy(lin, x[rows_of(test)], y[rows_of(test)]))
            out[name][n] = accs
    return out
