"""The pieces a Llama-family decoder adds to the 2017 Transformer, each small and checked.

- ``RMSNorm``: LayerNorm without the mean and without the bias (Zhang & Sennrich, 2019).
- RoPE in the *rotate-half* layout: ``apply_rope_half``. Chapter 3's ``helpers.positional.apply_rope``
  rotates adjacent pairs (x_0, x_1), (x_2, x_3), ...; Llama code as published by Hugging Face
  rotates the pairs (x_i, x_{i + d/2}) instead. The two are the same rotation up to a fixed
  reordering of the dimensions (``half_to_interleaved``), so they give the same attention scores
  once the query and key weights are reordered alike.
- ``SwiGLU``: the gated feed-forward, ``down(silu(gate(x)) * up(x))`` (Shazeer, 2020).
- ``GroupedQueryAttention``: ``n_heads`` query heads share ``n_kv_heads`` key/value heads
  (Ainslie et al., 2023), with an optional KV cache and the attention weights on request.

No layer has a bias, as in Llama.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from .._checks import check_int, check_number, check_positive_int, check_str, check_tensor, show
from ..positional import apply_rope, frequencies

ROPE_LAYOUTS = ("half", "interleaved")


def check_rope_layout(layout: object, name: str = "rope_layout") -> str:
    """``layout`` is one of ``ROPE_LAYOUTS``: a TypeError for a non-str, a ValueError for another str."""
    check_str(layout, name)
    if layout not in ROPE_LAYOUTS:
        raise ValueError(f"{name} must be one of {ROPE_LAYOUTS}, got {layout!r}")
    return layout


def check_rope_base(base: object, name: str = "base") -> float:
    """RoPE's base: a finite number > 0 (0 or less gives infinite or NaN angles)."""
    return check_number(base, name, low=0, low_open=True)


def check_eps(eps: object, name: str = "eps") -> float:
    """RMSNorm's epsilon: a finite number > 0 (0 divides by zero on an all-zero row; < 0 gives NaN)."""
    return check_number(eps, name, low=0, low_open=True)


# --------------------------------------------------------------------------- RMSNorm
class RMSNorm(nn.Module):
    """y = x / sqrt(mean(x^2) + eps) * weight, over the last dim.  x: (..., d) -> (..., d).

    Unlike LayerNorm there is no mean to subtract and no bias: only the scale is normalised.
    """

    def __init__(self, dim: int, eps: float = 1e-5):
        super().__init__()
        check_positive_int(dim, "dim")
        self.eps = check_eps(eps, "eps")
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", floating=True)
        if x.shape[-1] != self.weight.shape[0]:
            raise ValueError(f"x has last dim {x.shape[-1]} but RMSNorm was built for dim {self.weight.shape[0]}")
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight


# ----------------------------------------------------------------------------- RoPE
def rope_cos_sin(positions: torch.Tensor, head_dim: int, base: float = 100000.0,
                 dtype: torch.dtype = torch.float32) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of the rotation angles in the rotate-half layout, each (T, head_dim).

    Frequency i (i < head_dim / 2) is w_i = base^(-2i / head_dim), the same as chapter 3's; in the
    rotate-half layout dimension i and dimension i + head_dim/2 share it, so the angles repeat.
    The angles are computed in float64, then cast to ``dtype`` (a floating-point dtype).
    """
    check_tensor(positions, "positions", ndim=1, floating=False)
    check_positive_int(head_dim, "head_dim")
    if head_dim % 2:
        raise ValueError(f"head_dim must be even (dimensions are rotated in pairs), got {head_dim}")
    check_rope_base(base, "base")
    if not isinstance(dtype, torch.dtype) or not dtype.is_floating_point:
        raise TypeError(f"dtype must be a floating-point torch.dtype, got {show(dtype)}")
    angles = positions.double()[:, None] * frequencies(head_dim, base)  # (T, head_dim/2)
    angles = torch.cat([angles, angles], dim=-1)  # (T, head_dim)
    return angles.cos().to(dtype), angles.sin().to(dtype)


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    """(x_1, x_2) -> (-x_2, x_1), where x_1, x_2 are the first and second halves of the last dim.

    x: (..., d) with d even -> (..., d)
    """
    check_tensor(x, "x")
    if x.dim() < 1 or x.shape[-1] % 2:
        raise ValueError(f"x must have an even last dim (two halves), got shape {tuple(x.shape)}")
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rope_half(x: torch.Tensor, positions: torch.Tensor | None = None,
                    base: float = 100000.0) -> torch.Tensor:
    """RoPE, rotate-half layout: rotate each pair (x_i, x_{i + d/2}) by the angle p * w_i.

    x: (..., T, d) with d even;  positions: (T,) integers, default 0..T-1  ->  (..., T, d)
    """
    check_tensor(x, "x", floating=True)
    if x.dim() < 2 or x.shape[-1] % 2:
        raise ValueError(f"x must have shape (..., T, d) with d even, got {tuple(x.shape)}")
    t = x.shape[-2]
    positions = torch.arange(t) if positions is None else check_tensor(positions, "positions", ndim=1,
                                                                        floating=False)
    if positions.shape[0] != t:
        raise ValueError(f"positions has {positions.shape[0]} entries but x has T={t} (shape {tuple(x.shape)})")
    cos, sin = rope_cos_sin(positions, x.shape[-1], base, x.dtype)
    return x * cos + rotate_half(x) * sin


def half_to_interleaved(d: int) -> torch.Tensor:
    """The reordering ``perm`` of d dimensions with x_interleaved = x_half[..., perm].

    perm = [0, d/2, 1, d/2 + 1, ...]: the pair (i, i + d/2) of the rotate-half layout becomes the
    adjacent pair (2i, 2i + 1) of chapter 3's layout. Then, for any x,

        apply_rope(x[..., perm]) == apply_rope_half(x)[..., perm]

    and since q . k does not change when both vectors are reordered alike, the scores agree.
    """
    check_positive_int(d, "d")
    if d % 2:
        raise ValueError(f"d must be even, got {d}")
    return torch.stack([torch.arange(d // 2), torch.arange(d // 2) + d // 2], dim=1).reshape(d)


def apply_rope_layout(x: torch.Tensor, positions: torch.Tensor, base: float, layout: str) -> torch.Tensor:
    """RoPE in the given layout: ``"half"`` (Llama, Hugging Face) or ``"interleaved"`` (chapter 3).

    x: (..., T, d);  positions: (T,) integers  ->  (..., T, d)
    """
    check_rope_layout(layout, "layout")
    if layout == "half":
        return apply_rope_half(x, positions, base)
    if layout == "interleaved":
        return apply_rope(x, positions, base)
    raise ValueError(f"rope layout must be one of {ROPE_LAYOUTS}, got {layout!r}")


# ----------------------------------------------------------------------------- SwiGLU
class SwiGLU(nn.Module):
    """The gated feed-forward of Llama: down(silu(gate(x)) * up(x)).  x: (..., d) -> (..., d).

    Three matrices instead of two: gate and up are (d_ff, d), down is (d, d_ff); no biases.
    """

    def __init__(self, d_model: int, d_ff: int):
        super().__init__()
        check_positive_int(d_model, "d_model")
        check_positive_int(d_ff, "d_ff")
        self.d_model = d_model
        self.gate = nn.Linear(d_model, d_ff, bias=False)
        self.up = nn.Linear(d_model, d_ff, bias=False)
        self.down = nn.Linear(d_ff, d_model, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_tensor(x, "x", floating=True)
        if x.dim() < 1 or x.shape[-1] != self.d_model:
            raise ValueError(f"x must have last dim d_model={self.d_model}, got shape {tuple(x.shape)}")
        return self.down(F.silu(self.gate(x)) * self.up(x))


# ------------------------------------------------------------- grouped-query attention
class LayerKVCache:
    """The keys and values one attention layer has computed so far.

    k, v: (B, n_kv_heads, S, head_dim), S = number of positions cached (None while empty).
    """

    def __init__(self) -> None:
        self.k: torch.Tensor | None = None
        self.v: torch.Tensor | None = None

    def __len__(self) -> int:
        return 0 if self.k is None else self.k.shape[-2]

    def append(self, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the new positions' k, v (B, n_kv, T, hd); return all of them (B, n_kv, S + T, hd)."""
        check_tensor(k, "k", ndim=4, floating=True)
        check_tensor(v, "v", ndim=4, floating=True)
        if v.shape != k.shape:
            raise ValueError(f"v must have the shape of k {tuple(k.shape)}, got {tuple(v.shape)}")
        if self.k is not None and (k.shape[:2] != self.k.shape[:2] or k.shape[3] != self.k.shape[3]):
            raise ValueError(f"k must be (B, n_kv, T, hd) = ({', '.join(map(str, self.k.shape[:2]))}, T, "
                             f"{self.k.shape[3]}) like the cached keys, got {tuple(k.shape)}")
        if self.k is None:
            self.k, self.v = k, v
        else:
            self.k = torch.cat([self.k, k], dim=-2)
            self.v = torch.cat([self.v, v], dim=-2)
        return self.k, self.v

    def crop(self, length: int) -> None:
        """Keep only the first ``length`` positions (to replay a step, e.g. when timing it)."""
        length = check_int(length, "length")
        if not 0 <= length <= len(self):
            raise ValueError(f"cannot crop a cache of {len(self)} positions to {length}: length must be in "
                             f"0..{len(self)}")
        if self.k is not None:
            self.k, self.v = self.k[..., :length, :], self.v[..., :length, :]


class GroupedQueryAttention(nn.Module):
    """Causal self-attention where ``n_heads`` query heads share ``n_kv_heads`` key/value heads.

    Query head h reads key/value head h // (n_heads / n_kv_heads). With n_kv_heads == n_heads this
    is ordinary multi-head attention; with 1 it is multi-query attention. The KV cache is smaller
    by the factor n_heads / n_kv_heads (3 for SmolLM2: 9 query heads, 3 KV heads).

    Weights (no biases): q (n_heads*hd, d), k and v (n_kv_heads*hd, d), o (d, n_heads*hd).
    """

    def __init__(self, d_model: int, n_heads: int, n_kv_heads: int, head_dim: int,
                 rope_base: float = 100000.0, rope_layout: str = "half"):
        super().__init__()
        for name, value in (("d_model", d_model), ("n_heads", n_heads), ("n_kv_heads", n_kv_heads),
                            ("head_dim", head_dim)):
            check_positive_int(value, name)
        if n_heads % n_kv_heads:
            raise ValueError(f"n_heads={n_heads} must be a multiple of n_kv_heads={n_kv_heads}")
        check_rope_layout(rope_layout, "rope_layout")
        check_rope_base(rope_base, "rope_base")
        self.d_model = d_model
        self.n_heads, self.n_kv_heads, self.head_dim = n_heads, n_kv_heads, head_dim
        self.rope_base, self.rope_layout = rope_base, rope_layout
        self.q = nn.Linear(d_model, n_heads * head_dim, bias=False)
        self.k = nn.Linear(d_model, n_kv_heads * head_dim, bias=False)
        self.v = nn.Linear(d_model, n_kv_heads * head_dim, bias=False)
        self.o = nn.Linear(n_heads * head_dim, d_model, bias=False)

    def forward(self, x: torch.Tensor, positions: torch.Tensor | None = None,
                cache: LayerKVCache | None = None,
                return_weights: bool = False) -> tuple[torch.Tensor, torch.Tensor | None]:
        """x: (B, T, d) -> (out (B, T, d), weights (B, n_heads, T, S) or None).

        ``positions`` (T,): the absolute positions of the T tokens (default: after the cache's
        S0 positions, S0..S0+T-1; no other positions are accepted, since key j is taken to sit at
        position j). With a ``cache`` the new keys/values are appended to it and the queries attend
        to all S = S0 + T positions; query at position p sees keys 0..p.
        """
        self._check_inputs(x, positions, cache)
        b, t, _ = x.shape
        start = 0 if cache is None else len(cache)
        if positions is None:
            positions = torch.arange(start, start + t)
        hd, n_kv, group = self.head_dim, self.n_kv_heads, self.n_heads // self.n_kv_heads
        q = self.q(x).view(b, t, self.n_heads, hd).transpose(1, 2)  # (B, H, T, hd)
        k = self.k(x).view(b, t, n_kv, hd).transpose(1, 2)  # (B, H_kv, T, hd)
        v = self.v(x).view(b, t, n_kv, hd).transpose(1, 2)  # (B, H_kv, T, hd)
        q = apply_rope_layout(q, positions, self.rope_base, self.rope_layout)
        k = apply_rope_layout(k, positions, self.rope_base, self.rope_layout)
        if cache is not None:
            k, v = cache.append(k, v)  # (B, H_kv, S, hd)
        s = k.shape[-2]
        # group the query heads by the KV head they share: (B, H_kv, group, T, hd)
        q = q.view(b, n_kv, group, t, hd)
        scores = q @ k.unsqueeze(2).transpose(-2, -1) / math.sqrt(hd)  # (B, H_kv, group, T, S)
        causal = torch.arange(s)[None, :] <= positions[:, None]  # (T, S): key j visible from query p?
        weights = scores.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        out = weights @ v.unsqueeze(2)  # (B, H_kv, group, T, hd)
        out = out.reshape(b, self.n_heads, t, hd).transpose(1, 2).reshape(b, t, self.n_heads * hd)
        return self.o(out), (weights.reshape(b, self.n_heads, t, s) if return_weights else None)


    def _check_inputs(self, x: object, positions: object, cache: object) -> None:
        """x (B, T, d_model) floating; cache a LayerKVCache of the same batch, or None; positions None
        or exactly S0..S0+T-1 (the causal mask takes key j to sit at position j)."""
        check_tensor(x, "x", ndim=3, floating=True)
        b, t, d = x.shape
        if d != self.d_model:
            raise ValueError(f"x must be (B, T, d_model={self.d_model}), got shape {tuple(x.shape)}")
        if cache is not None and not isinstance(cache, LayerKVCache):
            raise TypeError(f"cache must be a LayerKVCache or None, got {show(cache)}")
        if cache is not None and cache.k is not None and cache.k.shape[0] != b:
            raise ValueError(f"the cache holds a batch of {cache.k.shape[0]} sequences but x has {b}")
        if positions is not None:
            start = 0 if cache is None else len(cache)
            check_tensor(positions, "positions", ndim=1, floating=False)
            if not torch.equal(positions.to(torch.long), torch.arange(start, start + t)):
                raise ValueError(f"positions must be {start}..{start + t - 1} (after the {start} cached positions), "
                                 f"got {show(positions.tolist())}")


def repeat_kv(x: torch.Tensor, n_rep: int) -> torch.Tensor:
    """(B, H_kv, S, hd) -> (B, H_kv * n_rep, S, hd): each KV head copied for the query heads it serves.

    The reference way to run grouped-query attention with an ordinary multi-head kernel.
    """
    check_tensor(x, "x", ndim=4)
    check_positive_int(n_rep, "n_rep")
    return x.repeat_interleave(n_rep, dim=1)
