"""Several small attention-weight heatmaps in a grid (two per row by default), narrow enough that a
390-px phone shows them unscaled, with text large enough to read there."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import check_number, show
from ..i18n import t
from ..viz import heatmap


def plot_attention_panels(
    panels: Sequence[tuple[object, Sequence[str], Sequence[str], str]],
    width: float = 3.66,
    fontsize: float = 10.0,
    ncols: int = 2,
) -> Figure:
    """One heatmap per panel, ``ncols`` panels per row (a last row with fewer panels is centred).

    panels: (weights (rows, cols), row labels, column labels, title) for each panel; weights are
    drawn from 0 to 1 and written in the cells. Every panel carries its own row labels (the
    queries) and column labels (the keys), so each map can be read alone. ``fontsize`` applies to
    every text. A figure up to 3.66 in wide is shown unscaled on a 390-px phone, so the default
    10 points are 13.9 px there (the cell values too); a wider figure needs
    ``fontsize`` >= 2.4 x ``width`` for 11 px.
    """
    if isinstance(panels, (str, bytes)) or not isinstance(panels, Sequence) or not panels:
        raise TypeError(f"panels must be a non-empty list of (weights, rows, cols, title), got {show(panels)}")
    for k, panel in enumerate(panels):
        if not isinstance(panel, (tuple, list)) or len(panel) != 4:
            raise ValueError(f"panels[{k}] must be (weights, row labels, column labels, title), got {show(panel)}")
    check_number(width, "width", 1.0, 20.0)
    check_number(fontsize, "fontsize", 1.0, 40.0)
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {show(ncols)}")
    ncols = min(ncols, len(panels))
    nrows = -(-len(panels) // ncols)
    fig = plt.figure(figsize=(width, nrows * (0.72 * width / ncols + 1.0) + 0.2))
    grid = fig.add_gridspec(nrows, 2 * ncols)
    axes = []
    for k in range(len(panels)):
        row, col = divmod(k, ncols)
        in_row = min(ncols, len(panels) - row * ncols)
        start = 2 * col + (ncols - in_row)  # centre a short last row
        axes.append(fig.add_subplot(grid[row, start:start + 2]))
    for ax, (weights, rows, cols, title) in zip(axes, panels):
        heatmap(weights, rows, cols, ax=ax, vmin=0, vmax=1, colorbar=False, fmt="{:.2f}")
        ax.set_title(title, fontsize=fontsize)
        for text in ax.texts:  # the cell values, as large as the labels
            text.set_fontsize(fontsize)
        ax.tick_params(labelsize=fontsize, length=2, pad=1.5)
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        ax.set_xlabel(t("key"), fontsize=fontsize)
    for k in range(0, len(axes), ncols):
        axes[k].set_ylabel(t("query"), fontsize=fontsize)
    fig.tight_layout(w_pad=0.4, h_pad=0.8)
    fig.align_xlabels(axes)
    return fig
