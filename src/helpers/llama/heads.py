"""What the real model's attention heads do: attention maps, and two measured head types.

Many heads of trained decoders put most of their weight on the first token, whatever it is (an
"attention sink", Xiao et al., 2023: a place to park attention when a head has nothing to do), and
some attend to the previous token (the first half of an induction circuit, Olsson et al., 2022).
``first_and_previous_attention`` measures both for every layer and head.
"""

from __future__ import annotations

import torch

from .._checks import check_tensor
from .model import Llama


@torch.no_grad()
def attention_maps(model: Llama, ids: torch.Tensor, layers: list[int] | None = None) -> dict[int, torch.Tensor]:
    """{layer: weights (n_heads, T, T)} for one sequence ids (1, T) (default: every layer).

    Row t of a head's map is how query t spreads its attention over keys 0..t (it sums to 1).
    """
    check_tensor(ids, "ids", ndim=2, floating=False)
    if ids.shape[0] != 1:
        raise ValueError(f"ids must hold one sequence, shape (1, T), got {tuple(ids.shape)}")
    layers = list(range(model.config.n_layers)) if layers is None else list(layers)
    _, maps = model(ids, attention_layers=layers)
    return {layer: w[0] for layer, w in maps.items()}


@torch.no_grad()
def first_and_previous_attention(model: Llama, ids: torch.Tensor,
                                 min_query: int = 2) -> tuple[torch.Tensor, torch.Tensor]:
    """Average attention to the first token and to the previous token, per layer and head.

    ids: (1, T). Returns two (n_layers, n_heads) tensors: the mean over queries t >= ``min_query``
    of w[t, 0] and of w[t, t - 1]. (From t = 2 on, "first" and "previous" are different keys.)
    """
    t = ids.shape[-1]
    if not 1 <= min_query < t:
        raise ValueError(f"min_query must be in 1..T-1 = {t - 1}, got {min_query}")
    maps = attention_maps(model, ids)
    w = torch.stack([maps[i] for i in sorted(maps)])  # (L, H, T, T)
    queries = torch.arange(min_query, t)
    first = w[:, :, queries, 0].mean(-1)
    previous = w[:, :, queries, queries - 1].mean(-1)
    return first, previous


def striking_heads(scores: torch.Tensor, threshold: float = 0.5) -> list[tuple[int, int, float]]:
    """(layer, head, score) of every head whose score (from ``first_and_previous_attention``) is at
    least ``threshold``, highest first."""
    check_tensor(scores, "scores", ndim=2, floating=True)
    found = [(int(layer), int(head), float(scores[layer, head])) for layer, head in (scores >= threshold).nonzero()]
    return sorted(found, key=lambda x: -x[2])
