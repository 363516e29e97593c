"""Computational-graph figures for chapter 9 (backpropagation).

* ``draw_running_graph``: the running example's forward pass, from the token ids to the loss, as a
  graph of tensors (boxes) and operations (circles); the backward pass walks the same edges the
  other way.
* ``draw_gate_patterns``: three one-operation graphs with numbers (forward above each edge,
  gradient below in red): add distributes, multiply swaps, max routes.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from helpers._checks import check_number
from helpers.i18n import t

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
    """The running example's forward graph, from the token ids to the loss.

    ids -> emb (rows of the embedding matrix, plus the position vectors P) -> X -> self-attention
    -> + -> C; the same for the decoder's ids -> Y -> masked self-attention -> + -> H1;
    (H1, C) -> cross-attention -> + -> H2 -> x W_out -> Z (the logits) -> cross-entropy (with the
    targets y) -> L.

    Each "emb" circle is the lookup E[ids] + P (its parameter is E_src or E_tgt); each "attn"
    circle stands for the Q, K, V projections (three weight matrices), scores, softmax and the
    weighted sum; each "+" is a residual connection. Text is 10-11 pt: readable on a phone for
    widths up to 5.5 in.
    """
    check_number(width, "width", low=2.0, high=5.5)
    x_max, y_min, y_max = 8.7, -0.55, 4.1
    fig, ax = plt.subplots(figsize=(width, width * (y_max - y_min) / x_max))
    ax.set_xlim(0, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.axis("off")
    xs = (0.45, 1.5, 2.55, 3.65, 4.75, 5.85)  # ids, emb, X, attn, +, C
    rows = ((3.5, ("X", "C"), t("encoder")), (2.2, ("Y", "$H_1$"), t("decoder")))
    for y, (inp, out), tag in rows:
        _tensor(ax, xs[0], y, "ids", face="#f2f2f2")
        _op(ax, xs[1], y, "emb")
        _tensor(ax, xs[2], y, inp)
        _op(ax, xs[3], y, "attn")
        _op(ax, xs[4], y, "+")
        _tensor(ax, xs[5], y, out)
        for a, b in zip(xs, xs[1:]):
            _edge(ax, (a, y), (b, y))
        _edge(ax, (xs[2], y), (xs[4], y), rad=-0.45)  # the residual path skips the attention
        ax.text(xs[0], y + 0.3, tag, ha="center", va="bottom", fontsize=10, color="#555")
        ax.text(xs[1], y - 0.36, "E[ids] + P", ha="center", va="top", fontsize=10, color="#555")
    ax.text(xs[3], 1.84, t("causal mask"), ha="center", va="top", fontsize=10, color="#555")
    # cross-attention: queries from H1, keys and values from C
    cross, plus = (6.95, 2.85), (8.05, 2.85)
    _op(ax, *cross, "attn")
    _edge(ax, (xs[5], 2.2), cross)
    _edge(ax, (xs[5], 3.5), cross)
    ax.text(cross[0], 3.25, t("cross"), ha="center", va="bottom", fontsize=10, color="#555")
    _op(ax, *plus, "+")
    _edge(ax, cross, plus)
    _edge(ax, (xs[5], 2.2), plus, rad=0.35)  # residual around cross-attention
    _tensor(ax, 8.3, 1.9, "$H_2$")
    _edge(ax, plus, (8.3, 1.9))
    # output layer and loss, right to left along the bottom
    _op(ax, 8.3, 0.7, "×W")
    _edge(ax, (8.3, 1.9), (8.3, 0.7))
    _tensor(ax, 7.1, 0.7, "Z")
    _edge(ax, (8.3, 0.7), (7.1, 0.7))
    _op(ax, 5.9, 0.7, "CE")
    _edge(ax, (7.1, 0.7), (5.9, 0.7))
    _tensor(ax, 5.9, -0.25, "y", face="#f2f2f2")  # the targets, below: not an output of H1
    _edge(ax, (5.9, -0.25), (5.9, 0.7))
    _tensor(ax, 4.7, 0.7, "L", face="#fde8e6")
    _edge(ax, (5.9, 0.7), (4.7, 0.7))
    ax.annotate("", xy=(0.3, 0.3), xytext=(4.3, 0.3), arrowprops={"arrowstyle": "-|>", "color": GRAD, "linewidth": 1.5})
    ax.text(0.3, 0.45, t("backward: from L,\nevery edge reversed"), ha="left", va="bottom", fontsize=10, color=GRAD)
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
            ax.text(0.0, y - 0.05, t("grad {grad:g}", grad=grad), ha="left", va="top", fontsize=10.5, color=GRAD)
            _edge(ax, (1.2, y), (3.0, 1.0))
        _edge(ax, (3.0, 1.0), (4.6, 1.0))
        ax.text(3.95, 1.12, f"{r['out']:g}", ha="center", va="bottom", fontsize=10.5)
        ax.text(3.95, 0.88, t("grad {grad:g}", grad=r["grad_out"]), ha="center", va="top", fontsize=10.5, color=GRAD)
        ax.text(4.75, 1.0, r["rule"], ha="left", va="center", fontsize=10.5)
    axes[0, 0].set_title(t("values (black) and gradients (red)"), fontsize=10.5)
    fig.tight_layout(pad=0.2)
    return fig
