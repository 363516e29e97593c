"""Chapter 13's figures (helpers.plots.post_training): what they draw and that every text stays
readable on a phone."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from helpers.plots._phone import figure_violations
from helpers.plots.post_training import plot_grpo, plot_share_vs_kl

BOOK_RC = {"figure.dpi": 100, "font.size": 10.5, "axes.titlesize": 11.5, "axes.labelsize": 10.5,
           "xtick.labelsize": 10.5, "ytick.labelsize": 10.5, "legend.fontsize": 10.5}


@pytest.fixture(autouse=True)
def _book_style():
    with matplotlib.rc_context(BOOK_RC):
        yield
    plt.close("all")


def _grpo_logs():
    logs = [[{"step": s, "reward": 0.4 + 0.01 * s + 0.02 * seed} for s in range(1, 11)] for seed in range(3)]
    hack = [{"step": s, "reward": 0.14 + 0.02 * s, "answer_length": 45 + (s > 7) * 5} for s in range(1, 11)]
    return logs, hack


def test_grpo_figure_draws_both_hack_curves_on_scales_from_zero():
    fig = plot_grpo(*_grpo_logs())
    _, small = figure_violations(fig)
    assert not small
    reward_ax = fig.axes[1]
    length_ax = next(a for a in fig.axes[2:] if a.get_ylabel().startswith("answer length"))
    assert reward_ax.get_ylim()[0] == 0 and length_ax.get_ylim()[0] == 0
    assert reward_ax.get_ylim()[1] >= 0.34 and length_ax.get_ylim()[1] >= 50


def test_share_vs_kl_draws_a_point_per_method_and_its_interval():
    points = [{"label": "SFT start (95% CI)", "kl": 0.0, "share": 0.56, "share_range": (0.49, 0.63)},
              {"label": "GRPO", "kl": 3.9, "share": 0.54, "kl_range": (3.6, 4.2), "share_range": (0.52, 0.55)}]
    best_of = [{"n": n, "kl": kl, "share": s} for n, kl, s in ((1, 0.0, 0.5), (4, 0.64, 0.85), (16, 1.84, 0.95))]
    fig = plot_share_vs_kl(points, best_of)
    _, small = figure_violations(fig)
    assert not small
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert labels[0].startswith("best-of-n") and "SFT start (95% CI)" in labels and "GRPO" in labels
