"""Several small attention-weight heatmaps side by side, with text large enough for a phone."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..viz import heatmap


def plot_attention_panels(
    panels: Sequence[tuple[object, Sequence[str], Sequence[str], str]],
    width: float = 5.6,
    fontsize: float = 10.5,
) -> Figure:
    """One heatmap per panel, in a row: panels are (weights (rows, cols), row labels, column labels,
    title). Weights are drawn from 0 to 1 and written in the cells. ``fontsize`` applies to every
    text; keep it >= 1.8 x ``width`` so that a phone shows it at 9 px or more."""
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 0.95 * width / len(panels) + 1.3))
    for ax, (weights, rows, cols, title) in zip(axes, panels):
        heatmap(weights, rows, cols, ax=ax, vmin=0, vmax=1, colorbar=False)
        ax.set_title(title, fontsize=fontsize)
        for text in ax.texts:
            text.set_fontsize(fontsize)
        ax.tick_params(labelsize=fontsize)
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
        ax.set_xlabel("key", fontsize=fontsize)
    axes[0].set_ylabel("query", fontsize=fontsize)
    fig.tight_layout()
    return fig
