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
PARAM = "#e3ecf8"  # a parameter leaf
GATE_R = 0.42  # the gate figure's circles (data units; the graph's are 0.3)


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


def _op(ax: plt.Axes, x: float, y: float, text: str, face: str = "#eeeeee", radius: float = 0.3) -> None:
    ax.add_patch(Circle((x, y), radius, facecolor=face, edgecolor="#333", linewidth=1.0))
    ax.text(x, y, text, ha="center", va="center", fontsize=10.5)


def _edge(
    ax: plt.Axes,
    a: tuple[float, float],
    b: tuple[float, float],
    rad: float = 0.0,
    colour: str = "#333",
    shrink: tuple[float, float] = (13, 13),
) -> None:
    ax.add_patch(
        FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>",
            mutation_scale=10,
            color=colour,
            linewidth=1.0,
            connectionstyle=f"arc3,rad={rad}",
            shrinkA=shrink[0],
            shrinkB=shrink[1],
        )
    )


def draw_running_graph(width: float = 3.6) -> Figure:
    """The running example's forward graph, from the token ids (top) down to the loss (bottom).

    Two columns, encoder on the left and decoder on the right: ids -> emb (rows of the embedding
    matrix, plus the position vectors P) -> X -> self-attention -> + -> C, and ids -> emb -> Y ->
    masked self-attention -> + -> H1. Below the decoder: (H1, C) -> cross-attention (two edges from C,
    labelled K and V: C is used twice) -> + -> H2 ->
    x W_out -> Z (the logits) -> cross-entropy (with the targets y) -> L. A red arrow in the empty
    space under the encoder says that the backward pass walks every edge the other way.

    Each "emb" circle is the lookup E[ids] + P (its parameter is E_src or E_tgt); each "attn"
    circle stands for the Q, K, V projections (three weight matrices), scores, softmax and the
    weighted sum; each "+" is a residual connection. The output matrix W_out is drawn as a leaf
    (light blue) feeding the "×W" circle. The figure is drawn tall and narrow so that
    its 11-pt text stays about 15 px high on a 390-px phone (it is not scaled down up to 3.66 in).
    """
    check_number(width, "width", low=2.5, high=4.5)
    x_max, y_min, y_max = 6.0, -3.45, 7.55
    fig, ax = plt.subplots(figsize=(width, width * (y_max - y_min) / x_max))
    ax.set_xlim(0, x_max)
    ax.set_ylim(y_min, y_max)
    ax.set_aspect("equal")
    ax.axis("off")
    grey = "#333"  # side labels: dark enough to read on a phone
    enc, dec, step = 1.35, 4.35, 0.8
    ys = [6.6 - k * step for k in range(6)]  # ids, emb, X, attn, +, C
    for x, (inp, out), tag, bend in ((enc, ("X", "C"), t("encoder"), 0.55), (dec, ("Y", "$H_1$"), t("decoder"), -0.55)):
        ax.text(x, ys[0] + 0.36, tag, ha="center", va="bottom", fontsize=11, color=grey)
        _tensor(ax, x, ys[0], "ids", face="#f2f2f2")
        _op(ax, x, ys[1], "emb")
        _tensor(ax, x, ys[2], inp)
        _op(ax, x, ys[3], "attn")
        _op(ax, x, ys[4], "+")
        _tensor(ax, x, ys[5], out)
        for a, b in zip(ys, ys[1:]):
            _edge(ax, (x, a), (x, b))
        # the residual path skips the attention: around the outside of each column
        _edge(ax, (x, ys[2]), (x, ys[4]), rad=bend)
    ax.text((enc + dec) / 2, ys[1], t("E[ids] + P"), ha="center", va="center", fontsize=12, color=grey)
    ax.text((enc + dec) / 2, ys[3], t("causal mask") + " →", ha="center", va="center", fontsize=12, color=grey)
    # cross-attention: queries from H1, keys and values from C
    y_cross, y_plus = ys[5] - step - 0.1, ys[5] - 2 * step - 0.1
    _op(ax, dec, y_cross, "attn")
    _edge(ax, (dec, ys[5]), (dec, y_cross))
    # C is used twice, as the keys and as the values: two edges, whose gradients add up
    for rad, name, dy in ((-0.18, "$K$", -0.05), (0.18, "$V$", 0.5)):
        _edge(ax, (enc, ys[5]), (dec, y_cross), rad=rad)
        ax.text((enc + dec) / 2 - 0.1, (ys[5] + y_cross) / 2 + dy, name, ha="center", va="center", fontsize=11)
    ax.text(dec - 0.4, y_cross - 0.3, t("cross"), ha="right", va="center", fontsize=12, color=grey)
    _op(ax, dec, y_plus, "+")
    _edge(ax, (dec, y_cross), (dec, y_plus))
    _edge(ax, (dec, ys[5]), (dec, y_plus), rad=-0.55)  # residual around cross-attention
    # output layer and loss, straight down
    y_out = [y_plus - step * k for k in range(1, 6)]  # H2, xW, Z, CE, L
    _tensor(ax, dec, y_out[0], "$H_2$")
    _op(ax, dec, y_out[1], "×W")
    _tensor(ax, dec, y_out[2], "Z")
    _op(ax, dec, y_out[3], "CE")
    _tensor(ax, dec, y_out[4], "L", face="#fde8e6")
    for a, b in zip([y_plus] + y_out, y_out):
        _edge(ax, (dec, a), (dec, b))
    _tensor(ax, dec - 1.1, y_out[3], "y", face="#f2f2f2")  # the targets: not an output of the graph above
    # one parameter drawn as the leaf it is (the others sit inside the emb and attn circles)
    _tensor(ax, dec - 1.1, y_out[1], "$W_{\\mathrm{out}}$", face=PARAM)
    _edge(ax, (dec - 1.1, y_out[1]), (dec, y_out[1]))
    _edge(ax, (dec - 1.1, y_out[3]), (dec, y_out[3]))
    # the backward pass, in the empty space under the encoder
    ax.annotate(
        "", xy=(0.12, ys[0]), xytext=(0.12, y_out[4]), arrowprops={"arrowstyle": "-|>", "color": GRAD, "linewidth": 1.6}
    )
    ax.text(
        0.35, y_out[2], t("backward:\nfrom L,\nevery edge\nreversed"), ha="left", va="center", fontsize=12, color=GRAD
    )
    fig.tight_layout(pad=0.1)
    return fig


def draw_gate_patterns(rows: Sequence[dict], width: float = 3.5) -> Figure:
    """One mini graph per row: two inputs, one operation, one output.

    Each row is a dict with keys ``op`` (symbol in the circle), ``rule`` (a short name such as
    "add distributes"), ``inputs`` ((name, value, gradient), (name, value, gradient)), ``out``
    (value) and ``grad_out`` (upstream gradient). Values are written in black above each edge,
    gradients in red below it. ``width`` in inches: at the default 3.5 the figure is not scaled
    down on a 390-px phone and its 10.5-pt text is about 14 px high.
    """
    check_number(width, "width", low=2.5, high=6.0)
    if not rows:
        raise ValueError("need at least one row")
    for r in rows:
        if not {"op", "rule", "inputs", "out", "grad_out"} <= set(r) or len(r["inputs"]) != 2:
            raise ValueError(f"each row needs op, rule, two inputs, out and grad_out; got {sorted(r)}")
    n = len(rows)
    fig, axes = plt.subplots(n, 1, figsize=(width, 0.36 * width * n + 0.25), squeeze=False)
    for ax, r in zip(axes[:, 0], rows):
        ax.set_xlim(0, 6.4)
        ax.set_ylim(-0.2, 2.2)
        ax.set_aspect("equal")
        ax.axis("off")
        _op(ax, 3.0, 1.0, r["op"], radius=GATE_R)  # wide enough for "max" with room to spare
        for (name, value, grad), y in zip(r["inputs"], (1.7, 0.3)):
            ax.text(0.0, y + 0.05, f"{name} = {value:g}", ha="left", va="bottom", fontsize=10.5)
            ax.text(0.0, y - 0.05, t("grad {grad:g}", grad=grad), ha="left", va="top", fontsize=10.5, color=GRAD)
            _edge(ax, (1.2, y), (3.0, 1.0), shrink=(13, 18))
        _edge(ax, (3.0, 1.0), (4.6, 1.0), shrink=(18, 13))
        ax.text(3.95, 1.12, f"{r['out']:g}", ha="center", va="bottom", fontsize=10.5)
        ax.text(3.95, 0.88, t("grad {grad:g}", grad=r["grad_out"]), ha="center", va="top", fontsize=10.5, color=GRAD)
        ax.text(4.75, 1.0, r["rule"], ha="left", va="center", fontsize=10.5)
    axes[0, 0].set_title(t("values (black) and gradients (red)"), fontsize=10.5)
    fig.tight_layout(pad=0.2)
    return fig
