"""Chapter 10: test accuracy against the number of labelled poems, several models, several seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from helpers.i18n import t

WIDTH = 5.0  # inches; 11.2-pt text is about 11 px on a 360-px phone figure
SHIFT = 1.09  # each series drawn at size * SHIFT**(k - middle) on the log axis, so no two share an x


def plot_sample_efficiency(
    series: Mapping[str, Mapping[int, Sequence[float]]],
    chance: float = 50.0,
    fontsize: float = 11.2,
    untrained: Mapping[str, Sequence[tuple[int, float]]] | None = None,
    pool: int | None = None,
) -> plt.Figure:
    """One line per model: the mean accuracy (%) at each size, the bar from the worst to the best seed.

    The series are drawn a little apart along the (log) size axis, the middle one at the size
    itself, so that the bars and markers of one size do not cover each other; the ticks mark the
    sizes.

    ``series`` maps a label to {labelled poems per class: [accuracy of each seed, in %]}.
    ``untrained`` maps a label of ``series`` to the (size, accuracy %) of its runs that kept their
    untrained step 0; each is circled in the model's colour. ``pool``, one of the sizes, is the
    whole pool of labelled poems: its tick reads "all (pool)".
    """
    for label, runs in (untrained or {}).items():
        if label not in series:
            raise ValueError(f"untrained: label {label!r} is not one of series' labels {list(series)}")
        for n, _ in runs:
            if n not in series[label]:
                raise ValueError(f"untrained: size {n!r} of {label!r} is not one of its sizes {sorted(series[label])}")
    fig, ax = plt.subplots(figsize=(WIDTH, 5.6 if untrained else 3.8))
    markers = ("o", "s", "^", "D")
    middle = (len(series) - 1) / 2
    for k, (label, by_size) in enumerate(series.items()):
        sizes = sorted(by_size)
        shift = SHIFT ** (k - middle)
        mean = [sum(by_size[n]) / len(by_size[n]) for n in sizes]
        low = [m - min(by_size[n]) for m, n in zip(mean, sizes)]
        high = [max(by_size[n]) - m for m, n in zip(mean, sizes)]
        ax.errorbar([n * shift for n in sizes], mean, yerr=[low, high], marker=markers[k % 4], capsize=4,
                    label=label, color=f"C{k}")
        for n, acc in (untrained or {}).get(label, ()):
            ax.plot([n * shift], [acc], "o", ms=13, mfc="none", mec=f"C{k}", mew=1.5)
    if untrained:
        ax.plot([], [], "o", ms=13, mfc="none", mec="black", mew=1.5, ls="none", label=t("kept step 0 (untrained)"))
    ax.axhline(chance, color="grey", ls=":", label=t("chance"))
    sizes = sorted({n for by_size in series.values() for n in by_size})
    ax.set_xscale("log")
    if pool is not None and pool not in sizes:
        raise ValueError(f"pool must be one of the sizes {sizes}, got {pool!r}")
    ticks = [t("all ({n})", n=s) if s == pool else str(s) for s in sizes]
    ax.set_xticks(sizes, ticks, fontsize=fontsize)
    ax.tick_params(axis="y", labelsize=fontsize)
    ax.minorticks_off()
    ax.set_xlabel(t("labelled poems per poet"), fontsize=fontsize)
    ax.set_ylabel(t("test accuracy (%)"), fontsize=fontsize)
    if untrained:  # five entries: below the axes, where they hide no point
        ax.legend(fontsize=fontsize, loc="upper center", bbox_to_anchor=(0.5, -0.16))
    else:
        ax.legend(fontsize=fontsize, loc="lower right")
    fig.tight_layout()
    return fig
