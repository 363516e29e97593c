"""Chapter 11's training figures: the poem GPT's loss and form curves, and the form curve with its intervals.

Both figures are 5 inches wide with every text at >= 9.5 pt, so they stay readable on a phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ._phone import min_font, set_fonts

WIDTH = 5.0


def plot_pretraining(log: Sequence[Mapping], shares: Mapping[str, str], n_form: int,
                     uniform_loss: float, baselines: Mapping[str, float] | None = None) -> Figure:
    """Two stacked panels over the training steps of the shipped run's ``log``.

    Top: held-out and training loss (nats per token), a dotted line at ``uniform_loss`` (ln|V|)
    and dashed lines at ``baselines`` (label -> loss, e.g. n-gram models). Bottom: the share of
    the ``n_form`` sampled poems that pass each check of ``shares`` (label -> key of
    ``log[i]["form"]``).
    """
    steps = [e["step"] for e in log]
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(WIDTH, 6.2), sharex=True)
    ax.plot(steps, [e["val_loss"] for e in log], "o-", ms=3, label="GPT, held-out")
    train_pts = [(e["step"], e["train_loss"]) for e in log if e["train_loss"]]
    ax.plot(*zip(*train_pts), "s--", ms=3, label="GPT, training")
    ax.axhline(uniform_loss, color="grey", lw=0.8, ls=":")
    ax.text(steps[-1], uniform_loss - 0.1, "uniform guess", ha="right", va="top")
    for (label, value), colour in zip((baselines or {}).items(), ("tab:green", "tab:purple", "tab:brown")):
        ax.axhline(value, color=colour, lw=1, ls="--")
        ax.text(steps[-1], value + 0.05, label, ha="right", va="bottom", color=colour)
    ax.set_ylabel("loss (nats per token)")
    ax.legend(loc="center right")  # the empty middle right: above the curves, below ln|V|
    for label, key in shares.items():
        ax2.plot(steps, [100 * e["form"][key] for e in log], "o-", ms=3, label=label)
    ax2.set_ylim(0, 100)
    ax2.set_xlabel("training step")
    ax2.set_ylabel(f"% of {n_form} sampled poems")
    ax2.legend(loc="lower right")  # the curves rise on the left and run high on the right
    ax2.grid(alpha=0.3)
    set_fonts(fig, max(9.5, min_font(WIDTH)))
    fig.tight_layout()
    return fig


def plot_share_with_intervals(steps: Sequence[int], shares: Sequence[float],
                              bounds: Sequence[tuple[float, float]], n: int) -> Figure:
    """The share of regular poems at each evaluation with its 95% interval (low, high) as error bars."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    ax.errorbar(steps, [100 * s for s in shares],
                yerr=[[100 * (s - lo) for s, (lo, _) in zip(shares, bounds)],
                      [100 * (hi - s) for s, (_, hi) in zip(shares, bounds)]],
                fmt="o-", ms=3, capsize=2)
    ax.set_xlabel("training step")
    ax.set_ylabel("% regular form")
    ax.set_title(f"95% Wilson intervals, {n} poems each")
    ax.grid(alpha=0.3)
    set_fonts(fig, max(9.5, min_font(WIDTH)))
    fig.tight_layout()
    return fig
