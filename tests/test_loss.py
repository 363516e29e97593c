"""Softmax, log-softmax, cross-entropy and perplexity against PyTorch."""

import math

import pytest
import torch
import torch.nn.functional as F

from helpers import loss
from helpers.loss import cross_entropy, log_softmax, logsumexp, perplexity, smoothed_targets, softmax


def test_softmax_and_log_softmax_match_pytorch():
    z = torch.randn(4, 7, 11) * 3
    assert torch.allclose(softmax(z), torch.softmax(z, dim=-1), atol=1e-6)
    assert torch.allclose(log_softmax(z), F.log_softmax(z, dim=-1), atol=1e-5)
    assert torch.allclose(logsumexp(z), torch.logsumexp(z, dim=-1), atol=1e-5)
    assert torch.allclose(softmax(z).sum(-1), torch.ones(4, 7))


def test_five_logit_example():
    z = torch.tensor([2.0, 1.0, 0.1, 3.0, -1.0])
    p = softmax(z)
    assert torch.allclose(p, torch.tensor([0.233, 0.086, 0.035, 0.634, 0.012]), atol=5e-4)
    loss = cross_entropy(z[None], torch.tensor([3]))
    assert abs(loss.item() - 0.4552) < 1e-4
    assert torch.allclose(loss, F.cross_entropy(z[None], torch.tensor([3])))


def test_no_overflow_on_large_logits():
    z = torch.tensor([[1000.0, 0.0], [-1000.0, -1000.0]])
    naive = torch.exp(z) / torch.exp(z).sum(-1, keepdim=True)
    assert torch.isnan(naive).any()  # the naive formula fails ...
    assert torch.allclose(softmax(z), torch.tensor([[1.0, 0.0], [0.5, 0.5]]))  # ... ours does not
    assert torch.allclose(log_softmax(z), F.log_softmax(z, dim=-1))
    assert torch.isfinite(cross_entropy(z, torch.tensor([1, 0]))).all()


def test_all_minus_inf_row():
    z = torch.tensor([[float("-inf"), float("-inf")]])
    assert logsumexp(z).item() == float("-inf")


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
def test_cross_entropy_matches_pytorch(reduction, smoothing):
    torch.manual_seed(0)
    logits = torch.randn(3, 5, 9, dtype=torch.float64, requires_grad=True)
    targets = torch.randint(0, 9, (3, 5))
    targets[0, 3:] = 0  # padding, ignored
    ours = cross_entropy(logits, targets, ignore_index=0, reduction=reduction, label_smoothing=smoothing)
    ref = F.cross_entropy(
        logits.reshape(-1, 9), targets.reshape(-1), ignore_index=0, reduction=reduction, label_smoothing=smoothing
    )
    assert torch.allclose(ours.reshape(-1), ref.reshape(-1))
    (g_ours,) = torch.autograd.grad(ours.sum(), logits)
    (g_ref,) = torch.autograd.grad(ref.sum(), logits)
    assert torch.allclose(g_ours, g_ref)


def test_ignored_positions_change_nothing():
    logits = torch.randn(2, 4, 6, requires_grad=True)
    targets = torch.tensor([[1, 2, 3, 4], [5, 1, 2, 3]])
    padded_logits = torch.cat([logits, torch.randn(2, 3, 6) * 50], dim=1)
    padded_targets = torch.cat([targets, torch.full((2, 3), -100)], dim=1)
    a = cross_entropy(logits, targets)
    b = cross_entropy(padded_logits, padded_targets)
    assert torch.allclose(a, b)
    (ga,) = torch.autograd.grad(a, logits)
    (gb,) = torch.autograd.grad(b, logits)
    assert torch.allclose(ga, gb)


def test_all_ignored_mean_is_nan_like_pytorch():
    logits, targets = torch.randn(3, 4), torch.full((3,), -100)
    assert math.isnan(cross_entropy(logits, targets).item())
    assert math.isnan(F.cross_entropy(logits, targets).item())
    assert cross_entropy(logits, targets, reduction="sum").item() == 0.0


def test_smoothed_targets():
    q = smoothed_targets(torch.tensor([3, 0]), 5, 0.1)
    assert torch.allclose(q.sum(-1), torch.ones(2))
    assert torch.allclose(q[0], torch.tensor([0.02, 0.02, 0.02, 0.92, 0.02]))
    assert torch.equal(smoothed_targets(torch.tensor([1]), 3), torch.tensor([[0.0, 1.0, 0.0]]))


def test_loss_floor_with_smoothing_is_entropy_of_target():
    q = smoothed_targets(torch.tensor([2]), 6, 0.2)
    best = cross_entropy(torch.log(q), torch.tensor([2]), label_smoothing=0.2)  # p = q
    entropy = -(q * q.log()).sum()
    assert torch.allclose(best, entropy)
    assert cross_entropy(torch.tensor([[0.0, 0, 9, 0, 0, 0]]), torch.tensor([2]), label_smoothing=0.2) > best


def test_perplexity():
    assert perplexity(0.0) == 1.0
    assert math.isclose(perplexity(torch.tensor(math.log(37.0))), 37.0, rel_tol=1e-6)
    uniform = cross_entropy(torch.zeros(10, 37), torch.arange(10))
    assert math.isclose(perplexity(uniform), 37.0, rel_tol=1e-5)


def test_bad_input():
    z, y = torch.randn(4, 5), torch.tensor([0, 1, 2, 3])
    with pytest.raises(TypeError, match="logits must be a torch.Tensor, got list"):
        cross_entropy([[1.0, 2.0]], y)
    with pytest.raises(TypeError, match="logits must be a floating-point tensor"):
        softmax(torch.tensor([1, 2, 3]))
    with pytest.raises(ValueError, match=r"logits must have shape \(\.\.\., V\) with V >= 1 classes, got \(\)"):
        log_softmax(torch.tensor(1.0))
    with pytest.raises(TypeError, match="targets must be an integer tensor"):
        cross_entropy(z, y.float())
    with pytest.raises(ValueError, match=r"logits \(4, 5\) needs targets \(4,\), got \(2, 2\)"):
        cross_entropy(z, y.reshape(2, 2))
    with pytest.raises(ValueError, match=r"targets must be in \[0, 5\) or equal ignore_index=-100; found 5"):
        cross_entropy(z, torch.tensor([0, 1, 5, 3]))
    with pytest.raises(ValueError, match="reduction must be one of"):
        cross_entropy(z, y, reduction="average")
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\], got 1.5"):
        cross_entropy(z, y, label_smoothing=1.5)
    with pytest.raises(TypeError, match="label_smoothing must be a float"):
        cross_entropy(z, y, label_smoothing="0.1")
    with pytest.raises(TypeError, match="ignore_index must be an int"):
        cross_entropy(z, y, ignore_index=0.5)
    with pytest.raises(ValueError, match=r"targets must be class ids in \[0, 3\)"):
        smoothed_targets(torch.tensor([3]), 3)
    with pytest.raises(ValueError, match="num_classes must be a positive int"):
        smoothed_targets(torch.tensor([0]), 0)
    with pytest.raises(ValueError, match="a cross-entropy loss is a number >= 0, got -1"):
        perplexity(-1.0)
    with pytest.raises(ValueError, match=r"one mean loss \(a scalar\), got shape \(2,\)"):
        perplexity(torch.tensor([0.1, 0.2]))
    with pytest.raises(TypeError, match="loss must be a number"):
        perplexity("0.5")


def test_entropy_and_kl_against_torch():
    torch.manual_seed(0)
    logits = torch.randn(6, 9) * 2
    target = torch.softmax(torch.randn(6, 9), -1)
    target[0] = torch.nn.functional.one_hot(torch.tensor(3), 9).float()  # a row with zeros
    ref_h = torch.distributions.Categorical(probs=target).entropy()
    assert torch.allclose(loss.entropy(target), ref_h, atol=1e-6)
    ref_kl = torch.nn.functional.kl_div(torch.log_softmax(logits, -1), target, reduction="none").sum(-1)
    assert torch.allclose(loss.kl_divergence(target, logits), ref_kl, atol=1e-5)
    # cross-entropy with a soft target = entropy + KL (PyTorch accepts probabilities as targets)
    ce = torch.nn.functional.cross_entropy(logits, target, reduction="none")
    assert torch.allclose(ce, loss.entropy(target) + loss.kl_divergence(target, logits), atol=1e-5)
    assert loss.kl_divergence(target, torch.log(target.clamp_min(1e-30))).abs().max() < 1e-5
