"""The causal mask when queries are fewer than keys: a KV cache (chapter 5).

With a KV cache, a decoding step has only the newest ``n_q`` queries but reads all ``n_k`` keys
(the cached ones and its own). The newest query is the LAST position, so it must see every key:
the causal triangle is aligned to the **bottom right** of the (n_q, n_k) grid,

    key j visible from query i  iff  j <= i + (n_k - n_q).

``F.scaled_dot_product_attention(..., is_causal=True)`` instead aligns it to the **top left**
(``tril(ones(n_q, n_k))``: query 0 sees key 0 only), which is right only when n_q == n_k.
PyTorch offers the bottom-right version as ``torch.nn.attention.bias.causal_lower_right``.

* ``lower_right_causal_mask(n_q, n_k)``, ``upper_left_causal_mask(n_q, n_k)``: (n_q, n_k) bool;
* ``attend_with_cache(mha, x, chunk, align)``: run the book's ``MultiHeadAttention`` as causal
  self-attention over x, ``chunk`` new positions at a time, with a growing cache of keys/values.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch.nn.attention.bias import causal_lower_right

from ._checks import check_int, check_tensor
from .mha import MultiHeadAttention, merge_heads, split_heads

ALIGNS = ("bottom_right", "top_left")


def lower_right_causal_mask(n_queries: int, n_keys: int, device: torch.device | None = None) -> torch.Tensor:
    """(n_queries, n_keys) bool, True where key <= query + (n_keys - n_queries): the queries are
    the LAST n_queries positions of the sequence. Needs n_keys >= n_queries."""
    check_int(n_queries, "n_queries", low=1)
    check_int(n_keys, "n_keys", low=1)
    if n_keys < n_queries:
        raise ValueError(
            f"n_keys={n_keys} must be >= n_queries={n_queries}: the queries are the last "
            "positions and every one of them is also a key"
        )
    return torch.tril(torch.ones(n_queries, n_keys, dtype=torch.bool, device=device), diagonal=n_keys - n_queries)


def upper_left_causal_mask(n_queries: int, n_keys: int, device: torch.device | None = None) -> torch.Tensor:
    """(n_queries, n_keys) bool, True where key <= query: what ``is_causal=True`` applies."""
    check_int(n_queries, "n_queries", low=1)
    check_int(n_keys, "n_keys", low=1)
    return torch.tril(torch.ones(n_queries, n_keys, dtype=torch.bool, device=device))


def attend_with_cache(
    mha: MultiHeadAttention, x: torch.Tensor, chunk: int = 1, align: str = "bottom_right"
) -> torch.Tensor:
    """Causal self-attention of ``mha`` over x, fed ``chunk`` positions at a time with a KV cache.

    x: (B, T, d_model) -> (B, T, d_model). Each step projects only the new positions, appends their
    keys and values to the cache, and attends with PyTorch's fused attention: ``align =
    "bottom_right"`` passes ``causal_lower_right(n_new, n_cached + n_new)`` (correct: equals
    ``mha(x, x, x, causal_mask(T))``); ``"top_left"`` passes ``is_causal=True`` (wrong as soon as
    keys outnumber queries).
    """
    if not isinstance(mha, MultiHeadAttention):
        raise TypeError(f"mha must be a helpers.mha.MultiHeadAttention, got {type(mha).__name__}")
    check_tensor(x, "x", ndim=3, floating=True)
    if x.shape[-1] != mha.d_model:
        raise ValueError(f"x must have shape (batch, T, d_model={mha.d_model}), got {tuple(x.shape)}")
    check_int(chunk, "chunk", low=1)
    if align not in ALIGNS:
        raise ValueError(f"align must be one of {ALIGNS}, got {align!r}")
    keys, values, outputs = [], [], []
    for start in range(0, x.shape[1], chunk):
        new = x[:, start : start + chunk]  # (B, n_new, d): only the new positions are projected
        q = split_heads(mha.q_proj(new), mha.n_heads)  # (B, h, n_new, d_k)
        keys.append(split_heads(mha.k_proj(new), mha.n_heads))
        values.append(split_heads(mha.v_proj(new), mha.n_heads))
        k, v = torch.cat(keys, dim=2), torch.cat(values, dim=2)  # (B, h, n_cached + n_new, d_k)
        if align == "top_left":
            out = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        else:
            out = F.scaled_dot_product_attention(q, k, v, attn_mask=causal_lower_right(q.shape[2], k.shape[2]))
        outputs.append(mha.out_proj(merge_heads(out)))
    return torch.cat(outputs, dim=1)
