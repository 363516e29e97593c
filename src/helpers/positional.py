"""Positional information: sinusoidal encodings, the offset map between them, RoPE, ALiBi and T5 buckets."""

from __future__ import annotations

import torch

from ._checks import check_bool, check_int, check_number, check_positive_int, check_tensor


def _check_even(d_model: int) -> None:
    check_positive_int(d_model, "d_model")
    if d_model % 2:
        raise ValueError(f"d_model must be even (sin/cos pairs), got {d_model}")


def frequencies(d_model: int, base: float = 10000.0) -> torch.Tensor:
    """Angular frequency of each sin/cos pair: w_i = base^(-2i/d_model), shape (d_model // 2,).

    ``base`` must be a finite number > 0 (a base <= 0 or NaN gives NaN frequencies).
    """
    _check_even(d_model)
    check_number(base, "base", low=0, low_open=True)
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


def offset_matrix(delta: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """The fixed (d_model, d_model) matrix M with PE(pos + delta) = PE(pos) @ M for every pos.

    Row-vector convention, as everywhere in the book. Block diagonal: each (sin, cos) pair is
    rotated by the angle delta * w_j; block j is [[cos, -sin], [sin, cos]] of that angle.
    """
    check_int(delta, "delta")
    w = frequencies(d_model, base)
    m = torch.zeros(d_model, d_model, dtype=torch.float64)
    c, s = torch.cos(delta * w), torch.sin(delta * w)
    idx = torch.arange(0, d_model, 2)
    m[idx, idx], m[idx, idx + 1] = c, -s
    m[idx + 1, idx], m[idx + 1, idx + 1] = s, c
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
    return rotate_pairs(x, angles)


def rope_angles(positions: torch.Tensor, d: int, base: float = 10000.0) -> torch.Tensor:
    """Rotation angles pos * w_j of RoPE, float64, shape (T, d // 2).

    positions: (T,) integer or float (position interpolation uses fractional positions).
    """
    check_tensor(positions, "positions", ndim=1)
    if positions.is_floating_point() and not bool(torch.isfinite(positions).all()):
        raise ValueError("positions holds NaN or inf values")
    return positions.double()[:, None] * frequencies(d, base)


def alibi_slopes(n_heads: int) -> torch.Tensor:
    """ALiBi's head slopes (Press et al., 2022), shape (n_heads,).

    For n_heads a power of two: 2^(-8/n), 2^(-16/n), ..., 2^(-8). Otherwise the slopes of the
    nearest smaller power of two, then every other slope of the next power of two (as in the
    authors' code).
    """
    check_positive_int(n_heads, "n_heads")

    def power_of_two(n: int) -> list[float]:
        return [2.0 ** (-8.0 * (h + 1) / n) for h in range(n)]

    lower = 2 ** (n_heads.bit_length() - 1)
    slopes = power_of_two(lower)
    if lower < n_heads:
        slopes += power_of_two(2 * lower)[0::2][: n_heads - lower]
    return torch.tensor(slopes)


def alibi_bias(T: int, n_heads: int) -> torch.Tensor:
    """ALiBi's additive score bias for causal attention, shape (n_heads, T, T).

    bias[h, i, j] = -slope_h * (i - j) for keys j <= i (query i, key j); future keys (j > i) get
    0 here, since the causal mask removes them anyway.
    """
    check_positive_int(T, "T")
    distance = torch.arange(T)[:, None] - torch.arange(T)[None, :]  # i - j
    return -alibi_slopes(n_heads)[:, None, None] * distance.clamp_min(0).float()


def t5_bucket(relative_position: torch.Tensor, bidirectional: bool = True, num_buckets: int = 32,
              max_distance: int = 128) -> torch.Tensor:
    """T5's relative-position bucket (Raffel et al., 2020) of each offset key - query.

    Half of the buckets (per direction) hold the exact offsets 0 .. n/2 - 1; the rest cover the
    offsets up to max_distance on a logarithmic scale; larger offsets share the last bucket.
    relative_position: integer tensor of (key position - query position) -> same shape, int64.
    """
    check_tensor(relative_position, "relative_position", floating=False)
    bidirectional = check_bool(bidirectional, "bidirectional")
    # each direction needs at least 2 buckets (one exact, one logarithmic) and max_distance past the exact ones
    check_int(num_buckets, "num_buckets", 4 if bidirectional else 2)
    exact_part = (num_buckets // 2 if bidirectional else num_buckets) // 2
    check_int(max_distance, "max_distance", exact_part + 1)
    n = num_buckets
    out = torch.zeros_like(relative_position, dtype=torch.long)
    if bidirectional:
        n //= 2
        out += (relative_position > 0).long() * n
        distance = relative_position.abs()
    else:
        distance = (-relative_position).clamp_min(0)
    exact = n // 2
    is_small = distance < exact
    log_ratio = torch.log(distance.float().clamp_min(1) / exact) / torch.log(torch.tensor(max_distance / exact))
    large = (exact + (log_ratio * (n - exact)).long()).clamp_max(n - 1)
    return out + torch.where(is_small, distance, large)


def rotate_pairs(x: torch.Tensor, angles: torch.Tensor) -> torch.Tensor:
    """Rotate each pair (x_2j, x_2j+1) of row t by ``angles[t, j]`` (interleaved layout).

    x: (..., T, d);  angles: (T, d // 2)  ->  (..., T, d). With ``rope_angles(arange(T), d)`` this is
    ``apply_rope``; with fractional positions it is RoPE with position interpolation.
    """
    check_tensor(x, "x", floating=True)
    if x.dim() < 2:
        raise ValueError(f"x must have shape (..., T, d), got {tuple(x.shape)}")
    check_tensor(angles, "angles", ndim=2, floating=True)
    if angles.shape != (x.shape[-2], x.shape[-1] // 2):
        raise ValueError(f"angles must have shape {(x.shape[-2], x.shape[-1] // 2)}, got {tuple(angles.shape)}")
    cos, sin = torch.cos(angles).to(x.dtype), torch.sin(angles).to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]
    out = torch.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out
