"""Chapter 0's training curves: the loss and the gradient norm of each step, on a log step axis.

A log axis for the steps gives the first ten steps as much room as the last two hundred, so an
early bump of the loss (and the large gradients that go with it) is visible.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def plot_loss_and_grad_norm(
    losses: Sequence[float],
    grad_norms: Sequence[float],
    reference_loss: float | None = None,
    highlight: tuple[int, int] | None = None,
) -> Figure:
    """Two stacked panels over the steps 1..n (log axes): the loss, then the gradient norm.

    losses[i], grad_norms[i]: the loss of step i + 1 and the norm of the gradient of all
    parameters at that step. reference_loss: a dashed line (e.g. ln|V|). highlight: a range of
    steps (first, last) to shade in both panels. Returns the figure (4.6 in wide, fonts >= 9 pt).
    """
    if len(losses) != len(grad_norms):
        raise ValueError(f"{len(losses)} losses but {len(grad_norms)} gradient norms")
    steps = range(1, len(losses) + 1)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(4.6, 4.6), sharex=True)
    ax1.plot(steps, losses, ".-", ms=4, lw=1.2)
    if reference_loss is not None:
        ax1.axhline(reference_loss, ls="--", c="gray", lw=1, label="ln |V|")
        ax1.legend(fontsize=9.5)
    ax2.plot(steps, grad_norms, ".-", ms=4, lw=1.2, color="tab:red")
    for ax in (ax1, ax2):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.grid(alpha=0.3, which="both")
        ax.tick_params(labelsize=9.5)
        if highlight is not None:
            ax.axvspan(highlight[0] - 0.5, highlight[1] + 0.5, color="gold", alpha=0.3, lw=0)
    ax1.set_ylabel("loss", fontsize=10)
    ax2.set_ylabel("gradient norm", fontsize=10)
    ax2.set_xlabel("training step (log scale)", fontsize=10)
    fig.tight_layout()
    return fig
