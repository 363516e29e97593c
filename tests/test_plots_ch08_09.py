"""Chapters 8 and 9's figures: what they draw, that every text stays readable on a phone, and that
bad inputs fail with a message naming the argument.

The phone rule (helpers.plots._phone): a figure shown W inches wide needs every text at
>= 2.2 * W points (11 px on a 390-px phone).
"""

from __future__ import annotations

import math

import matplotlib

matplotlib.use("Agg")

import pytest
import torch

from helpers.plots._phone import figure_violations
from helpers.plots.backprop_figures import (
    plot_gradient_flow,
    plot_live_training,
    plot_logit_gradient,
    plot_mask_gradients,
    plot_schedule,
)
from helpers.plots.bowl import plot_bowl_paths
from helpers.plots.compute_graph import draw_gate_patterns, draw_running_graph
from helpers.plots.loss_figures import (
    plot_grad_norm_by_batch,
    plot_label_smoothing,
    plot_nll_curve,
    plot_overfitting,
    plot_softmax,
)

pytestmark = pytest.mark.usefixtures("book_style")


Z = torch.tensor([2.0, 1.0, 0.1, 3.0, -1.0])
P = torch.softmax(Z, -1)
GRID = torch.linspace(0.02, 0.9999, 50)
TOKENS = ["<sos>", "猫", "坐着"]
CAUSAL = torch.tril(torch.ones(3, 3))
FLOW = {
    "with residuals": {"encoder": [0.6, 0.5, 0.5], "decoder": [1.0, 0.8, 0.8]},
    "without residuals": {"encoder": [0.7, 1.0, 1.6], "decoder": [0.0, 0.0, 3.3]},
}


def _bowl(theta):
    return 0.5 * (theta[0] ** 2 + 25 * theta[1] ** 2)


def _gate_rows():
    return [
        {
            "op": "+",
            "rule": "add:\ndistributes",
            "out": -1.0,
            "grad_out": 5.0,
            "inputs": (("x", 2.0, 5.0), ("w", -3.0, 5.0)),
        }
    ]


FIGURES = {
    "softmax": lambda: plot_softmax(Z, P, 3),
    "nll curve": lambda: plot_nll_curve([(1 / 32, "uniform guess, 1/32:\nloss ln 32 = 3.47"), (0.634, "example")]),
    "grad norm by batch": lambda: plot_grad_norm_by_batch(
        [4, 8, 16], {"sum": [10.0, 20.0, 40.0], "mean over tokens": [1.6, 1.5, 1.5]}
    ),
    "label smoothing": lambda: plot_label_smoothing(
        torch.nn.functional.one_hot(torch.tensor(3), 5),
        torch.tensor([0.02, 0.02, 0.02, 0.92, 0.02]),
        GRID,
        -GRID.log(),
        -GRID.log() + 0.3,
        0.651,
        0.903,
        32,
        0.1,
    ),
    "running graph": draw_running_graph,
    "gate patterns": lambda: draw_gate_patterns(_gate_rows()),
    "bowl": lambda: plot_bowl_paths(_bowl, {"SGD, lr 0.056": torch.tensor([[-4.0, 1.0], [-3.8, -1.6], [0.0, 0.0]])}),
    "logit gradient": lambda: plot_logit_gradient(P - torch.nn.functional.one_hot(torch.tensor(3), 5), 3, "猫"),
    "mask gradients": lambda: plot_mask_gradients(
        CAUSAL / CAUSAL.sum(1, keepdim=True), torch.ones(3, 3), CAUSAL * 0.1, TOKENS
    ),
    "gradient flow": lambda: plot_gradient_flow(FLOW),
    "schedule": lambda: plot_schedule([1e-4 * (k + 1) for k in range(30)] + [3e-3] * 10, 30),
    "live training": lambda: plot_live_training([3.5, 1.0, 0.1, 0.07], [0, 2, 3], [0.0, 0.5, 1.0], math.log(32)),
}


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("name", sorted(FIGURES))
def test_every_text_is_readable_on_a_phone(name, lang, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)  # the Chinese labels are wider
    fig = FIGURES[name]()
    width_px, small = figure_violations(fig)
    assert not small, [str(s) for s in small]
    assert width_px <= 560


# Figures 8.2-8.3, 8.5 and 9.5-9.8: fresh readers measured their text too small on a phone
LARGE_ON_A_PHONE = [
    "nll curve",
    "grad norm by batch",
    "overfitting",
    "gradient flow",
    "bowl",
    "schedule",
    "live training",
]


def _overfitting():
    steps = list(range(7))
    train = torch.tensor([[3.5, 2.0, 1.0, 0.5, 0.1, 0.02, 0.003]] * 2)
    held = torch.tensor([[3.5, 1.8, 2.2, 2.5]] * 2)
    return plot_overfitting(steps, train, [0, 2, 4, 6], held, [2, 2])


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
@pytest.mark.parametrize("name", LARGE_ON_A_PHONE)
def test_the_named_figures_keep_13_px_text_on_a_phone(name, lang, monkeypatch):
    """Every drawn text is >= 13 px high when the figure is shown in a 366-px phone column."""
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    fig = _overfitting() if name == "overfitting" else FIGURES[name]()
    width_px, _ = figure_violations(fig)
    scale = min(1.0, 366 / width_px)
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip() and t.get_visible()]
    assert min(sizes) * 100 / 72 * scale >= 13, (min(sizes), width_px)


def test_the_running_graph_starts_at_the_token_ids():
    texts = [t.get_text() for t in draw_running_graph().axes[0].texts]
    assert texts.count("ids") == 2 and texts.count("emb") == 2 and "E[ids] + P" in texts
    assert {"X", "Y", "C", "$H_1$", "$H_2$", "Z", "L", "y"} <= set(texts)


def test_the_running_graph_is_legible_well_above_the_minimum():
    """Fresh readers found the graph small on a phone: every text is >= 11 px at 366 px shown width."""
    fig = draw_running_graph()
    width_px, small = figure_violations(fig)
    assert not small and width_px <= 380
    scale = min(1.0, 366 / width_px)
    sizes = [t.get_fontsize() for t in fig.axes[0].texts if t.get_text()]
    assert min(sizes) * 100 / 72 * scale >= 11, (min(sizes), width_px)


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_softmax_bars_are_shown_at_natural_size_on_a_phone(lang, monkeypatch):
    """The logits/probabilities figure fits a phone unscaled, so its 11-pt text is ~15 px there."""
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    fig = plot_softmax(Z, P, 3)
    width_px, small = figure_violations(fig)
    assert not small and width_px <= 360, width_px
    sizes = [t.get_fontsize() for t in fig.findobj(matplotlib.text.Text) if t.get_text().strip()]
    assert min(sizes) >= 11
    bar_labels = {t.get_text() for t in fig.axes[1].texts}
    assert {f"{v:.3f}" for v in P.tolist()} <= bar_labels


def test_the_mask_figure_writes_large_cell_values_and_exact_zeros():
    """Readers found the cell numbers small on a phone: they are 15 pt, exact zeros read "0",
    and the bottom panel is the gradient of the scores R, as in the prose."""
    weights = CAUSAL / CAUSAL.sum(1, keepdim=True)
    d_weights = torch.tensor([[0.021, -0.005, -0.008], [-0.022, -0.003, 0.016], [0.013, -0.008, -0.007]])
    d_scores = weights * (d_weights - (d_weights * weights).sum(-1, keepdim=True))
    fig = plot_mask_gradients(weights, d_weights, d_scores, TOKENS)
    width_px, small = figure_violations(fig)
    assert not small and width_px <= 360
    for ax in fig.axes[:3]:  # the three heatmaps (their colour bars come after them)
        assert ax.texts and min(t.get_fontsize() for t in ax.texts) >= 15
    bottom = fig.axes[2]
    assert "R" in bottom.get_title() and "thousandths" in bottom.get_title()
    values = [t.get_text() for t in bottom.texts]
    assert values[1:3] == ["0", "0"] and values[5] == "0"  # masked entries: exactly zero
    assert values[3] == f"{1000 * d_scores[1, 0].item():.1f}"


def test_the_mask_figure_labels_rows_by_the_token_they_write():
    """The book labels a decoder row by the token it writes (→猫), its columns by the keys read."""
    fig = plot_mask_gradients(CAUSAL, CAUSAL, CAUSAL, TOKENS, writes=["a", "b", "c"])
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    # the three panels share their columns: only the bottom one labels them (a shorter figure)
    cols = [t.get_text() for t in fig.axes[2].get_xticklabels()]
    assert rows == ["→a", "→b", "→c"] and cols == list(TOKENS)
    assert fig.axes[2].get_xlabel() and not fig.axes[0].get_xlabel()


def test_the_gate_figure_is_not_scaled_down_on_a_phone():
    fig = draw_gate_patterns(_gate_rows())
    width_px, small = figure_violations(fig)
    assert not small and width_px <= 366
    assert min(t.get_fontsize() for ax in fig.axes for t in ax.texts) >= 10.5


def test_the_bowl_shows_every_point_of_every_path():
    fig = plot_bowl_paths(
        _bowl,
        {
            "a": torch.tensor([[-4.0, 1.0], [-3.0, -1.7], [0.0, 0.0]]),
            "diverged": torch.tensor([[-4.0, 1.0], [math.inf, math.nan]]),
        },
    )
    low, high = fig.axes[0].get_ylim()
    assert low <= -1.7 and high >= 1.7 and math.isfinite(high)


def test_the_smoothing_figure_marks_the_floor_and_the_best_point():
    fig = FIGURES["label smoothing"]()
    labels = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert any("0.651" in s for s in labels) and any("0.903" in s for s in labels)


BAD = [
    ("softmax shapes", lambda: plot_softmax(Z, P[:3], 3), ValueError, "z and p"),
    ("softmax correct", lambda: plot_softmax(Z, P, 5), ValueError, "correct"),
    ("softmax not a tensor", lambda: plot_softmax([2.0, 1.0], P, 0), TypeError, "z"),
    ("nll p zero", lambda: plot_nll_curve([(0.0, "zero")]), ValueError, "points[0][0]"),
    ("nll not a pair", lambda: plot_nll_curve([0.5]), TypeError, "points[0]"),
    ("batch lengths", lambda: plot_grad_norm_by_batch([4, 8], {"sum": [1.0]}), ValueError, "norms['sum']"),
    ("batch size", lambda: plot_grad_norm_by_batch([0, 8], {"sum": [1.0, 2.0]}), ValueError, "sizes[0]"),
    (
        "smoothing eps",
        lambda: plot_label_smoothing(torch.ones(5), torch.ones(5), GRID, GRID, GRID, 0.6, 0.9, 32, 1.5),
        ValueError,
        "eps",
    ),
    (
        "smoothing grid",
        lambda: plot_label_smoothing(torch.ones(5), torch.ones(5), GRID, GRID[:3], GRID, 0.6, 0.9, 32, 0.1),
        ValueError,
        "p_grid, plain and smooth",
    ),
    ("graph width", lambda: draw_running_graph(width=8.0), ValueError, "width"),
    ("bowl path shape", lambda: plot_bowl_paths(_bowl, {"a": torch.zeros(3)}), ValueError, "paths['a']"),
    ("logit correct", lambda: plot_logit_gradient(P, 7, "猫"), ValueError, "correct"),
    ("logit label", lambda: plot_logit_gradient(P, 3, 3), TypeError, "correct_label"),
    ("mask shape", lambda: plot_mask_gradients(CAUSAL, CAUSAL, torch.ones(2, 2), TOKENS), ValueError, "d_scores"),
    ("mask writes", lambda: plot_mask_gradients(CAUSAL, CAUSAL, CAUSAL, TOKENS, writes=["猫"]), ValueError, "writes"),
    ("gate width", lambda: draw_gate_patterns(_gate_rows(), width=9.0), ValueError, "width"),
    ("flow side", lambda: plot_gradient_flow({"a": {"encoder": [1.0]}}), ValueError, "decoder"),
    ("flow empty", lambda: plot_gradient_flow({}), ValueError, "flow"),
    ("schedule warmup", lambda: plot_schedule([0.1, 0.2], 5), ValueError, "warmup"),
    ("schedule negative", lambda: plot_schedule([0.1, -0.2], 1), ValueError, "rates[1]"),
    ("live accuracy", lambda: plot_live_training([1.0, 0.5], [0, 1], [0.0, 50.0], 3.4), ValueError, "accuracy"),
    ("live steps", lambda: plot_live_training([1.0, 0.5], [0, 1, 2], [0.0, 0.5], 3.4), ValueError, "snapshot_steps"),
    ("live guess", lambda: plot_live_training([1.0, 0.5], [0, 1], [0.0, 0.5], 0.0), ValueError, "guess_loss"),
]


@pytest.mark.parametrize("case", BAD, ids=[c[0] for c in BAD])
def test_bad_inputs_name_the_argument(case):
    _, call, exc, fragment = case
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "en",
            {
                "learning rate (× 0.001)",
                "warm-up, then cosine decay",
                "end of warm-up (step 30)",
                "encoder",
                "gradient norm",
                "cross-entropy at one position",
                "values (black) and gradients (red)",
                "grad 5",
            },
        ),
        (
            "zh_CN",
            {
                "学习率（× 0.001）",
                "先预热，再余弦衰减",
                "预热结束（第 30 步）",
                "编码器",
                "梯度范数",
                "一个位置上的交叉熵",
                "值（黑色）和梯度（红色）",
                "梯度 5",
            },
        ),
    ],
)
def test_figure_words_follow_the_book_language(lang, words, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    texts = set()
    for name in ("schedule", "gradient flow", "nll curve", "gate patterns"):
        fig = FIGURES[name]()
        texts |= {t.get_text() for t in fig.findobj(matplotlib.text.Text)}
    assert words <= texts, words - texts
