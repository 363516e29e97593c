"""Shared by the figure modules of chapters 4 and 5: text sizes that stay readable on a phone."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def min_font(width: float) -> float:
    """The smallest font (points) for a figure ``width`` inches wide: shown at 100 px per inch and
    scaled down to ~360 px on a phone, text needs 1.8 pt per inch of width to stay >= 9 px."""
    return round(1.8 * width + 0.05, 1)


def set_fonts(fig: Figure, size: float) -> None:
    """Set every text of ``fig`` (titles, labels, ticks, cell values, legends) to ``size`` points."""
    for text in fig.findobj(match=plt.Text):
        text.set_fontsize(size)
