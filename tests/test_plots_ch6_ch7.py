"""Chapters 6 and 7: the training-log and parameter-group figures draw what they are given,
stay readable on a phone, and refuse bad inputs with a message naming the argument."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest

from helpers.plots._phone import figure_violations
from helpers.plots.param_groups import plot_param_groups
from helpers.plots.training_log import plot_training_log

BOOK_RC = {"figure.dpi": 100, "font.size": 10.5, "axes.titlesize": 11.5, "axes.labelsize": 10.5,
           "xtick.labelsize": 10.5, "ytick.labelsize": 10.5, "legend.fontsize": 10.5}


@pytest.fixture(autouse=True)
def _book_style():
    with matplotlib.rc_context(BOOK_RC):
        yield
    plt.close("all")


def test_param_groups_labels_each_bar_with_count_and_share():
    fig = plot_param_groups({"attention": 300, "feed-forward": 100}, "400 parameters")
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert texts == [" 300 (75%)", " 100 (25%)"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["attention", "feed-forward"]
    assert ax.get_title() == "400 parameters"
    assert figure_violations(fig)[1] == []


def test_training_log_plots_loss_against_step():
    fig = plot_training_log([{"step": 0, "loss": 3.5}, {"step": 10, "loss": 1.0}, {"step": 20, "loss": 0.1}])
    ax = fig.axes[0]
    (line,) = ax.get_lines()
    assert list(line.get_xdata()) == [0, 10, 20] and list(line.get_ydata()) == [3.5, 1.0, 0.1]
    assert ax.get_yscale() == "log"
    assert figure_violations(fig)[1] == []


BAD = [
    (lambda: plot_param_groups([("a", 1)]), TypeError, "counts"),
    (lambda: plot_param_groups({}), ValueError, "counts"),
    (lambda: plot_param_groups({"a": -1}), ValueError, "counts['a']"),
    (lambda: plot_param_groups({"a": 1.5}), ValueError, "counts['a']"),
    (lambda: plot_param_groups({"a": 0}), ValueError, "counts"),
    (lambda: plot_param_groups({"a": 1}, title=3), TypeError, "title"),
    (lambda: plot_training_log([]), ValueError, "log"),
    (lambda: plot_training_log("loss"), TypeError, "log"),
    (lambda: plot_training_log([{"step": 0}]), TypeError, "log[0]"),
    (lambda: plot_training_log([{"step": -1, "loss": 1.0}]), ValueError, "log[0]['step']"),
    (lambda: plot_training_log([{"step": 2, "loss": 1.0}, {"step": 1, "loss": 1.0}]), ValueError, "increase"),
    (lambda: plot_training_log([{"step": 0, "loss": 0.0}]), ValueError, "log[0]['loss']"),
    (lambda: plot_training_log([{"step": 0, "loss": "1"}]), TypeError, "log[0]['loss']"),
]


@pytest.mark.parametrize("call, exc, fragment", BAD, ids=[str(i) for i in range(len(BAD))])
def test_bad_inputs_are_refused_clearly(call, exc, fragment):
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value)
