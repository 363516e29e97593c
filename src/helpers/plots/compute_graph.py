"""Computational-graph figures for chapter 9 (backpropagation).

* ``draw_running_graph``: the running example's forward pass as a graph of tensors (boxes) and
  operations (circles); the backward pass walks the same edges the other way.
* ``draw_gate_patterns``: three one-operation graphs with numbers (forward above each edge,
  gradient below in red): add distributes, multiply swaps, max routes.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

GRAD = "#b3261e"


def _tensor(ax: plt.Axes, x: float, y: float, text: str, face: str = "white") -> None:
    ax.add_patch(
        FancyBboxPatch(
            (x - 0.3, y - 0.22),
            0.6,
            0.44,
            boxstyle="round,pad=0.02,rounding_size=0.06",
            facecolor=face,
            edgecolor="#333",
            linewidth=1.0,
        )
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=11)


def _op(ax: plt.Axes, x: float, y: float, text: str, face: str = "#eeeeee") -> None:
    ax.add_patch(Circle((x, y), 0.3, facecolor=face, edgecolor="#333", linewidth=1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=10)


def _edge(ax: plt.Axes, a: tuple[float, float], b: tuple[float, float], rad: float = 0.0, colour: str = "#333") -> None:
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=10,
            color=colour,
            linewidth=1.0,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=13,
            shrinkB=13,
        )
    )


def draw_running_graph(width: float = 5.4) -> Figure:
    """The running example's forward graph: X -> self-attention -> + -> C; Y -> masked self-attention
    -> + -> H1; (H1, C) -> cross-attention -> + -> H2 -> x W_out -> Z -> cross-entropy (with y) -> L.

    Each "attn" circle stands for Q, K, V projections (three weight matrices), scores, softmax and
    the weighted sum; each "+" is a residual connection. Text is 10-11 pt (readable on a phone up
    to 5.5 in wide).
    """
    fig, ax = plt.subplots(figsize=(width, width * 4.1 / 7.0))
    ax.set_xlim(0, 7.0)
    ax.set_ylim(0, 4.1)
    ax.set_aspect("equal")
    ax.axis("off")
    xs = (0.5, 1.6, 2.7, 3.8)
    for y, names, tag in ((3.5, ("X", "attn", "+", "C"), "encoder"), (2.2, ("Y", "attn", "+", "$H_1$"), "decoder")):
        for i, (x, name) in enumerate(zip(xs, names)):
            (_tensor if i in (0, 3) else _op)(ax, x, y, name)
            if i:
                _edge(ax, (xs[i - 1], y), (x, y))
        _edge(ax, (xs[0], y), (xs[2], y), rad=-0.45)  # the residual path skips the attention
        ax.text(0.5, y + 0.42, tag, ha="center", va="bottom", fontsize=10, color="#555")
    ax.text(1.6, 1.7, "causal mask", ha="center", va="top", fontsize=10, color="#555")
    # cross-attention: queries from H1, keys and values from C
    _op(ax, 4.9, 2.85, "attn")
    _edge(ax, (3.8, 2.2), (4.9, 2.85))
    _edge(ax, (3.8, 3.5), (4.9, 2.85))
    ax.text(4.9, 3.25, "cross", ha="center", va="bottom", fontsize=10, color="#555")
    _op(ax, 6.0, 2.85, "+")
    _edge(ax, (4.9, 2.85), (6.0, 2.85))
    _edge(ax, (3.8, 2.2), (6.0, 2.85), rad=0.35)  # residual around cross-attention
    _tensor(ax, 6.3, 1.9, "$H_2$")
    _edge(ax, (6.0, 2.85), (6.3, 1.9))
    # output layer and loss, right to left along the bottom
    _op(ax, 6.3, 0.7, "×W")
    _edge(ax, (6.3, 1.9), (6.3, 0.7))
    _tensor(ax, 5.1, 0.7, "Z")
    _edge(ax, (6.3, 0.7), (5.1, 0.7))
    _op(ax, 3.9, 0.7, "CE")
    _edge(ax, (5.1, 0.7), (3.9, 0.7))
    _tensor(ax, 3.9, 1.65, "y", face="#f2f2f2")
    _edge(ax, (3.9, 1.65), (3.9, 0.7))
    _tensor(ax, 2.7, 0.7, "L", face="#fde8e6")
    _edge(ax, (3.9, 0.7), (2.7, 0.7))
    ax.annotate("", xy=(0.4, 0.3), xytext=(2.3, 0.3), arrowprops={"arrowstyle": "-|>", "color": GRAD, "linewidth": 1.5})
    ax.text(0.4, 0.45, "backward: from L,\nevery edge reversed", ha="left", va="bottom", fontsize=10, color=GRAD)
    fig.tight_layout(pad=0.1)
    return fig


def draw_gate_patterns(rows: Sequence[dict], width: float = 4.6) -> Figure:
    """One mini graph per row: two inputs, one operation, one output.

    Each row is a dict with keys ``op`` (symbol in the circle), ``rule`` (a short name such as
    "add distributes"), ``inputs`` ((name, value, gradient), (name, value, gradient)), ``out``
    (value) and ``grad_out`` (upstream gradient). Values are written in black above each edge,
    gradients in red below it.
    """
    if not rows:
        raise ValueError("need at least one row")
    for r in rows:
        if not {"op", "rule", "inputs", "out", "grad_out"} <= set(r) or len(r["inputs"]) != 2:
            raise ValueError(f"each row needs op, rule, two inputs, out and grad_out; got {sorted(r)}")
    n = len(rows)
    fig, axes = plt.subplots(n, 1, figsize=(width, 1.55 * n), squeeze=False)
    for ax, r in zip(axes[:, 0], rows):
        ax.set_xlim(0, 6.4)
        ax.set_ylim(-0.2, 2.2)
        ax.set_aspect("equal")
        ax.axis("off")
        _op(ax, 3.0, 1.0, r["op"])
        for (name, value, grad), y in zip(r["inputs"], (1.7, 0.3)):
            ax.text(0.0, y + 0.05, f"{name} = {value:g}", ha="left", va="bottom", fontsize=10.5)
            ax.text(0.0, y - 0.05, f"grad {grad:g}", ha="left", va="top", fontsize=10.5, color=GRAD)
            _edge(ax, (1.2, y), (3.0, 1.0))
        _edge(ax, (3.0, 1.0), (4.6, 1.0))
        ax.text(3.95, 1.12, f"{r['out']:g}", ha="center", va="bottom", fontsize=10.5)
        ax.text(3.95, 0.88, f"grad {r['grad_out']:g}", ha="center", va="top", fontsize=10.5, color=GRAD)
        ax.text(4.75, 1.0, r["rule"], ha="left", va="center", fontsize=10.5)
    axes[0, 0].set_title("values (black) and gradients (red)", fontsize=10.5)
    fig.tight_layout(pad=0.2)
    return fig
