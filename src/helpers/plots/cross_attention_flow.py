"""Data-flow figure of an encoder-decoder Transformer (chapter 6): where cross-attention reads from.

The point of the figure: every decoder layer's cross-attention reads the SAME tensor, the
encoder's final output C, computed once per source sentence; decoder layer l does not read
encoder layer l.
"""

from __future__ import annotations

import re
import textwrap

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


def _fold(text: str, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (Chinese: unchanged)."""
    return text if re.search("[\u4e00-\u9fff]", text) else textwrap.fill(text, width, break_on_hyphens=False)


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
    n_layers: int = 2, source: str = "The cat sat", target_in: str = "<sos> 猫 坐着", width: float = 4.6
) -> plt.Figure:
    """Encoder stack (bottom left) that ends in ONE box, its final output C; decoder stack (above
    it, on the right) with three sub-layers per decoder layer; one blue line from C that branches
    into the cross-attention of EVERY decoder layer.

    The decoder layers sit higher than the whole encoder, so that no encoder layer stands beside a
    decoder layer: the figure cannot be read as "decoder layer l reads encoder layer l". The blue
    line leaves C, rises in the gap between the stacks and enters each cross-attention box from
    the left. ``width`` is in inches; at the default every text is about 13 px on a 390-px phone.
    """
    if isinstance(n_layers, bool) or not isinstance(n_layers, int) or n_layers < 1:
        raise ValueError(f"n_layers must be a positive int, got {n_layers!r}")
    # the sub-layers' names; a long English one takes two lines (the Chinese ones are short)
    names = [_fold(name, 15) for name in (t("masked self-attention"), t("cross-attention"), t("feed-forward"))]
    lines = max(name.count("\n") + 1 for name in names)
    sub_h = 0.48 + 0.3 * (lines - 1)  # one sub-layer box
    title_h = 0.42
    layer_h, gap = 3 * sub_h + 0.2, 0.3  # a decoder layer: a title line, then 3 sub-layers
    enc_x, enc_w, dec_x, dec_w = 0.1, 2.55, 3.25, 2.75
    enc_mid, dec_mid = enc_x + enc_w / 2, dec_x + dec_w / 2
    bus_x = (enc_x + enc_w + dec_x - 0.1) / 2  # the blue line, halfway between the stacks
    frame_h = layer_h + title_h
    enc_layer_h, enc_gap = 0.5, 0.2
    enc_top = 1.85 + 0.15 + n_layers * (enc_layer_h + enc_gap) + 0.05  # the encoder frame's top
    c_y, c_h = enc_top + 0.35, 0.75  # C: above the encoder
    dec_in_y = c_y - 1.0  # the decoder's input and embedding, below its first layer
    first_dec = c_y + c_h + 0.4  # the first decoder layer starts above C
    out_y = first_dec + n_layers * (frame_h + gap)
    top = out_y + 0.75
    size = 14.5  # about 16 px where a 390-px phone shows the figure 366 px wide
    right = dec_x + dec_w + 0.1 + 0.08  # the decoder frames' right edge (with their rounding) and a margin
    fig, ax = plt.subplots(figsize=(width, width * top / right))
    ax.set_xlim(0, right)
    ax.set_ylim(0, top)
    ax.axis("off")

    # the encoder: input, embeddings, its layers in one frame, then C
    _box(ax, enc_x, 0.1, enc_w, 0.5, source, "white", size=size)
    _box(ax, enc_x, 0.95, enc_w, 0.55, t("embed + positions"), "#f2f2f2", size=size)
    _arrow(ax, (enc_mid, 0.6), (enc_mid, 0.95))
    ax.add_patch(
        FancyBboxPatch(
            (enc_x - 0.05, 1.85),
            enc_w + 0.1,
            enc_top - 1.85,
            boxstyle="round,pad=0.02",
            facecolor=ENC_COLOUR,
            edgecolor="#555",
            linewidth=1.0,
        )
    )
    _arrow(ax, (enc_mid, 1.5), (enc_mid, 1.85))
    y = 2.0
    for layer in range(1, n_layers + 1):
        _box(
            ax,
            enc_x + 0.1,
            y,
            enc_w - 0.2,
            enc_layer_h,
            t("encoder layer {n}", n=layer),
            "white",
            edge="#888",
            size=size,
        )
        if layer > 1:
            _arrow(ax, (enc_mid, y - enc_gap), (enc_mid, y))
        y += enc_layer_h + enc_gap
    _box(ax, enc_x, c_y, enc_w, c_h, t("C  (S × d_model)\ncomputed once"), "white", edge=C_COLOUR, size=size)
    _arrow(ax, (enc_mid, enc_top), (enc_mid, c_y))

    # the decoder: input and embeddings, then its layers, each with three sub-layers
    _box(ax, dec_x, dec_in_y - 1.1, dec_w, 0.5, target_in, "white", size=size)
    _box(ax, dec_x, dec_in_y - 0.25, dec_w, 0.55, t("embed + positions"), "#f2f2f2", size=size)
    _arrow(ax, (dec_mid, dec_in_y - 0.6), (dec_mid, dec_in_y - 0.25))
    dec_prev = dec_in_y + 0.3
    y = first_dec
    cross_ys = []
    for layer in range(1, n_layers + 1):
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
        ax.text(
            dec_mid,
            y + frame_h - title_h / 2 - 0.02,
            t("decoder layer {n}", n=layer),
            ha="center",
            va="center",
            fontsize=size,
        )
        for i, name in enumerate(names):
            sy = y + 0.07 + i * (sub_h + 0.05)
            cross = i == 1
            _box(
                ax,
                dec_x + 0.05,
                sy,
                dec_w - 0.1,
                sub_h,
                name,
                CROSS_COLOUR if cross else "white",
                edge=C_COLOUR if cross else "#888",
                size=size,
            )
            if cross:
                cross_ys.append(sy + sub_h / 2)
        _arrow(ax, (dec_mid, dec_prev), (dec_mid, y))
        dec_prev = y + frame_h
        y += frame_h + gap
    _box(ax, dec_x, out_y, dec_w, 0.55, t("linear → softmax"), "#f2f2f2", size=size)
    _arrow(ax, (dec_mid, dec_prev), (dec_mid, out_y))

    # C's one blue line: out of C's right side, up the gap, one arrow into every cross-attention
    start_y = c_y + c_h / 2
    ax.plot(
        [enc_x + enc_w + 0.03, bus_x, bus_x],
        [start_y, start_y, max(cross_ys)],
        color=C_COLOUR,
        linewidth=1.8,
        solid_capstyle="butt",
        solid_joinstyle="round",
    )
    for cy in cross_ys:
        _arrow(ax, (bus_x - 0.01, cy), (dec_x + 0.05, cy), colour=C_COLOUR, width=1.8)
        ax.plot([bus_x], [cy], "o", color=C_COLOUR, markersize=4)
    # a narrow column: broken at spaces (the Chinese text marks its breaks with spaces), at about
    # 16 Latin or 8 Chinese characters a line
    note = t("every decoder layer reads the same C: its keys and values come from C")
    # the figure's message: larger than the box labels (about 14 px on a 360-px phone); not bold:
    # the CJK fallback font has no bold weight (matplotlib would print a findfont warning)
    note = textwrap.fill(note, 8 if re.search("[\u4e00-\u9fff]", note) else 15)
    ax.text(
        enc_mid - 0.1,
        (c_y + c_h + out_y + 0.55) / 2,
        note,
        ha="center",
        va="center",
        fontsize=1.1 * size,
        color=C_COLOUR,
    )
    fig.tight_layout(pad=0.2)
    return fig
