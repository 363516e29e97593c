"""Chapter 7's block diagrams: where the LayerNorm sits in a post-norm and a pre-norm layer."""

from __future__ import annotations

import textwrap

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from ..i18n import t

STREAM_X, BRANCH_X = 1.0, 2.6
FONT = 10


def _box(ax: plt.Axes, x: float, y: float, text: str, colour: str, font: float = FONT) -> None:
    ax.add_patch(
        FancyBboxPatch((x - 0.95, y - 0.38), 1.9, 0.76, boxstyle="round,pad=0.05", fc=colour, ec="black", lw=1)
    )
    ax.text(x, y, text, ha="center", va="center", fontsize=font)


def _arrow(ax: plt.Axes, points: list[tuple[float, float]]) -> None:
    """A polyline with an arrow head at its end."""
    for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
        ax.plot([x0, x1], [y0, y1], color="black", lw=1.3)
    ax.annotate("", xy=points[-1], xytext=points[-2], arrowprops=dict(arrowstyle="-|>", color="black", lw=1.3))


def _plus(ax: plt.Axes, y: float, font: float = FONT) -> None:
    ax.add_patch(Circle((STREAM_X, y), 0.28, fc="white", ec="black", lw=1.2, zorder=3))
    ax.text(STREAM_X, y - 0.02, "+", ha="center", va="center", fontsize=font + 2, zorder=4)


def plot_norm_layouts(width: float = 4.6) -> Figure:
    """Two block diagrams side by side: one sub-layer F (attention or feed-forward) with its
    residual connection, post-norm (2017) and pre-norm. The residual stream runs up the left; the
    branch through F on the right; a bracket on the left marks the part that repeats for each
    sub-layer. ``width`` in inches (default 4.6: the box texts, 12 pt, are about 13 px on a 366-px
    phone, the other labels, 13.5 pt, about 15 px)."""
    _check_width(width)
    fig, axes = plt.subplots(1, 2, figsize=(width, width * 0.98))
    ln, sub = "#f6d18b", "#9ec5ea"
    font, label = 12, 13.5  # box texts; the annotation, the bracket and the other labels
    for ax, title in zip(axes, (t("post-norm (2017)"), t("pre-norm"))):
        ax.set_xlim(-0.75, 3.72)  # the branch boxes reach 3.6 + their border
        ax.set_ylim(0, 9.4)
        ax.axis("off")
        ax.set_title(title, fontsize=label)
        ax.text(STREAM_X, 0.15, t("x (stream)"), ha="center", fontsize=label)
    # post-norm: x -> x + F(x) -> LayerNorm, on the stream itself
    ax = axes[0]
    _arrow(ax, [(STREAM_X, 0.55), (STREAM_X, 4.22)])
    _arrow(ax, [(STREAM_X, 1.4), (BRANCH_X, 1.4), (BRANCH_X, 2.42)])
    _box(ax, BRANCH_X, 2.85, t("sub-layer"), sub, font)
    _arrow(ax, [(BRANCH_X, 3.3), (BRANCH_X, 4.5), (STREAM_X + 0.3, 4.5)])
    _plus(ax, 4.5, font)
    _arrow(ax, [(STREAM_X, 4.78), (STREAM_X, 5.72)])
    _box(ax, STREAM_X, 6.15, "LayerNorm", ln, font)
    _arrow(ax, [(STREAM_X, 6.6), (STREAM_X, 8.3)])
    ax.text(STREAM_X, 8.55, t("next sub-layer"), ha="center", fontsize=label)
    # a narrow column: broken at spaces (the Chinese text marks its one break with a space)
    note = textwrap.fill(t("every gradient path crosses it"), 10)
    ax.text(STREAM_X + 1.05, 6.15, note, fontsize=label, color="#6b4200", va="center")
    _repeat_bracket(ax, 1.2, 6.75, label)
    # pre-norm: x -> x + F(LayerNorm(x)); the stream is never normalised until the end
    ax = axes[1]
    _arrow(ax, [(STREAM_X, 0.55), (STREAM_X, 4.82)])
    _arrow(ax, [(STREAM_X, 1.0), (BRANCH_X, 1.0), (BRANCH_X, 1.62)])
    _box(ax, BRANCH_X, 2.05, "LayerNorm", ln, font)
    _arrow(ax, [(BRANCH_X, 2.5), (BRANCH_X, 3.12)])
    _box(ax, BRANCH_X, 3.55, t("sub-layer"), sub, font)
    _arrow(ax, [(BRANCH_X, 4.0), (BRANCH_X, 5.1), (STREAM_X + 0.3, 5.1)])
    _plus(ax, 5.1, font)
    _arrow(ax, [(STREAM_X, 5.38), (STREAM_X, 7.22)])
    _repeat_bracket(ax, 0.8, 5.5, label)
    _box(ax, STREAM_X, 7.65, t("final norm"), ln, font)
    _arrow(ax, [(STREAM_X, 8.1), (STREAM_X, 8.6)])
    ax.text(STREAM_X, 8.75, t("output"), ha="center", fontsize=label)
    fig.tight_layout(pad=0.3, w_pad=0.2)
    return fig


def _repeat_bracket(ax: plt.Axes, y0: float, y1: float, font: float) -> None:
    """A bracket left of the stream from ``y0`` to ``y1``, labelled along its length: the part of the
    diagram that repeats once for each sub-layer of the stack."""
    x = -0.1
    ax.plot([x + 0.14, x, x, x + 0.14], [y0, y0, y1, y1], color="#333", lw=1.6)
    ax.text(
        x - 0.1,
        (y0 + y1) / 2,
        t("each sub-layer"),
        rotation=90,
        ha="right",
        va="center",
        fontsize=font,
        color="#333",
    )


def _check_width(width: float) -> None:
    if isinstance(width, bool) or not isinstance(width, (int, float)) or not 2.5 <= width <= 8:
        raise ValueError(f"width must be a number of inches in [2.5, 8], got {width!r}")


def plot_block_overview(width: float = 3.8, layout: str = "post") -> Figure:
    """One Transformer block drawn around the residual stream: a vertical line that carries every
    token's vector up; two branches leave it and add back, multi-head attention, then the
    feed-forward network; the whole block repeats N times. ``layout``: "post" (the 2017 paper and
    the book's translator: each LayerNorm sits on the stream, after the addition) or "pre" (most
    current models: each LayerNorm sits on the branch, before the sub-layer). The title names the
    layout. ``width`` in inches; the text is about 13 px on a 360-px phone."""
    _check_width(width)
    if layout not in ("post", "pre"):
        raise ValueError(f"layout must be 'post' or 'pre', got {layout!r}")
    fig, ax = plt.subplots(figsize=(width, width * 1.55))
    ax.set_xlim(-0.55, 4.6)
    ax.set_ylim(0, 10.9)
    ax.axis("off")
    ln, attn, ffn, stream = "#f6d18b", "#9ec5ea", "#b8e0b0", "#3a6fb0"
    sx, bx, bw, bh = 1.25, 3.08, 2.9, 1.0  # stream x, branch x, box width and height (room for the labels)
    font = 11

    def box(x: float, y: float, text: str, colour: str, w: float = bw, h: float = bh) -> None:
        ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.04", fc=colour, ec="black", lw=1, zorder=2
            )
        )
        ax.text(x, y, text, ha="center", va="center", fontsize=font, zorder=3)

    def arrow(points: list[tuple[float, float]], colour: str = "black", lw: float = 1.3) -> None:
        for (x0, y0), (x1, y1) in zip(points[:-2], points[1:-1]):
            ax.plot([x0, x1], [y0, y1], color=colour, lw=lw, solid_capstyle="butt")
        ax.annotate(
            "",
            xy=points[-1],
            xytext=points[-2],
            arrowprops=dict(arrowstyle="-|>", color=colour, lw=lw, shrinkA=0, shrinkB=0),
        )

    def plus(y: float) -> None:
        ax.plot([sx], [y], "o", ms=17, mfc="white", mec="black", mew=1.2, zorder=3)
        ax.text(sx, y, "+", ha="center", va="center", fontsize=font + 2, zorder=4)

    names = (t("multi-head attention\n(tokens read each other)"), t("feed-forward\n(each token alone)"))
    ax.text(sx, 0.25, t("token vectors x"), ha="center", va="center", fontsize=font)
    if layout == "pre":
        title = t("pre-norm block\n(most current models)")
        for y0, norm_y, sub_y, add_y, name, colour in (
            (1.35, 2.15, 3.45, 4.55, names[0], attn),
            (5.25, 6.05, 7.35, 8.45, names[1], ffn),
        ):
            arrow([(sx, y0), (bx, y0), (bx, norm_y - bh / 2)])
            box(bx, norm_y, "LayerNorm", ln)
            arrow([(bx, norm_y + bh / 2), (bx, sub_y - bh / 2)])
            box(bx, sub_y, name, colour)
            arrow([(bx, sub_y + bh / 2), (bx, add_y), (sx + 0.2, add_y)])
            plus(add_y)
        # the stream itself, drawn last under the circles: a thick line from the input to the output
        stream_parts = [(0.55, 4.3), (4.8, 8.2), (8.7, 9.85)]
        top = 9.85
    else:
        title = t("post-norm block\n(2017 paper; the book's translator)")
        nw, nh = 1.55, 0.8  # a LayerNorm box on the stream
        for y0, sub_y, add_y, norm_y, name, colour in (
            (1.2, 2.3, 3.45, 4.55, names[0], attn),
            (5.45, 6.55, 7.7, 8.8, names[1], ffn),
        ):
            arrow([(sx, y0), (bx, y0), (bx, sub_y - bh / 2)])
            box(bx, sub_y, name, colour)
            arrow([(bx, sub_y + bh / 2), (bx, add_y), (sx + 0.2, add_y)])
            plus(add_y)
            box(sx, norm_y, "LayerNorm", ln, w=nw, h=nh)
        stream_parts = [(0.55, 3.2), (3.7, 4.15), (4.95, 7.45), (7.95, 8.4), (9.2, 9.85)]
        top = 9.85
    for y_from, y_to in stream_parts:
        arrow([(sx, y_from), (sx, y_to)], colour=stream, lw=2.6)
    ax.text(sx, top + 0.35, t("to the next block"), ha="center", va="center", fontsize=font)
    ax.text(
        sx - 0.28,
        2.3 if layout == "post" else 2.9,
        t("residual stream"),
        rotation=90,
        ha="center",
        va="center",
        fontsize=font,
        color=stream,
    )
    # × N: the block repeats
    bracket_x = -0.05 if layout == "post" else 0.52
    ax.plot([bracket_x + 0.15, bracket_x, bracket_x, bracket_x + 0.15], [1.0, 1.0, 9.3, 9.3], color="#222", lw=1.8)
    ax.text(bracket_x - 0.1, 5.15, "× N", ha="right", va="center", fontsize=font + 3, color="#222")
    ax.set_title(title, fontsize=font + 0.5)
    fig.tight_layout(pad=0.2)
    return fig
