"""Chapter 1's training-time comparison: dots on a log axis (a bar on a log axis has no honest
length, so each time is a dot, with its value written next to it)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t

COLOURS = {"simple": "#777777", "fast": "#4c72b0", "tokenizers": "#dd8452"}


def _trainer(name: str) -> str:
    """A trainer's name as the figure shows it ("tokenizers" is the library's name)."""
    return {"simple": t("simple"), "fast": t("fast")}.get(name, name)


def plot_training_times(timings: Mapping[str, Mapping[str, float]], title: str) -> Figure:
    """timings[setting][trainer] in seconds. One row per (setting, trainer), a dot at its time on
    a log axis, the time written beside it. Returns the figure (4.8 in wide, text >= 9.5 pt)."""
    rows = [(setting, name, secs) for setting, by_name in timings.items() for name, secs in by_name.items()]
    fig, ax = plt.subplots(figsize=(4.8, 0.42 * len(rows) + 1.0))
    for y, (_, name, secs) in enumerate(rows):
        ax.plot([secs], [y], "o", ms=7, color=COLOURS.get(name, "black"))
        ax.annotate(f"{secs:.3f} s", (secs, y), xytext=(7, 0), textcoords="offset points", va="center",
                    fontsize=9.5)
    labels = [t("{trainer}, {setting}", trainer=_trainer(name), setting=setting) for setting, name, _ in rows]
    ax.set_yticks(range(len(rows)), labels, fontsize=9.5)
    ax.invert_yaxis()
    ax.set_xscale("log")
    low, high = min(secs for *_, secs in rows), max(secs for *_, secs in rows)
    ax.set_xlim(low / 2, high * 6)
    ax.grid(axis="x", alpha=0.3, which="both")
    ax.tick_params(axis="x", labelsize=9.5)
    ax.set_xlabel(t("seconds (log scale)"), fontsize=9.5)
    ax.set_title(title, fontsize=10.5)
    fig.tight_layout()
    return fig
