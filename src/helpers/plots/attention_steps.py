"""Chapter 4: the data flow of attention (x -> Q, K, V -> scores -> softmax -> weights x V) and of
multi-head attention (split -> attend per head -> concatenate -> W^O) as diagrams, and
the steps of attention on the running example, Q Kᵀ -> scaled -> softmax, as heatmaps."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import TwoSlopeNorm
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from .._checks import check_int, check_number, show
from ..i18n import t
from ..viz import heatmap
from ._phone import min_font, set_fonts


def plot_attention_steps(
    panels: Sequence[tuple[object, str, bool]],
    tokens: Sequence[str],
    width: float = 4.4,
    colorbars: bool = False,
) -> Figure:
    """One small heatmap per panel, two panels a row: panels are (matrix (T, T), title, is_weights).

    All score panels (is_weights False) share one diverging colour scale symmetric about zero: from
    minus the largest size of any of their scores (dark blue) through 0 (white) to plus it (dark
    red), so that equal colours mean equal sizes on both sides and across panels. All weight panels
    share the 0-to-1 scale, white to dark green (a hue the scores do not use). Negative numbers in
    the cells are written with a true minus sign (U+2212), as on the colour bars. With
    ``colorbars``, one colour bar per kind of panel shown ("scores", "weights") gives the scale:
    in the grid's empty cell when there is one, else beside the last panel of its kind. Every text
    is 1.25 times the phone minimum of ``helpers.plots._phone`` for ``width``.
    """
    if isinstance(panels, (str, bytes)) or not isinstance(panels, Sequence) or not panels:
        raise ValueError(f"panels must be a non-empty list of (matrix, title, is_weights), got {show(panels)}")
    for i, panel in enumerate(panels):
        if not isinstance(panel, (tuple, list)) or len(panel) != 3:
            raise ValueError(f"panels[{i}] must be (matrix, title, is_weights), got {show(panel)}")
    if not isinstance(colorbars, bool):
        raise TypeError(f"colorbars must be True or False, got {show(colorbars)}")
    scores = [np.asarray(m.detach().cpu() if hasattr(m, "detach") else m, dtype=float) for m, _, w in panels if not w]
    norm = _score_norm(scores)
    cols = min(len(panels), 2)  # two panels a row: larger cells and text on a phone
    rows = -(-len(panels) // cols)
    fig, grid = plt.subplots(rows, cols, figsize=(width, rows * (0.9 * width / cols + 0.9)), squeeze=False)
    axes = list(grid.flat)
    for ax in axes[len(panels):]:
        ax.axis("off")
    last = {}  # is_weights -> the last panel of that kind
    for ax, (matrix, title, is_weights) in zip(axes, panels):
        if is_weights:
            heatmap(matrix, tokens, tokens, ax=ax, title=title, colorbar=False, vmin=0, vmax=1, cmap="Greens")
        else:
            heatmap(matrix, tokens, tokens, ax=ax, title=title, colorbar=False, norm=norm, cmap="RdBu_r")
            for text in ax.texts:  # the cells' numbers: a true minus sign
                text.set_text(text.get_text().replace("-", "\u2212"))
        ax.set_xlabel(t("key"))
        last[is_weights] = ax
    for row in grid:
        row[0].set_ylabel(t("query"))
    if colorbars:
        _colour_bars(fig, last, axes[len(panels):], norm)
    set_fonts(fig, round(1.25 * min_font(width), 1))  # well above the phone minimum
    fig.tight_layout()
    return fig


def _score_norm(scores: list[np.ndarray]) -> TwoSlopeNorm:
    """The score panels' shared colour scale, symmetric about 0: from minus to plus the largest
    absolute finite score of any panel (no non-zero scores at all: -1 to 1)."""
    finite = [np.abs(m[np.isfinite(m)]) for m in scores]
    size = max((float(m.max()) for m in finite if m.size), default=0.0) or 1.0
    return TwoSlopeNorm(vcenter=0.0, vmin=-size, vmax=size)


def _colour_bars(fig: Figure, last: dict, empty: list, norm: TwoSlopeNorm) -> None:
    """A colour bar for each kind of panel in ``last`` (is_weights -> its last axes): side by side
    in the first ``empty`` grid cell if there is one, else beside that axes."""
    bars = []  # (is_weights, title, ticks)
    if False in last:
        bars.append((False, t("scores"), [norm.vmin, 0.0, norm.vmax]))
    if True in last:
        bars.append((True, t("weights"), [0.0, 0.5, 1.0]))
    for k, (is_weights, title, ticks) in enumerate(bars):
        image = last[is_weights].images[0]
        if empty:  # a slim bar in the empty cell, its ticks on the right
            cax = empty[0].inset_axes([0.15 + 0.55 * k, 0.08, 0.09, 0.72])
            bar = fig.colorbar(image, cax=cax, ticks=ticks)
            cax.set_title(title)
        else:
            bar = fig.colorbar(image, ax=last[is_weights], ticks=ticks, fraction=0.046, pad=0.04)
            bar.set_label(title)
        bar.ax.set_yticklabels([_tick(v) for v in ticks])


def _tick(value: float) -> str:
    """A colour bar's tick label: at most two decimals, no trailing zeros, a true minus sign."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("0", "-0") else text.replace("-", "\u2212")


def _flow_box(ax):
    """A function drawing a rounded box of width ``w`` at (cx, cy) on ``ax``: a main text above a
    grey one (a shape), for the data-flow diagrams."""
    def box(cx: float, cy: float, w: float, text: str, sub: str, colour: str) -> None:
        ax.add_patch(FancyBboxPatch((cx - w / 2, cy - 0.36), w, 0.72, boxstyle="round,pad=0.02,rounding_size=0.1",
                                    facecolor=colour, edgecolor="0.3", lw=1))
        ax.text(cx, cy + 0.13, text, ha="center", va="center")
        ax.text(cx, cy - 0.18, sub, ha="center", va="center", color="0.25")
    return box


def _flow_arrow(ax):
    """A function drawing an arrow from (x0, y0) to (x1, y1) on ``ax``."""
    def arrow(x0: float, y0: float, x1: float, y1: float) -> None:
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0), arrowprops={"arrowstyle": "-|>", "color": "0.3", "lw": 1.3})
    return arrow


def plot_qkv_flow(width: float = 4.4) -> Figure:
    """The data flow of one attention head, top to bottom: X -> (X W^Q, X W^K, X W^V) -> scores
    Q Kᵀ / √d_k -> softmax per row -> weights A -> A V -> output, each box with its shape.

    Drawn tall and narrow so that its text stays large on a phone (at least 12 points, and at
    least 1.8 x ``width``).
    """
    width = check_number(width, "width", 2.5, 8.0)
    size = max(min_font(width), 12.0)
    fig, ax = plt.subplots(figsize=(width, 1.45 * width))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 6.6)
    ax.axis("off")
    colours = {"x": "#eeeeee", "q": "#f4c7c3", "k": "#c6dbef", "v": "#c7e9c0", "s": "#fde0b8", "o": "#e0d4ef"}

    box, arrow = _flow_box(ax), _flow_arrow(ax)

    box(1.5, 6.1, 2.4, "$X$", t("{shape}, one row per token", shape=r"$T \times d_{\mathrm{model}}$"), colours["x"])
    for cx, name, colour, shape in ((0.5, "Q", "q", "$T \\times d_k$"), (1.5, "K", "k", "$T \\times d_k$"),
                                    (2.5, "V", "v", "$T \\times d_v$")):
        arrow(1.5 + 0.35 * (cx - 1.5), 5.74, cx, 5.02)
        box(cx, 4.66, 0.92, f"${name} = XW^{name}$", shape, colours[colour])
    arrow(0.5, 4.3, 0.85, 3.58)
    arrow(1.5, 4.3, 1.15, 3.58)
    box(1.0, 3.22, 1.9, r"$QK^{\mathrm{T}}/\sqrt{d_k}$",
        t("{shape}: the scores {s}", shape=r"$T \times T$", s="$s_{ij}$"), colours["s"])
    arrow(1.0, 2.86, 1.0, 2.14)
    box(1.0, 1.78, 1.9, r"$A = \mathrm{softmax}_j(s_{ij})$", t("per row: weights, sum 1"), colours["s"])
    arrow(1.0, 1.42, 1.3, 0.78)
    arrow(2.5, 4.3, 1.9, 0.78)
    box(1.5, 0.42, 2.4, t("output {formula}", formula="$AV$"), r"$T \times d_v$", colours["o"])
    set_fonts(fig, size)
    fig.tight_layout(pad=0.2)
    return fig


def plot_multihead_flow(n_heads: int = 4, width: float = 3.66) -> Figure:
    """Multi-head attention as a diagram, top to bottom: X -> Q, K, V (one projection each) ->
    split into ``n_heads`` slices of width d_k = d_model / h -> attention in every head ->
    concatenation -> W^O -> output, each box with its shape.

    Drawn tall and narrow so that its text stays large on a phone: the default 3.66 in is shown
    unscaled there, text at 13 points (18 px; at least 1.8 x ``width`` when wider).
    """
    n_heads = check_int(n_heads, "n_heads", 2, 6)
    width = check_number(width, "width", 2.5, 8.0)
    size = max(min_font(width), 13.0)
    fig, ax = plt.subplots(figsize=(width, 1.52 * width))
    ax.set_xlim(0, 3)
    ax.set_ylim(0, 6.2)
    ax.axis("off")

    box, arrow = _flow_box(ax), _flow_arrow(ax)

    box(1.5, 5.7, 2.6, "$X$", r"$T \times d_{\mathrm{model}}$", "#eeeeee")
    arrow(1.5, 5.34, 1.5, 4.86)
    box(1.5, 4.5, 2.6, "$XW^Q,\\ XW^K,\\ XW^V$", t("each {shape}", shape=r"$T \times d_{\mathrm{model}}$"), "#f4e3c3")
    arrow(1.5, 4.14, 1.5, 3.86)  # to the split
    step = 2.8 / n_heads
    centres = [0.1 + step * (u + 0.5) for u in range(n_heads)]
    for u, cx in enumerate(centres):
        arrow(1.5 + 0.8 * (cx - 1.5), 3.36, cx, 3.06)  # below the label
        box(cx, 2.7, 0.9 * step, t("head {n}", n=u + 1), r"$T \times d_k$", "#c6dbef")
        arrow(cx, 2.34, 1.5 + 0.8 * (cx - 1.5), 1.86)
    split = t("split into {h} heads,\n{formula}", h=n_heads, formula=r"$d_k = d_{\mathrm{model}}/h$")
    ax.text(1.5, 3.6, split, ha="center", va="center", color="0.25",
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    box(1.5, 1.5, 2.6, t("concatenate"), r"$T \times d_{\mathrm{model}}$", "#c7e9c0")
    arrow(1.5, 1.14, 1.5, 0.72)
    box(1.5, 0.36, 2.6, t("output {formula}", formula=r"$\mathrm{Concat}(\ldots)\,W^O$"),
        r"$T \times d_{\mathrm{model}}$", "#e0d4ef")
    set_fonts(fig, size)
    fig.tight_layout(pad=0.2)
    return fig
