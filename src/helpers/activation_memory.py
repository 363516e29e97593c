"""What the backward pass keeps from the forward pass (chapter 9): saved activations, counted and measured.

Every operation that autograd records saves the tensors its backward rule needs: a linear layer its
input, a softmax its output, GELU its input, LayerNorm its input with the mean and 1/std of every
row. They stay in memory from the forward pass until the backward pass has used them.

- ``measure_saved`` runs a function under ``torch.autograd.graph.saved_tensors_hooks`` and adds up
  the distinct storages that autograd saves (a tensor saved by two operations counts once;
  parameters and buffers, which live anyway, are left out).
- ``block_saved_elements`` is the count by hand for one pre-norm GPT block of ``helpers.gpt`` with
  the written-out attention (``attention="manual"``, dropout off, no biases):
  16 B T C + B H T^2 + 4 B T numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import torch

from ._checks import check_int
from .i18n import t


@dataclass
class Saved:
    """What autograd saved: ``n_tensors`` distinct storages holding ``n_bytes`` bytes; ``shapes`` lists
    the shape of the first tensor saved from each storage, in the order they were saved."""

    n_tensors: int
    n_bytes: int
    shapes: list[tuple[int, ...]]


def measure_saved(fn: Callable[[], torch.Tensor], exclude: Iterable[torch.Tensor] = ()) -> Saved:
    """Run ``fn()`` (a forward pass) and measure the activations autograd saves for its backward pass.

    exclude: tensors whose storages are not counted (the model's parameters and buffers). A storage
    is counted once, with its full size in bytes, however many operations save it or views of it.
    """
    if not callable(fn):
        raise TypeError(f"fn must be a callable that runs a forward pass, got {type(fn).__name__}")
    skip = set()
    for k, x in enumerate(exclude):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"exclude[{k}] must be a torch.Tensor, got {type(x).__name__}")
        skip.add(x.untyped_storage().data_ptr())
    seen: dict[int, tuple[int, tuple[int, ...]]] = {}

    def pack(x: torch.Tensor) -> torch.Tensor:
        ptr = x.untyped_storage().data_ptr()
        if ptr not in skip and ptr not in seen:
            seen[ptr] = (x.untyped_storage().nbytes(), tuple(x.shape))
        return x

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda x: x):
        fn()
    return Saved(len(seen), sum(b for b, _ in seen.values()), [s for _, s in seen.values()])


def block_saved_elements(batch: int, length: int, width: int, heads: int) -> dict[str, int]:
    """Numbers saved by one pre-norm GPT block (manual attention, no dropout, no biases), by operation.

    batch B, length T, width C (d_model, ``n_embd``), heads H. Returns name -> count (the names in
    the current language); their sum is 16 B T C + B H T^2 + 4 B T.
    """
    b, t_, c, h = (
        check_int(batch, "batch", 1),
        check_int(length, "length", 1),
        check_int(width, "width", 1),
        check_int(heads, "heads", 1),
    )
    if c % h:
        raise ValueError(f"width must be divisible by heads, got width={c} and heads={h}")
    btc = b * t_ * c
    return {
        t("LayerNorm 1: input, mean, 1/σ"): btc + 2 * b * t_,
        t("Q, K, V projection: its input"): btc,
        t("Q Kᵀ and A V: Q, K, V (copies)"): 3 * btc,
        t("softmax: A (also used by A V)"): b * h * t_ * t_,
        t("output projection: its input"): btc,
        t("LayerNorm 2: input, mean, 1/σ"): btc + 2 * b * t_,
        t("MLP up-projection: its input"): btc,
        t("GELU: its input (4 d_model wide)"): 4 * btc,
        t("MLP down-projection: its input"): 4 * btc,
    }
