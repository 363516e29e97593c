"""Chapter 5: masks as grids, and how much each output depends on each input (autograd)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..i18n import t
from ..viz import heatmap, text_colour_on
from ._phone import min_font, set_fonts


def plot_masks(masks: Sequence[tuple[object, str]], tokens: Sequence[str], width: float = 6.0) -> Figure:
    """Bool masks (T, T) side by side: green = may attend, grey = blocked.

    masks: (mask, title) pairs; tokens label both the queries (rows) and the keys (columns).
    """
    fig, axes = plt.subplots(1, len(masks), figsize=(width, width / len(masks) + 1.2), sharey=True)
    cmap = ListedColormap(["#d9d9d9", "#74c476"])
    n = len(tokens)
    for ax, (mask, title) in zip(axes, masks):
        m = np.asarray(mask, dtype=float)
        ax.imshow(m, cmap=cmap, vmin=0, vmax=1, aspect="equal", interpolation="nearest")
        ax.set_xticks(range(n), tokens, rotation=90)
        ax.set_yticks(range(n), tokens)
        ax.set_xticks(np.arange(-0.5, n), minor=True)
        ax.set_yticks(np.arange(-0.5, n), minor=True)
        ax.grid(which="minor", color="white", linewidth=1)
        ax.tick_params(which="minor", length=0)
        ax.set_title(title)
        ax.set_xlabel(t("key"))
    axes[0].set_ylabel(t("query"))
    set_fonts(fig, min_font(width))
    fig.tight_layout()
    return fig


def plot_sensitivity(sensitivity, tokens: Sequence[str], width: float = 5.0) -> Figure:
    """(T, T) largest |∂ logits[t] / ∂ input[j]|, on a log colour scale; exact zeros written "0"."""
    s = np.asarray(sensitivity, dtype=float)
    shown = np.where(s > 0, np.log10(np.where(s > 0, s, 1.0)), np.nan)
    fig, ax = plt.subplots(figsize=(width, width * 0.9))
    heatmap(shown, tokens, tokens, ax=ax, cmap="viridis", annotate=False, colorbar=False)
    im = ax.images[0]
    for i in range(s.shape[0]):  # the row of position t = i
        for j in range(s.shape[1]):
            label = "0" if s[i, j] == 0 else f"{s[i, j]:.1g}" if s[i, j] < 0.1 else f"{s[i, j]:.1f}"
            colour = "black" if s[i, j] == 0 else text_colour_on(im.cmap(im.norm(shown[i, j])))
            ax.text(j, i, label, ha="center", va="center", color=colour)
    ax.set_xlabel(t("decoder input at position j"))
    ax.set_ylabel(t("logits at position t"))
    ax.set_title(t("largest |∂ logits[t] / ∂ input[j]|"))
    plt.setp(ax.get_xticklabels(), rotation=90, ha="center")
    set_fonts(fig, min_font(width))
    fig.tight_layout()
    return fig
