"""Plotting helpers shared by the chapters (matplotlib, static PNGs that render everywhere)."""

from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Sequence
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
from matplotlib import font_manager

CJK_FAMILIES = ("Noto Sans CJK TC", "Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Sans CJK KR")


def _bundled_cjk_font() -> Path | None:
    spec = importlib.util.find_spec("cvttf_NotoSansCJK_Regular")
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        found = sorted(Path(folder).glob("*.otf"))
        if found:
            return found[0]
    return None


def setup_cjk_font() -> str | None:
    """Make matplotlib draw Chinese characters; returns the font family used, or None.

    Uses the font of the pip package ``cvttf-notosanscjk-regular`` if installed (the book's
    ``cjk`` extra), else a system Noto CJK font (Debian's ``fonts-noto-cjk``).
    """
    path = _bundled_cjk_font()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
    installed = {f.name for f in font_manager.fontManager.ttflist}
    family = next((f for f in CJK_FAMILIES if f in installed), None)
    if family is None:
        warnings.warn(
            "No CJK font found: Chinese labels will show as boxes. "
            "Install one with `pip install cvttf-notosanscjk-regular`.",
            stacklevel=2,
        )
        return None
    current = list(matplotlib.rcParams["font.sans-serif"])
    matplotlib.rcParams["font.sans-serif"] = [family] + [f for f in current if f != family]
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["axes.unicode_minus"] = False
    return family


def heatmap(
    matrix,
    row_labels: Sequence[str] | None = None,
    col_labels: Sequence[str] | None = None,
    ax: plt.Axes | None = None,
    title: str | None = None,
    cmap: str = "viridis",
    annotate: bool = True,
    fmt: str = "{:.2f}",
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
) -> plt.Axes:
    """Draw a (rows, cols) matrix as a labelled heatmap, values written in the cells."""
    m = np.asarray(matrix.detach().cpu() if hasattr(matrix, "detach") else matrix, dtype=float)
    if m.ndim != 2:
        raise ValueError(f"heatmap needs a 2-D matrix, got shape {m.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(1 + 0.6 * m.shape[1], 0.8 + 0.5 * m.shape[0]))
    im = ax.imshow(m, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    for labels, n, setter, ticks in (
        (row_labels, m.shape[0], ax.set_yticklabels, ax.set_yticks),
        (col_labels, m.shape[1], ax.set_xticklabels, ax.set_xticks),
    ):
        if labels is not None:
            if len(labels) != n:
                raise ValueError(f"{len(labels)} labels for {n} rows/columns of a {m.shape} matrix")
            ticks(range(n))
            setter(labels)
    if col_labels is not None and max((len(str(c)) for c in col_labels), default=0) > 3:
        plt.setp(ax.get_xticklabels(), rotation=45, ha="right")
    if annotate and m.size <= 400:
        lo, hi = np.nanmin(m), np.nanmax(m)
        mid = (lo + hi) / 2
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                colour = "black" if (cmap in ("viridis", "magma", "inferno") and m[i, j] > mid) else "white"
                if cmap not in ("viridis", "magma", "inferno"):
                    colour = "black"
                ax.text(j, i, fmt.format(m[i, j]), ha="center", va="center", fontsize=8, color=colour)
    if title:
        ax.set_title(title)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
    return ax
