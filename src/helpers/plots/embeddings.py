"""Figures of chapter 2 (embeddings): which rows get a gradient, similarity blocks, a 2-D map."""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import torch

from .._checks import check_number
from ..i18n import t
from ..viz import heatmap


def row_gradient_bars(norms: dict[str, torch.Tensor], tokens: Sequence[str], width: float = 3.9) -> plt.Figure:
    """One horizontal bar panel per loss, side by side: the gradient norm of every embedding row.

    norms: {panel title: (vocab_size,) tensor of row gradient norms};  tokens: the row labels, one
    per vocabulary row, written once, horizontally, left of the first panel (a phone-shaped figure:
    narrow enough that a 390-px phone shows it unscaled, one row per token). Bars of `<pad>` are
    drawn in red, and its label too, so the eye finds them. Returns the figure.
    """
    if not isinstance(norms, dict) or not norms:
        raise TypeError(f"norms must be a non-empty dict {{title: tensor}}, got {type(norms).__name__}")
    if isinstance(tokens, str) or len(tokens) == 0:
        raise TypeError(f"tokens must be a non-empty list of labels, got {tokens!r:.60}")
    for title, values in norms.items():
        if not isinstance(values, torch.Tensor) or values.shape != (len(tokens),):
            shape = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
            raise ValueError(f"norms[{title!r}] must be a tensor of shape ({len(tokens)},), got {shape}")
    font = 9.5
    fig, axes = plt.subplots(1, len(norms), figsize=(width, 0.165 * len(tokens) + 1.1), sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    y = np.arange(len(tokens))
    colours = ["C3" if token == "<pad>" else "C0" for token in tokens]
    for ax, (title, values) in zip(axes, norms.items()):
        ax.barh(y, values.detach().numpy(), color=colours, height=0.7)
        ax.set_title(title, fontsize=font)
        ax.set_xlabel(t("gradient norm"), fontsize=font)
        ax.tick_params(labelsize=font)
        ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        ax.grid(axis="x", alpha=0.3)
        ax.set_ylim(len(tokens) - 0.5, -0.5)  # the first row on top
    axes[0].set_yticks(y, tokens, fontsize=font)
    for label, token in zip(axes[0].get_yticklabels(), tokens):
        if token == "<pad>":
            label.set_color("C3")
    fig.tight_layout(w_pad=0.8)
    return fig


# The site stores each figure with a palette of 256 colours (_ext/site_assets.compress_images). A
# continuous colour map gives a colour bar of ~250 shades, most of them rare in the picture, and the
# palette merges the rare ones: the bar came out smooth where the heatmap has many cells and in
# uneven steps elsewhere. The similarity figures therefore use at most MOST_LEVELS even steps of a
# round size (0.25 from -1 to 1, 0.025 from 0.8), few enough that the palette keeps every one in
# both editions (tests/test_colour_bar_levels.py; 20 steps already lost some in the Chinese one).
MOST_LEVELS = 10
COLOUR_LEVELS = 8  # stepped_cmap's default: 0.25 wide from -1 to 1
ROUND_STEPS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5)  # the step sizes round_colour_steps chooses from


def stepped_cmap(name: str, levels: int = COLOUR_LEVELS) -> matplotlib.colors.Colormap:
    """The colour map ``name`` cut into ``levels`` even steps (a heatmap and its colour bar alike)."""
    if not isinstance(name, str) or name not in matplotlib.colormaps:
        raise ValueError(f"name must be a matplotlib colour map name, got {name!r}")
    if isinstance(levels, bool) or not isinstance(levels, int) or not 2 <= levels <= 256:
        raise ValueError(f"levels must be an int from 2 to 256, got {levels!r}")
    return matplotlib.colormaps[name].resampled(levels)


def round_colour_steps(low: float, most: int = MOST_LEVELS) -> tuple[float, float, int]:
    """(vmin, step, levels) for a stepped colour bar from about ``low`` up to 1: the smallest step of
    ROUND_STEPS that needs at most ``most`` levels, vmin = ``low`` rounded down to a multiple of it
    (and at least two steps below 1). For low = 0.81: (0.8, 0.025, 8); for -1: (-1.0, 0.25, 8)."""
    check_number(low, "low", -1.0, 1.0)
    if isinstance(most, bool) or not isinstance(most, int) or most < 4:
        raise ValueError(f"most must be an int of at least 4, got {most!r}")
    for step in ROUND_STEPS:
        vmin = min(math.floor(round(low / step, 9)) * step, 1 - 2 * step)
        levels = round((1 - vmin) / step)
        if levels <= most:
            return round(vmin, 9), step, levels
    raise AssertionError("unreachable: 0.5 steps from -1 need 4 levels")


def _bar_ticks(vmin: float, step: float, levels: int) -> list[float]:
    """Colour-bar ticks on the step boundaries: every other one when there are more than 6 steps."""
    return [round(vmin + k * step, 9) for k in range(0, levels + 1, 2 if levels > 6 else 1)]


def grouped_similarity(sim: torch.Tensor, words: Sequence[str], group_sizes: Sequence[int],
                       title: str, group_names: Sequence[str] | None = None, width: float = 3.66,
                       vmin: float = -1.0, fontsize: float = 10.0) -> plt.Figure:
    """A cosine-similarity heatmap (``sim``: (n, n)) with lines at the group boundaries.

    Drawn ``width`` inches wide (3.66 in: a 390-px phone shows it unscaled), every text at
    ``fontsize`` points or more (10 pt: 13.9 px there). The rows carry one word each; the columns
    carry the ``group_names`` (one per group, centred under it) when given, else one word each,
    so that a phone shows no crowded, rotated labels. The colours come in even steps of a round
    size from ``vmin`` to 1 (round_colour_steps: 0.25 wide from -1), the colour bar labelled at
    every other step."""
    if group_names is not None and len(group_names) != len(group_sizes):
        raise ValueError(f"group_names must have one name per group ({len(group_sizes)}), "
                         f"got {len(group_names)}: {list(group_names)!r}")
    if sum(group_sizes) != len(words):
        raise ValueError(f"group_sizes must add up to len(words) = {len(words)}, got {list(group_sizes)!r}")
    check_number(vmin, "vmin", -1.0, 1.0, high_open=True)
    low, step, levels = round_colour_steps(vmin)
    fig, ax = plt.subplots(figsize=(width, width * 1.2))
    heatmap(sim, words, words, ax=ax, title=title, cmap=stepped_cmap("coolwarm" if vmin < 0 else "viridis", levels),
            vmin=low, vmax=1, annotate=False, colorbar=False)
    ax.tick_params(labelsize=fontsize, length=2, pad=1.5)
    ax.set_title(title, fontsize=fontsize + 1)
    edges = np.cumsum(group_sizes)
    if group_names is not None:
        ax.set_xticks(edges - np.asarray(group_sizes) / 2 - 0.5)
        ax.set_xticklabels(list(group_names), rotation=0, ha="center")
        ax.tick_params(axis="x", length=0)
    else:
        plt.setp(ax.get_xticklabels(), rotation=90, ha="center")
    for edge in edges[:-1]:
        ax.axhline(edge - 0.5, color="black", lw=1.5)
        ax.axvline(edge - 0.5, color="black", lw=1.5)
    bar = fig.colorbar(ax.images[0], ax=ax, fraction=0.05, pad=0.03)
    bar.set_label(t("cosine similarity"), fontsize=fontsize)
    bar.set_ticks(_bar_ticks(low, step, levels))
    bar.ax.tick_params(labelsize=fontsize)
    fig.tight_layout()
    return fig


def projection_scatter(coords: torch.Tensor, words: Sequence[str], groups: Sequence[str],
                       explained: Sequence[float], width: float = 3.66, fontsize: float = 9.0) -> plt.Figure:
    """Words at their 2-D principal-component coordinates, coloured by group, each labelled.

    Each label takes the first place around its point (right, left, above, below, the diagonals,
    then the same further out, with a thin leader line) where it overlaps no other label, no point
    and no axis edge, so that close points keep readable, unambiguous labels. Drawn ``width`` inches
    wide (3.66 in: a 390-px phone shows it unscaled) with text at ``fontsize`` points (9 pt: 12.5 px).
    """
    fig, ax = plt.subplots(figsize=(width, width * 0.92))
    names = list(dict.fromkeys(groups))
    xy = coords.detach().numpy()
    colour = {}
    for k, name in enumerate(names):
        pick = [i for i, g in enumerate(groups) if g == name]
        ax.scatter(xy[pick, 0], xy[pick, 1], color=f"C{k}", label=name, s=22, zorder=3)
        colour.update({i: f"C{k}" for i in pick})
    ax.set_xlabel(t("component 1 ({share:.1f}% of the variance)", share=100 * explained[0]), fontsize=fontsize)
    ax.set_ylabel(t("component 2 ({share:.1f}%)", share=100 * explained[1]), fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    ax.xaxis.set_major_locator(plt.MaxNLocator(5))
    ax.yaxis.set_major_locator(plt.MaxNLocator(5))
    ax.margins(x=0.28, y=0.12)
    legend = ax.legend(loc="best", fontsize=fontsize, handletextpad=0.2, borderpad=0.3, labelspacing=0.25)
    fig.tight_layout()
    _place_labels(fig, ax, xy, words, colour, fontsize, avoid=[legend])
    return fig


def _place_labels(fig: plt.Figure, ax: plt.Axes, xy: np.ndarray, words: Sequence[str], colour: dict,
                  fontsize: float, avoid: Sequence = ()) -> None:
    """Label every point at the first free place around it (see projection_scatter)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    frame = ax.get_window_extent(renderer)
    points = ax.transData.transform(xy)  # display pixels
    r = 4.0 * fig.dpi / 72  # a marker's radius, pixels
    taken = [a.get_window_extent(renderer) for a in avoid]
    directions = [(1, 0, "left", "center"), (-1, 0, "right", "center"), (0, 1, "center", "bottom"),
                  (0, -1, "center", "top"), (1, 1, "left", "bottom"), (1, -1, "left", "top"),
                  (-1, 1, "right", "bottom"), (-1, -1, "right", "top")]
    order = np.argsort(xy[:, 0])  # left to right
    for i in order:
        best = None
        for distance in (5, 13, 22, 32):
            for dx, dy, ha, va in directions:
                scale = distance / np.hypot(dx, dy)
                text = ax.annotate(words[i], xy[i], xytext=(dx * scale, dy * scale), textcoords="offset points",
                                   ha=ha, va=va, fontsize=fontsize, color=colour[i], annotation_clip=False)
                box = text.get_window_extent(renderer).expanded(1.06, 1.1)
                inside = (box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1)
                hits_point = any(box.x0 - r < px < box.x1 + r and box.y0 - r < py < box.y1 + r
                                 for k, (px, py) in enumerate(points) if k != i or distance > 5)
                hits_label = any(box.overlaps(other) for other in taken)
                if inside and not hits_point and not hits_label:
                    best = (text, box, distance)
                    break
                text.remove()
            if best:
                break
        if best is None:  # no free place: the nearest one to the right
            text = ax.annotate(words[i], xy[i], xytext=(5, 0), textcoords="offset points", ha="left",
                               va="center", fontsize=fontsize, color=colour[i], annotation_clip=False)
            best = (text, text.get_window_extent(renderer), 5)
        text, box, distance = best
        if distance > 5:  # moved away from its point: a leader line says whose label it is
            text.arrow_patch = None
            ax.annotate("", xy[i], xytext=text.get_position(), textcoords="offset points",
                        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": colour[i], "shrinkA": 0, "shrinkB": 3})
        taken.append(box)


def context_similarity(panels: dict[str, torch.Tensor], labels: Sequence[str], width: float = 3.66,
                       fontsize: float = 10.5) -> plt.Figure:
    """Stacked heatmaps of one word's cosine similarity across sentences, one per layer.

    panels: title -> (n, n) similarity matrix; labels: the n sentence labels. The rows carry the
    labels, numbered; the columns carry only the numbers, so no rotated labels are needed. The
    colours come in even steps of a round size (round_colour_steps: 0.025 from 0.8 to 1), the
    colour bar labelled at every other step. 3.66 in wide, a 390-px phone shows it unscaled:
    ``fontsize`` 10.5 pt is 14.6 px there.
    """
    n = len(labels)
    rows = [f"{i + 1}  {label}" for i, label in enumerate(labels)]
    cols = [str(i + 1) for i in range(n)]
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, 3.3 * len(panels)))
    axes = np.atleast_1d(axes)
    low = min(float(s.min()) for s in panels.values())
    vmin, colour_step, levels = round_colour_steps(max(low, -1.0))  # even steps of a round size
    for ax, (title, sim) in zip(axes, panels.items()):
        heatmap(sim, rows, cols, ax=ax, cmap=stepped_cmap("viridis", levels), vmin=vmin, vmax=1,
                annotate=False, colorbar=True)
        ax.set_title(title, fontsize=fontsize + 0.5)
        ax.tick_params(labelsize=fontsize, length=2, pad=1.5)
        step = 1 if n <= 8 else 2  # every second number when they would touch
        ax.set_xticks(range(0, n, step), cols[::step], rotation=0, ha="center")
        ax.set_xlabel(t("sentence (numbered as the rows)"), fontsize=fontsize)
        bar = ax.images[0].colorbar
        if bar is not None:
            bar.set_ticks(_bar_ticks(vmin, colour_step, levels))
            bar.ax.tick_params(labelsize=fontsize)
    fig.tight_layout()
    return fig
