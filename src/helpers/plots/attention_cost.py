"""Chapter 4: the time of one attention against the sequence length, with an n² guide line."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from ._phone import min_font, set_fonts


def plot_attention_time(lengths: Sequence[int], seconds: Sequence[float], width: float = 5.0) -> Figure:
    """Measured time (ms) against length T on log-log axes, and T² through the second point."""
    fig, ax = plt.subplots(figsize=(width, width * 0.66))
    ms = [t * 1e3 for t in seconds]
    ax.plot(lengths, ms, "o-", label="measured")
    ax.plot(lengths, [ms[1] * (n / lengths[1]) ** 2 for n in lengths], "--", label="∝ T²")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(lengths, [str(n) for n in lengths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("sequence length T")
    ax.set_ylabel("time (ms)")
    ax.set_title("one head, d_k = 64")
    ax.legend()
    set_fonts(fig, min_font(width))
    fig.tight_layout()
    return fig
