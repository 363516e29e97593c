"""Data-flow figure of an encoder-decoder Transformer (chapter 6): where cross-attention reads from.

The point of the figure: every decoder layer's cross-attention reads the SAME tensor, the
encoder's final output C, computed once per source sentence; decoder layer l does not read
encoder layer l.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

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

    ``width`` is in inches; every text is at least 10 pt, readable on a phone for widths up to 5.5 in.
    """
    if not isinstance(n_layers, int) or n_layers < 1:
        raise ValueError(f"n_layers must be a positive int, got {n_layers!r}")
    layer_h, gap = 1.55, 0.35
    height_units = 2.6 + n_layers * (layer_h + gap) + 1.4
    fig, ax = plt.subplots(figsize=(width, width * height_units / 6.05))
    ax.set_xlim(0, 6.05)
    ax.set_ylim(0, height_units)
    ax.axis("off")

    # inputs and embeddings (bottom)
    _box(ax, 0.1, 0.1, 2.3, 0.5, source, "white")
    _box(ax, 3.4, 0.1, 2.5, 0.5, target_in, "white")
    _box(ax, 0.1, 0.95, 2.3, 0.55, "embed + positions", "#f2f2f2")
    _box(ax, 3.4, 0.95, 2.5, 0.55, "embed + positions", "#f2f2f2")
    _arrow(ax, (1.25, 0.6), (1.25, 0.95))
    _arrow(ax, (4.65, 0.6), (4.65, 0.95))
    ax.text(1.25, 1.75, f"encoder ({n_layers} layers)", ha="center", fontsize=11)
    ax.text(4.65, 1.75, f"decoder ({n_layers} layers)", ha="center", fontsize=11)

    y = 2.1
    enc_prev, dec_prev = 1.5, 1.5
    cross_boxes = []
    for layer in range(1, n_layers + 1):
        _box(ax, 0.1, y, 2.3, layer_h, f"encoder\nlayer {layer}", ENC_COLOUR)
        _arrow(ax, (1.25, enc_prev), (1.25, y))
        enc_prev = y + layer_h
        # decoder layer: three sub-layers stacked inside one frame
        ax.add_patch(
            FancyBboxPatch(
                (3.3, y - 0.05),
                2.7,
                layer_h + 0.1,
                boxstyle="round,pad=0.02",
                facecolor=DEC_COLOUR,
                edgecolor="#555",
                linewidth=1.0,
            )
        )
        sub_h = (layer_h - 0.2) / 3
        names = ("masked self-attention", "cross-attention", "feed-forward")
        for i, name in enumerate(names):
            sy = y + 0.05 + i * (sub_h + 0.05)
            face = CROSS_COLOUR if name == "cross-attention" else "white"
            edge = C_COLOUR if name == "cross-attention" else "#888"
            _box(ax, 3.45, sy, 2.4, sub_h, name, face, edge=edge, size=10)
            if name == "cross-attention":
                cross_boxes.append((3.45, sy + sub_h / 2))
        _arrow(ax, (4.65, dec_prev), (4.65, y + 0.05))
        dec_prev = y + layer_h
        y += layer_h + gap

    # the encoder's final output C, computed once
    c_y = y
    _box(ax, 0.1, c_y, 2.3, 0.6, "C  (S × d_model)\ncomputed once", "white", edge=C_COLOUR, size=10)
    _arrow(ax, (1.25, enc_prev), (1.25, c_y))
    _box(ax, 3.4, c_y, 2.5, 0.6, "linear → softmax", "#f2f2f2")
    _arrow(ax, (4.65, dec_prev), (4.65, c_y))
    # one blue arrow from C into the cross-attention of every decoder layer
    for bx, by in cross_boxes:
        _arrow(ax, (2.4, c_y + 0.3), (bx, by), colour=C_COLOUR, width=1.6, connection="arc3,rad=0.15")
    ax.text(
        3.0,
        c_y + 0.95,
        "keys and values of every\ncross-attention come from C",
        ha="center",
        va="center",
        fontsize=10,
        color=C_COLOUR,
    )
    fig.tight_layout(pad=0.2)
    return fig
