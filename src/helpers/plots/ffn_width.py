"""Chapter 7: accuracy of a two-layer network on a checkerboard, by hidden width, with and without ReLU."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t


def plot_ffn_width(widths: list[int], relu: list[list[float]], linear: list[float],
                   linear_width: int | None = None) -> Figure:
    """relu[k]: test accuracies (one per seed) of the ReLU network with widths[k] hidden units;
    linear: the accuracies without the nonlinearity, measured at ``linear_width`` hidden units (by
    the algebra the same at any width). Dots = seeds, line = mean. 4.8 in wide, text >= 9 pt."""
    fig, ax = plt.subplots(figsize=(4.8, 3.2))
    for w, accs in zip(widths, relu):
        ax.plot([w] * len(accs), accs, "o", color="tab:blue", alpha=0.5, ms=5)
    ax.plot(widths, [sum(a) / len(a) for a in relu], "-", color="tab:blue", label=t("with ReLU"))
    label = t("no ReLU (any width)") if linear_width is None else t("no ReLU (width {w})", w=linear_width)
    ax.axhline(sum(linear) / len(linear), ls="--", color="tab:red", label=label)
    ax.axhline(0.5, ls=":", color="gray", lw=1)
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set_ylim(0.4, 1.02)
    ax.set_xlabel(t("hidden width (the role of $d_{ff}$)"), fontsize=10)
    ax.set_ylabel(t("test accuracy"), fontsize=10)
    ax.tick_params(labelsize=9)
    ax.legend(fontsize=9, loc="lower right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
