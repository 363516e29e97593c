"""Positional information: sinusoidal encodings, the offset map between them, and RoPE."""

from __future__ import annotations

import torch

from ._checks import check_positive_int, check_tensor


def _check_even(d_model: int) -> None:
    check_positive_int(d_model, "d_model")
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin/cos pairs), got {d_model}")


def frequencies(d_model: int, base: float = 10000.0) -> torch.Tensor:
    """Angular frequency of each sin/cos pair: w_i = base^(-2i/d_model), shape (d_model // 2,)."""
    _check_even(d_model)
    return base ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)


def sinusoidal_encoding(n_positions: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """The encoding of Vaswani et al. (2017), shape (n_positions, d_model), float32.

    PE[p, 2i] = sin(p * w_i),  PE[p, 2i + 1] = cos(p * w_i),  w_i = base^(-2i / d_model)
    """
    check_positive_int(n_positions, "n_positions")
    angles = torch.arange(n_positions, dtype=torch.float64)[:, None] * frequencies(d_model, base)
    pe = torch.empty(n_positions, d_model, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(angles)
    pe[:, 1::2] = torch.cos(angles)
    return pe.float()


def offset_matrix(k: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """The fixed (d_model, d_model) matrix M_k with PE[p + k] = M_k @ PE[p] for every p.

    Block diagonal: each (sin, cos) pair is rotated by the angle k * w_i.
    """
    w = frequencies(d_model, base)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    c, s = torch.cos(k * w), torch.sin(k * w)
    idx = torch.arange(0, d_model, 2)
    m[idx, idx], m[idx, idx + 1] = c, s
    m[idx + 1, idx], m[idx + 1, idx + 1] = -s, c
    return m.float()


def apply_rope(x: torch.Tensor, positions: torch.Tensor | None = None,
               base: float = 10000.0) -> torch.Tensor:
    """Rotary position embedding (Su et al., 2021): rotate each pair (x_2i, x_2i+1) by p * w_i.

    x: (..., T, d) with d even;  positions: (T,) integers, default 0..T-1  ->  (..., T, d)
    """
    check_tensor(x, "x", floating=True)
    if x.dim() < 2:
        raise ValueError(f"x must have shape (..., T, d), got {tuple(x.shape)}")
    t, d = x.shape[-2], x.shape[-1]
    _check_even(d)
    if positions is None:
        positions = torch.arange(t)
    check_tensor(positions, "positions", ndim=1, floating=False)
    if positions.shape[0] != t:
        raise ValueError(f"positions has {positions.shape[0]} entries but x has T={t} (shape {tuple(x.shape)})")
    angles = positions.double()[:, None] * frequencies(d, base)  # (T, d/2)
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out
