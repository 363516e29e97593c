"""Sinusoidal encoding against the paper's formula; the offset map; RoPE against complex numbers."""

import math

import pytest
import torch

from helpers.positional import apply_rope, offset_matrix, sinusoidal_encoding


def test_sinusoidal_matches_formula():
    pe = sinusoidal_encoding(50, 12)
    for p in range(50):
        for i in range(6):
            w = 1 / 10000 ** (2 * i / 12)
            assert math.isclose(pe[p, 2 * i].item(), math.sin(p * w), abs_tol=1e-6)
            assert math.isclose(pe[p, 2 * i + 1].item(), math.cos(p * w), abs_tol=1e-6)


@pytest.mark.parametrize("k", [1, 3, 17])
def test_offset_is_a_fixed_linear_map(k):
    pe = sinusoidal_encoding(300, 32)
    m = offset_matrix(k, 32)
    assert torch.allclose(pe[:-k] @ m.T, pe[k:], atol=1e-4)
    assert torch.allclose(m @ m.T, torch.eye(32), atol=1e-5)


def rope_complex(x):
    t, d = x.shape[-2], x.shape[-1]
    omega = 10000 ** (-torch.arange(0, d, 2, dtype=torch.float64) / d)
    rot = torch.polar(torch.ones(t, d // 2, dtype=torch.float64), torch.arange(t)[:, None] * omega)
    z = torch.view_as_complex(x.double().reshape(*x.shape[:-1], d // 2, 2).contiguous())
    return torch.view_as_real(z * rot).reshape(x.shape).to(x.dtype)


def test_rope_matches_complex_reference():
    x = torch.randn(3, 2, 9, 16)
    assert torch.allclose(apply_rope(x), rope_complex(x), atol=1e-5)


def test_rope_scores_depend_only_on_offset():
    q, k = torch.randn(8), torch.randn(8)
    qs, ks = apply_rope(q.expand(40, 8).clone()), apply_rope(k.expand(40, 8).clone())
    scores = torch.stack([qs[m] @ ks[m + 5] for m in range(30)])
    assert (scores - scores[0]).abs().max() < 1e-4


def test_bad_input():
    with pytest.raises(ValueError, match="d_model must be even"):
        sinusoidal_encoding(4, 5)
    with pytest.raises(ValueError, match="n_positions must be a positive int"):
        sinusoidal_encoding(0, 4)
    with pytest.raises(ValueError, match="positions has 3 entries but x has T=4"):
        apply_rope(torch.randn(4, 8), positions=torch.arange(3))
    with pytest.raises(TypeError, match="floating-point"):
        apply_rope(torch.ones(4, 8, dtype=torch.long))
