"""Chapter 7: accuracy of a two-layer network on a checkerboard, by hidden width, with and without ReLU."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t


def plot_ffn_width(
    widths: list[int],
    relu: list[list[float]],
    linear: list[float],
    linear_width: int | None = None,
    chance: float = 0.5,
) -> Figure:
    """relu[k]: test accuracies (one per seed) of the ReLU network with widths[k] hidden units;
    linear: the accuracies without the nonlinearity, measured at ``linear_width`` hidden units (by
    the algebra the same at any width); chance: the accuracy of always guessing the more common
    colour (dotted line). Dots = seeds, line = mean. 3.8 in wide, text >= 10.5 pt (about 14 px on a
    360-px phone); the legend sits below the axes, so it covers no data and stays inside the figure."""
    if not 0 < chance < 1:
        raise ValueError(f"chance must be an accuracy in (0, 1), got {chance!r}")
    fig, ax = plt.subplots(figsize=(3.8, 4.1))
    for w, accs in zip(widths, relu):
        ax.plot([w] * len(accs), accs, "o", color="tab:blue", alpha=0.5, ms=5)
    ax.plot(widths, [sum(a) / len(a) for a in relu], "-", color="tab:blue", label=t("with ReLU"))
    label = t("no ReLU (any width)") if linear_width is None else t("no ReLU (width {w})", w=linear_width)
    # the two flat lines lie close together: distinct styles, and their values in the legend
    linear_mean = sum(linear) / len(linear)
    ax.axhline(linear_mean, ls="--", color="tab:red", lw=2.2, label=t("{label}: {p:.1%}", label=label, p=linear_mean))
    ax.axhline(
        chance,
        ls=":",
        color="gray",
        lw=1.8,
        label=t("{label}: {p:.1%}", label=t("chance: the more common colour"), p=chance),
    )
    ax.set_xscale("log", base=2)
    ax.set_xticks(widths, [str(w) for w in widths])
    ax.set_ylim(0.4, 1.05)
    ax.set_yticks([0.4, 0.6, 0.8, 1.0])
    ax.set_xlabel(t("hidden width (plays the role of d_ff)"), fontsize=11)
    ax.set_ylabel(t("test accuracy"), fontsize=11)
    ax.tick_params(labelsize=11)
    ax.grid(alpha=0.3)
    # below the axes, one entry a line: on a phone a legend inside the axes would hide the data
    fig.legend(
        *ax.get_legend_handles_labels(), loc="lower left", bbox_to_anchor=(0.01, 0.0), fontsize=10.5, frameon=False
    )
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    return fig
