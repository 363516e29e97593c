"""Chapter 7: training curves of the pre-/post-norm, warm-up/no-warm-up runs, over several seeds."""

from __future__ import annotations

from statistics import median

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import set_fonts


def plot_norm_training(runs: list[dict], names: list[str], title: str) -> Figure:
    """One curve per name in ``names``: the median training loss over the runs (seeds) of that name,
    with a band from the lowest to the highest seed. Red = post-norm, blue = pre-norm; solid =
    warm-up, dashed = none. The names label the legend in the book's language (``helpers.i18n.t``).
    4.4 in wide, text 10.5 pt (about 12 px on a phone); the legend sits under the axes, clear of
    the curves."""
    fig, ax = plt.subplots(figsize=(4.4, 4.4))
    for name in names:
        group = [r for r in runs if r["name"] == name]
        if not group:
            continue
        steps = [row["step"] for row in group[0]["log"]]
        per_step = list(zip(*[[row["loss"] for row in r["log"]] for r in group]))
        colour = "tab:red" if name.startswith("post") else "tab:blue"
        dash = "-" if group[0]["warmup"] > 1 else "--"
        ax.plot(steps, [median(v) for v in per_step], dash, color=colour, label=t(name))
        ax.fill_between(steps, [min(v) for v in per_step], [max(v) for v in per_step], color=colour, alpha=0.15)
    ax.set_yscale("log")
    ax.set_xlabel(t("training step"), fontsize=10)
    ax.set_ylabel(t("training loss"), fontsize=10)
    ax.set_title(title, fontsize=10)
    ax.tick_params(labelsize=9)
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.2), ncols=2, columnspacing=0.8,
              handlelength=1.6, frameon=False)
    ax.grid(alpha=0.3, which="both")
    set_fonts(fig, 10.5)
    fig.tight_layout()
    return fig
