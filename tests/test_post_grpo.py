"""GRPO and the rewards (chapter 13): advantages, the clipped loss's gradient, the KL estimate."""

from __future__ import annotations

import pytest
import torch

from helpers.post import grpo, rewards
from helpers.post.chat import Request


def test_group_advantages_standardise_each_group():
    r = torch.tensor([[1.0, 0.0, 0.0, 1.0], [1.0, 1.0, 1.0, 1.0], [0.0, 0.25, 0.5, 1.0]])
    a = grpo.group_advantages(r)
    for row, got in zip(r, a):
        expect = (row - row.mean()) / (row.std(unbiased=True) + 1e-4)
        torch.testing.assert_close(got, expect)
    assert torch.all(a[1] == 0)  # a group that scores alike teaches nothing
    torch.testing.assert_close(a.sum(1), torch.zeros(3), atol=1e-5, rtol=0)
    with pytest.raises(ValueError, match="rewards"):
        grpo.group_advantages(torch.ones(4))


def _batch(seed=0, B=5, n=7):
    g = torch.Generator().manual_seed(seed)
    logp_old = -3 * torch.rand(B, n, generator=g, dtype=torch.float64)
    logp_ref = logp_old + 0.3 * torch.randn(B, n, generator=g, dtype=torch.float64)
    adv = torch.randn(B, generator=g, dtype=torch.float64)
    mask = torch.ones(B, n, dtype=torch.float64)
    mask[0, 4:] = 0
    mask[3, 2:] = 0
    return logp_old, logp_ref, adv, mask


def test_on_policy_gradient_is_the_policy_gradient():
    """At ratio 1 with beta 0, grad of the loss = -mean_i A_i * mean_t grad ln pi(y_t) (REINFORCE)."""
    logp_old, logp_ref, adv, mask = _batch()
    logp = logp_old.clone().requires_grad_(True)
    loss, _ = grpo.grpo_loss(logp, logp_old, logp_ref, adv, mask, clip_eps=0.2, beta=0.0)
    loss.backward()
    B = logp.size(0)
    expect = -(adv[:, None] * mask / mask.sum(1, keepdim=True)) / B
    torch.testing.assert_close(logp.grad, expect)


def test_clip_stops_the_gradient_outside_the_range():
    logp_old, logp_ref, _, mask = _batch(1)
    adv = torch.tensor([1.0, -1.0, 1.0, -1.0, 1.0], dtype=torch.float64)
    shift = torch.tensor([0.5, -0.5, -0.5, 0.5, 0.05], dtype=torch.float64)[:, None]  # log-ratios
    logp = (logp_old + shift).requires_grad_(True)
    loss, stats = grpo.grpo_loss(logp, logp_old, logp_ref, adv, mask, clip_eps=0.2, beta=0.0)
    loss.backward()
    # rows 0 and 1: ratio beyond the clip in the direction the advantage pushes -> no gradient
    assert torch.all(logp.grad[:2] == 0)
    # rows 2 and 3: ratio beyond the clip in the other direction -> the unclipped term, gradient flows
    assert torch.all(logp.grad[2:4][mask[2:4].bool()] != 0)
    assert torch.all(logp.grad[4][mask[4].bool()] != 0)  # row 4 inside the range
    assert 0 < stats["clipped"] < 1


def test_k3_estimates_the_kl_divergence():
    g = torch.Generator().manual_seed(0)
    p = torch.softmax(torch.randn(10, generator=g, dtype=torch.float64), 0)
    q = torch.softmax(torch.randn(10, generator=g, dtype=torch.float64), 0)
    x = torch.multinomial(p, 200_000, replacement=True, generator=g)
    log_ratio = torch.log(q[x]) - torch.log(p[x])
    k3 = torch.exp(log_ratio) - log_ratio - 1
    exact = torch.distributions.kl_divergence(torch.distributions.Categorical(p), torch.distributions.Categorical(q))
    assert k3.mean().item() == pytest.approx(exact.item(), rel=0.02)
    assert torch.all(k3 >= 0)
    # the KL part of the loss: with A = 0 the loss is beta * the mean k3
    lp, lr = torch.log(p[x[:50]])[None], torch.log(q[x[:50]])[None]
    loss, stats = grpo.grpo_loss(lp, lp, lr, torch.zeros(1, dtype=torch.float64), torch.ones_like(lp), beta=0.5)
    assert loss.item() == pytest.approx(0.5 * stats["kl"], rel=1e-9)


def test_grpo_loss_checks_its_arguments():
    logp_old, logp_ref, adv, mask = _batch()
    with pytest.raises(ValueError, match="one shape"):
        grpo.grpo_loss(logp_old[:, :3], logp_old, logp_ref, adv, mask)
    with pytest.raises(ValueError, match="advantages"):
        grpo.grpo_loss(logp_old, logp_old, logp_ref, adv[:2], mask)
    with pytest.raises(ValueError, match="clip_eps"):
        grpo.grpo_loss(logp_old, logp_old, logp_ref, adv, mask, clip_eps=1.5)


def test_rewards():
    req = Request("quatrain5", "床")
    poem = "床前明月光，疑是地上霜。举头望明月，低头思故乡。"
    assert rewards.form_reward(poem, req) == 1.0
    assert rewards.form_reward(poem, Request("quatrain7", "床")) == 0.0  # wrong form
    assert rewards.form_reward(poem, Request("quatrain5", "春")) == 0.0  # wrong first character
    assert rewards.form_reward(poem[:-1], req) == 0.0  # last mark missing
    assert rewards.punctuation_reward(poem, req) == pytest.approx(4 / 24)
    hacked = "床，月。" * 6
    assert rewards.punctuation_reward(hacked, req) == 0.5 > rewards.punctuation_reward(poem, req)
    assert rewards.form_reward(hacked, req) == 0.0
    assert rewards.punctuation_reward("", req) == 0.0
    with pytest.raises(TypeError, match="request"):
        rewards.form_reward(poem, "quatrain5")
