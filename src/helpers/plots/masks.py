"""Chapter 5: masks as grids, and how much each output depends on each input (autograd)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure

from ..i18n import t
from ..viz import heatmap, text_colour_on
from ._phone import min_font, set_fonts


def _is_cjk(text: str) -> bool:
    """True for a non-empty label made only of CJK characters (猫, 坐着)."""
    return bool(text) and all("\u3400" <= ch <= "\u9fff" for ch in text)


def _upright_x_labels(fig: Figure, axes: Sequence, floor: float | None = None) -> None:
    """Set each x tick label of ``axes`` upright where it fits its column.

    If a Chinese label is wider than its cell but would fit at ``floor`` points (when given and
    smaller; no smaller than a phone allows), the axis's Chinese x tick labels are first set to
    ``floor`` points (the others keep their size, as turned they fit). Then a label narrower than
    one cell is written horizontally; a Chinese label still too wide is stacked, one character per
    line, upright (as Chinese is set vertically); any other label (``<pad>``, ``The``) is turned
    90°. Chinese lying on its side is hard to read.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax in axes:
        labels = ax.get_xticklabels()
        if not labels:
            continue
        cell = ax.get_window_extent(renderer).width / len(labels)
        for label in labels:
            label.set_rotation(0)
        chinese = [label.get_window_extent(renderer).width for label in labels if _is_cjk(label.get_text())]
        shrink = floor / labels[0].get_fontsize() if floor is not None else 1.0
        stacked = any(w > 0.9 * cell for w in chinese)  # a Chinese label would be stacked ...
        unstacked = all(w * shrink <= 0.9 * cell for w in chinese)  # ... but fits at the floor
        if shrink < 1.0 and stacked and unstacked:
            for label in labels:
                if _is_cjk(label.get_text()):  # the others keep their size: turned, they fit
                    label.set_fontsize(min(label.get_fontsize(), floor))
        texts, turned = [], []
        for label in labels:
            text = label.get_text()
            label.set_rotation(0)
            fits = label.get_window_extent(renderer).width <= 0.9 * cell
            texts.append("\n".join(text) if not fits and _is_cjk(text) else text)
            turned.append(not fits and not _is_cjk(text))
        ax.set_xticks(ax.get_xticks(), texts)  # the formatter owns the texts
        for label, turn in zip(ax.get_xticklabels(), turned):
            label.set_rotation(90 if turn else 0)


def plot_masks(masks: Sequence[tuple[object, str]], keys: Sequence[str], queries: Sequence[str] | None = None,
               width: float = 6.0, ncols: int | None = None, height: float | None = None) -> Figure:
    """Bool masks (T, T) side by side (or in a grid of ``ncols`` columns): green = may attend,
    grey = blocked.

    masks: (mask, title) pairs; keys label the columns (the tokens read); queries label the rows,
    the querying positions (default: the keys). As in chapters 4 and 6, a decoder row is labelled
    by the token it writes, "→猫". Text is about 11 px on a 360-px phone (13 px with two columns).
    height: inches per row of panels (default ``width / ncols + 1.3``).
    """
    if not masks:
        raise ValueError("masks must hold at least one (mask, title) pair, got none")
    queries = list(keys) if queries is None else list(queries)
    ncols = len(masks) if ncols is None else ncols
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive int, got {ncols!r}")
    if height is not None and (isinstance(height, bool) or not isinstance(height, (int, float)) or height <= 0):
        raise ValueError(f"height must be a positive number of inches, got {height!r}")
    nrows = -(-len(masks) // ncols)
    row_height = width / ncols + 1.3 if height is None else height
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, nrows * row_height), squeeze=False)
    cmap = ListedColormap(["#d9d9d9", "#74c476"])
    n_k, n_q = len(keys), len(queries)
    for k, ax in enumerate(axes.flat):
        if k >= len(masks):
            ax.axis("off")
            continue
        mask, title = masks[k]
        m = np.asarray(mask, dtype=float)
        if m.shape != (n_q, n_k):
            raise ValueError(f"mask {k} ({title!r}) has shape {m.shape}, expected ({n_q}, {n_k}) "
                             "for the given queries and keys")
        ax.imshow(m, cmap=cmap, vmin=0, vmax=1, aspect="equal", interpolation="nearest")
        ax.set_xticks(range(n_k), keys)
        ax.set_yticks(range(n_q), queries if k % ncols == 0 else [""] * n_q)
        ax.set_xticks(np.arange(-0.5, n_k), minor=True)
        ax.set_yticks(np.arange(-0.5, n_q), minor=True)
        ax.grid(which="minor", color="white", linewidth=1)
        ax.tick_params(which="minor", length=0)
        ax.set_title(title)
        ax.set_xlabel(t("key (read)"))
        if k % ncols == 0:
            ax.set_ylabel(t("query (writes)"))
    # fewer columns leave wider cells: use them for larger text (about 13 px on a phone)
    set_fonts(fig, round((1.2 if ncols > 2 else 1.45) * min_font(width), 1))
    fig.tight_layout()
    # 10% above the phone's smallest text: the image shown may be a little wider than ``width``
    _upright_x_labels(fig, [ax for ax in axes.flat if ax.axison], floor=round(1.1 * min_font(width), 1))
    fig.tight_layout()
    return fig


def plot_sensitivity(sensitivity, tokens: Sequence[str], queries: Sequence[str] | None = None,
                     width: float = 4.6) -> Figure:
    """(T, T) largest |∂ logits[i] / ∂ input[j]|, on a log colour scale; exact zeros written "0".

    The other cells show the value times 1000, rounded ("60", "3"; "0.5" below 1): short
    labels that do not run into their neighbours on a phone, and never "0" for a value that is not.
    tokens: the decoder's input tokens (columns); queries: the row labels (default: tokens), in the
    book's convention the token each position writes, "→猫".
    """
    queries = list(tokens) if queries is None else list(queries)
    s = np.asarray(sensitivity, dtype=float)
    shown = np.where(s > 0, np.log10(np.where(s > 0, s, 1.0)), np.nan)
    fig, ax = plt.subplots(figsize=(width, width * 0.9))
    heatmap(shown, queries, tokens, ax=ax, cmap="viridis", annotate=False, colorbar=False)
    im = ax.images[0]
    for i in range(s.shape[0]):  # the row of position i
        for j in range(s.shape[1]):
            v = 1000 * s[i, j]
            label = "0" if v == 0 else f"{v:.0f}" if v >= 1 else f"{v:.1g}"
            colour = "black" if s[i, j] == 0 else text_colour_on(im.cmap(im.norm(shown[i, j])))
            ax.text(j, i, label, ha="center", va="center", color=colour)
    ax.set_xlabel(t("decoder input at position j"))
    ax.set_ylabel(t("logits at position i (writes)"))
    ax.set_title(t("largest |∂ logits[i] / ∂ input[j]| × 1000"))
    set_fonts(fig, round(1.25 * min_font(width), 1))
    fig.tight_layout()
    _upright_x_labels(fig, [ax])
    fig.tight_layout()
    return fig
