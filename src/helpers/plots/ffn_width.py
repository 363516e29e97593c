"""Chapter 7: a two-layer network on a checkerboard: its accuracy by hidden width, with and without ReLU,
and the colours it predicts over the board."""

from __future__ import annotations

import matplotlib.pyplot as plt
import torch
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..i18n import t


def plot_ffn_width(
    widths: list[int],
    relu: list[list[float]],
    linear: list[float],
    linear_width: int | None = None,
    chance: float = 0.5,
) -> Figure:
    """relu[k]: test accuracies (one per seed) of the ReLU network with widths[k] hidden units;
    linear: the accuracies without the nonlinearity, measured at ``linear_width`` hidden units (by
    the algebra the same at any width); chance: the accuracy of always guessing the more common
    colour (dotted line). Dots = seeds, line = mean. 3.8 in wide, text >= 10.5 pt (about 14 px on a
    360-px phone); the legend sits below the axes, so it covers no data and stays inside the figure."""
    if not 0 < chance < 1:
        raise ValueError(f"chance must be an accuracy in (0, 1), got {chance!r}")
    fig, ax = plt.subplots(figsize=(3.8, 4.1))
    for w, accs in zip(widths, relu):
        ax.plot([w] * len(accs), accs, "o", color="tab:blue", alpha=0.5, ms=5)
    ax.plot(widths, [sum(a) / len(a) for a in relu], "-", color="tab:blue", label=t("with ReLU"))
    label = t("no ReLU (any width)") if linear_width is None else t("no ReLU (width {w})", w=linear_width)
    # the two flat lines lie close together: distinct styles, and their values in the legend
    linear_mean = sum(linear) / len(linear)
    ax.axhline(linear_mean, ls="--", color="tab:red", lw=2.2, label=t("{label}: {p:.1%}", label=label, p=linear_mean))
    ax.axhline(
        chance,
        ls=":",
        color="gray",
        lw=1.8,
        label=t("{label}: {p:.1%}", label=t("chance: the more common colour"), p=chance),
    )
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set_ylim(0.4, 1.05)
    ax.set_yticks([0.4, 0.6, 0.8, 1.0])
    ax.set_xlabel(t("hidden width (plays the role of d_ff)"), fontsize=11)
    ax.set_ylabel(t("test accuracy"), fontsize=11)
    ax.tick_params(labelsize=11)
    ax.grid(alpha=0.3)
    # below the axes, one entry a line: on a phone a legend inside the axes would hide the data
    fig.legend(
        *ax.get_legend_handles_labels(), loc="lower left", bbox_to_anchor=(0.01, 0.0), fontsize=10.5, frameon=False
    )
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    return fig


def plot_checker_regions(board: torch.Tensor, panels: list[tuple[str, torch.Tensor]], cells: int = 3) -> Figure:
    """The board and the colours trained networks predict on it, one small map per network.

    board: (R, R) true colours (0 or 1) on a grid over [-cells/2, cells/2]^2, row 0 at the bottom
    (``ffn_demo.board_colours``); panels: (title, regions) pairs, regions of the same shape
    (``ffn_demo.decision_regions``). Two maps a row, 3.8 in wide, titles >= 10 pt (about 13 px on a
    360-px phone); thin grey lines mark the squares of the board on every map."""
    if board.dim() != 2 or board.shape[0] != board.shape[1]:
        raise ValueError(f"board must be a square (R, R) grid, got shape {tuple(board.shape)}")
    for title, regions in panels:
        if regions.shape != board.shape:
            raise ValueError(
                f"panels: the regions of {title!r} have shape {tuple(regions.shape)}, "
                f"expected the board's {tuple(board.shape)}"
            )
    maps = [(t("the board (the task)"), board)] + list(panels)
    cols = 2
    rows = (len(maps) + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(3.8, 2.05 * rows), squeeze=False)
    cmap = ListedColormap(["#f2c14e", "#3d6fb6"])  # the two colours of the board
    half = cells / 2
    for ax, (title, grid) in zip(axes.flat, maps):
        ax.imshow(grid.numpy(), origin="lower", extent=(-half, half, -half, half), cmap=cmap, vmin=0, vmax=1)
        for edge in range(1, cells):  # the squares' borders
            ax.axvline(edge - half, color="0.35", lw=0.8)
            ax.axhline(edge - half, color="0.35", lw=0.8)
        ax.set_title(title, fontsize=10, linespacing=1.1)
        ax.set_xticks([])
        ax.set_yticks([])
    for ax in axes.flat[len(maps) :]:
        ax.set_visible(False)
    fig.tight_layout(h_pad=0.6, w_pad=0.8)
    return fig
