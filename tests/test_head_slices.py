"""helpers.head_slices.zero_head_slices: switching heads off before the output projection W^O.

Reference: zeroing a head's slice of the input equals zeroing that head's d_head columns of
``W^O.weight`` (an edited copy of the layer); the hook is gone after the block, also after an
error; the caller's input tensor is not changed.
"""

from __future__ import annotations

import pytest
import torch
from bad_inputs import check, params
from torch import nn

from helpers.head_slices import check_head_slices, zero_head_slices

D_HEAD, N_HEADS, D_MODEL = 4, 3, 5


def projection(seed: int = 0) -> nn.Linear:
    torch.manual_seed(seed)
    return nn.Linear(N_HEADS * D_HEAD, D_MODEL)


def zeroed_columns(proj: nn.Linear, heads: list[int]) -> nn.Linear:
    edited = nn.Linear(proj.in_features, proj.out_features)
    with torch.no_grad():
        edited.weight.copy_(proj.weight)
        edited.bias.copy_(proj.bias)
        for h in heads:
            edited.weight[:, h * D_HEAD : (h + 1) * D_HEAD] = 0
    return edited


@pytest.mark.parametrize("heads", [[0], [2], [0, 2], [1, 0, 2]])
def test_equals_zeroed_weight_columns(heads):
    proj, x = projection(), torch.randn(2, 7, N_HEADS * D_HEAD)
    before = x.clone()
    with zero_head_slices(proj, heads, D_HEAD):
        hooked = proj(x)
    assert torch.allclose(hooked, zeroed_columns(proj, heads)(x), atol=1e-6)
    assert not torch.allclose(hooked, proj(x), atol=1e-6)
    assert torch.equal(x, before)  # the caller's tensor is untouched


def test_no_heads_changes_nothing_and_hook_is_removed():
    proj, x = projection(), torch.randn(3, N_HEADS * D_HEAD)
    plain = proj(x)
    with zero_head_slices(proj, [], D_HEAD) as same:
        assert same is proj
        assert torch.equal(proj(x), plain)
    with zero_head_slices(proj, [1], D_HEAD):
        assert not torch.equal(proj(x), plain)
    assert torch.equal(proj(x), plain)
    assert not proj._forward_pre_hooks


def test_hook_removed_after_an_error():
    proj = projection()
    with pytest.raises(RuntimeError, match="boom"), zero_head_slices(proj, [0, 1], D_HEAD):
        raise RuntimeError("boom")
    assert not proj._forward_pre_hooks


def test_only_the_slice_is_zeroed():
    """The input W^O receives: the chosen head's channels zero, all others as given."""
    proj, x, seen = projection(), torch.randn(2, N_HEADS * D_HEAD), []
    with zero_head_slices(proj, [1], D_HEAD):
        watch = proj.register_forward_pre_hook(lambda module, args: seen.append(args[0]))  # runs after
        proj(x)
        watch.remove()
    assert torch.equal(seen[0][:, D_HEAD : 2 * D_HEAD], torch.zeros(2, D_HEAD))
    assert torch.equal(seen[0][:, :D_HEAD], x[:, :D_HEAD])
    assert torch.equal(seen[0][:, 2 * D_HEAD :], x[:, 2 * D_HEAD :])


def test_checked_heads_are_plain_ints():
    assert check_head_slices(projection(), (2, 0), D_HEAD) == [2, 0]


P = projection()
CASES = [
    ("projection not a Linear", lambda: zero_head_slices(nn.ReLU(), [0], D_HEAD).__enter__(), TypeError, "projection"),
    ("projection a tensor", lambda: zero_head_slices(P.weight, [0], D_HEAD).__enter__(), TypeError, "projection"),
    ("d_head zero", lambda: zero_head_slices(P, [0], 0).__enter__(), ValueError, "d_head"),
    ("d_head float", lambda: zero_head_slices(P, [0], 4.0).__enter__(), ValueError, "d_head"),
    ("d_head not a divisor", lambda: zero_head_slices(P, [0], 5).__enter__(), ValueError, "d_head"),
    ("heads an int", lambda: zero_head_slices(P, 1, D_HEAD).__enter__(), TypeError, "heads"),
    ("heads a tensor", lambda: zero_head_slices(P, torch.tensor([1]), D_HEAD).__enter__(), TypeError, "heads"),
    ("head a float", lambda: zero_head_slices(P, [1.0], D_HEAD).__enter__(), TypeError, "heads"),
    ("head a bool", lambda: zero_head_slices(P, [True], D_HEAD).__enter__(), TypeError, "heads"),
    ("head too big", lambda: zero_head_slices(P, [N_HEADS], D_HEAD).__enter__(), ValueError, "heads"),
    ("head negative", lambda: zero_head_slices(P, [-1], D_HEAD).__enter__(), ValueError, "heads"),
    ("head twice", lambda: zero_head_slices(P, [1, 1], D_HEAD).__enter__(), ValueError, "heads"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)


def test_bad_inputs_leave_no_hook():
    for _, call, exc, _ in CASES:
        with pytest.raises(exc):
            call()
    assert not P._forward_pre_hooks
