"""Chapter 7: training curves of the pre-/post-norm, warm-up/no-warm-up runs, over several seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from statistics import median

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from .._checks import check_str, show
from ..i18n import t

FONT = 11


def _variant(run: Mapping) -> tuple[bool, bool]:
    """(pre-norm?, warm-up?) of a logged run."""
    return bool(run["norm_first"]), run["warmup"] > 1


def plot_norm_training(panels: Sequence[tuple[str, Sequence[Mapping]]]) -> Figure:
    """One panel per ``(title, runs)`` in ``panels``, stacked, sharing both axes. In each panel the
    runs (dicts as ``helpers.norm_runs`` logs them: "norm_first", "warmup", "log" with "step" and
    "loss") are grouped by layout and warm-up; each group is drawn as its median training loss over
    the seeds, with a band from the lowest to the highest seed; a run with a "seed" whose last loss is
    more than 10 times from its group's median is also drawn alone (dotted) and labelled. Red =
    post-norm, blue = pre-norm; solid = warm-up, dashed = none. One legend under the last panel
    names the colours and the line styles in the book's language (``helpers.i18n.t``). 3.8 in
    wide, text 11 pt (about 14 px on a phone)."""
    if isinstance(panels, (str, bytes)) or not isinstance(panels, Sequence) or not panels:
        raise TypeError(f"panels must be a non-empty list of (title, runs) pairs, got {show(panels)}")
    for k, panel in enumerate(panels):
        if not isinstance(panel, (tuple, list)) or len(panel) != 2:
            raise TypeError(f"panels[{k}] must be a (title, runs) pair, got {show(panel)}")
        check_str(panel[0], f"panels[{k}]'s title")
        runs = panel[1]
        if isinstance(runs, (str, bytes)) or not isinstance(runs, Sequence) or not runs:
            raise ValueError(f"panels[{k}]'s runs must be a non-empty list of logged runs, got {show(runs)}")
        for j, run in enumerate(runs):
            if not isinstance(run, Mapping) or not {"norm_first", "warmup", "log"} <= set(run) or not run["log"]:
                raise ValueError(
                    f"panels[{k}] run {j} must be a dict with 'norm_first', 'warmup' and a non-empty "
                    f"'log', got {show(run)}"
                )
    fig, axes = plt.subplots(
        len(panels), 1, figsize=(3.8, 2.3 * len(panels) + 0.9), sharex=True, sharey=True, squeeze=False
    )
    axes = axes[:, 0]
    for ax, (title, runs) in zip(axes, panels):
        for variant in sorted({_variant(r) for r in runs}):
            group = [r for r in runs if _variant(r) == variant]
            steps = [row["step"] for row in group[0]["log"]]
            per_step = list(zip(*[[row["loss"] for row in r["log"]] for r in group]))
            colour = "tab:blue" if variant[0] else "tab:red"
            mid = [median(v) for v in per_step]
            ax.plot(steps, mid, "-" if variant[1] else "--", color=colour, lw=2.0, zorder=3)
            ax.fill_between(
                steps, [min(v) for v in per_step], [max(v) for v in per_step], color=colour, alpha=0.18, lw=0
            )
            for run in group:  # a seed that ends far (10x) from the median: its own thin line, labelled
                end = run["log"][-1]["loss"]
                if "seed" in run and not 0.1 < end / mid[-1] < 10:
                    ax.plot(steps, [row["loss"] for row in run["log"]], ":", color=colour, lw=1.6, zorder=2)
                    ax.annotate(
                        t("seed {seed}", seed=run["seed"]),
                        (steps[-1], end),
                        xytext=(-4, 4),
                        textcoords="offset points",
                        ha="right",
                        va="bottom",
                        fontsize=FONT + 1.5,
                        color="navy" if variant[0] else "darkred",  # darker than the line: text
                    )
        ax.set_yscale("log")
        ax.set_ylabel(t("training loss"), fontsize=FONT)
        ax.set_title(title, fontsize=FONT)
        ax.tick_params(labelsize=FONT)
        ax.grid(alpha=0.3, which="major")
    axes[-1].set_xlabel(t("training step"), fontsize=FONT)
    # colour says the layout, the line style the warm-up: four short entries, two columns
    handles = [
        Line2D([], [], color="tab:red", lw=1.8, label=t("post-norm")),
        Line2D([], [], color="tab:blue", lw=1.8, label=t("pre-norm")),
        Line2D([], [], color="black", ls="-", lw=1.8, label=t("warm-up")),
        Line2D([], [], color="black", ls="--", lw=1.8, label=t("no warm-up")),
    ]
    axes[-1].legend(
        handles=handles,
        fontsize=FONT,
        loc="upper center",
        bbox_to_anchor=(0.4, -0.3),
        ncols=2,
        columnspacing=0.5,
        handlelength=1.3,
        handletextpad=0.4,
        borderaxespad=0,
        frameon=False,
    )
    fig.tight_layout(pad=0.3, h_pad=0.6)
    return fig
