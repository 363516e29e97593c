"""Chapter 10: accuracy is piecewise constant in a weight, the cross-entropy is smooth."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from helpers.i18n import t

WIDTH = 4.2  # inches; 10.5-pt text is about 13 px on a 366-px phone figure

# a true minus sign (U+2212) in the ticks, whatever axes.unicode_minus says for the figure font
_MINUS = FuncFormatter(lambda v, _pos: f"{v:g}".replace("-", "\u2212"))


def plot_surrogate(
    shift: Sequence[float], accuracy: Sequence[float], loss: Sequence[float], xlabel: str, fontsize: float = 10.5
) -> plt.Figure:
    """Two stacked panels over the same x: accuracy (%) as steps, cross-entropy as a curve.

    A dotted line marks the loss's minimum, a dashed one the accuracy's best value (its first x).
    """
    best_acc = max(range(len(accuracy)), key=lambda i: (accuracy[i], -i))
    best_loss = min(range(len(loss)), key=lambda i: loss[i])
    with plt.rc_context({"font.size": fontsize, "xtick.labelsize": fontsize, "ytick.labelsize": fontsize}):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 4.6), sharex=True)
        top.plot(shift, accuracy, color="C0", drawstyle="steps-mid")
        top.set_ylabel(t("test accuracy (%)"))
        bottom.plot(shift, loss, color="C3")
        bottom.set_ylabel(t("cross-entropy"))
        bottom.set_xlabel(xlabel)
        for ax in (top, bottom):
            ax.axvline(shift[best_loss], color="C3", ls=":", lw=1.5)
            ax.axvline(shift[best_acc], color="C0", ls="--", lw=1.5)
        top.set_title(t("dashed: best accuracy; dotted: lowest loss"), fontsize=fontsize)
        bottom.xaxis.set_major_formatter(_MINUS)
        fig.tight_layout()
    return fig
