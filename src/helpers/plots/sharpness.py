"""Chapter 4: how sharp a translator's attention is, at initialisation and after training."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ._phone import min_font, set_fonts

NAMES = {"encoder": "enc.", "decoder": "dec.", "cross": "cross"}


def plot_sharpness(stats: Mapping[str, Mapping[tuple[str, int], tuple[float, float]]],
                   keys: Sequence[tuple[str, int]], width: float = 5.6) -> Figure:
    """Two stacked bar charts, one group of bars per (kind, layer) and one bar per network.

    stats[network][(kind, layer)] = (share of rows with largest weight > 0.99, median spread of
    the scaled scores); the networks (e.g. "at init", "trained") are drawn in their given order.
    """
    colours = ["C7", "C0", "C2", "C1"]
    labels = [f"{NAMES.get(kind, kind)}\n{i + 1}" for kind, i in keys]
    fig, axes = plt.subplots(2, 1, figsize=(width, width * 0.95), sharex=True)
    n = len(stats)
    bar = 0.8 / n
    for j, (when, by_key) in enumerate(stats.items()):
        for ax, col in zip(axes, (0, 1)):
            x = [i + (j - (n - 1) / 2) * bar for i in range(len(keys))]
            ax.bar(x, [by_key[key][col] for key in keys], bar, color=colours[j % 4], label=when)
    axes[0].set_title("share of rows with largest weight > 0.99")
    axes[0].set_ylim(0, 1.35)
    axes[0].set_yticks([0, 0.5, 1])
    axes[0].yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[0].legend(ncols=2, loc="upper left", frameon=False)
    axes[1].set_title("median spread (std) of a row's scaled scores")
    axes[1].set_yscale("log")
    axes[1].set_xticks(range(len(keys)), labels)
    axes[1].set_xlabel("attention (kind, layer)")
    set_fonts(fig, min_font(width))
    fig.tight_layout()
    return fig
