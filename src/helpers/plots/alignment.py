"""Cross-attention maps drawn as word alignments (chapter 6).

Rows are the decoder positions, labelled "→猫" for the position that writes 猫 (the same labels
as the attention explorer); columns are the English words.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..viz import heatmap


def plot_alignments(
    maps: Sequence[torch.Tensor],
    written: Sequence[Sequence[str]],
    english: Sequence[Sequence[str]],
    titles: Sequence[str],
    width: float = 5.4,
) -> Figure:
    """One heatmap per sentence, stacked vertically (readable on a phone).

    maps[i]: (T, S) weights; written[i]: the T Chinese tokens written (row labels get an arrow);
    english[i]: the S English tokens; titles[i]: the panel's title.
    """
    if not (len(maps) == len(written) == len(english) == len(titles)) or not maps:
        raise ValueError("maps, written, english and titles must be non-empty and of the same length")
    heights = [0.9 + 0.42 * m.shape[0] for m in maps]
    fig, axes = plt.subplots(
        len(maps), 1, figsize=(width, sum(heights) + 0.6), gridspec_kw={"height_ratios": heights}, squeeze=False
    )
    for ax, m, zh, en, title in zip(axes[:, 0], maps, written, english, titles):
        heatmap(m, [f"→{z}" for z in zh], list(en), ax=ax, vmin=0, vmax=1, annotate=False)
        ax.set_title(title, fontsize=11)
        ax.tick_params(labelsize=10)
    fig.tight_layout()
    return fig
