"""Optimizers, schedule and clipping from scratch: equal to torch.optim, its schedulers and clip_grad_norm_."""

import math

import pytest
import torch

from helpers import optim


def make_params(seed=0):
    torch.manual_seed(seed)
    return [torch.randn(4, 3, dtype=torch.float64, requires_grad=True),
            torch.randn(3, dtype=torch.float64, requires_grad=True),
            torch.randn(2, dtype=torch.float64, requires_grad=True)]  # gets no gradient


def loss_fn(ps):
    torch.manual_seed(123)
    x, y = torch.randn(16, 4, dtype=torch.float64), torch.randn(16, 3, dtype=torch.float64)
    return ((x @ ps[0] + ps[1] - y) ** 2).mean()


def run(make, steps=10, lrs=None):
    ps = make_params()
    opt = make(ps)
    for i in range(steps):
        opt.zero_grad()
        loss_fn(ps).backward()
        if lrs is not None:
            if isinstance(opt, optim.Optimizer):
                opt.lr = lrs[i]
            else:
                opt.param_groups[0]["lr"] = lrs[i]
        opt.step()
    return ps


CASES = {
    "sgd": (lambda ps: optim.SGD(ps, lr=0.05), lambda ps: torch.optim.SGD(ps, lr=0.05)),
    "momentum": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9),
                 lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    "momentum+wd": (lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1),
                    lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, weight_decay=0.1)),
    "adam": (lambda ps: optim.Adam(ps, lr=0.01), lambda ps: torch.optim.Adam(ps, lr=0.01)),
    "adam+l2": (lambda ps: optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1),
                lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), weight_decay=0.1)),
    "adamw": (lambda ps: optim.AdamW(ps, lr=0.01), lambda ps: torch.optim.AdamW(ps, lr=0.01)),
    "adamw+wd": (lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.5, eps=1e-6),
                 lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.5, eps=1e-6)),
}


@pytest.mark.parametrize("name", CASES)
def test_equal_to_torch_optim(name):
    ours, theirs = CASES[name]
    for a, b in zip(run(ours), run(theirs)):
        assert torch.allclose(a, b, atol=1e-12, rtol=0), (name, (a - b).abs().max())


def test_equal_with_a_changing_learning_rate():
    lrs = [optim.warmup_cosine(s, 10, 3, 0.02, 0.002) for s in range(10)]
    for a, b in zip(run(CASES["adamw+wd"][0], lrs=lrs), run(CASES["adamw+wd"][1], lrs=lrs)):
        assert torch.allclose(a, b, atol=1e-12, rtol=0)


def test_params_without_gradient_stay_put_and_loss_falls():
    before = make_params()[2].clone()
    ps = run(CASES["adam"][0], steps=50)
    assert torch.equal(ps[2].detach(), before)
    assert loss_fn(ps) < loss_fn(make_params())


def test_adamw_differs_from_adam_with_l2():
    a = run(lambda ps: optim.Adam(ps, lr=0.01, weight_decay=0.5))
    b = run(lambda ps: optim.AdamW(ps, lr=0.01, weight_decay=0.5))
    assert not torch.allclose(a[0], b[0])


def test_first_adam_step_moves_each_parameter_by_lr():
    ps = make_params()
    loss_fn(ps).backward()
    before = [p.detach().clone() for p in ps[:2]]
    optim.Adam(ps, lr=0.01).step()
    for p, b in zip(ps[:2], before):
        assert torch.allclose((p.detach() - b).abs(), torch.full_like(b, 0.01), rtol=1e-5)


def test_optimizer_bad_input():
    p = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="empty list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(ValueError, match=r"parameter 0 \(shape \(2,\)\) does not require grad"):
        optim.SGD([torch.zeros(2)], lr=0.1)
    with pytest.raises(TypeError, match="parameter 0 must be a torch.Tensor, got list"):
        optim.Adam([[1.0]], lr=0.1)
    with pytest.raises(ValueError, match="lr must be a positive number, got -1"):
        optim.Adam([p], lr=-1)
    with pytest.raises(ValueError, match=r"momentum must be in \[0, 1\), got 1.5"):
        optim.SGD([p], lr=0.1, momentum=1.5)
    with pytest.raises(ValueError, match="betas must be two numbers"):
        optim.Adam([p], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="eps must be > 0"):
        optim.AdamW([p], eps=0)
    with pytest.raises(ValueError, match="weight_decay must be >= 0"):
        optim.AdamW([p], weight_decay=-0.1)


# --- schedule --------------------------------------------------------------------------------
@pytest.mark.parametrize("total, warmup, min_lr", [(50, 10, 0.1), (20, 1, 0.0), (7, 3, 0.5)])
def test_warmup_cosine_equals_pytorch_schedulers(total, warmup, min_lr):
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=1.0)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, [
        torch.optim.lr_scheduler.LinearLR(opt, 1 / warmup, 1.0, total_iters=warmup - 1),
        torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=total - warmup, eta_min=min_lr),
    ], milestones=[warmup])
    for step in range(total):
        assert math.isclose(optim.warmup_cosine(step, total, warmup, 1.0, min_lr), opt.param_groups[0]["lr"],
                            abs_tol=1e-12), step
        opt.step()
        sched.step()


def test_warmup_cosine_shape():
    lrs = [optim.warmup_cosine(s, 100, 10, 1.0, 0.1) for s in range(120)]
    assert lrs[0] == pytest.approx(0.1) and lrs[9] == pytest.approx(1.0) and lrs[10] == pytest.approx(1.0)
    assert all(a >= b for a, b in zip(lrs[10:], lrs[11:]))
    assert lrs[100] == pytest.approx(0.1) and lrs[119] == pytest.approx(0.1)  # stays at the floor


def test_warmup_cosine_bad_input():
    with pytest.raises(ValueError, match="warmup_steps=10 must be smaller than total_steps=10"):
        optim.warmup_cosine(0, 10, 10, 1.0)
    with pytest.raises(ValueError, match="step must be an int >= 0, got -1"):
        optim.warmup_cosine(-1, 10, 2, 1.0)
    with pytest.raises(ValueError, match="min_lr=2.0, peak_lr=1.0"):
        optim.warmup_cosine(0, 10, 2, 1.0, 2.0)


# --- clipping --------------------------------------------------------------------------------
@pytest.mark.parametrize("max_norm", [0.01, 1.0, 1e3])
def test_clip_equals_clip_grad_norm_(max_norm):
    a, b = make_params(), make_params()
    for ps in (a, b):
        loss_fn(ps).backward()
    norm_ours = optim.clip_grad_norm(a, max_norm)
    norm_ref = torch.nn.utils.clip_grad_norm_(b, max_norm)
    assert torch.allclose(norm_ours, norm_ref)
    for p, q in zip(a[:2], b[:2]):
        assert torch.allclose(p.grad, q.grad, atol=1e-15)
    total = torch.cat([p.grad.flatten() for p in a[:2]]).norm()
    assert total <= max_norm * (1 + 1e-6) or max_norm > norm_ref


def test_clip_bad_input_and_no_grads():
    p = torch.zeros(2, requires_grad=True)
    with pytest.raises(ValueError, match="max_norm must be > 0, got 0"):
        optim.clip_grad_norm([p], 0)
    assert optim.clip_grad_norm([p], 1.0) == 0.0
