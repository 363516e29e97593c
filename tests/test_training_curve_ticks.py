"""Chapter 0's two loss figures label their log axes alike (helpers.plots.training_curve).

A reader found Fig. 0.5 (three learning rates) labelled 10^0 where Fig. 0.3 (the training curve)
writes 1, 0.1, 0.01. Both now use plain numbers; the panel of the diverging run, whose loss spans
over thirty powers of ten, is labelled every ten (1, 1e+10, 1e+20, 1e+30).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from bad_inputs import check, params

from helpers.plots.training_curve import plain_log_ticks, plot_loss_and_grad_norm, plot_lr_curves

pytestmark = pytest.mark.usefixtures("book_style")

LOSSES = [3.4 * 0.97**s + 3e-4 for s in range(300)]
DIVERGING = [3.4, 2.75, 511.0, 2.02e10, 1.7e33] + [float("nan")] * 295


def _shown_labels(ax: plt.Axes) -> list[str]:
    """The y tick labels inside the axes' limits, bottom to top."""
    ax.figure.canvas.draw()
    low, high = ax.get_ylim()
    return [x.get_text() for x, v in zip(ax.get_yticklabels(), ax.get_yticks()) if low <= v <= high]


def test_both_figures_write_plain_numbers():
    curve = plot_loss_and_grad_norm(LOSSES, LOSSES, reference_loss=3.4)
    rates = plot_lr_curves({0.05: LOSSES[::2] * 2, 0.5: LOSSES, 5.0: DIVERGING}, diverging=5.0)
    # the losses reach 7e-4: each axis goes down to the power of ten below, 0.0001
    assert _shown_labels(curve.axes[0]) == ["0.0001", "0.001", "0.01", "0.1", "1"]
    assert _shown_labels(rates.axes[0]) == ["0.0001", "0.001", "0.01", "0.1", "1"]  # as Fig. 0.3
    assert _shown_labels(rates.axes[1]) == ["1", "1e+10", "1e+20", "1e+30"]  # every ten powers
    for fig in (curve, rates):
        for ax in fig.axes:
            assert not any("$" in label or "^" in label for label in _shown_labels(ax))


def test_a_labelled_tick_lies_under_every_curve():
    # a reader found Fig. 0.4's gradient norms running down to 0.002, below its lowest label (0.01)
    norms = [3.0 * 0.98**s for s in range(300)]  # down to 0.0072
    curve = plot_loss_and_grad_norm(LOSSES, norms, reference_loss=3.4)
    for ax, values in zip(curve.axes, (LOSSES, norms)):
        lowest = float(_shown_labels(ax)[0])
        assert lowest <= min(values) < 10 * lowest, (lowest, min(values))


BAD = [
    ("axis not an axis", lambda: plain_log_ticks("y"), TypeError, "axis"),
    ("decades zero", lambda: plain_log_ticks(plt.subplots()[1].yaxis, decades=0), ValueError, "decades"),
    ("decades a float", lambda: plain_log_ticks(plt.subplots()[1].yaxis, decades=2.5), ValueError, "decades"),
]


@params(BAD)
def test_bad_inputs_name_the_argument(case):
    check(case)
