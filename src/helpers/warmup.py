"""Why Adam wants a learning-rate warm-up: the size of its first updates, measured.

Adam divides each coordinate's (averaged) gradient by the square root of its averaged squared
gradient. At the first step both averages hold a single gradient, so the update of every
coordinate is ``lr * g / (|g| + eps)``: plus or minus the full learning rate, however small or
noisy ``g`` was. Only after many steps does the second-moment estimate average over enough
gradients for the update to shrink where the gradient is noisy (Liu et al. 2020).
``update_sizes`` records the root-mean-square update per step, in units of the learning rate.
"""

from __future__ import annotations

import random

import torch

from . import corpus, translator


def rms_update(before: list[torch.Tensor], after: list[torch.Tensor]) -> float:
    """Root-mean-square change over all coordinates of a list of tensors."""
    if len(before) != len(after) or not before:
        raise ValueError("before and after must be non-empty lists of the same length")
    total = sum(((a - b) ** 2).sum() for a, b in zip(after, before))
    count = sum(b.numel() for b in before)
    return (total / count).sqrt().item()


def update_sizes(settings: translator.TrainSettings, steps: int, lr: float = 1e-3) -> list[float]:
    """Train a translator built from ``settings`` (its seed, batch size, layout) for ``steps`` steps
    of Adam at a constant learning rate ``lr`` (no warm-up, gradients clipped at 1 as in
    ``translator.train``); return the RMS update of each step divided by ``lr``."""
    if steps < 1 or not lr > 0:
        raise ValueError(f"steps must be >= 1 and lr > 0, got {steps}, {lr}")
    torch.manual_seed(settings.seed)
    rng = random.Random(settings.seed)
    en, zh = translator.vocabularies()
    train_pairs, _ = corpus.split_pairs()
    model = translator.build_model(settings, en, zh).train()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=lr)
    sizes = []
    for _ in range(steps):
        loss = translator.loss_on(model, rng.sample(train_pairs, settings.batch_size), en, zh)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        before = [p.detach().clone() for p in params]
        opt.step()
        sizes.append(rms_update(before, [p.detach() for p in params]) / lr)
    return sizes


def noise_update_sizes(
    n_coords: int = 10_000,
    steps: int = 1000,
    seed: int = 0,
    lr: float = 1e-3,
    betas: tuple[float, float] = (0.9, 0.999),
) -> list[float]:
    """Adam (``torch.optim.Adam``) on coordinates whose gradient is pure noise, N(0, 1) at every
    step: the RMS update of each step divided by ``lr``. It starts at 1 and settles near
    sqrt((1 - beta1) / (1 + beta1)), the size of an average of noise (0.23 for beta1 = 0.9)."""
    if n_coords < 1 or steps < 1:
        raise ValueError(f"n_coords and steps must be >= 1, got {n_coords}, {steps}")
    g = torch.Generator().manual_seed(seed)
    w = torch.nn.Parameter(torch.zeros(n_coords))
    opt = torch.optim.Adam([w], lr=lr, betas=betas)
    sizes = []
    for _ in range(steps):
        w.grad = torch.randn(n_coords, generator=g)
        before = w.detach().clone()
        opt.step()
        sizes.append(rms_update([before], [w.detach()]) / lr)
    return sizes
