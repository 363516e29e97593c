"""Chapter 10: the attention masks of a causal (GPT) and a bidirectional (BERT) language model."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from helpers.i18n import t

WIDTH = 3.6  # inches, panels stacked: 10.5-pt text is about 15 px on a phone, and 12 CJK labels fit a row


def plot_masks(tokens: Sequence[str], fontsize: float = 10.5) -> plt.Figure:
    """Two stacked panels, causal and bidirectional: dark cell = the query (row) may read the key (column).

    ``tokens`` label both axes (one per position, e.g. the first 12 characters of a poem).
    """
    n = len(tokens)
    masks = (np.tril(np.ones((n, n))), np.ones((n, n)))
    titles = (t("causal (GPT):\nposition i reads j ≤ i"), t("bidirectional (BERT):\nevery position reads all"))
    fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 7.0))
    for ax, m, title in zip(axes, masks, titles):
        ax.imshow(m, cmap="Greys", vmin=0, vmax=1.6)
        ax.set_xticks(range(n), list(tokens), fontsize=fontsize)
        ax.set_yticks(range(n), list(tokens), fontsize=fontsize)
        ax.set_title(title, fontsize=fontsize)
        ax.set_xlabel(t("key (read)"), fontsize=fontsize)
        ax.set_ylabel(t("query (position)"), fontsize=fontsize)
        ax.tick_params(length=0)
    fig.tight_layout()
    return fig
