"""Fine-tuning the poem GPT to tell two poets apart (chapter 10).

The labelled task: which of two poets wrote a poem (by default 李白 vs 杜甫), from the text alone.
``poet_data`` splits each poet's poems deterministically (by the poem's text hash): the
``test_per_class`` first poems in hash order are the test set, the rest is the pool from which
``n`` labelled training poems per poet are drawn (a seeded choice).

``PoetClassifier`` puts a linear head on ``GPT.features``: the final hidden states, averaged over
the poem's positions (``pool="mean"``) or read at its last token (``pool="last"``; with causal
attention only the last position has seen the whole poem). ``prepare`` sets what is trained:

- ``"full"``: every parameter (standard BERT/GPT fine-tuning);
- ``"frozen"``: the head only, the pretrained body frozen;
- ``"lora"``: the head and LoRA adapters (``helpers.lora``) on the body's linear layers;
- ``"scratch"``: a randomly initialised body of the same shape, every parameter trained.

Forgetting is measured as the body's causal-LM loss on the pretraining validation stream
(``lm_loss``) before and after fine-tuning.

``poet_splits`` adds a validation set (the next poems in hash order) to the split;
``train_to_best`` trains and keeps the weights that did best on it. The non-neural baseline is a
logistic regression on ``bag_of_characters`` counts (``fit_logistic``, L-BFGS; checked against
scikit-learn in the tests). ``energy_in_top`` measures how much of a weight change a rank-r
matrix can hold. ``pooled_unpadded`` reads the same features with no <pad> in any row (a
bidirectional body, which has no key-padding mask, otherwise reads the pads too).
"""

from __future__ import annotations

import copy
import json
import random
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import torch
import torch.nn as nn
from torch.nn import functional as F

from . import lora, poems
from ._checks import check_int, check_number, check_tensor, show
from .gpt import GPT

METHODS = ("full", "frozen", "lora", "scratch")
DEFAULT_LR = {"full": 3e-4, "frozen": 3e-3, "lora": 2e-3, "scratch": 1e-3}
LOG_FILE = "finetune_poets.json"
EQUAL_LOG_FILE = "finetune_objectives_equal.json"  # scripts/finetune_poets.py --equal-targets
PAD_LOG_FILE = "finetune_pad_check.json"  # scripts/finetune_poets.py --pad-check


def load_log(folder=None, name: str = LOG_FILE) -> dict:
    """The log written by ``scripts/finetune_poets.py`` (``make finetune``).

    ``name=EQUAL_LOG_FILE`` reads the log of its ``--equal-targets`` run instead, ``name=PAD_LOG_FILE``
    that of its ``--pad-check`` run.
    """
    base = Path(str(resources.files("helpers").joinpath("data"))) if folder is None else Path(folder)
    path = base / name
    if not path.exists():
        run = {EQUAL_LOG_FILE: "python scripts/finetune_poets.py --equal-targets",
               PAD_LOG_FILE: "python scripts/finetune_poets.py --pad-check"}.get(name, "make finetune")
        raise FileNotFoundError(f"no {name} in {path.parent}; run `{run}`")
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class PoetData:
    """Encoded poems: ``x`` ids (N, T) as <sos> text <eos> <pad>..., ``lengths`` (N,), labels ``y`` (N,)."""

    x: torch.Tensor
    lengths: torch.Tensor
    y: torch.Tensor
    texts: list[str]

    def __len__(self) -> int:
        return len(self.y)


def encode(texts: list[str], labels: list[int], vocab: poems.CharVocab, block_size: int) -> PoetData:
    """Texts -> padded ids (N, W), W = the longest encoding, at most ``block_size`` (longer ones are cut)."""
    if not isinstance(vocab, poems.CharVocab):
        raise TypeError(f"vocab must be a helpers.poems.CharVocab, got {show(vocab)}")
    check_int(block_size, "block_size", 1)
    if isinstance(texts, str):
        raise TypeError(f"texts must be a list of str, got the single str {show(texts)}")
    for i, y in enumerate(labels):
        check_int(y, f"labels[{i}]", 0)
    if len(texts) != len(labels):
        raise ValueError(f"{len(texts)} texts but {len(labels)} labels")
    if not texts:
        raise ValueError("no texts to encode")
    encoded = [vocab.encode(t, add_sos=True, add_eos=True)[:block_size] for t in texts]
    x = torch.full((len(texts), max(map(len, encoded))), vocab.pad_id, dtype=torch.long)
    lengths = torch.zeros(len(texts), dtype=torch.long)
    for i, ids in enumerate(encoded):
        x[i, : len(ids)] = torch.tensor(ids)
        lengths[i] = len(ids)
    return PoetData(x, lengths, torch.tensor(labels, dtype=torch.long), list(texts))


def poet_split(authors=("李白", "杜甫"), test_per_class: int = 100) -> tuple[list[list[str]], list[list[str]]]:
    """Per poet: (pools, tests), lists of texts; test = the ``test_per_class`` first in hash order.

    Texts that occur under both poets are dropped (they cannot be labelled).
    """
    if isinstance(authors, str):
        raise TypeError(f"authors must be a list of at least two poets' names, got the single str {authors!r}")
    check_int(test_per_class, "test_per_class", 1)
    if len(authors) < 2 or len(set(authors)) != len(authors):
        raise ValueError(f"need at least two different authors, got {authors!r}")
    by = {a: {p.text for p in poems.load_poems(author=a)} for a in authors}
    shared = set.intersection(*by.values())
    pools, tests = [], []
    for a in authors:
        texts = sorted(by[a] - shared, key=poems.poem_hash)
        if len(texts) <= test_per_class:
            raise ValueError(f"{a} has {len(texts)} poems, not more than test_per_class={test_per_class}")
        tests.append(texts[:test_per_class])
        pools.append(texts[test_per_class:])
    return pools, tests


def poet_data(vocab: poems.CharVocab, block_size: int, n_per_class: int | None = None, seed: int = 0,
              authors=("李白", "杜甫"), test_per_class: int = 100) -> tuple[PoetData, PoetData]:
    """(train, test): ``n_per_class`` training poems per poet drawn with ``seed`` (None: the whole pool)."""
    check_int(block_size, "block_size", 1)
    if n_per_class is not None:
        check_int(n_per_class, "n_per_class", 1)
    pools, tests = poet_split(authors, test_per_class)
    smallest = min(len(p) for p in pools)
    if n_per_class is not None and not 0 < n_per_class <= smallest:
        raise ValueError(f"n_per_class must be in 1..{smallest} (the smallest pool), got {n_per_class}")
    rng = random.Random(seed)
    train_t, train_y, test_t, test_y = [], [], [], []
    for label, (pool, test) in enumerate(zip(pools, tests)):
        chosen = pool if n_per_class is None else rng.sample(pool, n_per_class)
        train_t += chosen
        train_y += [label] * len(chosen)
        test_t += test
        test_y += [label] * len(test)
    return encode(train_t, train_y, vocab, block_size), encode(test_t, test_y, vocab, block_size)


class PoetClassifier(nn.Module):
    """A GPT body and a linear head: ids (B, T) and lengths (B,) -> class logits (B, n_classes)."""

    def __init__(self, body: GPT, n_classes: int = 2, pool: str = "mean"):
        super().__init__()
        if not isinstance(body, GPT):
            raise TypeError(f"body must be a helpers.gpt.GPT, got {show(body)}")
        check_int(n_classes, "n_classes", 2)
        if pool not in ("mean", "last"):
            raise ValueError(f"pool must be 'mean' or 'last', got {pool!r}")
        self.body, self.pool = body, pool
        self.head = nn.Linear(body.config.n_embd, n_classes)

    def pooled(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """ids (B, T), lengths (B,) -> one vector per poem (B, C): what the head reads.

        Every length must be in 1..T: a poem has at least one token and no more than the row holds.
        """
        check_tensor(x, "x", ndim=2, floating=False)
        check_tensor(lengths, "lengths", floating=False)
        if lengths.shape != (x.size(0),):
            raise ValueError(f"x must be (B, T) and lengths (B,), got {tuple(x.shape)} and {tuple(lengths.shape)}")
        if lengths.numel() and (int(lengths.min()) < 1 or int(lengths.max()) > x.size(1)):
            raise ValueError(f"lengths must be in 1..{x.size(1)} (T, the width of x), got min {int(lengths.min())}, "
                             f"max {int(lengths.max())}")
        h = self.body.features(x)  # (B, T, C)
        if self.pool == "last":
            return h[torch.arange(len(x)), lengths - 1]
        valid = (torch.arange(x.size(1))[None, :] < lengths[:, None]).unsqueeze(-1)  # (B, T, 1)
        return (h * valid).sum(1) / lengths[:, None]

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        return self.head(self.pooled(x, lengths))


@torch.no_grad()
def pooled_unpadded(clf: PoetClassifier, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """What ``clf.pooled`` reads with every poem run without its padding: ids (B, T), lengths (B,) -> (B, C).

    Rows of the same length are run together, cut to that length, so no row holds a <pad>: each
    poem's vector is the one it gets when run alone. For a causal body this equals
    ``clf.pooled(x, lengths)`` (no real position reads a later pad); a bidirectional body, whose
    every position also reads the pads, gives different features on the padded rows.
    """
    if not isinstance(clf, PoetClassifier):
        raise TypeError(f"clf must be a PoetClassifier, got {show(clf)}")
    check_tensor(x, "x", ndim=2, floating=False)
    check_tensor(lengths, "lengths", floating=False)
    if lengths.shape != (x.size(0),):
        raise ValueError(f"x must be (B, T) and lengths (B,), got {tuple(x.shape)} and {tuple(lengths.shape)}")
    out = torch.empty(x.size(0), clf.body.config.n_embd)
    for n in lengths.unique().tolist():
        rows = (lengths == n).nonzero().flatten()
        out[rows] = clf.pooled(x[rows, :n], lengths[rows])  # pooled checks 1 <= n <= T
    return out


def prepare(pretrained: GPT, method: str, n_classes: int = 2, pool: str = "mean", r: int = 8,
            alpha: float = 16.0, seed: int = 0) -> PoetClassifier:
    """A classifier on a COPY of ``pretrained`` (or a fresh body for "scratch"), set up for ``method``."""
    if not isinstance(pretrained, GPT):
        raise TypeError(f"pretrained must be a helpers.gpt.GPT, got {show(pretrained)}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    torch.manual_seed(seed)
    body = GPT(pretrained.config) if method == "scratch" else copy.deepcopy(pretrained)
    clf = PoetClassifier(body, n_classes, pool)
    if method == "frozen":
        for p in clf.body.parameters():
            p.requires_grad_(False)
    elif method == "lora":
        lora.add_lora(clf.body, r=r, alpha=alpha)
    return clf.train()


def train_classifier(clf: PoetClassifier, data: PoetData, steps: int, lr: float, batch_size: int = 16,
                     seed: int = 0, weight_decay: float = 0.01) -> list[float]:
    """AdamW on the trainable parameters, random mini-batches (seeded); returns the loss per step."""
    check_int(steps, "steps", 0)
    opt, g = _optimizer(clf, data, lr, batch_size, seed, weight_decay)
    clf.train()
    losses = [_train_step(clf, opt, data, batch_size, g) for _ in range(steps)]
    clf.eval()
    return losses


def _check_data(data: object, name: str) -> PoetData:
    if not isinstance(data, PoetData):
        raise TypeError(f"{name} must be a PoetData (from encode / poet_data), got {show(data)}")
    if len(data) == 0:
        raise ValueError(f"{name} has no rows (0 poems)")
    return data


def _optimizer(clf: PoetClassifier, data: PoetData, lr: float, batch_size: int, seed: int,
               weight_decay: float, name: str = "data") -> tuple[torch.optim.Optimizer, torch.Generator]:
    """Check the training arguments; AdamW on the trainable parameters and the seeded batch generator."""
    if not isinstance(clf, PoetClassifier):
        raise TypeError(f"clf must be a PoetClassifier, got {show(clf)}")
    _check_data(data, name)
    check_int(batch_size, "batch_size", 1)
    check_number(lr, "lr", low=0, low_open=True)
    check_number(weight_decay, "weight_decay", low=0)
    check_int(seed, "seed")
    params = [p for p in clf.parameters() if p.requires_grad]
    if not params:
        raise ValueError("the classifier has no trainable parameters")
    return torch.optim.AdamW(params, lr=lr, weight_decay=weight_decay), torch.Generator().manual_seed(seed)


def _train_step(clf: PoetClassifier, opt: torch.optim.Optimizer, data: PoetData, batch_size: int,
                g: torch.Generator) -> float:
    """One optimiser step on a random mini-batch of ``min(batch_size, len(data))`` rows; returns its loss."""
    i = torch.randint(len(data), (min(batch_size, len(data)),), generator=g)
    loss = F.cross_entropy(clf(data.x[i], data.lengths[i]), data.y[i])
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()


@torch.no_grad()
def accuracy(clf: PoetClassifier, data: PoetData, batch_size: int = 100) -> float:
    """Share of ``data`` classified correctly (eval mode); ``data`` must have at least one row."""
    if not isinstance(clf, PoetClassifier):
        raise TypeError(f"clf must be a PoetClassifier, got {show(clf)}")
    _check_data(data, "data")
    check_int(batch_size, "batch_size", 1)
    clf.eval()
    right = 0
    for s in range(0, len(data), batch_size):
        logits = clf(data.x[s:s + batch_size], data.lengths[s:s + batch_size])
        right += int((logits.argmax(-1) == data.y[s:s + batch_size]).sum())
    return right / len(data)


@torch.no_grad()
def lm_loss(body: GPT, stream: torch.Tensor, batches: int = 8, batch_size: int = 32, seed: int = 1) -> float:
    """The causal-LM loss of ``body`` on fixed random windows of ``stream`` (the same windows for every call)."""
    if not isinstance(body, GPT):
        raise TypeError(f"body must be a helpers.gpt.GPT, got {show(body)}")
    check_int(batches, "batches", 1)
    g = torch.Generator().manual_seed(seed)
    was = body.training
    body.eval()
    total = 0.0
    for _ in range(batches):
        x, y = poems.get_batch(stream, batch_size, body.config.block_size, g)
        total += body(x, y)[1].item()
    body.train(was)
    return total / batches


# --- a validation split, training to the validation optimum, a non-neural baseline -----------------


def poet_splits(vocab: poems.CharVocab, block_size: int, n_per_class: int | None = None, seed: int = 0,
                authors=("李白", "杜甫"), test_per_class: int = 100,
                val_per_class: int = 50) -> tuple[PoetData, PoetData, PoetData]:
    """(train, val, test): like ``poet_data``, with a validation set carved from each pool.

    Per poet, in hash order: the first ``test_per_class`` poems are the test set (as in
    ``poet_data``), the next ``val_per_class`` the validation set; ``n_per_class`` training poems
    are drawn with ``seed`` from the rest (None: all of it). Validation chooses settings and the
    number of steps; the test set is read once, at the end.
    """
    check_int(val_per_class, "val_per_class", 1)
    check_int(block_size, "block_size", 1)
    if n_per_class is not None:
        check_int(n_per_class, "n_per_class", 1)
    pools, tests = poet_split(authors, test_per_class)
    smallest = min(len(p) for p in pools) - val_per_class
    if smallest <= 0:
        raise ValueError(f"val_per_class={val_per_class} leaves no training poems")
    if n_per_class is not None and not 0 < n_per_class <= smallest:
        raise ValueError(f"n_per_class must be in 1..{smallest} (the smallest pool), got {n_per_class}")
    rng = random.Random(seed)
    parts: dict[str, tuple[list[str], list[int]]] = {k: ([], []) for k in ("train", "val", "test")}
    for label, (pool, test) in enumerate(zip(pools, tests)):
        rest = pool[val_per_class:]
        chosen = rest if n_per_class is None else rng.sample(rest, n_per_class)
        for key, texts in (("train", chosen), ("val", pool[:val_per_class]), ("test", test)):
            parts[key][0].extend(texts)
            parts[key][1].extend([label] * len(texts))
    train, val, test = (encode(t, y, vocab, block_size) for t, y in parts.values())
    return train, val, test


def train_to_best(clf: PoetClassifier, train: PoetData, val: PoetData, max_steps: int, lr: float,
                  batch_size: int = 16, seed: int = 0, eval_every: int = 20,
                  weight_decay: float = 0.01) -> dict:
    """Train like ``train_classifier`` for up to ``max_steps`` and keep the weights that did best on ``val``.

    Validation accuracy is measured at step 0 and every ``eval_every`` steps (ties: validation loss
    decides, then the earlier step). The classifier ends with the best weights. Returns
    ``{"best_step", "val_accuracy", "val_loss", "history": [(step, val_acc, val_loss), ...]}``.
    """
    check_int(max_steps, "max_steps", 1)
    check_int(eval_every, "eval_every", 1)
    _check_data(val, "val")
    opt, g = _optimizer(clf, train, lr, batch_size, seed, weight_decay, "train")

    @torch.no_grad()
    def measure() -> tuple[float, float]:
        clf.eval()
        logits = torch.cat([clf(val.x[s:s + 100], val.lengths[s:s + 100]) for s in range(0, len(val), 100)])
        clf.train()
        return (logits.argmax(-1) == val.y).float().mean().item(), F.cross_entropy(logits, val.y).item()

    def trainable_state() -> dict:
        return {k: v.detach().clone() for k, v in clf.state_dict().items()}

    acc, loss = measure()
    history = [(0, acc, loss)]
    best = (acc, -loss, 0)
    best_state = trainable_state()
    clf.train()
    for step in range(1, max_steps + 1):
        _train_step(clf, opt, train, batch_size, g)
        if step % eval_every == 0 or step == max_steps:
            acc, loss = measure()
            history.append((step, acc, loss))
            if (acc, -loss) > best[:2]:
                best, best_state = (acc, -loss, step), trainable_state()
    clf.load_state_dict(best_state)
    clf.eval()
    return {"best_step": best[2], "val_accuracy": best[0], "val_loss": -best[1], "history": history}


def bag_of_characters(data: PoetData, vocab_size: int) -> torch.Tensor:
    """How often each character occurs in each poem: (N, vocab_size) counts; <sos>, <eos> and padding not counted."""
    _check_data(data, "data")
    check_int(vocab_size, "vocab_size", 1)
    if int(data.x.max()) >= vocab_size:
        raise ValueError(f"vocab_size={vocab_size} but data holds token id {int(data.x.max())}")
    counts = torch.zeros(len(data), vocab_size)
    for i in range(len(data)):
        ids = data.x[i, 1:int(data.lengths[i]) - 1]  # the text between <sos> and <eos>
        counts[i].index_add_(0, ids, torch.ones(len(ids)))
    return counts


def _check_xy(x: object, y: object) -> None:
    """x (N, F) finite floats with N >= 1, y (N,) integer class ids."""
    check_tensor(x, "x", ndim=2, floating=True)
    check_tensor(y, "y", ndim=1, floating=False)
    if y.shape != (x.size(0),):
        raise ValueError(f"x must be (N, F) and y (N,), got {tuple(x.shape)} and {tuple(y.shape)}")
    if x.size(0) == 0:
        raise ValueError("x has no rows (N = 0)")
    if not bool(torch.isfinite(x).all()):
        raise ValueError("x holds NaN or inf values")


def fit_logistic(x: torch.Tensor, y: torch.Tensor, l2: float, n_classes: int = 2,
                 max_iter: int = 500) -> nn.Linear:
    """Logistic regression: one ``nn.Linear`` (features -> class logits), trained with full-batch L-BFGS.

    Minimises mean cross-entropy + (l2 / 2) * ||W||^2 (the bias is not penalised): a convex problem,
    so the result does not depend on a seed. x (N, F) float, y (N,) class ids.
    """
    _check_xy(x, y)
    check_number(l2, "l2", low=0)
    n_classes = check_int(n_classes, "n_classes", 2)
    check_int(max_iter, "max_iter", 1)
    if int(y.min()) < 0 or int(y.max()) >= n_classes:
        raise ValueError(f"y must hold class ids in 0..{n_classes - 1}, got min {int(y.min())}, max {int(y.max())}")
    lin = nn.Linear(x.size(1), n_classes)
    nn.init.zeros_(lin.weight)
    nn.init.zeros_(lin.bias)
    opt = torch.optim.LBFGS(lin.parameters(), lr=1.0, max_iter=max_iter, history_size=20,
                            tolerance_grad=1e-9, tolerance_change=1e-12, line_search_fn="strong_wolfe")

    def closure() -> torch.Tensor:
        opt.zero_grad()
        loss = F.cross_entropy(lin(x), y) + 0.5 * l2 * lin.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return lin


@torch.no_grad()
def logistic_accuracy(lin: nn.Linear, x: torch.Tensor, y: torch.Tensor) -> float:
    """Share of rows of ``x`` (N, F) that ``lin`` classifies as ``y`` (N,); N >= 1."""
    if not isinstance(lin, nn.Linear):
        raise TypeError(f"lin must be an nn.Linear, got {show(lin)}")
    _check_xy(x, y)
    if x.size(1) != lin.in_features:
        raise ValueError(f"x has {x.size(1)} features but lin reads {lin.in_features}")
    return (lin(x).argmax(-1) == y).float().mean().item()


def fit_logistic_on_val(x_train: torch.Tensor, y_train: torch.Tensor, x_val: torch.Tensor,
                        y_val: torch.Tensor, l2_grid=(1e-4, 1e-3, 1e-2, 1e-1)) -> tuple[nn.Linear, float]:
    """Fit ``fit_logistic`` for each L2 strength and keep the one best on validation: (model, l2).

    Ties go to the stronger penalty (the simpler model).
    """
    if isinstance(l2_grid, (str, bytes, torch.Tensor)):
        raise TypeError(f"l2_grid must be a list of numbers, got {show(l2_grid)}")
    l2_grid = list(l2_grid)
    if not l2_grid:
        raise ValueError("l2_grid must hold at least one L2 strength, got an empty list")
    for i, l2 in enumerate(l2_grid):
        check_number(l2, f"l2_grid[{i}]", low=0)
    best = None
    for l2 in sorted(l2_grid, reverse=True):
        lin = fit_logistic(x_train, y_train, l2)
        acc = logistic_accuracy(lin, x_val, y_val)
        if best is None or acc > best[0]:
            best = (acc, lin, l2)
    return best[1], best[2]


def energy_in_top(delta: torch.Tensor, ranks=(1, 8)) -> dict[int, float]:
    """Share of ||delta||_F^2 held by its top-r singular directions, for each r in ``ranks``.

    1.0 at rank r means a rank-r matrix (such as a LoRA update) could express ``delta`` exactly.
    delta: (out, in) float, finite.
    """
    check_tensor(delta, "delta", ndim=2, floating=True)
    if not bool(torch.isfinite(delta).all()):
        raise ValueError("delta holds NaN or inf values")
    if isinstance(ranks, (str, bytes, torch.Tensor)):
        raise TypeError(f"ranks must be a list of int, got {show(ranks)}")
    ranks = list(ranks)
    for i, r in enumerate(ranks):
        check_int(r, f"ranks[{i}]", 1)
    s2 = torch.linalg.svdvals(delta.double()) ** 2
    total = float(s2.sum())
    return {r: (float(s2[:r].sum()) / total if total > 0 else 1.0) for r in ranks}
