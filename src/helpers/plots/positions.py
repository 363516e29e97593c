"""Chapter 3's permutation-equivariance figure (its other figures are in positional_figs)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch

from ..i18n import t
from ..viz import heatmap
from ._phone import min_font, set_fonts


def permuted_outputs(out: torch.Tensor, out_shuffled: torch.Tensor, tokens: Sequence[str],
                     shuffled_tokens: Sequence[str], width: float = 3.6) -> plt.Figure:
    """Two annotated heatmaps, one above the other: attention outputs for one order and a shuffled
    order.

    Rows are labelled by token, so the reader can see that each token keeps its row of numbers.
    Stacked and 3.6 in wide, the figure is shown unscaled on a 390-px phone, every text at 11 pt
    (15 px there).
    """
    fig, axes = plt.subplots(2, 1, figsize=(width, 3.9))
    low = float(min(out.min(), out_shuffled.min()))
    high = float(max(out.max(), out_shuffled.max()))
    bound = max(abs(low), abs(high))
    cols = [f"c{c}" for c in range(out.shape[1])]
    for ax, m, rows, title in ((axes[0], out, tokens, " ".join(tokens)),
                               (axes[1], out_shuffled, shuffled_tokens, " ".join(shuffled_tokens))):
        heatmap(m, rows, cols, ax=ax, title=t("input: {tokens}", tokens=title), cmap="RdBu_r", vmin=-bound, vmax=bound,
                fmt="{:.1f}", colorbar=False)
    set_fonts(fig, max(min_font(width), 11.0))
    fig.tight_layout(h_pad=0.8)
    return fig
