"""How saturated a softmax is: its Jacobian, its entropy, and the share of near one-hot rows.

A softmax row p = softmax(s) is *saturated* when almost all its weight sits on one key.
Its Jacobian then vanishes,

    dp_i / ds_j = p_i (delta_ij - p_j)      i.e.  J = diag(p) - p p^T,

so the weights no longer respond to the scores of the other keys (chapter 4).
"""

from __future__ import annotations

import torch

from ._checks import check_tensor


def _check_weights(p: object, name: str = "p") -> torch.Tensor:
    check_tensor(p, name, floating=True)
    if p.dim() < 1 or p.shape[-1] == 0:
        raise ValueError(f"{name} must have shape (..., n) with n >= 1 weights, got {tuple(p.shape)}")
    if (p < 0).any() or (p > 1).any():
        raise ValueError(f"{name} must hold softmax weights in [0, 1]")
    return p


def softmax_jacobian(p: torch.Tensor) -> torch.Tensor:
    """The Jacobian dp/ds of p = softmax(s), from the weights alone.

    p: (..., n) softmax weights  ->  (..., n, n), entry [i, j] = p_i (delta_ij - p_j).
    """
    _check_weights(p)
    return torch.diag_embed(p) - p.unsqueeze(-1) * p.unsqueeze(-2)


def entropy(p: torch.Tensor) -> torch.Tensor:
    """Entropy in nats of each row of weights, with 0 log 0 = 0: (..., n) -> (...).

    It is log(n) for uniform weights and 0 for a one-hot row; exp(entropy) is the
    "effective number" of keys a row attends to.
    """
    _check_weights(p)
    return -torch.xlogy(p, p).sum(-1)


def saturated_share(weights: torch.Tensor, threshold: float = 0.99, mask: torch.Tensor | None = None) -> float:
    """Share of rows whose largest weight exceeds ``threshold``.

    weights: (..., T_q, T_k) attention weights;  mask: bool, broadcastable to ``weights``,
    True = may attend. Only rows with at least two keys to choose from count: a row with one
    allowed key (the first row under a causal mask) is one-hot by construction, not by learning.
    """
    _check_weights(weights, "weights")
    if weights.dim() < 2:
        raise ValueError(f"weights must have shape (..., T_q, T_k), got {tuple(weights.shape)}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0 < threshold < 1:
        raise ValueError(f"threshold must be a number strictly between 0 and 1, got {threshold!r}")
    if mask is None:
        choices = torch.full(weights.shape[:-1], weights.shape[-1])
    else:
        if not isinstance(mask, torch.Tensor) or mask.dtype != torch.bool:
            raise TypeError("mask must be a bool tensor (True = may attend)")
        try:
            mask = mask.expand(weights.shape)
        except RuntimeError:
            raise ValueError(
                f"mask of shape {tuple(mask.shape)} does not broadcast to weights of shape {tuple(weights.shape)}"
            ) from None
        choices = mask.sum(-1)
    rows = choices >= 2
    if not rows.any():
        raise ValueError("no row has two or more keys to choose from")
    return (weights.max(-1).values[rows] > threshold).float().mean().item()
