"""Data-flow figure of an encoder-decoder Transformer (chapter 6): where cross-attention reads from.

The point of the figure: every decoder layer's cross-attention reads the SAME tensor, the
encoder's final output C, computed once per source sentence; decoder layer l does not read
encoder layer l.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..i18n import t

ENC_COLOUR, DEC_COLOUR, C_COLOUR, CROSS_COLOUR = "#e8eef7", "#fdf0e3", "#2166ac", "#d6e4f5"


def _box(
    ax: plt.Axes, x: float, y: float, w: float, h: float, text: str, face: str, edge: str = "#555", size: float = 10.5
) -> tuple[float, float, float, float]:
    """A rounded box with centred text; returns (x, y, w, h)."""
    ax.add_patch(
        FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0.02,rounding_size=0.08", facecolor=face, edgecolor=edge, linewidth=1.0
        )
    )
    ax.text(x + w / 2, y + h / 2, text, ha="center", va="center", fontsize=size)
    return x, y, w, h


def _arrow(
    ax: plt.Axes,
    start: tuple[float, float],
    end: tuple[float, float],
    colour: str = "#555",
    width: float = 1.0,
    style: str = "-|>",
    connection: str = "arc3",
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            start,
            end,
            arrowstyle=style,
            mutation_scale=11,
            color=colour,
            linewidth=width,
            connectionstyle=connection,
            shrinkA=1,
            shrinkB=1,
        )
    )


def draw_cross_attention_flow(
    n_layers: int = 2, source: str = "The cat sat", target_in: str = "<sos> 猫 坐着", width: float = 5.2
) -> plt.Figure:
    """Encoder stack (left), decoder stack (right) with three sub-layers per decoder layer, and
    one blue arrow from the encoder's final output C into the cross-attention of EVERY decoder layer.

    The blue arrows run down a line in the gap between the two stacks and enter each
    cross-attention box from the left, so none crosses a box or a label; the black arrows (the
    flow up each stack) run in the gaps between boxes, where no text is.
    ``width`` is in inches; every text is at least 10 pt, readable on a phone for widths up to 5.5 in.
    """
    if not isinstance(n_layers, int) or n_layers < 1:
        raise ValueError(f"n_layers must be a positive int, got {n_layers!r}")
    layer_h, gap, title_h = 1.55, 0.35, 0.38  # a decoder layer: a title line, then 3 sub-layers
    enc_x, enc_w, dec_x, dec_w = 0.1, 2.3, 3.4, 2.5
    enc_mid, dec_mid = enc_x + enc_w / 2, dec_x + dec_w / 2
    bus_x = (enc_x + enc_w + dec_x - 0.1) / 2  # the blue line, halfway between the stacks
    frame_h = layer_h + title_h
    top = 2.0 + n_layers * (frame_h + gap) + 0.6 + 0.85  # C (0.6 high), then the blue note
    fig, ax = plt.subplots(figsize=(width, width * top / 6.05))
    ax.set_xlim(0, 6.05)
    ax.set_ylim(0, top)
    ax.axis("off")

    # inputs and embeddings (bottom)
    _box(ax, enc_x, 0.1, enc_w, 0.5, source, "white")
    _box(ax, dec_x, 0.1, dec_w, 0.5, target_in, "white")
    _box(ax, enc_x, 0.95, enc_w, 0.55, t("embed + positions"), "#f2f2f2")
    _box(ax, dec_x, 0.95, dec_w, 0.55, t("embed + positions"), "#f2f2f2")
    _arrow(ax, (enc_mid, 0.6), (enc_mid, 0.95))
    _arrow(ax, (dec_mid, 0.6), (dec_mid, 0.95))

    y = 2.0
    enc_prev, dec_prev = 1.5, 1.5
    cross_ys = []
    for layer in range(1, n_layers + 1):
        _box(ax, enc_x, y, enc_w, frame_h, t("encoder") + "\n" + t("layer {n}", n=layer), ENC_COLOUR)
        _arrow(ax, (enc_mid, enc_prev), (enc_mid, y))
        enc_prev = y + frame_h
        # decoder layer: its name on top, three sub-layers stacked below it, inside one frame
        ax.add_patch(
            FancyBboxPatch(
                (dec_x - 0.1, y),
                dec_w + 0.2,
                frame_h,
                boxstyle="round,pad=0.02",
                facecolor=DEC_COLOUR,
                edgecolor="#555",
                linewidth=1.0,
            )
        )
        ax.text(dec_mid, y + frame_h - title_h / 2 - 0.02, t("decoder layer {n}", n=layer),
                ha="center", va="center", fontsize=10.5)
        sub_h = (layer_h - 0.2) / 3
        names = (t("masked self-attention"), t("cross-attention"), t("feed-forward"))
        for i, name in enumerate(names):
            sy = y + 0.07 + i * (sub_h + 0.05)
            cross = i == 1  # the cross-attention
            _box(ax, dec_x + 0.05, sy, dec_w - 0.1, sub_h, name, CROSS_COLOUR if cross else "white",
                 edge=C_COLOUR if cross else "#888", size=10)
            if cross:
                cross_ys.append(sy + sub_h / 2)
        _arrow(ax, (dec_mid, dec_prev), (dec_mid, y))
        dec_prev = y + frame_h
        y += frame_h + gap

    # the encoder's final output C, computed once; the decoder's output layer
    c_y, c_h = y, 0.6
    _box(ax, enc_x, c_y, enc_w, c_h, t("C  (S × d_model)\ncomputed once"), "white", edge=C_COLOUR, size=10)
    _arrow(ax, (enc_mid, enc_prev), (enc_mid, c_y))
    _box(ax, dec_x, c_y, dec_w, c_h, t("linear → softmax"), "#f2f2f2")
    _arrow(ax, (dec_mid, dec_prev), (dec_mid, c_y))
    # C's one blue line: out of C's right side, down the gap, one arrow into every cross-attention
    start_y = c_y + c_h / 2
    ax.plot([enc_x + enc_w + 0.03, bus_x, bus_x], [start_y, start_y, min(cross_ys)], color=C_COLOUR,
            linewidth=1.6, solid_capstyle="butt", solid_joinstyle="round")
    for cy in cross_ys:
        _arrow(ax, (bus_x - 0.01, cy), (dec_x + 0.05, cy), colour=C_COLOUR, width=1.6)
        ax.plot([bus_x], [cy], "o", color=C_COLOUR, markersize=4)
    ax.text(
        3.0,
        c_y + c_h + 0.5,
        t("keys and values of every\ncross-attention come from C"),
        ha="center",
        va="center",
        fontsize=10,
        color=C_COLOUR,
    )
    fig.tight_layout(pad=0.2)
    return fig
