"""Chapter 10: test accuracy against the number of labelled poems, several models, several seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from helpers.i18n import t

WIDTH = 4.2  # inches; 10.5-pt text is about 13 px on a 366-px phone figure


def plot_sample_efficiency(
    series: Mapping[str, Mapping[int, Sequence[float]]], chance: float = 50.0, fontsize: float = 10.5
) -> plt.Figure:
    """One line per model: the mean accuracy (%) at each size, the bar from the worst to the best seed.

    ``series`` maps a label to {labelled poems per class: [accuracy of each seed, in %]}.
    """
    fig, ax = plt.subplots(figsize=(WIDTH, 3.8))
    markers = ("o", "s", "^", "D")
    for k, (label, by_size) in enumerate(series.items()):
        sizes = sorted(by_size)
        mean = [sum(by_size[n]) / len(by_size[n]) for n in sizes]
        low = [m - min(by_size[n]) for m, n in zip(mean, sizes)]
        high = [max(by_size[n]) - m for m, n in zip(mean, sizes)]
        ax.errorbar(sizes, mean, yerr=[low, high], marker=markers[k % 4], capsize=4, label=label, color=f"C{k}")
    ax.axhline(chance, color="grey", ls=":", label=t("chance"))
    sizes = sorted({n for by_size in series.values() for n in by_size})
    ax.set_xscale("log")
    ax.set_xticks(sizes, [str(s) for s in sizes], fontsize=fontsize)
    ax.tick_params(axis="y", labelsize=fontsize)
    ax.minorticks_off()
    ax.set_xlabel(t("labelled poems per poet"), fontsize=fontsize)
    ax.set_ylabel(t("test accuracy (%)"), fontsize=fontsize)
    ax.legend(fontsize=fontsize, loc="lower right")
    fig.tight_layout()
    return fig
