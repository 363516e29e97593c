"""Where a small language model's parameters are: one horizontal bar per part (chapter 12)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t


def plot_parameter_budget(parts: dict[str, int], width: float = 4.4, fontsize: float = 12) -> Figure:
    """Bars of ``parts`` ({name: parameter count}, top to bottom in the dict's order), each
    labelled with its count in millions and its share of the total (the names are drawn as given).
    Keep ``fontsize`` >= 1.8 x ``width`` so that the text stays 9 px or more on a phone (the
    defaults, 2.7 x, give about 14 px)."""
    total = sum(parts.values())
    names = list(parts)[::-1]
    values = [parts[n] / 1e6 for n in names]
    fig, ax = plt.subplots(figsize=(width, 0.5 * len(parts) + 1.1))
    bars = ax.barh(names, values, color="#2166ac")
    labels = [f"{v:.1f} M ({v * 1e6 / total:.0%})" if v >= 0.1 else t("{n:.0f} thousand", n=v * 1e3)
              for v in values]
    ax.bar_label(bars, labels, padding=3, fontsize=fontsize)
    ax.set_xlabel(t("parameters (millions)"), fontsize=fontsize)
    ax.set_xlim(0, max(values) * 1.75)
    ax.tick_params(labelsize=fontsize)
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_title(t("{m:.1f} M parameters in all", m=total / 1e6), fontsize=fontsize + 1)
    fig.tight_layout()
    return fig
