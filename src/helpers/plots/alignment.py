"""Cross-attention maps drawn as word alignments (chapter 6).

Rows are the decoder positions, labelled "→猫" for the position that writes 猫 (the same labels
as the attention explorer); columns are the English words.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ..viz import heatmap
from ._phone import min_font, set_fonts


def plot_alignments(
    maps: Sequence[torch.Tensor],
    written: Sequence[Sequence[str]],
    english: Sequence[Sequence[str]],
    titles: Sequence[str],
    width: float = 4.8,
) -> Figure:
    """One heatmap per sentence, stacked vertically, white (0) to dark blue (1) as in chapter 4
    (text about 13 px on a 360-px phone).

    maps[i]: (T, S) weights; written[i]: the T Chinese tokens written (row labels get an arrow);
    english[i]: the S English tokens; titles[i]: the panel's title. The axes are named: the rows
    are the decoder's queries, the columns the encoder's keys.
    """
    if not (len(maps) == len(written) == len(english) == len(titles)) or not maps:
        raise ValueError("maps, written, english and titles must be non-empty and of the same length")
    heights = [1.4 + 0.42 * m.shape[0] for m in maps]
    fig, axes = plt.subplots(
        len(maps), 1, figsize=(width, sum(heights) + 0.6), gridspec_kw={"height_ratios": heights}, squeeze=False
    )
    for ax, m, zh, en, title in zip(axes[:, 0], maps, written, english, titles):
        heatmap(m, [f"→{z}" for z in zh], list(en), ax=ax, vmin=0, vmax=1, annotate=False, cmap="Blues")
        # vertical English labels: at 45 degrees, long neighbours ("teacher", "in") collide
        ax.set_xticks(range(len(en)), list(en), rotation=90, ha="center", va="top")
        ax.set_title(title)
        ax.set_ylabel(t("decoder query (writes)"))
        ax.set_xlabel(t("encoder key (English word)"))
    set_fonts(fig, round(1.5 * min_font(width), 1))
    fig.tight_layout()
    return fig
