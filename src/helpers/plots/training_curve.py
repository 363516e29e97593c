"""Chapter 0's training curves: the loss and the gradient norm of each step, on a log step axis.

A log axis for the steps gives the first ten steps as much room as the last two hundred, so an
early bump of the loss (and the large gradients that go with it) is visible.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t

FONT = 10.0  # points, for a 4.6-inch figure


def plot_loss_and_grad_norm(
    losses: Sequence[float],
    grad_norms: Sequence[float],
    reference_loss: float | None = None,
    highlight: tuple[int, int] | None = None,
) -> Figure:
    """Two stacked panels over the steps 1..n (log axes): the loss, then the gradient norm.

    losses[i], grad_norms[i]: the loss of step i + 1 and the norm of the gradient of all
    parameters at that step. reference_loss: a dashed line (e.g. ln|V|). highlight: a range of
    steps (first, last) to shade in both panels. Returns the figure: 4.6 in wide, every text at
    10 pt (>= 2.1 pt per inch of width), so a phone shows it at 9 px or more.
    """
    if len(losses) != len(grad_norms):
        raise ValueError(f"{len(losses)} losses but {len(grad_norms)} gradient norms")
    steps = range(1, len(losses) + 1)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(4.6, 4.6), sharex=True)
    ax1.plot(steps, losses, ".-", ms=4, lw=1.2)
    if reference_loss is not None:
        ax1.axhline(reference_loss, ls="--", c="gray", lw=1, label="ln |V|")
        ax1.legend(fontsize=FONT)
    ax2.plot(steps, grad_norms, ".-", ms=4, lw=1.2, color="tab:red")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
        ax.tick_params(labelsize=FONT)
        if highlight is not None:
            ax.axvspan(highlight[0] - 0.5, highlight[1] + 0.5, color="gold", alpha=0.3, lw=0)
    ax1.set_ylabel(t("loss"), fontsize=FONT)
    ax2.set_ylabel(t("gradient norm"), fontsize=FONT)
    ax2.set_xlabel(t("training step (log scale)"), fontsize=FONT)
    fig.tight_layout()
    return fig


def plot_lr_curves(curves: dict[float, Sequence[float]], diverging: float, width: float = 5.0) -> Figure:
    """The loss of each step for several learning rates, log loss axis, in two panels side by side:
    every rate but ``diverging`` on the left, ``diverging`` alone on the right (its loss grows to
    values that would flatten the others). ``curves``: learning rate -> losses of steps 1..n.
    Every text is 2.1 pt per inch of ``width``."""
    if diverging not in curves:
        raise ValueError(f"diverging={diverging} is not one of the rates {sorted(curves)}")
    font = round(2.1 * width, 1)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(width, 2.9))
    for rate, losses in curves.items():
        ax = ax2 if rate == diverging else ax1
        ax.plot(range(1, len(losses) + 1), losses, color="tab:red" if rate == diverging else None,
                label=f"lr = {rate:g}")
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        ax.set_xlabel(t("step"), fontsize=font)
        ax.tick_params(labelsize=font)
        ax.legend(fontsize=font)
    ax1.set_ylabel(t("loss"), fontsize=font)
    ax2.set_title(t("diverges, then nan"), fontsize=font)
    fig.tight_layout()
    return fig
