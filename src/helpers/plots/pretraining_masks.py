"""Chapter 10: the attention masks of a causal (GPT) and a bidirectional (BERT) language model."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from helpers.i18n import t

WIDTH = 5.0  # inches, two same-size grids side by side: 11-pt text is about 11 px on a 360-px phone


def plot_masks(tokens: Sequence[str], fontsize: float = 11.0) -> plt.Figure:
    """Two same-size grids side by side, causal and bidirectional: dark = the query (row) may read the key (column).

    ``tokens`` (one per position, e.g. the first 12 characters of a poem) label both grids'
    columns; the rows are shared and labelled once, at the left.
    """
    tokens = list(tokens)
    if not tokens or not all(isinstance(s, str) for s in tokens):
        raise ValueError(f"tokens must be a non-empty list of str (one per position), got {tokens!r}")
    n = len(tokens)
    masks = (np.tril(np.ones((n, n))), np.ones((n, n)))
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.2), sharey=True, gridspec_kw={"wspace": 0.08})
    titles = (t("causal (GPT): reads\nitself and earlier"), t("bidirectional (BERT):\nreads every position"))
    for ax, m, title in zip(axes, masks, titles):
        ax.imshow(m, cmap="Greys", vmin=0, vmax=1.6)
        ax.set_xticks(np.arange(n + 1) - 0.5, minor=True)  # thin white lines between the cells
        ax.set_yticks(np.arange(n + 1) - 0.5, minor=True)
        ax.grid(which="minor", color="white", linewidth=0.6)
        ax.tick_params(which="both", length=0)
        ax.set_xticks(range(n), tokens, fontsize=fontsize)
        ax.set_xlabel(t("key (read)"), fontsize=fontsize)
        ax.set_title(title, fontsize=fontsize)
    axes[0].set_yticks(range(n), tokens, fontsize=fontsize)
    axes[0].set_ylabel(t("query (position)"), fontsize=fontsize)
    return fig
