"""Chapter 11's figures of the poem GPT (helpers.plots.gpt_training, helpers.plots.decoding): what they
draw, that every text stays readable on a phone in both languages, and clear errors for bad inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
import torch
from bad_inputs import check, params

from helpers.plots._phone import figure_violations
from helpers.plots.decoding import plot_logit_change, plot_step_costs, plot_temperatures
from helpers.plots.gpt_training import plot_error_carried, plot_pretraining, plot_share_with_intervals

LINES = ["line 2", "line 3", "line 4"]
RIGHT = {"clean": [0.97, 0.96, 0.93], "one wrong mark": [0.0, 0.01, 0.01]}
RIGHT_RANGE = {"clean": [(0.95, 0.98), (0.95, 0.97), (0.9, 0.97)], "one wrong mark": [(0, 0), (0, 0.03), (0, 0.02)]}
FOLLOWED = {"one wrong mark: marks shifted": [0.94, 0.89, 0.65]}
FOLLOWED_RANGE = {"one wrong mark: marks shifted": [(0.9, 1.0), (0.87, 0.92), (0.57, 0.72)]}


pytestmark = pytest.mark.usefixtures("book_style")


def _figures() -> dict[str, plt.Figure]:
    log = [
        {
            "step": s,
            "val_loss": 8 - s / 400,
            "train_loss": None if s == 0 else 8 - s / 380,
            "form": {"punctuation_ok": min(1, s / 600), "well_formed": s / 2000},
        }
        for s in range(0, 1900, 100)
    ]
    return {
        "pretraining": plot_pretraining(log, {"punctuation": "punctuation_ok", "form": "well_formed"}, 200, 8.29),
        "intervals": plot_share_with_intervals(
            [0, 100, 200], [0.1, 0.3, 0.5], [(0.06, 0.15), (0.24, 0.37), (0.43, 0.57)], 200
        ),
        "error carried": plot_error_carried(RIGHT, RIGHT_RANGE, FOLLOWED, FOLLOWED_RANGE, LINES),
        "temperatures": plot_temperatures(
            {tau: torch.tensor([0.5, 0.2, 0.1]) ** (1 / tau) for tau in (0.5, 1.0, 1.5)}, list("山月风"), "白日依山尽，"
        ),
        "step costs": plot_step_costs([1, 48, 95], [0.001, 0.002, 0.003], [0.001, 0.001, 0.001]),
        "step costs, ranges": plot_step_costs(
            [1, 48, 95],
            [0.001, 0.002, 0.003],
            [0.001, 0.001, 0.001],
            [(0.0009, 0.0012), (0.0018, 0.0023), (0.0028, 0.0035)],
            [(0.0009, 0.0011), (0.0009, 0.0012), (0.0009, 0.0013)],
        ),
        "logit change": plot_logit_change(
            {"causal": torch.tensor([0.0] * 11 + [1.0] * 5), "bidirectional": torch.tensor([2.0] * 16)}, 10
        ),
    }


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_every_figure_is_readable_on_a_phone(lang, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)  # the Chinese labels are wider
    for name, fig in _figures().items():
        width_px, small = figure_violations(fig)
        assert not small, (name, lang, [str(s) for s in small])
        assert width_px <= 510, (name, width_px)  # phone-sized: about 5 inches wide as shown


@pytest.mark.parametrize(
    "lang, words",
    [
        (
            "en",
            {
                "GPT, held-out",
                "uniform guess",
                "loss (nats per token)",
                "% of 200 sampled poems",
                "training step",
                "95% Wilson intervals, 200 poems each",
                "% right form",
                "% following the error",
                "Next character after “白日依山尽，”",
                "probability (log scale)",
                "no cache",
                "KV cache",
                "CPU ms per token",
                "unchanged input",
                "largest logit change",
            },
        ),
        (
            "zh_CN",
            {
                "GPT，留出集",
                "均匀猜测",
                "损失（每个词元的奈特数）",
                "占 200 首采样诗的比例（%）",
                "训练步",
                "95% Wilson 区间，每次 200 首诗",
                "体式正确的比例（%）",
                "顺着错误写下去的比例（%）",
                "“白日依山尽，”之后的下一个字",
                "概率（对数坐标）",
                "不用缓存",
                "KV 缓存",
                "每个词元的 CPU 时间（ms）",
                "输入未变",
                "logit 的最大变化",
            },
        ),
    ],
)
def test_figure_words_follow_the_book_language(lang, words, monkeypatch):
    monkeypatch.setenv("BOOK_LANGUAGE", lang)
    texts = {t.get_text() for fig in _figures().values() for t in fig.findobj(matplotlib.text.Text)}
    assert words <= texts, words - texts


def test_error_carried_draws_one_bar_per_condition_and_line():
    fig = plot_error_carried(RIGHT, RIGHT_RANGE, FOLLOWED, FOLLOWED_RANGE, LINES)
    top, bottom = fig.axes
    assert len(top.patches) == len(RIGHT) * len(LINES)
    assert len(bottom.patches) == len(FOLLOWED) * len(LINES)
    assert [round(p.get_height(), 6) for p in bottom.patches] == [94.0, 89.0, 65.0]
    # a followed condition named after a right-form condition takes its colour
    assert bottom.patches[0].get_facecolor() == top.patches[len(LINES)].get_facecolor()


def test_error_carried_labels_a_bar_of_height_zero():
    """A bar that rounds to 0% is invisible: a "0" above its place says it is zero, not missing."""
    fig = plot_error_carried(RIGHT, RIGHT_RANGE, FOLLOWED, FOLLOWED_RANGE, LINES)
    top, bottom = fig.axes
    zeros = [t for t in top.texts if t.get_text() == "0"]
    assert len(zeros) == 1  # "one wrong mark" on line 2; 0.01 rounds to 1%, which is drawn
    bar = top.patches[len(LINES)]  # the first bar of "one wrong mark"
    assert abs(zeros[0].get_position()[0] - (bar.get_x() + bar.get_width() / 2)) < 1e-9
    assert not [t for t in bottom.texts if t.get_text() == "0"]


def test_pretraining_legend_of_the_shares_sits_under_the_panel():
    """Inside the panel any corner of the legend would hide a curve somewhere along the run."""
    fig = _figures()["pretraining"]
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    _, bottom = fig.axes
    legend = bottom.get_legend().get_window_extent(renderer)
    assert legend.y1 < bottom.get_window_extent(renderer).y0


BAD = [
    (
        "right not a mapping",
        lambda: plot_error_carried([0.5], RIGHT_RANGE, FOLLOWED, FOLLOWED_RANGE, LINES),
        ValueError,
        "right",
    ),
    (
        "right wrong length",
        lambda: plot_error_carried({"clean": [0.5]}, {"clean": [(0.4, 0.6)]}, FOLLOWED, FOLLOWED_RANGE, LINES),
        ValueError,
        "right['clean']",
    ),
    (
        "share above 1",
        lambda: plot_error_carried({"clean": [50, 60, 70]}, {"clean": [(0, 1)] * 3}, FOLLOWED, FOLLOWED_RANGE, LINES),
        ValueError,
        "[0, 1]",
    ),
    (
        "range missing a condition",
        lambda: plot_error_carried(RIGHT, {"clean": RIGHT_RANGE["clean"]}, FOLLOWED, FOLLOWED_RANGE, LINES),
        ValueError,
        "right_range",
    ),
    (
        "range not around the share",
        lambda: plot_error_carried(RIGHT, RIGHT_RANGE, FOLLOWED, {k: [(0, 0.1)] * 3 for k in FOLLOWED}, LINES),
        ValueError,
        "followed_range",
    ),
    (
        "no lines",
        lambda: plot_error_carried(RIGHT, RIGHT_RANGE, FOLLOWED, FOLLOWED_RANGE, []),
        ValueError,
        "line_labels",
    ),
]


@params(BAD)
def test_bad_inputs_fail_clearly(case):
    check(case)


def test_step_costs_checks_lengths():
    with pytest.raises(ValueError, match="cache_range must hold one entry per position"):
        plot_step_costs([1, 2], [0.1, 0.2], [0.1, 0.1], cache_range=[(0.1, 0.2)])
