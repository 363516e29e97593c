"""Chapter 10: the attention masks of a causal (GPT) and a bidirectional (BERT) language model."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from helpers.i18n import t

WIDTH = 4.6  # inches, panels side by side: 11-pt text is about 12 px on a 366-px phone
SMALL = 0.45  # the bidirectional panel's size, as a share of the causal one (it carries one bit)


def plot_masks(tokens: Sequence[str], fontsize: float = 11.0) -> plt.Figure:
    """Two panels side by side, causal and bidirectional: dark cell = the query (row) may read the key (column).

    ``tokens`` label the causal panel's axes (one per position, e.g. the first 12 characters of a
    poem). The bidirectional panel is drawn smaller and without labels: every cell is dark.
    """
    n = len(tokens)
    masks = (np.tril(np.ones((n, n))), np.ones((n, n)))
    fig = plt.figure(figsize=(WIDTH, 3.0))
    grid = fig.add_gridspec(2, 2, width_ratios=(1, SMALL), height_ratios=(SMALL, 1 - SMALL), wspace=0.12)
    causal = fig.add_subplot(grid[:, 0])
    full = fig.add_subplot(grid[1, 1])
    for ax, m in zip((causal, full), masks):
        ax.imshow(m, cmap="Greys", vmin=0, vmax=1.6)
        ax.tick_params(length=0)
    causal.set_xticks(range(n), list(tokens), fontsize=fontsize)
    causal.set_yticks(range(n), list(tokens), fontsize=fontsize)
    causal.set_xlabel(t("key (read)"), fontsize=fontsize)
    causal.set_ylabel(t("query (position)"), fontsize=fontsize)
    causal.set_title(t("causal (GPT): each position\nreads itself and earlier ones"), fontsize=fontsize)
    full.set_xticks([])
    full.set_yticks([])
    full.set_title(t("bidirectional\n(BERT): every\nposition reads\nall of them"), fontsize=fontsize)
    return fig
