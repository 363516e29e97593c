"""GPT-2's scaled initialisation (chapter 7, helpers.residual_init) against transformers' GPT2Model."""

import math

import matplotlib.pyplot as plt
import pytest
import torch
from bad_inputs import check, params

from helpers import residual_init


def test_residual_std_is_gpt2s_formula():
    assert residual_init.residual_std(12) == pytest.approx(0.02 / math.sqrt(24))
    assert residual_init.residual_std(1, base_std=0.1) == pytest.approx(0.1 / math.sqrt(2))


@pytest.mark.parametrize("n_layers", [2, 6])
def test_gpt2model_c_proj_std_matches_the_formula_and_ours(n_layers):
    # the reference: transformers' GPT2Model from a GPT2Config (random init, nothing downloaded)
    pytest.importorskip("transformers")
    gpt2 = residual_init.gpt2_reference(n_layers, d_model=64, n_heads=4)
    want = residual_init.residual_std(n_layers, gpt2["initializer_range"])
    assert gpt2["proj_std"] == pytest.approx(want, rel=0.03)
    assert gpt2["other_std"] == pytest.approx(0.02, rel=0.03)
    assert len(gpt2["stream"]) == n_layers
    stack = residual_init.pre_norm_stack(n_layers, scaled=True, seed=1)
    proj = torch.cat([w.flatten() for lay in stack for w in (lay.self_attn.out_proj.weight, lay.ff.linear2.weight)])
    other = torch.cat([w.flatten() for lay in stack for w in (lay.self_attn.q_proj.weight, lay.ff.linear1.weight)])
    assert proj.std().item() == pytest.approx(want, rel=0.03)
    assert other.std().item() == pytest.approx(0.02, rel=0.03)
    assert all(lay.ff.linear2.bias.abs().max() == 0 for lay in stack)
    unscaled = residual_init.pre_norm_stack(n_layers, scaled=False, seed=1)
    assert unscaled[0].self_attn.out_proj.weight.std().item() == pytest.approx(0.02, rel=0.05)


def test_stream_stds_follow_the_layers_and_the_variance_adds_up():
    stack = residual_init.pre_norm_stack(3, scaled=False, seed=0)
    x0 = torch.randn(2, 5, 64) * 0.02
    stds = residual_init.stream_stds(stack, x0)
    x = x0
    with torch.no_grad():
        for lay in stack:
            x = lay(x)
    assert len(stds) == 4 and stds[0] == pytest.approx(x0.std().item()) and stds[-1] == pytest.approx(x.std().item())
    growth = residual_init.stream_growth(depths=[4, 16], seeds=[0, 1])
    assert set(growth) == {(4, False), (4, True), (16, False), (16, True)}

    def added(key):
        return sum(r[-1] ** 2 - r[0] ** 2 for r in growth[key]) / len(growth[key])

    assert 3.0 < added((16, False)) / added((4, False)) < 6.5  # about linear in depth: x4
    assert 0.75 < added((16, True)) / added((4, True)) < 1.33  # scaled: depth-free
    assert growth == residual_init.stream_growth(depths=[4, 16], seeds=[0, 1])  # seeded


def test_plot_stream_growth_draws_one_line_per_run():
    from helpers.plots._phone import figure_violations
    from helpers.plots.residual_init import plot_stream_growth

    growth = {(2, False): [[0.02, 0.03, 0.04]], (2, True): [[0.02, 0.025, 0.026]]}
    fig = plot_stream_growth(growth)
    assert len(fig.axes[0].get_lines()) == 2
    assert figure_violations(fig)[1] == []
    plt.close(fig)
    with pytest.raises(ValueError, match="growth"):
        plot_stream_growth({(2, False): [[0.1, 0.2]]})
    with pytest.raises(TypeError, match="growth"):
        plot_stream_growth([])


CASES = [
    ("residual_std n_layers 0", lambda: residual_init.residual_std(0), ValueError, "n_layers"),
    ("residual_std n_layers bool", lambda: residual_init.residual_std(True), TypeError, "n_layers"),
    ("residual_std base_std 0", lambda: residual_init.residual_std(2, base_std=0.0), ValueError, "base_std"),
    ("stack scaled int", lambda: residual_init.pre_norm_stack(2, scaled=1), TypeError, "scaled"),
    ("stack heads", lambda: residual_init.pre_norm_stack(2, scaled=True, d_model=10, n_heads=4), ValueError, "n_heads"),
    ("stack seed -1", lambda: residual_init.pre_norm_stack(2, scaled=True, seed=-1), ValueError, "seed"),
    ("stream_stds stack list", lambda: residual_init.stream_stds([], torch.zeros(1, 2, 64)), TypeError, "stack"),
    (
        "stream_stds x0 2-D",
        lambda: residual_init.stream_stds(residual_init.pre_norm_stack(1, scaled=True), torch.zeros(2, 64)),
        ValueError,
        "x0",
    ),
    ("growth depths str", lambda: residual_init.stream_growth(depths="12"), TypeError, "depths"),
    ("growth depths 0", lambda: residual_init.stream_growth(depths=[0]), ValueError, "depths"),
    ("growth seeds empty", lambda: residual_init.stream_growth(seeds=[]), ValueError, "seeds"),
    ("growth input_std", lambda: residual_init.stream_growth(input_std=-1.0), ValueError, "input_std"),
    ("gpt2 heads", lambda: residual_init.gpt2_reference(2, d_model=10, n_heads=4), ValueError, "n_heads"),
    ("gpt2 n_layers", lambda: residual_init.gpt2_reference(0), ValueError, "n_layers"),
]


@params(CASES)
def test_bad_inputs(case):
    check(case)
