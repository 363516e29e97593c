"""Chapter 7: the gradient norm of every encoder and decoder layer at initialisation, two layouts."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import set_fonts

STYLES = {"post-norm": ("o-", "tab:red"), "pre-norm": ("s--", "tab:blue")}


def plot_layer_grads(grads: dict[str, dict[str, list[float]]]) -> Figure:
    """grads[layout]["encoder" | "decoder"] = one gradient norm per layer (layer 1 first).

    Two stacked panels (encoder above, decoder below) on one log scale; the layouts' names are drawn
    in the book's language (``helpers.i18n.t``). 4.8 in wide, text >= 9 pt.
    """
    fig, axes = plt.subplots(2, 1, figsize=(3.8, 5.0), sharex=True, sharey=True)
    for ax, part in zip(axes, ("encoder", "decoder")):
        for label, values in grads.items():
            style, colour = STYLES.get(label, ("^-", "gray"))
            ax.plot(range(1, len(values[part]) + 1), values[part], style, color=colour, label=t(label), ms=4)
        ax.set_yscale("log")
        ax.set_title(t("encoder layers") if part == "encoder" else t("decoder layers"), fontsize=10)
        ax.set_ylabel(t("gradient norm"), fontsize=10)
        ax.grid(alpha=0.3, which="both")
        ax.tick_params(labelsize=9)
    n = max(len(v[part]) for v in grads.values() for part in ("encoder", "decoder"))
    axes[1].set_xticks(sorted({1, n, *range(4, n + 1, 4)}))  # whole layers: 1, 4, 8, 12
    axes[1].set_xlabel(t("layer (1 = nearest the input)"), fontsize=10)
    axes[0].legend(fontsize=9)
    set_fonts(fig, 10.5)  # drawn 3.8 in wide: about 14 px on a 360-px phone
    fig.tight_layout()
    return fig
