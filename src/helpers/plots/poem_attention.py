"""Chapter 11's attention maps: what heads of the poem GPT attend to on one poem.

Each panel is one head's (T, T) attention weights, queries down, keys across. Every second token
(positions 0, 2, 4, ...) is written as a tick label, a short tick marking its row and column (a
longer one such as ``<sos>`` written level, reading leftwards from its column). In a regular poem
read from ``<sos>`` the marks ，and 。 always fall on even positions (a line is 5 or 7 characters
and its mark), so every mark is labelled. One label per row (25 rows in 4.2 inches) left at most
about 11 px per character on a 366-px phone column, with neighbouring characters touching; one
label every second row gives each room for 14 pt: about 17 px on that phone. The titles, axis
labels and the colour bar's labels are 13 pt (about 16 px there).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import min_font, set_fonts

WIDTH = 4.2
FONT = 14.0  # the tokens: 14 pt in 4.2 in, ~17 px when the figure is shown 366 px wide
EVERY = 2  # label every second token: one row is too narrow for a readable character
TITLE = 13.0  # panel titles, axis labels, the colour bar
LINE = dict(color="#d62728", lw=1.1, alpha=0.9)  # the line-end marks
assert FONT >= min_font(WIDTH)


def plot_head_maps(maps: Mapping[str, torch.Tensor], tokens: Sequence[str]) -> Figure:
    """One heatmap per head, stacked: maps holds title -> weights (T, T), tokens the T labels.

    Rows are queries, columns keys; darker is more attention (each row sums to 1; one colour bar on
    top gives the scale, 0 to 1, of every panel). Thin lines mark
    the line ends (the columns after each ，and 。) so the poem's lines show as blocks. The tokens at
    positions 0, 2, 4, ... label their rows and columns.
    """
    if not maps:
        raise ValueError("maps must hold at least one head's weights")
    T = len(tokens)
    for title, w in maps.items():
        if not isinstance(w, torch.Tensor) or tuple(w.shape) != (T, T):
            raise ValueError(
                f"maps[{title!r}] must be a ({T}, {T}) tensor, one row per token, got {tuple(getattr(w, 'shape', ()))}"
            )
    fig, axes = plt.subplots(len(maps), 1, figsize=(WIDTH, 0.5 + 4.3 * len(maps)), squeeze=False,
                             layout="constrained")
    ends = [i for i, tok in enumerate(tokens) if tok in "，。"]
    for ax, (title, w) in zip(axes[:, 0], maps.items()):
        ax.imshow(w.detach().float().numpy(), cmap="Blues", vmin=0, vmax=1, interpolation="nearest")
        shown = range(0, T, EVERY)
        ax.set_xticks(shown, [tokens[i] for i in shown])
        ax.set_yticks(shown, [tokens[i] for i in shown])
        for tick in ax.get_xticklabels():  # a longer token (<sos>) reads leftwards, level with the rest
            if len(tick.get_text()) > 1:
                tick.set_horizontalalignment("right")
        ax.tick_params(length=3, pad=1)
        for e in ends:
            ax.axvline(e + 0.5, **LINE)
            ax.axhline(e + 0.5, **LINE)
        ax.set_title(title)
        ax.set_xlabel(t("key (the token attended to)"))
        ax.set_ylabel(t("query"), labelpad=4)  # clear of the characters
    set_fonts(fig, FONT)
    for ax in axes[:, 0]:
        for text in (ax.title, ax.xaxis.label, ax.yaxis.label):
            text.set_fontsize(TITLE)
    bar = fig.colorbar(axes[0, 0].images[0], ax=list(axes[:, 0]), location="top", fraction=0.02, aspect=25,
                       pad=0.01, ticks=[0, 0.25, 0.5, 0.75, 1])  # the scale of every panel (vmin 0, vmax 1)
    bar.set_label(t("attention weight"), fontsize=TITLE)
    bar.ax.tick_params(labelsize=TITLE)
    fig.get_layout_engine().set(h_pad=0.1)
    return fig
