"""Chapter 4: how sharp a translator's attention is, at initialisation and after training."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from ..i18n import t
from ._phone import min_font, set_fonts


def names() -> dict[str, str]:
    """Short tick names of the kinds of attention, in the edition's language."""
    return {"encoder": t("enc."), "decoder": t("dec."), "cross": t("cross")}


def network_names() -> dict[str, str]:
    """Legend names of the networks chapter 4 compares, in the edition's language (other names
    are shown as they are)."""
    return {
        "at init": t("at init"),
        "trained": t("trained"),
        "at init, pre-norm": t("at init, pre-norm"),
        "at init, small embeddings": t("at init, small embeddings"),
    }


def plot_sharpness(
    stats: Mapping[str, Mapping[tuple[str, int], tuple[float, float]]],
    keys: Sequence[tuple[str, int]],
    width: float = 5.6,
    ranges: Mapping[str, tuple[Mapping, Mapping]] | None = None,
) -> Figure:
    """Two stacked charts, one group per (kind, layer) and one bar (top) or marker (bottom, log
    axis) per network.

    stats[network][(kind, layer)] = (share of rows with largest weight > 0.99, median spread of
    the scaled scores); the networks (e.g. "at init", "trained") are drawn in their given order.
    ranges[network] = (low, high), each {(kind, layer): (share, spread)}: for the networks drawn
    several times (e.g. over seeds), a black whisker from low to high on each bar and marker.
    """
    ranges = dict(ranges or {})
    unknown = [name for name in ranges if name not in stats]
    if unknown:
        raise ValueError(f"ranges names networks {unknown} that stats does not have ({list(stats)})")
    colours = ["C7", "C0", "C2", "C1"]
    short, legend = names(), network_names()
    labels = [f"{short.get(kind, kind)}\n{i + 1}" for kind, i in keys]
    fig, axes = plt.subplots(2, 1, figsize=(width, width * 1.1), sharex=True)
    n = len(stats)
    bar = 0.8 / n
    markers = ["o", "s", "^", "D"]
    for j, (when, by_key) in enumerate(stats.items()):
        x = [i + (j - (n - 1) / 2) * bar for i in range(len(keys))]
        axes[0].bar(x, [by_key[key][0] for key in keys], bar, color=colours[j % 4], label=legend.get(when, when))
        # the spread on a log axis: markers, not bars (a bar's length would depend on the axis floor)
        axes[1].plot(x, [by_key[key][1] for key in keys], markers[j % 4], color=colours[j % 4], markersize=7)
        if when in ranges:  # whiskers from the lowest to the highest draw, where they differ
            low, high = ranges[when]
            for panel, which in ((axes[0], 0), (axes[1], 1)):
                shown = [i for i, key in enumerate(keys) if high[key][which] > low[key][which]]
                mid = [by_key[keys[i]][which] for i in shown]
                panel.errorbar(
                    [x[i] for i in shown],
                    mid,
                    yerr=[
                        [m - low[keys[i]][which] for m, i in zip(mid, shown)],
                        [high[keys[i]][which] - m for m, i in zip(mid, shown)],
                    ],
                    fmt="none",
                    ecolor="black",
                    elinewidth=1,
                    capsize=2,
                )
    axes[0].set_title(t("share of rows with largest weight > 0.99"))
    axes[0].set_ylim(0, 1.05)
    axes[0].set_yticks([0, 0.5, 1])
    axes[0].yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    axes[1].set_title(t("median spread (std) of a row's scaled scores"))
    axes[1].set_yscale("log")
    axes[1].grid(axis="y", which="major", alpha=0.3)
    axes[1].set_xticks(range(len(keys)), labels)
    axes[1].set_xlabel(t("attention (kind, layer)"))
    # the legend above both panels, two names per line: inside a panel it covered bars
    handles, names_shown = axes[0].get_legend_handles_labels()
    fig.legend(handles, names_shown, ncols=2, loc="upper center", frameon=False, columnspacing=1.0, handlelength=1.2)
    set_fonts(fig, round(1.25 * min_font(width), 1))  # well above the phone minimum
    fig.tight_layout(rect=(0, 0, 1, 0.88))
    return fig
