"""Scaled dot-product attention, from scratch.

    Attention(Q, K, V) = softmax(Q K^T / sqrt(d_k) + mask) V

Mask convention used everywhere in this package: a **boolean mask where True means
"this query may attend to this key"** (the same meaning as a boolean ``attn_mask`` of
``torch.nn.functional.scaled_dot_product_attention``). False entries get -inf before softmax.

A query row whose every key is masked has no valid softmax. Here it is defined to produce
all-zero weights and therefore an all-zero output (never NaN).
"""

from __future__ import annotations

import math

import torch

from ._checks import check_bool, check_tensor


def _check_qk(q: torch.Tensor, k: torch.Tensor) -> None:
    for name, t in (("q", q), ("k", k)):
        check_tensor(t, name, floating=True)
        if t.dim() < 2:
            raise ValueError(f"{name} must have shape (..., T, d), got {tuple(t.shape)}")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same last dim d_k, got q {tuple(q.shape)} and k {tuple(k.shape)}"
        )
    if q.shape[-1] == 0:
        raise ValueError(f"q and k must have d_k >= 1 features, got q {tuple(q.shape)}: the scale 1/sqrt(d_k) is 1/0")
    if q.dtype != k.dtype:
        raise TypeError(f"q and k must have the same dtype, got q {q.dtype} and k {k.dtype}")
    _check_batch(("q", q), ("k", k))


def _check_batch(*named: tuple[str, torch.Tensor]) -> None:
    """The leading (batch, head) dims of the tensors must broadcast together."""
    try:
        torch.broadcast_shapes(*(t.shape[:-2] for _, t in named))
    except RuntimeError:
        shapes = ", ".join(f"{n} {tuple(t.shape)}" for n, t in named)
        raise ValueError(f"the batch dims (all but the last two) of {shapes} do not broadcast") from None


def _check_qkv(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> None:
    check_tensor(v, "v", floating=True)
    _check_qk(q, k)
    if v.dim() < 2:
        raise ValueError(f"v must have shape (..., T, d), got {tuple(v.shape)}")
    if k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k and v must have the same number of keys, got k {tuple(k.shape)} and v {tuple(v.shape)}"
        )
    if k.shape[-2] == 0:
        raise ValueError(f"k and v must hold at least one key, got k {tuple(k.shape)}")
    if v.dtype != q.dtype:
        raise TypeError(f"q, k and v must have the same dtype, got q {q.dtype} and v {v.dtype}")
    _check_batch(("q", q), ("k", k), ("v", v))


def check_mask(mask: torch.Tensor, scores_shape: torch.Size) -> None:
    """A mask must be boolean and broadcastable to the scores' shape (..., T_q, T_k)."""
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"mask must be a torch.Tensor, got {type(mask).__name__}")
    if mask.dtype != torch.bool:
        raise TypeError(f"mask must be a bool tensor (True = may attend), got dtype {mask.dtype}")
    try:
        torch.broadcast_shapes(mask.shape, scores_shape)
    except RuntimeError:
        raise ValueError(
            f"mask of shape {tuple(mask.shape)} does not broadcast to the attention scores' "
            f"shape {tuple(scores_shape)} (..., T_q, T_k)"
        ) from None


def attention_scores(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Scaled scores Q K^T / sqrt(d_k): q (..., T_q, d_k), k (..., T_k, d_k) -> (..., T_q, T_k)."""
    _check_qk(q, k)
    return q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])


def masked_softmax(scores: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
    """Softmax over the last dim with masked keys set to -inf; fully masked rows give zeros.

    scores: (..., T_q, T_k);  mask: bool, broadcastable, True = keep  ->  (..., T_q, T_k)
    """
    check_tensor(scores, "scores", floating=True)
    if scores.dim() < 1:
        raise ValueError("scores must have at least one dim (the keys, last), got a 0-d tensor")
    if mask is None:
        return torch.softmax(scores, dim=-1)
    check_mask(mask, scores.shape)
    weights = torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)
    # a row of only -inf gives NaN (0/0): define it as zeros instead
    return torch.nan_to_num(weights, nan=0.0)


def scaled_dot_product_attention(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    mask: torch.Tensor | None = None,
    return_weights: bool = False,
) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
    """softmax(Q K^T / sqrt(d_k)) V, optionally masked.

    q: (..., T_q, d_k);  k: (..., T_k, d_k);  v: (..., T_k, d_v);
    mask: bool, broadcastable to (..., T_q, T_k), True = may attend.
    Returns the output (..., T_q, d_v), and with ``return_weights`` also the weights
    (..., T_q, T_k), each row summing to 1 (or 0 for a fully masked row).
    """
    _check_qkv(q, k, v)
    check_bool(return_weights, "return_weights")
    weights = masked_softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]), mask)
    out = weights @ v
    return (out, weights) if return_weights else out
