"""Chapter 10: the attention masks of a causal (GPT) and a bidirectional (BERT) language model."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np

from helpers.i18n import t

WIDTH = 5.0  # inches, two same-size grids side by side (about 4.5 in once cropped tight)
#: Point sizes of the grid's characters and of the titles and axis labels: on a 390-px phone the
#: cropped figure is shown at about 0.8 of its size, so 14 pt is about 15 px and 12 pt about 13 px
#: (the book's rule, ``plots._phone``, asks for at least 11 px). Eight positions leave each cell
#: wide enough for a 14-pt character.
TICK_FONTSIZE = 14.0
LABEL_FONTSIZE = 12.0


def plot_masks(
    tokens: Sequence[str], fontsize: float = TICK_FONTSIZE, label_fontsize: float = LABEL_FONTSIZE
) -> plt.Figure:
    """Two same-size grids side by side, causal and bidirectional: dark = the query (row) may read the key (column).

    ``tokens`` (one per position, e.g. the first 8 characters of a poem) label both grids'
    columns; the rows are shared and labelled once, at the left. ``fontsize`` is the size of those
    labels, ``label_fontsize`` that of the titles and axis labels (points).
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
        ax.set_xlabel(t("key (read)"), fontsize=label_fontsize)
        ax.set_title(title, fontsize=label_fontsize)
    axes[0].set_yticks(range(n), tokens, fontsize=fontsize)
    axes[0].set_ylabel(t("query (position)"), fontsize=label_fontsize)
    return fig
