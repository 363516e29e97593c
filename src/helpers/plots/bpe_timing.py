"""Chapter 1's training-time comparison: dots on a log axis (a bar on a log axis has no honest
length, so each time is a dot at the median of the runs, with a line from the fastest to the
slowest run and the median written beside it). One panel per setting, stacked, so that the figure
is narrow enough for a phone to show it unscaled."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, NullFormatter

from .._checks import show
from ..i18n import t

COLOURS = {"simple": "#777777", "fast": "#4c72b0", "tokenizers": "#dd8452"}
WIDTH, FONT = 3.6, 10.0  # inches, points: 13.9 px on a 390-px phone, which shows it unscaled


def _seconds(value: float, _pos: int | None = None) -> str:
    """A log-axis tick as a plain decimal (0.01, 0.1, 1, 10): no superscript exponent, whose
    digits would be drawn at 70 % of the font size."""
    if value >= 1:
        return f"{value:.0f}"
    return f"{value:.10f}".rstrip("0")


def _trainer(name: str) -> str:
    """A trainer's name as the figure shows it ("tokenizers" is the library's name)."""
    return {"simple": t("simple"), "fast": t("fast")}.get(name, name)


def _runs(value: float | Sequence[float], where: str) -> list[float]:
    """The run times of one trainer: one number, or a non-empty list of positive numbers."""
    runs = [value] if isinstance(value, (int, float)) else value
    if isinstance(runs, str) or not isinstance(runs, Sequence) or not runs:
        raise TypeError(f"{where} must be seconds or a non-empty list of seconds, got {show(value)}")
    for x in runs:
        if isinstance(x, bool) or not isinstance(x, (int, float)) or not x > 0:
            raise ValueError(f"{where} must hold positive seconds, got {show(value)}")
    return sorted(float(x) for x in runs)


def plot_training_times(timings: Mapping[str, Mapping[str, float | Sequence[float]]], title: str) -> Figure:
    """timings[setting][trainer]: seconds, one number or the times of several runs. One panel per
    setting, one row per trainer: a dot at the median on a log axis, a line from the fastest to
    the slowest run, the median written beside it. Returns the figure (3.6 in wide, text 10 pt)."""
    if not isinstance(timings, Mapping) or not timings:
        raise TypeError(f"timings must be a non-empty mapping setting -> {{trainer: seconds}}, got {show(timings)}")
    runs = {}
    for setting, by_name in timings.items():
        if not isinstance(by_name, Mapping) or not by_name:
            raise TypeError(f"timings[{setting!r}] must be a non-empty mapping trainer -> seconds, got {show(by_name)}")
        runs[setting] = {name: _runs(v, f"timings[{setting!r}][{name!r}]") for name, v in by_name.items()}
    every = [x for by_name in runs.values() for times in by_name.values() for x in times]
    low, high = min(every), max(every)
    heights = [0.42 * len(by_name) + 0.55 for by_name in runs.values()]
    fig, axes = plt.subplots(len(runs), 1, figsize=(WIDTH, sum(heights) + 0.9), sharex=True,
                             gridspec_kw={"height_ratios": heights}, squeeze=False)
    for ax, (setting, by_name) in zip(axes[:, 0], runs.items()):
        for y, (name, times) in enumerate(by_name.items()):
            colour = COLOURS.get(name, "black")
            middle = statistics.median(times)
            ax.plot([times[0], times[-1]], [y, y], "-", lw=2.5, color=colour, alpha=0.5, solid_capstyle="round")
            ax.plot([middle], [y], "o", ms=7, color=colour)
            ax.annotate(f"{middle:.3f} s", (times[-1], y), xytext=(6, 0), textcoords="offset points",
                        va="center", fontsize=FONT)
        ax.set_yticks(range(len(by_name)), [_trainer(name) for name in by_name], fontsize=FONT)
        ax.set_ylim(len(by_name) - 0.5, -0.5)
        ax.set_title(setting, fontsize=FONT, loc="left")
        ax.grid(axis="x", alpha=0.3, which="major")
        ax.tick_params(axis="x", which="both", labelsize=FONT)
    ax = axes[-1, 0]
    ax.set_xscale("log")
    ax.set_xlim(low / 2, high * 8)
    ax.xaxis.set_major_formatter(FuncFormatter(_seconds))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(t("seconds (log scale)"), fontsize=FONT)
    fig.suptitle(title, fontsize=FONT, x=0.02, ha="left")
    fig.tight_layout(h_pad=0.6)
    return fig
