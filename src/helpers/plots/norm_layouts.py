"""Chapter 7's block diagrams: where the LayerNorm sits in a post-norm and a pre-norm layer."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from ..i18n import t

STREAM_X, BRANCH_X = 1.0, 2.6
FONT = 10


def _box(ax: plt.Axes, x: float, y: float, text: str, colour: str) -> None:
    ax.add_patch(
        FancyBboxPatch((x - 0.85, y - 0.38), 1.7, 0.76, boxstyle="round,pad=0.05", fc=colour, ec="black", lw=1)
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=FONT)


def _arrow(ax: plt.Axes, points: list[tuple[float, float]]) -> None:
    """A polyline with an arrow head at its end."""
    for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
        ax.plot([x0, x1], [y0, y1], color="black", lw=1.3)
    ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=dict(arrowstyle="-|>", color="black", lw=1.3))


def _plus(ax: plt.Axes, y: float) -> None:
    ax.add_patch(Circle((STREAM_X, y), 0.28, fc="white", ec="black", lw=1.2, zorder=3))
    ax.text(STREAM_X, y - 0.02, "+", ha="center", va="center", fontsize=FONT + 2, zorder=4)


def plot_norm_layouts() -> Figure:
    """Two block diagrams side by side (4.8 in wide, text >= 9 pt): one sub-layer F (attention or
    feed-forward) with its residual connection, post-norm (2017) and pre-norm. The residual stream
    runs up the left; the branch through F on the right."""
    fig, axes = plt.subplots(1, 2, figsize=(4.8, 4.4))
    ln, sub, stream = "#f6d18b", "#9ec5ea", "#3a6fb0"
    for ax, title in zip(axes, (t("post-norm (2017)"), t("pre-norm"))):
        ax.set_xlim(0, 3.6)
        ax.set_ylim(0, 9.4)
        ax.axis("off")
        ax.set_title(title, fontsize=FONT + 1)
        ax.text(STREAM_X, 0.15, t("x (stream)"), ha="center", fontsize=FONT)
    # post-norm: x -> x + F(x) -> LayerNorm, on the stream itself
    ax = axes[0]
    _arrow(ax, [(STREAM_X, 0.55), (STREAM_X, 4.22)])
    _arrow(ax, [(STREAM_X, 1.4), (BRANCH_X, 1.4), (BRANCH_X, 2.42)])
    _box(ax, BRANCH_X, 2.85, t("sub-layer"), sub)
    _arrow(ax, [(BRANCH_X, 3.3), (BRANCH_X, 4.5), (STREAM_X + 0.3, 4.5)])
    _plus(ax, 4.5)
    _arrow(ax, [(STREAM_X, 4.78), (STREAM_X, 5.72)])
    _box(ax, STREAM_X, 6.15, "LayerNorm", ln)
    _arrow(ax, [(STREAM_X, 6.6), (STREAM_X, 8.3)])
    ax.text(STREAM_X, 8.55, t("next sub-layer"), ha="center", fontsize=FONT)
    # a narrow column: broken at spaces (the Chinese text marks its one break with a space)
    note = textwrap.fill(t("every gradient path crosses it"), 10)
    ax.text(STREAM_X + 0.95, 6.55, note, fontsize=FONT - 1, color="#8a5a00")
    # pre-norm: x -> x + F(LayerNorm(x)); the stream is never normalised until the end
    ax = axes[1]
    _arrow(ax, [(STREAM_X, 0.55), (STREAM_X, 4.82)])
    _arrow(ax, [(STREAM_X, 1.0), (BRANCH_X, 1.0), (BRANCH_X, 1.62)])
    _box(ax, BRANCH_X, 2.05, "LayerNorm", ln)
    _arrow(ax, [(BRANCH_X, 2.5), (BRANCH_X, 3.12)])
    _box(ax, BRANCH_X, 3.55, t("sub-layer"), sub)
    _arrow(ax, [(BRANCH_X, 4.0), (BRANCH_X, 5.1), (STREAM_X + 0.3, 5.1)])
    _plus(ax, 5.1)
    _arrow(ax, [(STREAM_X, 5.38), (STREAM_X, 7.22)])
    ax.text(STREAM_X + 0.12, 6.2, "× N", fontsize=FONT, color=stream)
    _box(ax, STREAM_X, 7.65, t("final norm"), ln)
    _arrow(ax, [(STREAM_X, 8.1), (STREAM_X, 8.6)])
    ax.text(STREAM_X, 8.75, t("output"), ha="center", fontsize=FONT)
    fig.tight_layout()
    return fig


def plot_block_overview(width: float = 3.8) -> Figure:
    """One pre-norm Transformer block (the layout of most current models) as the residual stream:
    a vertical line that carries every token's vector up; two branches leave it and add back,
    LayerNorm → multi-head attention → add, then LayerNorm → feed-forward → add; the whole block
    repeats N times. ``width`` in inches; the text is about 13 px on a 360-px phone."""
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 2.5 <= width <= 8:
        raise ValueError(f"width must be a number of inches in [2.5, 8], got {width!r}")
    fig, ax = plt.subplots(figsize=(width, width * 1.45))
    ax.set_xlim(0, 4.2)
    ax.set_ylim(0, 10.6)
    ax.axis("off")
    ln, attn, ffn, stream = "#f6d18b", "#9ec5ea", "#b8e0b0", "#3a6fb0"
    sx, bx, bw, bh = 1.25, 2.95, 2.3, 1.0  # stream x, branch x, box width and height

    def box(y: float, text: str, colour: str) -> None:
        ax.add_patch(FancyBboxPatch((bx - bw / 2, y - bh / 2), bw, bh, boxstyle="round,pad=0.04",
                                    fc=colour, ec="black", lw=1))
        ax.text(bx, y, text, ha="center", va="center", fontsize=FONT)

    def arrow(points: list[tuple[float, float]], colour: str = "black", lw: float = 1.3) -> None:
        for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
            ax.plot([x0, x1], [y0, y1], color=colour, lw=lw, solid_capstyle="butt")
        ax.annotate("", xy=points[-1], xytext=points[-2],
                    arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, shrinkA=0, shrinkB=0))

    def plus(y: float) -> None:
        ax.plot([sx], [y], "o", ms=17, mfc="white", mec="black", mew=1.2, zorder=3)
        ax.text(sx, y, "+", ha="center", va="center", fontsize=FONT + 3, zorder=4)

    ax.text(sx, 0.25, t("token vectors x"), ha="center", va="center", fontsize=FONT)
    for y0, norm_y, sub_y, add_y, name, colour in (
        (1.35, 2.15, 3.45, 4.55, t("multi-head attention\n(tokens read each other)"), attn),
        (5.25, 6.05, 7.35, 8.45, t("feed-forward\n(each token alone)"), ffn),
    ):
        arrow([(sx, y0), (bx, y0), (bx, norm_y - bh / 2)])
        box(norm_y, "LayerNorm", ln)
        arrow([(bx, norm_y + bh / 2), (bx, sub_y - bh / 2)])
        box(sub_y, name, colour)
        arrow([(bx, sub_y + bh / 2), (bx, add_y), (sx + 0.2, add_y)])
        plus(add_y)
    # the stream itself, drawn last under the circles: a thick line from the input to the output
    arrow([(sx, 0.55), (sx, 4.3)], colour=stream, lw=2.6)
    arrow([(sx, 4.8), (sx, 8.2)], colour=stream, lw=2.6)
    arrow([(sx, 8.7), (sx, 9.85)], colour=stream, lw=2.6)
    ax.text(sx, 10.2, t("to the next block"), ha="center", va="center", fontsize=FONT)
    ax.text(sx - 0.28, 2.9, t("residual stream"), rotation=90, ha="center", va="center", fontsize=FONT,
            color=stream)
    # × N: the block repeats
    ax.plot([0.62, 0.52, 0.52, 0.62], [1.1, 1.1, 8.8, 8.8], color="#555", lw=1.2)
    ax.text(0.42, 4.95, "× N", ha="right", va="center", fontsize=FONT, color="#555")
    fig.tight_layout(pad=0.2)
    return fig
