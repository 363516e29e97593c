"""Chapter 11's attention maps: what heads of the poem GPT attend to on one poem.

Each panel is one head's (T, T) attention weights, queries down, keys across, the tokens as
tick labels (a longer one such as ``<sos>`` written level, reading leftwards from its column).
The figure is 4.2 inches wide with texts at 10 pt: about 12 px on a 390-px phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import min_font, set_fonts

WIDTH = 4.2
FONT = 10.0  # 10 pt in 4.2 in: ~12 px when the figure is shown 366 px wide
assert FONT >= min_font(WIDTH)


def plot_head_maps(maps: Mapping[str, torch.Tensor], tokens: Sequence[str]) -> Figure:
    """One heatmap per head, stacked: maps holds title -> weights (T, T), tokens the T labels.

    Rows are queries, columns keys; darker is more attention (each row sums to 1). Thin lines mark
    the line ends (the columns after each ，and 。) so the poem's lines show as blocks.
    """
    if not maps:
        raise ValueError("maps must hold at least one head's weights")
    T = len(tokens)
    for title, w in maps.items():
        if not isinstance(w, torch.Tensor) or tuple(w.shape) != (T, T):
            raise ValueError(
                f"maps[{title!r}] must be a ({T}, {T}) tensor, one row per token, got {tuple(getattr(w, 'shape', ()))}"
            )
    fig, axes = plt.subplots(len(maps), 1, figsize=(WIDTH, 4.3 * len(maps)), squeeze=False)
    ends = [i for i, tok in enumerate(tokens) if tok in "，。"]
    for ax, (title, w) in zip(axes[:, 0], maps.items()):
        ax.imshow(w.detach().float().numpy(), cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
        ax.set_xticks(range(T), tokens)
        ax.set_yticks(range(T), tokens)
        for tick in ax.get_xticklabels():  # a longer token (<sos>) reads leftwards, level with the rest
            if len(tick.get_text()) > 1:
                tick.set_horizontalalignment("right")
        ax.tick_params(length=0, pad=1)
        for e in ends:
            ax.axvline(e + 0.5, color="#c44", lw=0.6, alpha=0.6)
            ax.axhline(e + 0.5, color="#c44", lw=0.6, alpha=0.6)
        ax.set_title(title)
        ax.set_xlabel(t("key (the token attended to)"))
        ax.set_ylabel(t("query"), labelpad=8)  # clear of the characters
    set_fonts(fig, FONT)
    fig.tight_layout()
    return fig
