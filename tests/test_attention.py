"""Scaled dot-product attention against torch.nn.functional.scaled_dot_product_attention."""

import pytest
import torch
import torch.nn.functional as F

from helpers.attention import scaled_dot_product_attention


def test_matches_pytorch_without_mask():
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 7, 8), torch.randn(2, 3, 7, 4)
    assert torch.allclose(scaled_dot_product_attention(q, k, v), F.scaled_dot_product_attention(q, k, v), atol=1e-5)


def test_matches_pytorch_with_bool_mask():
    q, k, v = torch.randn(2, 6, 8), torch.randn(2, 6, 8), torch.randn(2, 6, 8)
    causal = torch.tril(torch.ones(6, 6, dtype=torch.bool))
    ours, weights = scaled_dot_product_attention(q, k, v, mask=causal, return_weights=True)
    assert torch.allclose(ours, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=1e-5)
    assert torch.allclose(ours, F.scaled_dot_product_attention(q, k, v, attn_mask=causal), atol=1e-5)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 6))
    assert torch.all(weights[:, ~causal] == 0)


def test_fully_masked_row_gives_zeros_not_nan():
    q, k, v = torch.randn(3, 4), torch.randn(3, 4), torch.randn(3, 4)
    mask = torch.ones(3, 3, dtype=torch.bool)
    mask[1] = False
    out, w = scaled_dot_product_attention(q, k, v, mask=mask, return_weights=True)
    assert not torch.isnan(out).any()
    assert torch.all(out[1] == 0) and torch.all(w[1] == 0)


def test_bad_input():
    q = torch.randn(2, 5, 8)
    with pytest.raises(ValueError, match=r"q and k must have the same last dim d_k, got q \(2, 5, 8\) and k \(2, 5, 4\)"):
        scaled_dot_product_attention(q, torch.randn(2, 5, 4), torch.randn(2, 5, 8))
    with pytest.raises(ValueError, match="same number of keys"):
        scaled_dot_product_attention(q, q, torch.randn(2, 4, 8))
    with pytest.raises(TypeError, match="bool tensor"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(5, 5))
    with pytest.raises(ValueError, match=r"mask of shape \(4, 4\) does not broadcast"):
        scaled_dot_product_attention(q, q, q, mask=torch.ones(4, 4, dtype=torch.bool))
    with pytest.raises(TypeError, match="floating-point"):
        scaled_dot_product_attention(q.long(), q, q)
