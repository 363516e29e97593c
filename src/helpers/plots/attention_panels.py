"""Several small attention-weight heatmaps side by side, with text large enough for a phone."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..viz import heatmap


def plot_attention_panels(
    panels: Sequence[tuple[object, Sequence[str], Sequence[str], str]],
    width: float = 5.0,
    fontsize: float = 10.5,
) -> Figure:
    """One heatmap per panel, in a row: panels are (weights (rows, cols), row labels, column labels,
    title). Weights are drawn from 0 to 1 and written in the cells; a panel whose row labels
    are those of the panel on its left shows them only once. ``fontsize`` applies to every
    text; keep it >= 2.1 x ``width`` (above the book's 1.8) so that a phone's ~310-px column shows it
    at 9 px or more."""
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 1.05 * width / len(panels) + 1.6))
    previous_rows = None
    for ax, (weights, rows, cols, title) in zip(axes, panels):
        heatmap(weights, rows, cols, ax=ax, vmin=0, vmax=1, colorbar=False)
        if previous_rows is not None and list(rows) == list(previous_rows):
            ax.set_yticks(ax.get_yticks(), [""] * len(rows))  # the same rows as on its left: room for the cells
        previous_rows = rows
        ax.set_title(title, fontsize=fontsize)
        for text in ax.texts:
            text.set_fontsize(fontsize)
        ax.tick_params(labelsize=fontsize)
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
        ax.set_xlabel("key", fontsize=fontsize)
    axes[0].set_ylabel("query", fontsize=fontsize)
    fig.tight_layout(w_pad=0.2)
    return fig
