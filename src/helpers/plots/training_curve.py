"""Chapter 0's training curves: the loss and the gradient norm of each step, on a log step axis.

A log axis for the steps gives the first ten steps as much room as the last two hundred, so an
early bump of the loss (and the large gradients that go with it) is visible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib import ticker
from matplotlib.figure import Figure

from ..i18n import t

FONT = 10.0  # points: a 3.6-inch figure is shown unscaled on a 390-px phone, so 13.9 px there


def plain_log_ticks(axis, decades: int = 1) -> None:
    """Label a log-scale ``axis`` (a matplotlib Axis) at the powers of ten, as plain numbers: 0.01, 0.1,
    1, 10, and 1e+10 where a plain number would be long; no small superscripts, no minor labels.
    ``decades``: the powers of ten between two labelled ticks (10 gives 1, 1e+10, 1e+20, ...)."""
    if not hasattr(axis, "set_major_formatter"):
        raise TypeError(f"axis must be a matplotlib Axis (ax.xaxis or ax.yaxis), got {type(axis).__name__}")
    if isinstance(decades, bool) or not isinstance(decades, int) or not 1 <= decades <= 100:
        raise ValueError(f"decades must be an int from 1 to 100, got {decades!r}")
    axis.set_major_locator(ticker.LogLocator(base=10.0**decades, subs=(1.0,)))
    axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(ticker.NullFormatter())


def _extend_to_decade_below(ax: plt.Axes, values: Sequence[float]) -> None:
    """Lower a log y axis's limit to the power of ten at or below the smallest positive finite
    number of ``values``, so that a labelled tick lies under every point of the curve (a reader
    found Fig. 0.4's gradient norms running down to 0.002 below its lowest label, 0.01)."""
    shown = [float(v) for v in values if math.isfinite(v) and v > 0]
    if not shown:
        return
    low = 10.0 ** math.floor(math.log10(min(shown)))
    if low < ax.get_ylim()[0]:
        # 2% below the decade: its tick then lies inside the axes however the tick's value rounds
        # (matplotlib 3.8 placed it a hair below a limit of exactly 10**k and dropped its label)
        ax.set_ylim(bottom=low * 0.98)


def plot_loss_and_grad_norm(
    losses: Sequence[float],
    grad_norms: Sequence[float],
    reference_loss: float | None = None,
    highlight: tuple[int, int] | None = None,
) -> Figure:
    """Two stacked panels over the steps 1..n (log axes): the loss, then the gradient norm.

    losses[i], grad_norms[i]: the loss of step i + 1 and the norm of the gradient of all
    parameters at that step. reference_loss: a dashed line (e.g. ln|V|). highlight: a range of
    steps (first, last) to shade in both panels. Tick labels are plain numbers (0.1, 1, 10), not
    powers of ten with small superscripts, and each panel reaches down to the power of ten below
    its smallest number, so a labelled tick lies under the whole curve. Returns the figure: 3.6 in
    wide, every text at 10 pt, so a 390-px phone shows it unscaled, its text at 13.9 px.
    """
    if len(losses) != len(grad_norms):
        raise ValueError(f"{len(losses)} losses but {len(grad_norms)} gradient norms")
    steps = range(1, len(losses) + 1)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(3.6, 4.4), sharex=True)
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
        for axis in (ax.xaxis, ax.yaxis):
            plain_log_ticks(axis)
        if highlight is not None:
            ax.axvspan(highlight[0] - 0.5, highlight[1] + 0.5, color="gold", alpha=0.3, lw=0)
    _extend_to_decade_below(ax1, losses)
    _extend_to_decade_below(ax2, grad_norms)
    ax1.set_ylabel(t("loss (log scale)"), fontsize=FONT)
    ax2.set_ylabel(t("gradient norm (log scale)"), fontsize=FONT)
    ax2.set_xlabel(t("training step (log scale)"), fontsize=FONT)
    fig.tight_layout()
    return fig


def plot_lr_curves(curves: dict[float, Sequence[float]], diverging: float, width: float = 3.6,
                   first_steps: int = 8) -> Figure:
    """The loss of each step for several learning rates, log loss axis, in two stacked panels:
    every rate but ``diverging`` on top, with a log step axis (so the first steps, where the
    rates differ, get room), and ``diverging`` alone below, its steps 1 to ``first_steps`` only
    on a linear axis (its loss grows to values that would flatten the others, then turns nan).
    ``curves``: learning rate -> losses of steps 1..n. The loss ticks
    are labelled as in plot_loss_and_grad_norm (0.01, 0.1, 1; 1e+10 for the large ones). Every
    text is 10 pt for a figure up to 3.66 in wide (shown unscaled on a 390-px phone: 13.9 px), else
    2.8 pt per inch of ``width`` (the same 13.9 px on the phone)."""
    if diverging not in curves:
        raise ValueError(f"diverging={diverging} is not one of the rates {sorted(curves)}")
    if isinstance(first_steps, bool) or not isinstance(first_steps, int) or first_steps < 2:
        raise ValueError(f"first_steps must be an int >= 2, got {first_steps!r}")
    font = 10.0 if width <= 3.66 else round(2.8 * width, 1)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(width, 4.6))
    for rate, losses in curves.items():
        if rate == diverging:
            shown = list(losses)[:first_steps]
            ax2.plot(range(1, len(shown) + 1), shown, color="tab:red", marker="o", ms=3,
                     label=f"lr = {rate:g}")
        else:
            ax1.plot(range(1, len(losses) + 1), losses, label=f"lr = {rate:g}")
    ax1.set_xscale("log")
    plain_log_ticks(ax1.xaxis)
    ax1.set_xlabel(t("training step (log scale)"), fontsize=font)
    ax2.set_xlim(0.5, first_steps + 0.5)
    ax2.set_xticks(range(1, first_steps + 1))
    for ax in (ax1, ax2):
        ax.set_yscale("log")
        # plain numbers, as in plot_loss_and_grad_norm; the diverging run every 10 powers of ten
        plain_log_ticks(ax.yaxis, decades=10 if ax is ax2 else 1)
        ax.set_ylabel(t("loss (log scale)"), fontsize=font)
        ax.tick_params(labelsize=font)
        ax.legend(fontsize=font)
    _extend_to_decade_below(ax1, [x for rate, losses in curves.items() if rate != diverging for x in losses])
    ax2.set_xlabel(t("step"), fontsize=font)
    ax2.set_title(t("diverges, then nan"), fontsize=font)
    fig.tight_layout()
    return fig
