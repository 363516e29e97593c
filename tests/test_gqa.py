"""helpers.gqa: einsum multi-head attention and grouped-query attention against PyTorch."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from bad_inputs import check, params

from helpers.gqa import grouped_query_attention, kv_cache_bytes, mha_einsum
from helpers.mha import MultiHeadAttention


def test_einsum_equals_module_and_sdpa():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2, bias=False)
    x = torch.randn(3, 5, 8)
    w = [p.weight.T for p in (mha.q_proj, mha.k_proj, mha.v_proj, mha.out_proj)]
    ours = mha_einsum(x, *w, n_heads=2)
    assert torch.allclose(ours, mha(x, x, x), atol=1e-5)
    q, k, v = ((x @ m).reshape(3, 5, 2, 4).transpose(1, 2) for m in w[:3])
    ref = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(3, 5, 8) @ w[3]
    assert torch.allclose(ours, ref, atol=1e-5)


@pytest.mark.parametrize("h,h_kv", [(9, 3), (4, 1), (4, 4)])
@pytest.mark.parametrize("causal", [False, True])
def test_gqa_equals_sdpa(h, h_kv, causal):
    torch.manual_seed(1)
    q = torch.randn(2, h, 6, 8)
    k, v = torch.randn(2, h_kv, 6, 8), torch.randn(2, h_kv, 6, 8)
    ours = grouped_query_attention(q, k, v, causal=causal)
    ref = F.scaled_dot_product_attention(q, k, v, is_causal=causal, enable_gqa=True)
    assert torch.allclose(ours, ref, atol=1e-5)
    # query head u reads K/V head u // (h // h_kv)
    u = h - 1
    one = F.scaled_dot_product_attention(q[:, u], k[:, u // (h // h_kv)], v[:, u // (h // h_kv)], is_causal=causal)
    assert torch.allclose(ours[:, u], one, atol=1e-5)


def test_kv_cache_bytes():
    assert kv_cache_bytes(30, 3, 64, 2048) == 2 * 30 * 3 * 64 * 2048 * 2
    assert kv_cache_bytes(30, 9, 64, 2048) == 3 * kv_cache_bytes(30, 3, 64, 2048)


W = torch.randn(8, 8)
X = torch.randn(1, 3, 8)
Q4 = torch.randn(1, 4, 3, 8)
BAD = [
    ("x 2-D", lambda: mha_einsum(X[0], W, W, W, W, 2), ValueError, "x"),
    ("heads do not divide", lambda: mha_einsum(X, W, W, W, W, 3), ValueError, "n_heads"),
    ("heads 0", lambda: mha_einsum(X, W, W, W, W, 0), ValueError, "n_heads"),
    ("w_k shape", lambda: mha_einsum(X, W, W[:4], W, W, 2), ValueError, "w_k"),
    ("w_o not tensor", lambda: mha_einsum(X, W, W, W, None, 2), TypeError, "w_o"),
    ("q 3-D", lambda: grouped_query_attention(Q4[0], Q4, Q4), ValueError, "q"),
    ("kv heads do not divide", lambda: grouped_query_attention(Q4, Q4[:, :3], Q4[:, :3]), ValueError, "k"),
    ("v shape", lambda: grouped_query_attention(Q4, Q4[:, :2], Q4[:, :1]), ValueError, "v"),
    ("width", lambda: grouped_query_attention(Q4, Q4[..., :4], Q4[..., :4]), ValueError, "head width"),
    ("causal str", lambda: grouped_query_attention(Q4, Q4, Q4, causal="yes"), TypeError, "causal"),
    (
        "causal T != S",
        lambda: grouped_query_attention(Q4, Q4[:, :, :2], Q4[:, :, :2], causal=True),
        ValueError,
        "causal",
    ),
    ("kv layers 0", lambda: kv_cache_bytes(0, 3, 64, 10), ValueError, "n_layers"),
    ("kv bytes 3", lambda: kv_cache_bytes(30, 3, 64, 10, 3), ValueError, "bytes_per_number"),
    ("kv float tokens", lambda: kv_cache_bytes(30, 3, 64, 10.5), TypeError, "n_tokens"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)
