"""Head ablation of the poem GPT (helpers.head_ablation), chapter 11.

Reference: switching a head off through the hook equals zeroing that head's columns of the output
projection W^O (``c_proj.weight``) in a copy of the weights, and equals a hand-written forward
pass that zeroes the head's slice; with no head off the losses are the model's own.
"""

from __future__ import annotations

import math

import pytest
import torch
from bad_inputs import check, params

from helpers import head_ablation
from helpers.generate import token_log_probs
from helpers.gpt import GPT, GPTConfig


def small_model(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=2, n_head=2, n_embd=16)).eval()


def batch(b: int = 4, t: int = 10, seed: int = 1) -> torch.Tensor:
    return torch.randint(0, 20, (b, t), generator=torch.Generator().manual_seed(seed))


def test_nothing_off_is_the_model():
    model, idx = small_model(), batch()
    assert torch.equal(head_ablation.token_nll(model, idx), -token_log_probs(model, idx))
    _, loss = model(idx[:, :-1], idx[:, 1:])
    assert math.isclose(head_ablation.token_nll(model, idx).mean().item(), loss.item(), rel_tol=1e-6)


@pytest.mark.parametrize("heads", [[(0, 0)], [(1, 1)], [(0, 1), (1, 0)], [(1, 0), (1, 1)]])
def test_hook_equals_zeroed_weights(heads):
    model, idx = small_model(), batch()
    hooked = head_ablation.token_nll(model, idx, heads)
    edited = head_ablation.token_nll(head_ablation.weights_without(model, heads), idx)
    assert torch.allclose(hooked, edited, atol=1e-6)
    assert not torch.allclose(hooked, head_ablation.token_nll(model, idx), atol=1e-6)


def test_hook_equals_hand_forward():
    """A forward pass written out by hand, with head 1 of layer 0 zeroed before c_proj."""
    model, idx = small_model(), batch()
    B, T = idx.shape
    x = model.transformer.wte(idx) + model.transformer.wpe(torch.arange(T))
    with torch.no_grad():
        for layer, block in enumerate(model.transformer.h):
            a, h = block.attn, block.ln_1(x)
            q, k, v = a.c_attn(h).split(16, dim=2)
            q, k, v = (z.view(B, T, 2, 8).transpose(1, 2) for z in (q, k, v))
            att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(8) + a.mask[:T, :T], -1)
            y = (att @ v).transpose(1, 2).reshape(B, T, 16)
            if layer == 0:
                y[..., 8:16] = 0
            x = x + a.c_proj(y)
            x = x + block.mlp(block.ln_2(x))
        logits = model.lm_head(model.transformer.ln_f(x))[:, :-1]
    ref = -torch.log_softmax(logits, -1).gather(-1, idx[:, 1:, None])[..., 0]
    assert torch.allclose(head_ablation.token_nll(model, idx, [(0, 1)]), ref, atol=1e-5)


def test_hooks_removed_and_weights_untouched():
    model, idx = small_model(), batch()
    before = head_ablation.token_nll(model, idx)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    with pytest.raises(RuntimeError):
        with head_ablation.heads_off(model, [(0, 0)]):
            raise RuntimeError("stop")
    head_ablation.weights_without(model, [(0, 0), (1, 1)])
    assert torch.equal(head_ablation.token_nll(model, idx), before)
    assert all(torch.equal(v, state[k]) for k, v in model.state_dict().items())


def test_ablation_effects():
    model, idx = small_model(), batch(6)
    first = torch.zeros(6, 9, dtype=torch.bool)
    first[:, 0] = True
    res = head_ablation.ablation_effects(model, idx, {"all": torch.ones(6, 9, dtype=torch.bool), "first": first})
    assert res.groups == ["all", "first"] and res.delta.shape == (2, 2, 2) == res.se.shape
    base = head_ablation.token_nll(model, idx)
    assert math.isclose(res.base[0].item(), base.mean().item(), rel_tol=1e-6)
    off = head_ablation.token_nll(model, idx, [(1, 0)])
    assert math.isclose(res.delta[1, 0, 0].item(), (off - base).mean().item(), rel_tol=1e-5, abs_tol=1e-7)
    assert math.isclose(res.delta[1, 0, 1].item(), (off - base)[:, 0].mean().item(), rel_tol=1e-5, abs_tol=1e-7)
    # position 0 sees only itself: a layer-0 head there still matters, the standard error is finite
    assert torch.isfinite(res.se).all()


M, IDX = small_model(), batch()
ALL = torch.ones(4, 9, dtype=torch.bool)
CASES = [
    ("model type", lambda: head_ablation.token_nll("gpt", IDX), TypeError, "model"),
    ("heads not a list", lambda: head_ablation.token_nll(M, IDX, 3), TypeError, "heads"),
    ("head not a pair", lambda: head_ablation.token_nll(M, IDX, [(0,)]), TypeError, "heads"),
    ("head float", lambda: head_ablation.token_nll(M, IDX, [(0, 1.0)]), TypeError, "heads"),
    ("layer too big", lambda: head_ablation.token_nll(M, IDX, [(2, 0)]), ValueError, "heads"),
    ("head negative", lambda: head_ablation.weights_without(M, [(0, -1)]), ValueError, "heads"),
    ("head twice", lambda: head_ablation.token_nll(M, IDX, [(0, 1), (0, 1)]), ValueError, "heads"),
    ("idx float", lambda: head_ablation.token_nll(M, IDX.float()), TypeError, "idx"),
    ("idx 1-d", lambda: head_ablation.token_nll(M, IDX[0]), ValueError, "idx"),
    ("groups empty", lambda: head_ablation.ablation_effects(M, IDX, {}), TypeError, "groups"),
    ("groups list", lambda: head_ablation.ablation_effects(M, IDX, [ALL]), TypeError, "groups"),
    ("mask shape", lambda: head_ablation.ablation_effects(M, IDX, {"a": ALL[:, :5]}), ValueError, "groups['a']"),
    ("mask dtype", lambda: head_ablation.ablation_effects(M, IDX, {"a": ALL.int()}), ValueError, "groups['a']"),
    ("mask empty row", lambda: head_ablation.ablation_effects(M, IDX, {"a": ALL & False}), ValueError, "groups['a']"),
    ("one sequence", lambda: head_ablation.ablation_effects(M, IDX[:1], {"a": ALL[:1]}), ValueError, "idx"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)
