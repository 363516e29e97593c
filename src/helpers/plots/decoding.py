"""Chapter 11's decoding figures: temperature on one next-token distribution, the cost of a
generation step with and without a KV cache, and what follows one injected error.

Every figure is 4.2 inches wide with texts at 10 pt: about 12 px on a 390-px phone; the logit-change
figure, whose ticks and axis labels carry its reading, at 12 pt (about 15 px).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import min_font, set_fonts

WIDTH = 4.2
FONT = 10.0  # 10 pt in 4.2 in: ~12 px when the figure is shown 366 px wide
LARGE = 12.0  # the logit-change figure: ~15 px
assert FONT >= min_font(WIDTH)


def plot_temperatures(probs_by_tau: Mapping[float, torch.Tensor], labels: Sequence[str], context: str) -> Figure:
    """Grouped bars of the same tokens' probabilities at several temperatures, on a LOG axis.

    probs_by_tau: temperature -> probabilities (n,) of the ``labels`` tokens (most probable first
    at temperature 1). A log axis keeps the flat, hot distribution visible beside the sharp one:
    equal ratios are equal heights.
    """
    n = len(labels)
    taus = list(probs_by_tau)
    width = 0.8 / len(taus)
    fig, ax = plt.subplots(figsize=(WIDTH, 3.4))
    for j, tau in enumerate(taus):
        offset = (j - (len(taus) - 1) / 2) * width
        ax.bar(torch.arange(n) + offset, probs_by_tau[tau], width, label=f"τ = {tau}")
    ax.set_yscale("log")
    ax.set_xticks(range(n), labels)
    ax.set_xlabel(t("next character (the {n} most probable at τ = 1)", n=n))
    ax.set_ylabel(t("probability (log scale)"))
    ax.set_title(t("Next character after “{context}”", context=context))
    ax.legend(ncol=len(taus), loc="upper right")
    bottom, top = ax.get_ylim()
    ax.set_ylim(bottom, top * (top / bottom) ** 0.25)  # room for the legend above the tallest bar
    ax.grid(axis="y", alpha=0.3, which="major")
    set_fonts(fig, FONT)
    fig.tight_layout()
    return fig


def plot_step_costs(
    positions: Sequence[int],
    no_cache_s: Sequence[float],
    cache_s: Sequence[float],
    no_cache_range: Sequence[tuple[float, float]] | None = None,
    cache_range: Sequence[tuple[float, float]] | None = None,
) -> Figure:
    """CPU milliseconds of one generation step at each position, without and with the KV cache.

    ``no_cache_s``, ``cache_s``: the median seconds at each position; ``no_cache_range``,
    ``cache_range`` (optional): (lowest, highest) seconds of the repeated measurements at each
    position, drawn as a band around the median.
    """
    n = len(positions)
    for name, values in (
        ("no_cache_s", no_cache_s),
        ("cache_s", cache_s),
        ("no_cache_range", no_cache_range),
        ("cache_range", cache_range),
    ):
        if values is not None and len(values) != n:
            raise ValueError(f"{name} must hold one entry per position ({n}), got {len(values)}")
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    for values, spread, style, label in (
        (no_cache_s, no_cache_range, "o-", t("no cache")),
        (cache_s, cache_range, "s-", t("KV cache")),
    ):
        (line,) = ax.plot(positions, [1e3 * a for a in values], style, label=label)
        if spread is not None:
            ax.fill_between(
                positions,
                [1e3 * lo for lo, _ in spread],
                [1e3 * hi for _, hi in spread],
                color=line.get_color(),
                alpha=0.2,
                linewidth=0,
            )
    ax.set_xlabel(t("position of the new token"))
    ax.set_ylabel(t("CPU ms per token"))
    ax.set_ylim(bottom=0)
    ax.set_title(
        t("Cost of one generation step (median)")
        if no_cache_range is None
        else t("One generation step: median and range")
    )
    ax.legend()
    ax.grid(alpha=0.3)
    set_fonts(fig, FONT)
    fig.tight_layout()
    return fig


def plot_logit_change(changes: Mapping[str, torch.Tensor], cut: int) -> Figure:
    """Per position, the largest change of any logit when the tokens after ``cut`` are replaced.

    changes: model name -> (T,) largest absolute logit change at each position. The positions up
    to ``cut`` are shaded: a causal model cannot change there.
    """
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    for (name, ch), marker in zip(changes.items(), "os"):
        ax.plot(range(len(ch)), ch, marker + "-", ms=3, label=name)
    ax.axvspan(-0.5, cut + 0.5, color="grey", alpha=0.15)
    ax.text(cut / 2, ax.get_ylim()[1] * 0.95, t("unchanged input"), ha="center", va="top")
    ax.set_xlabel(t("position"))
    ax.set_ylabel(t("largest logit change"))
    # above the axes: inside, it would cover the curves after the cut
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax.grid(alpha=0.3)
    set_fonts(fig, LARGE)
    fig.tight_layout()
    return fig
