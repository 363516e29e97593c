"""Chapter 4: the steps of attention on the running example, Q Kᵀ -> scaled -> softmax, as heatmaps."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t
from ..viz import heatmap
from ._phone import min_font, set_fonts


def plot_attention_steps(
    panels: Sequence[tuple[object, str, bool]], tokens: Sequence[str], width: float = 5.6
) -> Figure:
    """One small heatmap per panel, side by side: panels are (matrix (T, T), title, is_weights).

    Scores get a diverging map centred on zero; weights a 0-to-1 map. Every text is at least
    1.8 x ``width`` points, so that it stays readable on a phone.
    """
    fig, axes = plt.subplots(1, len(panels), figsize=(width, 0.9 * width / len(panels) + 1.0))
    axes = [axes] if len(panels) == 1 else list(axes)
    for ax, (matrix, title, is_weights) in zip(axes, panels):
        limits = {"vmin": 0, "vmax": 1, "cmap": "Blues"} if is_weights else {}
        heatmap(matrix, tokens, tokens, ax=ax, title=title, colorbar=False, **limits)
        ax.set_xlabel(t("key"))
    axes[0].set_ylabel(t("query"))
    set_fonts(fig, min_font(width))
    fig.tight_layout()
    return fig
