"""Chapter 11's architecture diagram of the poem GPT, with the model's own sizes.

One column of boxes, top to bottom: the token ids (B, T); the position embedding ``wpe`` (T, C)
and the token embedding ``wte`` (V, C), added; N pre-norm blocks in a dotted frame (LayerNorm →
causal self-attention → "+", LayerNorm → MLP C → 4C → C → "+"; the residual lines run on the
left); the final LayerNorm ``ln_f``; the output layer ``lm_head``, a map C → V (written like the
MLP's), whose weight is ``wte``'s (V, C) (the dashed arrow on the right: weight tying); the
logits (B, T, V).

The figure is drawn 3.6 inches wide, so a 390-px phone shows it at natural size, with every text
at 10 points (about 14 px).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t

BLUE, ORANGE, GREY, GREEN = "#3367d6", "#d9731c", "#555555", "#2e7d32"
WIDTH = 3.6  # inches: not scaled down on a phone
FONT = 10.0  # points: 13.9 px at natural size (the rule asks 7.9 pt for a 3.6-in figure)
LINE = 1.25 * FONT / 72  # inches from one line of text to the next
X0, X1 = 0.55, 3.0  # the main column's left and right edges, inches
SKIP_X = 0.3  # where the residual lines run
TIE_X = 3.35  # where the tying arrow runs
RADIUS = 0.1  # of a "+" circle


def _check(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValueError(f"draw_gpt_diagram: {name} must be a positive int, got {value!r}")
    return value


def _box(ax: plt.Axes, x0: float, x1: float, y: float, lines: list[str], colour: str, fill: str) -> float:
    """A box from x0 to x1 whose top is at ``y`` (y grows downwards), holding ``lines``; returns its bottom."""
    h = len(lines) * LINE + 0.12
    ax.add_patch(plt.Rectangle((x0, y), x1 - x0, h, fc=fill, ec=colour, lw=1.2))
    ax.text((x0 + x1) / 2, y + h / 2, "\n".join(lines), ha="center", va="center", fontsize=FONT,
            linespacing=1.15)
    return y + h


def _arrow(ax: plt.Axes, start, end, colour: str = "#333333", **style) -> None:
    ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.2,
                                            "shrinkA": 0, "shrinkB": 0, **style})


def _plus(ax: plt.Axes, x: float, y: float, colour: str) -> None:
    ax.add_patch(plt.Circle((x, y), RADIUS, fc="white", ec=colour, lw=1.2))
    ax.plot([x - 0.6 * RADIUS, x + 0.6 * RADIUS], [y, y], color=colour, lw=1.3)
    ax.plot([x, x], [y - 0.6 * RADIUS, y + 0.6 * RADIUS], color=colour, lw=1.3)


def draw_gpt_diagram(vocab_size: int, n_embd: int, block_size: int, n_layer: int, n_head: int) -> Figure:
    """Draw the GPT of ``helpers.gpt`` with its sizes: vocabulary V = ``vocab_size``, width
    C = ``n_embd``, context T = ``block_size``, ``n_layer`` blocks of ``n_head`` heads.

    Every size is written in the figure as a number; B (the batch) stays a letter. Raises
    ValueError if a size is not a positive int or ``n_embd`` is not a multiple of ``n_head``.
    Returns the figure (3.6 inches wide).
    """
    V, C, T, N, H = (
        _check(name, value)
        for name, value in (
            ("vocab_size", vocab_size), ("n_embd", n_embd), ("block_size", block_size),
            ("n_layer", n_layer), ("n_head", n_head),
        )
    )
    if C % H:
        raise ValueError(
            f"draw_gpt_diagram: n_embd={C} must be a multiple of n_head={H} (each head gets C / n_head dims)"
        )

    fig = plt.figure(figsize=(WIDTH, 1.0))  # the height is set once the boxes are placed
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    mid = (X0 + X1) / 2
    gap = 0.2  # inches between a box and the next

    y = 0.05
    bottom = _box(ax, X0, X1, y, [t("token ids ({shape}), T ≤ {T}", shape="B, T", T=T)], GREY, "white")
    # the two embeddings side by side: positions on the left, tokens on the right (next to the tying arrow)
    y = bottom + gap
    left, right = (0.12, mid - 0.05), (mid + 0.05, X1 + 0.1)  # wider than the column: two words a line
    _arrow(ax, (mid, bottom), (mid, y))
    b_wpe = _box(ax, *left, y, [t("position embedding"), f"wpe ({T}, {C})"], ORANGE, "#fdeee0")
    b_wte = _box(ax, *right, y, [t("token embedding"), f"wte ({V}, {C})"], BLUE, "#e8f0fe")
    wte_y = (y + b_wte) / 2
    y_plus = b_wpe + gap + RADIUS
    _arrow(ax, (sum(left) / 2, b_wpe), (mid - RADIUS, y_plus), connectionstyle="angle,angleA=-90,angleB=0,rad=0")
    _arrow(ax, (sum(right) / 2, b_wte), (mid + RADIUS, y_plus), connectionstyle="angle,angleA=-90,angleB=180,rad=0")
    _plus(ax, mid, y_plus, GREY)

    # the blocks: two residual steps, each LayerNorm → sublayer → "+"
    frame_top = y_plus + RADIUS + 0.12
    y = frame_top + LINE + 0.1  # room for the label of the stream x
    _arrow(ax, (mid, y_plus + RADIUS), (mid, y))
    ax.text(mid + 0.08, (frame_top + y) / 2, f"x (B, T, {C})", ha="left", va="center", fontsize=FONT, color=GREY)
    sublayers = [
        (t("causal self-attention"), t("{h} heads of {d} dims", h=H, d=C // H), BLUE, "#e8f0fe"),
        ("MLP", f"{C} → {4 * C} → {C}", ORANGE, "#fdeee0"),
    ]
    for name, sizes, colour, fill in sublayers:
        branch = y - 0.08  # on the arrow into the LayerNorm: the input the "+" adds back
        b_ln = _box(ax, X0 + 0.3, X1 - 0.3, y, ["LayerNorm"], GREY, "#eeeeee")
        y = b_ln + gap
        _arrow(ax, (mid, b_ln), (mid, y))
        b_sub = _box(ax, X0, X1, y, [name, sizes], colour, fill)
        cy = b_sub + gap + RADIUS
        _arrow(ax, (mid, b_sub), (mid, cy - RADIUS))
        _plus(ax, mid, cy, colour)
        ax.plot([mid, SKIP_X, SKIP_X], [branch, branch, cy], color=colour, lw=1.2)
        ax.plot([mid], [branch], "o", color=colour, ms=3.5)
        _arrow(ax, (SKIP_X, cy), (mid - RADIUS, cy), colour=colour)
        y = cy + RADIUS + gap + 0.05
        _arrow(ax, (mid, cy + RADIUS), (mid, y))
    frame_bottom = cy + RADIUS + 0.08
    ax.add_patch(plt.Rectangle((SKIP_X - 0.15, frame_top), X1 + 0.1 - (SKIP_X - 0.15), frame_bottom - frame_top,
                               fc="none", ec=GREY, lw=1, ls=":"))
    ax.text(X1 + 0.05, frame_bottom - 0.06, t("× {n} blocks", n=N), ha="right", va="bottom", fontsize=FONT, color=GREY)

    b_lnf = _box(ax, X0 + 0.3, X1 - 0.3, y, ["LayerNorm (ln_f)"], GREY, "#eeeeee")
    y = b_lnf + gap
    _arrow(ax, (mid, b_lnf), (mid, y))
    b_head = _box(ax, X0, X1, y, [t("output layer"), f"lm_head {C} → {V}"], BLUE, "#e8f0fe")
    head_y = (y + b_head) / 2
    y = b_head + gap
    _arrow(ax, (mid, b_head), (mid, y))
    b_logits = _box(ax, X0, X1, y, [f"logits (B, T, {V})"], GREY, "white")

    # weight tying: lm_head's weight is wte's (the same tensor, used transposed)
    ax.plot([X1, TIE_X, TIE_X], [wte_y, wte_y, head_y], color=GREEN, lw=1.6, ls="--")
    _arrow(ax, (TIE_X, head_y), (X1 + 0.02, head_y), colour=GREEN, lw=1.6)
    ax.text(TIE_X - 0.05, (wte_y + head_y) / 2, t("tied: lm_head uses the weight of wte"), rotation=90, ha="right",
            va="center", fontsize=FONT, color=GREEN, bbox={"fc": "white", "ec": "none", "pad": 1})

    height = b_logits + 0.05
    fig.set_size_inches(WIDTH, height)
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(height, 0)
    return fig
