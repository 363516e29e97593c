"""Attention masks. Convention: a **bool** mask where **True means "may attend"**.

Shapes broadcast against attention scores of shape (batch, heads, T_q, T_k):

* ``padding_mask(ids, pad_id)``: (B, 1, 1, T_k) — True on real tokens, False on ``<pad>`` keys;
* ``causal_mask(T)``: (T, T) — True on and below the diagonal (no looking ahead);
* ``sliding_window_mask(T, window)``: (T, T) — causal, and only the last ``window`` positions
  (the query's own included): the local attention of Longformer, Mistral and Gemma's local layers;
* ``prefix_lm_mask(T, prefix)``: (T, T) — the first ``prefix`` positions see each other both
  ways, every later position is causal (a prefix language model, as in T5's and UniLM's);
* ``combine_masks(a, b)``: logical AND, broadcast — a key is visible only if both allow it.

PyTorch's ``nn.MultiheadAttention`` uses the opposite meaning (True = *blocked*) for its
``attn_mask`` and ``key_padding_mask``; ``to_pytorch_blocked`` converts.
"""

from __future__ import annotations

import torch

from ._checks import check_int, check_positive_int, check_tensor


def padding_mask(ids: torch.Tensor, pad_id: int) -> torch.Tensor:
    """ids: (B, T) token ids  ->  (B, 1, 1, T) bool, True where the token is not padding."""
    check_tensor(ids, "ids", ndim=2, floating=False)
    check_int(pad_id, "pad_id")
    return (ids != pad_id)[:, None, None, :]


def causal_mask(size: int, device: torch.device | None = None) -> torch.Tensor:
    """(size, size) bool, True where key position <= query position."""
    check_positive_int(size, "size")
    return torch.tril(torch.ones(size, size, dtype=torch.bool, device=device))


def sliding_window_mask(size: int, window: int, device: torch.device | None = None) -> torch.Tensor:
    """(size, size) bool, True where ``query - window < key <= query``.

    A causal mask that also forgets: query i sees itself and the ``window - 1`` positions before
    it. ``window >= size`` gives ``causal_mask(size)``; ``window = 1`` lets a token see only itself.
    """
    check_positive_int(size, "size")
    check_positive_int(window, "window")
    i = torch.arange(size, device=device)
    offset = i[:, None] - i[None, :]  # query minus key
    return (offset >= 0) & (offset < window)


def prefix_lm_mask(size: int, prefix: int, device: torch.device | None = None) -> torch.Tensor:
    """(size, size) bool: the first ``prefix`` positions attend to each other in both directions
    (like an encoder); each later position attends to the whole prefix and causally to the rest.

    ``prefix = 0`` gives ``causal_mask(size)``; ``prefix = size`` gives all True (no mask).
    """
    check_positive_int(size, "size")
    check_int(prefix, "prefix", low=0, high=size)
    mask = causal_mask(size, device=device).clone()
    mask[:prefix, :prefix] = True
    return mask


def combine_masks(*masks: torch.Tensor | None) -> torch.Tensor | None:
    """AND of the given masks (None entries are skipped); None if all are None."""
    out = None
    for i, m in enumerate(masks):
        if m is None:
            continue
        if not isinstance(m, torch.Tensor) or m.dtype != torch.bool:
            raise TypeError(f"mask {i} must be a bool tensor (True = may attend), got {getattr(m, 'dtype', type(m))}")
        if out is None:
            out = m
        else:
            try:
                out = out & m
            except RuntimeError:
                raise ValueError(
                    f"masks of shapes {tuple(out.shape)} and {tuple(m.shape)} do not broadcast"
                ) from None
    return out


def to_pytorch_blocked(mask: torch.Tensor) -> torch.Tensor:
    """Our mask (True = may attend) -> PyTorch ``nn.MultiheadAttention`` style (True = blocked)."""
    check_tensor(mask, "mask")
    if mask.dtype != torch.bool:  # ~ of an int mask is -1, -2, ...: not a mask at all
        raise TypeError(f"mask must be a bool tensor (True = may attend), got dtype {mask.dtype}")
    return ~mask
