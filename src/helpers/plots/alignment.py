"""Cross-attention maps drawn as word alignments (chapter 6).

Rows are the decoder positions, labelled "→猫" for the position that writes 猫 (the same labels
as the attention explorer); columns are the English words.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
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
    percent: bool = True,
) -> Figure:
    """One heatmap per sentence, stacked vertically, white (0) to dark blue (1) as in chapter 4
    (labels about 16 px on a 360-px phone).

    maps[i]: (T, S) weights; written[i]: the T Chinese tokens written (row labels get an arrow);
    english[i]: the S English tokens; titles[i]: the panel's title. The axes are named: the rows
    are the decoder's queries, the columns the encoder's keys. With ``percent`` every cell shows
    its weight in percent, rounded (73 for 0.73; the numbers replace the colour bar); without
    it, a colour bar gives the scale.
    """
    if not (len(maps) == len(written) == len(english) == len(titles)) or not maps:
        raise ValueError("maps, written, english and titles must be non-empty and of the same length")
    if not isinstance(percent, bool):
        raise TypeError(f"percent must be True or False, got {percent!r}")
    heights = [1.4 + 0.42 * m.shape[0] for m in maps]
    fig, axes = plt.subplots(
        len(maps), 1, figsize=(width, sum(heights) + 0.6), gridspec_kw={"height_ratios": heights}, squeeze=False
    )
    for ax, m, zh, en, title in zip(axes[:, 0], maps, written, english, titles):
        rows = [f"→{z}" for z in zh]
        heatmap(m, rows, list(en), ax=ax, vmin=0, vmax=1, annotate=False, cmap="Blues", colorbar=not percent)
        # vertical English labels: at 45 degrees, long neighbours ("teacher", "in") collide
        ax.set_xticks(range(len(en)), list(en), rotation=90, ha="center", va="top")
        ax.set_title(title)
        ax.set_ylabel(t("decoder query (writes)"))
        ax.set_xlabel(t("encoder key (English word)"))
    set_fonts(fig, round(1.5 * min_font(width), 1))
    fig.tight_layout()
    if percent:  # after the layout: the cell numbers are as large as the cells allow
        for ax, m in zip(axes[:, 0], maps):
            cell_pt = ax.get_position().width * width * 72 / m.shape[1]  # one cell's width
            size = round(min(1.45 * min_font(width), max(1.1 * min_font(width), cell_pt / 1.5)), 1)
            w = m.detach().cpu().float()
            for (i, j), x in np.ndenumerate(w.numpy()):
                colour = "white" if x > 0.55 else "black"
                ax.text(j, i, f"{100 * x:.0f}", ha="center", va="center", fontsize=size, color=colour)
    return fig
