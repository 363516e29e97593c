"""Chapter 7: the residual stream's std at initialisation through a pre-norm stack, with and without
GPT-2's scaled initialisation of the writes (``helpers.residual_init.stream_growth``)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import show
from ..i18n import t
from ._phone import set_fonts

COLOURS = {False: "tab:red", True: "tab:blue"}
STYLES = ("-", "--", ":", "-.")


def plot_stream_growth(growth: Mapping[tuple[int, bool], list[list[float]]]) -> Figure:
    """growth[(N, scaled)] = one list of N + 1 stream stds per seed (input first). One line per
    (N, scaled): the median over the seeds, with a band from the lowest to the highest seed; red
    without the scaling, blue with it; line style by depth; the legend below the axes.
    3.6 in wide, text 11 pt (about 15 px on a phone)."""
    if not isinstance(growth, Mapping) or not growth:
        raise TypeError(f"growth must be a non-empty dict {{(N, scaled): [stds per seed]}}, got {show(growth)}")
    for key, runs in growth.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(key[1], bool)):
            raise ValueError(f"growth's keys must be (n_layers, scaled) pairs, got {show(key)}")
        if not runs or any(len(r) != key[0] + 1 for r in runs):
            raise ValueError(f"growth[{key!r}] must hold, per seed, {key[0] + 1} stds (input and each layer)")
    fig, ax = plt.subplots(figsize=(3.6, 3.6))
    depths = sorted({n for n, _ in growth})
    for (n, scaled), runs in sorted(growth.items()):
        layers = list(range(n + 1))
        columns = [sorted(r[i] for r in runs) for i in layers]
        median = [c[len(c) // 2] for c in columns]
        colour, style = COLOURS[scaled], STYLES[depths.index(n) % len(STYLES)]
        label = t("N = {n}, scaled", n=n) if scaled else t("N = {n}, not scaled", n=n)
        ax.plot(layers, median, style, color=colour, lw=1.8, label=label)
        ax.fill_between(layers, [c[0] for c in columns], [c[-1] for c in columns], color=colour, alpha=0.2, lw=0)
    ax.set_xlabel(t("layers passed"))
    ax.set_ylabel(t("std of the stream"))
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.45, -0.2), ncol=2, frameon=False, handlelength=1.6, columnspacing=1.0
    )
    set_fonts(fig, 11)
    fig.tight_layout()
    return fig
