"""Softmax saturation helpers against autograd and closed forms."""

import math

import pytest
import torch

from helpers.saturation import entropy, saturated_share, softmax_jacobian


def test_jacobian_equals_autograd():
    torch.manual_seed(0)
    for s in (torch.randn(5, dtype=torch.float64), 20 * torch.randn(7, dtype=torch.float64)):
        auto = torch.autograd.functional.jacobian(lambda x: torch.softmax(x, -1), s)
        assert torch.allclose(softmax_jacobian(torch.softmax(s, -1)), auto, atol=1e-12)


def test_jacobian_batched_and_rows_sum_to_zero():
    p = torch.softmax(torch.randn(3, 4, 6), -1)
    j = softmax_jacobian(p)
    assert j.shape == (3, 4, 6, 6)
    assert torch.allclose(j.sum(-1), torch.zeros(3, 4, 6), atol=1e-6)  # weights always sum to 1
    assert torch.allclose(j, j.transpose(-1, -2))


def test_jacobian_vanishes_when_one_hot():
    assert torch.all(softmax_jacobian(torch.tensor([0.0, 1.0, 0.0])) == 0)


def test_entropy_extremes():
    assert entropy(torch.full((8,), 1 / 8)).item() == pytest.approx(math.log(8))
    assert entropy(torch.tensor([0.0, 1.0, 0.0])).item() == 0
    assert entropy(torch.ones(2, 3, 1)).shape == (2, 3)


def test_saturated_share_counts_rows():
    w = torch.tensor([[1.0, 0.0], [0.5, 0.5], [0.995, 0.005], [0.2, 0.8]])
    assert saturated_share(w) == pytest.approx(0.5)
    assert saturated_share(w, threshold=0.7) == pytest.approx(0.75)


def test_saturated_share_skips_rows_with_one_key():
    causal = torch.tril(torch.ones(3, 3, dtype=torch.bool))
    w = torch.softmax(torch.zeros(3, 3).masked_fill(~causal, float("-inf")), -1)
    # row 0 is one-hot only because it has a single key; the other rows are uniform
    assert saturated_share(w, mask=causal) == 0
    assert saturated_share(w) == pytest.approx(1 / 3)


def test_bad_input():
    with pytest.raises(TypeError, match="p must be a torch.Tensor"):
        softmax_jacobian([0.5, 0.5])
    with pytest.raises(TypeError, match="floating-point"):
        entropy(torch.tensor([1, 0]))
    with pytest.raises(ValueError, match=r"in \[0, 1\]"):
        entropy(torch.tensor([2.0, -1.0]))
    with pytest.raises(ValueError, match="T_q, T_k"):
        saturated_share(torch.tensor([0.5, 0.5]))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        saturated_share(torch.full((2, 2), 0.5), threshold=1.5)
    with pytest.raises(TypeError, match="bool tensor"):
        saturated_share(torch.full((2, 2), 0.5), mask=torch.ones(2, 2))
    with pytest.raises(ValueError, match=r"mask of shape \(3, 3\) does not broadcast to weights of shape \(2, 2\)"):
        saturated_share(torch.full((2, 2), 0.5), mask=torch.ones(3, 3, dtype=torch.bool))
    with pytest.raises(ValueError, match="no row has two or more keys"):
        saturated_share(torch.ones(2, 1))
