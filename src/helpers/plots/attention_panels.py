"""Several small attention-weight heatmaps side by side, with text large enough for a phone."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import check_number, show
from ..i18n import t
from ..viz import heatmap


def plot_attention_panels(
    panels: Sequence[tuple[object, Sequence[str], Sequence[str], str]],
    width: float = 5.2,
    fontsize: float = 10.5,
) -> Figure:
    """One heatmap per panel, in a row.

    panels: (weights (rows, cols), row labels, column labels, title) for each panel; weights are
    drawn from 0 to 1 and written in the cells. Every panel carries its own row labels (the
    queries) and column labels (the keys), so each map can be read alone. ``fontsize`` applies to
    every text; keep it >= 2.0 x ``width`` (above the book's 1.8) so that a phone's ~360-px column
    shows it at 9 px or more.
    """
    if isinstance(panels, (str, bytes)) or not isinstance(panels, Sequence) or not panels:
        raise TypeError(f"panels must be a non-empty list of (weights, rows, cols, title), got {show(panels)}")
    for k, panel in enumerate(panels):
        if not isinstance(panel, (tuple, list)) or len(panel) != 4:
            raise ValueError(f"panels[{k}] must be (weights, row labels, column labels, title), got {show(panel)}")
    check_number(width, "width", 1.0, 20.0)
    check_number(fontsize, "fontsize", 1.0, 40.0)
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 1.05 * width / len(panels) + 1.5), squeeze=False)
    for ax, (weights, rows, cols, title) in zip(axes[0], panels):
        heatmap(weights, rows, cols, ax=ax, vmin=0, vmax=1, colorbar=False)
        ax.set_title(title, fontsize=fontsize)
        for text in ax.texts:
            text.set_fontsize(fontsize)
        ax.tick_params(labelsize=fontsize, length=2, pad=1.5)
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right", rotation_mode="anchor")
        ax.set_xlabel(t("key"), fontsize=fontsize)
    axes[0][0].set_ylabel(t("query"), fontsize=fontsize)
    fig.tight_layout(w_pad=0.4)
    fig.align_xlabels(axes[0])
    return fig
