"""Multi-head attention, written out (the layout of nn.MultiheadAttention, batch first).

    head_i = Attention(X_q W_i^Q, X_k W_i^K, X_v W_i^V)
    MultiHead = Concat(head_1, ..., head_h) W^O

The h heads are computed at once: project to d_model, split the last dim into (h, d_k),
attend per head, concatenate back, and mix with W^O.
"""

from __future__ import annotations

import torch
import torch.nn as nn

from ._checks import check_bool, check_int, check_tensor, show
from .attention import scaled_dot_product_attention


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    """(B, T, d_model) -> (B, n_heads, T, d_k) with d_k = d_model // n_heads."""
    check_tensor(x, "x", ndim=3)
    check_int(n_heads, "n_heads", low=1)
    b, t, d = x.shape
    if d % n_heads:
        raise ValueError(f"x's last dim d_model={d} is not divisible by n_heads={n_heads}")
    return x.view(b, t, n_heads, d // n_heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, n_heads, T, d_k) -> (B, T, n_heads * d_k): the concatenation of the heads."""
    check_tensor(x, "x", ndim=4)
    b, h, t, dk = x.shape
    return x.transpose(1, 2).reshape(b, t, h * dk)


class MultiHeadAttention(nn.Module):
    """Multi-head attention with separate Q, K, V and output projections.

    forward(query (B, T_q, d), key (B, T_k, d), value (B, T_k, d), mask) -> (B, T_q, d).
    ``mask``: bool, True = may attend, broadcastable to (B, h, T_q, T_k).
    After each call, ``self.last_weights`` holds the weights (B, h, T_q, T_k) if
    ``keep_weights`` is True (used by the explorers and alignment plots), ``self.last_scores``
    the raw Q K^T (B, h, T_q, T_k) and ``self.last_values`` the values (B, h, T_k, d_k).
    """

    def __init__(self, d_model: int, n_heads: int, bias: bool = True):
        super().__init__()
        check_int(d_model, "d_model", low=1)
        check_int(n_heads, "n_heads", low=1)
        check_bool(bias, "bias")
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} is not divisible by n_heads={n_heads}")
        self.d_model, self.n_heads, self.d_k = d_model, n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=bias)
        self.k_proj = nn.Linear(d_model, d_model, bias=bias)
        self.v_proj = nn.Linear(d_model, d_model, bias=bias)
        self.out_proj = nn.Linear(d_model, d_model, bias=bias)
        self.keep_weights = False
        self.last_weights: torch.Tensor | None = None
        self.last_scores: torch.Tensor | None = None
        self.last_values: torch.Tensor | None = None

    def _check(self, name: str, x: torch.Tensor) -> None:
        check_tensor(x, name, floating=True)
        if x.dim() != 3 or x.shape[-1] != self.d_model:
            raise ValueError(f"{name} must have shape (batch, T, d_model={self.d_model}), got {tuple(x.shape)}")
        dtype = self.q_proj.weight.dtype
        if x.dtype != dtype:
            raise TypeError(f"{name} has dtype {x.dtype} but the module's weights are {dtype}: convert one of them")

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                mask: torch.Tensor | None = None) -> torch.Tensor:
        for name, x in (("query", query), ("key", key), ("value", value)):
            self._check(name, x)
        if key.shape[:2] != value.shape[:2] or query.shape[0] != key.shape[0]:
            raise ValueError(
                f"query {tuple(query.shape)}, key {tuple(key.shape)} and value {tuple(value.shape)} "
                "must share the batch size, and key and value the length"
            )
        q = split_heads(self.q_proj(query), self.n_heads)
        k = split_heads(self.k_proj(key), self.n_heads)
        v = split_heads(self.v_proj(value), self.n_heads)
        out, weights = scaled_dot_product_attention(q, k, v, mask=mask, return_weights=True)
        if self.keep_weights:
            self.last_weights = weights.detach()
            self.last_scores = (q @ k.transpose(-2, -1)).detach()  # raw Q K^T, before scaling
            self.last_values = v.detach()  # (B, h, T_k, d_k): what the weights average
        return self.out_proj(merge_heads(out))

    def load_from_pytorch(self, ref: nn.MultiheadAttention) -> MultiHeadAttention:
        """Copy the weights of an ``nn.MultiheadAttention`` (same d_model and heads) into this module."""
        if not isinstance(ref, nn.MultiheadAttention):
            raise TypeError(f"ref must be an nn.MultiheadAttention, got {show(ref)}")
        if ref.in_proj_weight is None:
            raise ValueError("ref has separate key/value sizes (kdim, vdim != embed_dim): it has no in_proj_weight "
                             "to copy")
        if ref.embed_dim != self.d_model or ref.num_heads != self.n_heads:
            raise ValueError(
                f"nn.MultiheadAttention has d_model={ref.embed_dim}, heads={ref.num_heads}; "
                f"this module has d_model={self.d_model}, heads={self.n_heads}"
            )
        with torch.no_grad():
            wq, wk, wv = ref.in_proj_weight.chunk(3)
            for proj, w in ((self.q_proj, wq), (self.k_proj, wk), (self.v_proj, wv)):
                proj.weight.copy_(w)
            if ref.in_proj_bias is not None:
                bq, bk, bv = ref.in_proj_bias.chunk(3)
                for proj, b in ((self.q_proj, bq), (self.k_proj, bk), (self.v_proj, bv)):
                    proj.bias.copy_(b)
            self.out_proj.weight.copy_(ref.out_proj.weight)
            if ref.out_proj.bias is not None:
                self.out_proj.bias.copy_(ref.out_proj.bias)
        return self
