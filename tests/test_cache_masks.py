"""The causal mask with fewer queries than keys (chapter 5, helpers.cache_masks)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from bad_inputs import check, params
from torch.nn.attention.bias import causal_lower_right, causal_upper_left

from helpers.cache_masks import attend_with_cache, lower_right_causal_mask, upper_left_causal_mask
from helpers.masks import causal_mask
from helpers.mha import MultiHeadAttention


def _weights(n_q: int, n_k: int, mask) -> torch.Tensor:
    """The weights PyTorch's fused attention uses: with V = identity, the output is the weights."""
    q, k = torch.randn(1, 1, n_q, 4), torch.randn(1, 1, n_k, 4)
    return F.scaled_dot_product_attention(q, k, torch.eye(n_k)[None, None], attn_mask=mask)[0, 0]


def test_masks_match_pytorchs_causal_biases():
    torch.manual_seed(0)
    for n_q, n_k in ((1, 1), (1, 4), (2, 5), (3, 3)):
        ours_lr, ours_ul = lower_right_causal_mask(n_q, n_k), upper_left_causal_mask(n_q, n_k)
        assert torch.equal(_weights(n_q, n_k, causal_lower_right(n_q, n_k)) > 0, ours_lr)
        assert torch.equal(_weights(n_q, n_k, causal_upper_left(n_q, n_k)) > 0, ours_ul)
    assert torch.equal(lower_right_causal_mask(4, 4), causal_mask(4))
    assert lower_right_causal_mask(1, 4).all() and upper_left_causal_mask(1, 4).sum() == 1


def test_is_causal_is_top_left():
    torch.manual_seed(0)
    q, k = torch.randn(1, 1, 1, 4), torch.randn(1, 1, 4, 4)
    w = F.scaled_dot_product_attention(q, k, torch.eye(4)[None, None], is_causal=True)[0, 0, 0]
    assert torch.allclose(w, torch.tensor([1.0, 0.0, 0.0, 0.0]))


def test_cached_decoding_equals_the_full_causal_run():
    torch.manual_seed(0)
    mha = MultiHeadAttention(8, 2).eval()
    x = torch.randn(2, 7, 8)
    with torch.no_grad():
        full = mha(x, x, x, causal_mask(7))
        for chunk in (1, 2, 3, 7):
            assert torch.allclose(attend_with_cache(mha, x, chunk), full, atol=1e-6)
        wrong = attend_with_cache(mha, x, 1, align="top_left")
        assert torch.allclose(wrong[:, 0], full[:, 0], atol=1e-6)  # one key: nothing to get wrong
        assert (wrong[:, 1:] - full[:, 1:]).abs().amax() > 1e-2
        assert torch.allclose(attend_with_cache(mha, x, 7, align="top_left"), full, atol=1e-6)


_mha = MultiHeadAttention(8, 2)
BAD = [
    ("lr-zero-q", lambda: lower_right_causal_mask(0, 3), ValueError, "n_queries"),
    ("lr-float-k", lambda: lower_right_causal_mask(1, 3.0), TypeError, "n_keys"),
    ("lr-fewer-keys", lambda: lower_right_causal_mask(3, 2), ValueError, "n_keys"),
    ("ul-zero-k", lambda: upper_left_causal_mask(2, 0), ValueError, "n_keys"),
    ("cache-not-mha", lambda: attend_with_cache(torch.nn.Linear(8, 8), torch.randn(1, 3, 8)), TypeError, "mha"),
    ("cache-2d-x", lambda: attend_with_cache(_mha, torch.randn(3, 8)), ValueError, "x"),
    ("cache-width", lambda: attend_with_cache(_mha, torch.randn(1, 3, 6)), ValueError, "x"),
    ("cache-int-x", lambda: attend_with_cache(_mha, torch.ones(1, 3, 8, dtype=torch.long)), TypeError, "x"),
    ("cache-chunk", lambda: attend_with_cache(_mha, torch.randn(1, 3, 8), chunk=0), ValueError, "chunk"),
    ("cache-align", lambda: attend_with_cache(_mha, torch.randn(1, 3, 8), align="left"), ValueError, "align"),
]


@params(BAD)
def test_bad_inputs(case):
    check(case)
