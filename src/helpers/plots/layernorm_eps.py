"""Chapter 7: output spread of LayerNorm and of the common `x.std() + eps` version, by input scale."""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import set_fonts

Norm = Callable[[torch.Tensor], torch.Tensor]


def measure_spread(
    norms: dict[str, Norm], widths: tuple[int, ...] = (4, 512), scales: torch.Tensor | None = None, seed: int = 1
) -> dict[tuple[int, str], dict[float, float]]:
    """For each width d and each norm: 200 random rows with mean 0 and (biased) std exactly 1, scaled by
    each s in ``scales``; returns {(d, name): {s: mean (biased) std of the norm's output rows}}."""
    scales = torch.logspace(-5, 1, 61) if scales is None else scales
    measured = {}
    for d in widths:
        torch.manual_seed(seed)
        base = torch.randn(200, d)
        base = (base - base.mean(-1, keepdim=True)) / base.std(-1, unbiased=False, keepdim=True)
        for name, fn in norms.items():
            spread = [fn(base * s).std(-1, unbiased=False).mean().item() for s in scales]
            measured[d, name] = dict(zip(scales.tolist(), spread))
    return measured


def plot_spread(measured: dict[tuple[int, str], dict[float, float]]) -> Figure:
    """One panel per width, stacked; solid = first norm, dashed = the others; the norms' names label
    the legend in the book's language (``helpers.i18n.t``). 4.8 in wide, text >= 9 pt."""
    widths = sorted({d for d, _ in measured})
    names = list(dict.fromkeys(name for _, name in measured))
    fig, axes = plt.subplots(len(widths), 1, figsize=(3.8, 2.3 * len(widths) + 0.4), sharex=True, sharey=True)
    axes = [axes] if len(widths) == 1 else list(axes)
    for ax, d in zip(axes, widths):
        for k, name in enumerate(names):
            table = measured[d, name]
            ax.plot(list(table), list(table.values()), "-" if k == 0 else "--", label=t(name))
        ax.set_xscale("log")
        ax.set_title(f"$d_{{\\mathrm{{model}}}} = {d}$", fontsize=10)
        ax.set_ylabel(t("std of the output"), fontsize=10)
        ax.tick_params(labelsize=9)
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel(t("standard deviation of the input"), fontsize=10)
    # below the axes: inside, it would cover the rising curves
    axes[-1].legend(loc="upper center", bbox_to_anchor=(0.5, -0.32), fontsize=9)
    set_fonts(fig, 10.5)  # drawn 3.8 in wide: about 14 px on a 360-px phone
    fig.tight_layout()
    return fig
