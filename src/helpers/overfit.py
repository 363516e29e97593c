"""Overfitting made visible (chapter 8): training and held-out loss of a translator trained on few pairs.

``loss_curves`` trains a small translator (``helpers.translator``) on a handful of sentence pairs,
the whole training set in every step (no dropout, so training mode and evaluation mode agree),
and records after every step the mean loss per target token on the training pairs and, every
``eval_every`` steps, on held-out pairs. With too few training pairs the training loss keeps
falling towards 0 while the held-out loss falls, bottoms out and climbs again: the model has
started to memorise its few examples instead of learning the rule that also holds for new ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from . import corpus, translator
from ._checks import check_int, check_list, check_number, show


@dataclass
class LossCurves:
    """One training run: ``train_loss`` (steps + 1,) after 0..steps updates; ``held_loss`` (n_evals,)
    at the updates listed in ``eval_steps`` (0, eval_every, ..., steps); ``model`` the trained model."""

    train_loss: torch.Tensor
    eval_steps: list[int]
    held_loss: torch.Tensor
    model: torch.nn.Module

    @property
    def best(self) -> tuple[int, float]:
        """(step, loss) of the lowest held-out loss: where early stopping would stop."""
        i = int(self.held_loss.argmin())
        return self.eval_steps[i], float(self.held_loss[i])


def _check_pairs(pairs: object, name: str) -> list[corpus.Pair]:
    pairs = check_list(pairs, name, "corpus.Pair")
    if not pairs:
        raise ValueError(f"{name} must hold at least one corpus.Pair, got an empty list")
    for i, p in enumerate(pairs):
        if not isinstance(p, corpus.Pair):
            raise TypeError(f"{name}[{i}] must be a corpus.Pair, got {show(p)}")
    return pairs


def loss_curves(
    train_pairs: list[corpus.Pair],
    held_pairs: list[corpus.Pair],
    seed: int = 0,
    steps: int = 60,
    eval_every: int = 3,
    lr: float = 1e-2,
    weight_decay: float = 0.0,
    d_model: int = 32,
    n_layers: int = 1,
) -> LossCurves:
    """Train a fresh translator (seed ``seed``; ``n_layers`` encoder and decoder layers of width
    ``d_model``, 4 heads) on all of ``train_pairs`` in every step (AdamW, constant learning rate
    ``lr``, no dropout) and record the training and held-out loss.

    train_pairs, held_pairs: lists of ``corpus.Pair``. Returns a ``LossCurves``: the mean
    cross-entropy per real target token (nats), padding ignored, on the training pairs after
    0, 1, ..., ``steps`` updates and on the held-out pairs after 0, ``eval_every``, ... updates.
    """
    train_pairs = _check_pairs(train_pairs, "train_pairs")
    held_pairs = _check_pairs(held_pairs, "held_pairs")
    check_int(seed, "seed", 0)
    check_int(steps, "steps", 1)
    check_int(eval_every, "eval_every", 1, steps)
    check_number(lr, "lr", low=0, low_open=True)
    check_number(weight_decay, "weight_decay", low=0)
    check_int(d_model, "d_model", 4)
    check_int(n_layers, "n_layers", 1)
    if d_model % 4:
        raise ValueError(f"d_model must be a multiple of 4 (4 heads), got {d_model}")
    en, zh = translator.vocabularies()
    settings = translator.TrainSettings(
        d_model=d_model, d_ff=2 * d_model, n_heads=4, n_layers=n_layers, dropout=0.0, seed=seed
    )
    torch.manual_seed(seed)
    model = translator.build_model(settings, en, zh)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    train_batch = translator.encode_pairs(train_pairs, en, zh)
    held_batch = translator.encode_pairs(held_pairs, en, zh)
    train_loss, held_loss, eval_steps = [], [], []

    def mean_loss(batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
        src, tgt_in, tgt_out = batch
        logits = model(src, tgt_in)  # (B, T, |V|)
        return torch.nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), tgt_out.reshape(-1), ignore_index=zh.pad_id
        )

    model.train()  # no dropout: the same function as in eval mode
    for step in range(steps + 1):
        if step % eval_every == 0 or step == steps:
            with torch.no_grad():
                held_loss.append(mean_loss(held_batch).item())
            eval_steps.append(step)
        loss = mean_loss(train_batch)  # the training loss after `step` updates
        train_loss.append(loss.item())
        if step == steps:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    return LossCurves(torch.tensor(train_loss), eval_steps, torch.tensor(held_loss), model)
