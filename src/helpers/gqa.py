"""Multi-head attention in einsum form, and grouped-query attention (GQA) from scratch.

In grouped-query attention (Ainslie et al. 2023) ``n_heads`` query heads share ``n_kv_heads`` key
and value heads: query head ``u`` reads the key/value head ``u // (n_heads // n_kv_heads)``.
Multi-query attention (Shazeer 2019) is the case ``n_kv_heads = 1``; ordinary multi-head
attention is ``n_kv_heads = n_heads``. Only the keys and values shrink, and with them the K/V
cache a decoder keeps while it generates (chapter 12).
"""

from __future__ import annotations

import math

import torch

from ._checks import check_bool, check_int, check_tensor, show


def mha_einsum(
    x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor, w_o: torch.Tensor, n_heads: int
) -> torch.Tensor:
    """Multi-head self-attention written with ``torch.einsum`` (no reshapes of activations).

    Args:
        x: (B, T, d_model) inputs.
        w_q, w_k, w_v, w_o: (d_model, d_model) weights, row-vector convention (``q = x @ w_q``).
        n_heads: h; d_model must be divisible by it.

    Returns:
        (B, T, d_model): ``Concat(head_1..head_h) @ w_o``.
    """
    check_tensor(x, "x", ndim=3, floating=True)
    d = x.shape[-1]
    h = check_int(n_heads, "n_heads", low=1)
    if d % h:
        raise ValueError(f"n_heads must divide d_model = {d}, got {h}")
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v), ("w_o", w_o)):
        check_tensor(w, name, ndim=2, floating=True)
        if tuple(w.shape) != (d, d):
            raise ValueError(f"{name} must have shape ({d}, {d}) for d_model = {d}, got {tuple(w.shape)}")
    dk = d // h
    # weights as (d_model, h, d_k): the columns of head u are w[:, u*dk:(u+1)*dk]
    wq, wk, wv = (w.reshape(d, h, dk) for w in (w_q, w_k, w_v))
    wo = w_o.reshape(h, dk, d)  # the rows of w_o that head u's output meets
    q = torch.einsum("btd,dhk->bhtk", x, wq)
    k = torch.einsum("bsd,dhk->bhsk", x, wk)
    v = torch.einsum("bsd,dhk->bhsk", x, wv)
    scores = torch.einsum("bhtk,bhsk->bhts", q, k) / math.sqrt(dk)
    a = scores.softmax(-1)
    heads = torch.einsum("bhts,bhsk->bhtk", a, v)
    return torch.einsum("bhtk,hkd->btd", heads, wo)  # concat then W^O, in one sum


def grouped_query_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = False) -> torch.Tensor:
    """Scaled dot-product attention with ``n_kv_heads`` key/value heads shared by groups of queries.

    Args:
        q: (B, n_heads, T, d_k) queries.
        k, v: (B, n_kv_heads, S, d_k) keys and values; n_kv_heads must divide n_heads.
        causal: mask the keys after each query (needs T == S).

    Returns:
        (B, n_heads, T, d_k). Query head u uses key/value head ``u // (n_heads // n_kv_heads)``.
    """
    for name, x in (("q", q), ("k", k), ("v", v)):
        check_tensor(x, name, ndim=4, floating=True)
    causal = check_bool(causal, "causal")
    h, h_kv = q.shape[1], k.shape[1]
    if tuple(v.shape) != tuple(k.shape):
        raise ValueError(f"v must have the shape of k {tuple(k.shape)}, got {tuple(v.shape)}")
    if h_kv == 0 or h % h_kv:
        raise ValueError(
            f"k's number of heads ({h_kv}) must divide q's ({h}), got shapes {tuple(q.shape)} and {tuple(k.shape)}"
        )
    if q.shape[0] != k.shape[0] or q.shape[-1] != k.shape[-1]:
        raise ValueError(f"q and k must agree in batch and head width, got {tuple(q.shape)} and {tuple(k.shape)}")
    if causal and q.shape[2] != k.shape[2]:
        raise ValueError(f"causal=True needs as many queries as keys, got {q.shape[2]} and {k.shape[2]}")
    group = h // h_kv
    # (B, h_kv, S, d_k) -> (B, h, S, d_k): each K/V head repeated for the `group` queries using it
    k_rep = k.repeat_interleave(group, dim=1)
    v_rep = v.repeat_interleave(group, dim=1)
    scores = q @ k_rep.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        t = q.shape[2]
        keep = torch.ones(t, t, dtype=torch.bool, device=q.device).tril()
        scores = scores.masked_fill(~keep, float("-inf"))
    return scores.softmax(-1) @ v_rep


def kv_cache_bytes(n_layers: int, n_kv_heads: int, head_dim: int, n_tokens: int, bytes_per_number: int = 2) -> int:
    """Bytes a decoder's K/V cache holds: keys and values, every layer, KV head and token.

    ``2 * n_layers * n_kv_heads * head_dim * n_tokens * bytes_per_number`` (2: keys and values;
    ``bytes_per_number`` 2 for float16/bfloat16, 4 for float32).
    """
    values = [
        check_int(n, name, low=1)
        for n, name in (
            (n_layers, "n_layers"),
            (n_kv_heads, "n_kv_heads"),
            (head_dim, "head_dim"),
            (n_tokens, "n_tokens"),
            (bytes_per_number, "bytes_per_number"),
        )
    ]
    if values[-1] not in (1, 2, 4, 8):
        raise ValueError(f"bytes_per_number must be 1, 2, 4 or 8, got {show(bytes_per_number)}")
    return 2 * math.prod(values)
