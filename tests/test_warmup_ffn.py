"""The Adam update-size measurement (chapter 7) and the feed-forward width demo, against references."""

import math

import pytest
import torch

from helpers import ffn_demo, translator, warmup


def test_first_adam_step_moves_every_coordinate_by_the_learning_rate():
    # reference: torch.optim.Adam; by hand, the first update is lr * g / (|g| + eps)
    torch.manual_seed(0)
    w = torch.nn.Parameter(torch.randn(50))
    g = torch.randn(50) * torch.logspace(-4, 1, 50)  # gradients of very different sizes
    w.grad = g.clone()
    before = w.detach().clone()
    opt = torch.optim.Adam([w], lr=0.01, eps=1e-8)
    opt.step()
    expected = -0.01 * g / (g.abs() + 1e-8)
    assert torch.allclose(w.detach() - before, expected, atol=1e-7)
    assert warmup.rms_update([before], [w.detach()]) == pytest.approx(0.01, rel=1e-4)


def test_rms_update():
    a, b = [torch.zeros(3), torch.zeros(1)], [torch.tensor([1.0, 1.0, 1.0]), torch.tensor([3.0])]
    assert warmup.rms_update(a, b) == pytest.approx(math.sqrt((3 + 9) / 4))
    with pytest.raises(ValueError):
        warmup.rms_update([], [])


def test_update_sizes_start_at_one_and_shrink():
    settings = translator.TrainSettings(n_layers=1, batch_size=16, seed=1)
    sizes = warmup.update_sizes(settings, steps=25)
    assert len(sizes) == 25
    # step 1: every coordinate with a gradient moves by lr (a few, such as unused embedding rows, do not)
    assert 0.6 < sizes[0] <= 1.0 + 1e-4
    assert sizes[-1] < 0.8 * sizes[0]
    assert sizes == warmup.update_sizes(settings, steps=25)  # seeded
    with pytest.raises(ValueError):
        warmup.update_sizes(settings, steps=0)


def test_noise_update_sizes_settle_at_the_size_of_averaged_noise():
    sizes = warmup.noise_update_sizes(n_coords=1000, steps=300, seed=0)
    assert sizes[0] == pytest.approx(1.0, rel=1e-3)
    assert sizes[-1] == pytest.approx(math.sqrt(0.1 / 1.9), rel=0.1)
    assert all(b < a for a, b in zip(sizes[:5], sizes[1:5]))


def test_batched_mlp_equals_nn_linear_networks():
    params = ffn_demo.init_mlp(3, 2, 8, seed=0)
    x = torch.randn(3, 20, 2)
    out = ffn_demo.mlp(params, x)
    for k in range(3):  # each model of the batch is an ordinary Linear -> ReLU -> Linear
        net = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.ReLU(), torch.nn.Linear(8, 1))
        with torch.no_grad():
            net[0].weight.copy_(params[0][k].T)
            net[0].bias.copy_(params[1][k, 0])
            net[2].weight.copy_(params[2][k].T)
            net[2].bias.copy_(params[3][k, 0])
            assert torch.allclose(net(x[k])[:, 0], out[k], atol=1e-6)


def test_checkerboard_and_width():
    x, y = ffn_demo.checkerboard(500, seed=0)
    assert x.shape == (500, 2) and set(y.tolist()) == {0.0, 1.0}
    assert x.abs().max() <= 1.5 and 0.3 < y.mean() < 0.7
    linear = ffn_demo.fit_checkerboard(32, relu=False, seeds=(0, 1), steps=150)
    wide = ffn_demo.fit_checkerboard(32, relu=True, seeds=(0, 1), steps=150)
    assert max(linear) < 0.65 < min(wide)
    with pytest.raises(ValueError):
        ffn_demo.checkerboard(0, seed=0)


def test_fit_checkerboard_models_returns_the_same_accuracies_and_the_trained_weights():
    accs, params = ffn_demo.fit_checkerboard_models(8, relu=True, seeds=(0, 1), steps=50)
    assert accs == ffn_demo.fit_checkerboard(8, relu=True, seeds=(0, 1), steps=50)
    assert [tuple(p.shape) for p in params] == [(2, 2, 8), (2, 1, 8), (2, 8, 1), (2, 1, 1)]
    assert not any(p.requires_grad for p in params)
    # the regions on a fine grid score about what the test points score (uniform points)
    board = ffn_demo.board_colours(resolution=200)
    for k in range(2):
        regions = ffn_demo.decision_regions(params, relu=True, model=k, resolution=200)
        assert regions.shape == (200, 200) and set(regions.unique().tolist()) <= {0.0, 1.0}
        assert abs((regions == board).float().mean().item() - accs[k]) < 0.05


def test_board_colours_match_checkerboard_and_regions_refuse_bad_inputs():
    board = ffn_demo.board_colours(resolution=3)
    assert board.tolist() == [[0.0, 1.0, 0.0], [1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]
    x, y = ffn_demo.checkerboard(200, seed=0)
    fine = ffn_demo.board_colours(resolution=300)
    col = ((x[:, 0] + 1.5) / 3 * 300).long().clamp(0, 299)
    row = ((x[:, 1] + 1.5) / 3 * 300).long().clamp(0, 299)
    assert (fine[row, col] == y).float().mean() > 0.98  # up to points on a border
    params = ffn_demo.init_mlp(2, 2, 4, seed=0)
    with pytest.raises(ValueError, match="model"):
        ffn_demo.decision_regions(params, relu=True, model=2)
    with pytest.raises(ValueError, match="params"):
        ffn_demo.decision_regions(params[:3], relu=True)
    with pytest.raises(ValueError, match="resolution"):
        ffn_demo.board_colours(resolution=1)


def test_plot_adam_updates_draws_and_refuses_bad_inputs():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots.adam_updates import plot_adam_updates

    fig = plot_adam_updates([1.0, 0.5, 0.3], [[1.0, 0.8], [0.9, 0.7]], warmup=2, settle=0.25)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "pure-noise gradient", "translator (2 seeds)", "noise × warm-up over 2", "average of noise (theory)"
    ]
    plt.close(fig)
    bad = [
        (([], [[1.0]], 2, 0.2), ValueError, "noise"),
        (([1.0], [], 2, 0.2), ValueError, "translator_runs"),
        (([1.0], [[]], 2, 0.2), ValueError, "translator_runs[0]"),
        (([1.0], [[float("nan")]], 2, 0.2), ValueError, "translator_runs[0][0]"),
        (([1.0], [[1.0]], 0, 0.2), ValueError, "warmup"),
        (([1.0], [[1.0]], 2.5, 0.2), TypeError, "warmup"),
        (([1.0], [[1.0]], 2, "0.2"), TypeError, "settle"),
        (("1.0", [[1.0]], 2, 0.2), TypeError, "noise"),
    ]
    for args, exc, fragment in bad:
        with pytest.raises(exc, match=fragment.replace("[", r"\[").replace("]", r"\]")):
            plot_adam_updates(*args)


@pytest.mark.filterwarnings("ignore:Glyph .* missing from font")  # the text is checked, not drawn
def test_plot_adam_updates_speaks_the_editions_language(monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from helpers.plots.adam_updates import plot_adam_updates

    monkeypatch.setenv("BOOK_LANGUAGE", "en")
    ax = plot_adam_updates([1.0, 0.5], [[1.0, 0.8]], warmup=50, settle=0.25).axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()][1] == "translator (1 seed)"
    monkeypatch.setenv("BOOK_LANGUAGE", "zh_CN")
    ax = plot_adam_updates([1.0, 0.5], [[1.0, 0.8], [0.9, 0.7]], warmup=50, settle=0.25).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["纯噪声梯度", "翻译模型（2 个随机种子）", "纯噪声，加 50 步预热", "噪声平均值（理论）"]
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("步", "更新量（均方根）/ 峰值学习率")
    plt.close("all")
