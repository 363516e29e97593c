"""Chapter 1's training-time comparison: dots on a log axis (a bar on a log axis has no honest
length, so each time is a dot, with its value written next to it)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

COLOURS = {"simple": "#777777", "fast": "#4c72b0", "tokenizers": "#dd8452"}


def plot_training_times(timings: Mapping[str, Mapping[str, float]], title: str) -> Figure:
    """timings[setting][trainer] in seconds. One row per (setting, trainer), a dot at its time on
    a log axis, the time written beside it. Returns the figure (4.8 in wide, text >= 9.5 pt)."""
    rows = [(setting, name, t) for setting, by_name in timings.items() for name, t in by_name.items()]
    fig, ax = plt.subplots(figsize=(4.8, 0.42 * len(rows) + 1.0))
    for y, (_, name, t) in enumerate(rows):
        ax.plot([t], [y], "o", ms=7, color=COLOURS.get(name, "black"))
        ax.annotate(f"{t:.3f} s", (t, y), xytext=(7, 0), textcoords="offset points", va="center",
                    fontsize=9.5)
    ax.set_yticks(range(len(rows)), [f"{name}, {setting}" for setting, name, _ in rows], fontsize=9.5)
    ax.invert_yaxis()
    ax.set_xscale("log")
    low, high = min(t for *_, t in rows), max(t for *_, t in rows)
    ax.set_xlim(low / 2, high * 6)
    ax.grid(axis="x", alpha=0.3, which="both")
    ax.tick_params(axis="x", labelsize=9.5)
    ax.set_xlabel("seconds (log scale)", fontsize=9.5)
    ax.set_title(title, fontsize=10.5)
    fig.tight_layout()
    return fig
