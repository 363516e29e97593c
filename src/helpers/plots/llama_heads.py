"""What a real model's heads attend to: sink heads and previous-token heads, measured for every
head, and the attention maps of chosen heads (chapter 12)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ..viz import heatmap


def plot_sinks_and_previous(
    first: torch.Tensor,
    previous: torch.Tensor,
    label_heads: Sequence[tuple[int, int]],
    threshold: float = 0.5,
    width: float = 4.2,
    fontsize: float = 12,
) -> Figure:
    """Two panels, one above the other. Top: per layer, the share of heads that put at least
    ``threshold`` of their attention on the first token. Bottom: every head as a dot, attention on
    the first token against attention on the previous token; ``label_heads`` (layer, head) are
    named as the code prints them ("L16H0": layer 16, head 0), each label joined to its dot by a
    line and moved down as far as needed not to overlap the label above it. ``first``,
    ``previous``: (n_layers, n_heads). ``fontsize`` >= 1.8 x ``width``."""
    n_layers = first.shape[0]
    for layer, head in label_heads:
        if not (0 <= layer < n_layers and 0 <= head < first.shape[1]):
            raise ValueError(
                f"label_heads must hold (layer, head) pairs inside {tuple(first.shape)}, got {(layer, head)!r}"
            )
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(width, 7.0))
    top.bar(range(n_layers), 100 * (first >= threshold).float().mean(1), color="#2166ac")
    top.set_xlabel(t("layer"), fontsize=fontsize)
    top.set_ylabel(t("% of the layer's heads"), fontsize=fontsize)
    top.set_title(
        t("Heads with ≥ {share:.0%} of their attention\non the first token", share=threshold), fontsize=fontsize
    )
    top.set_ylim(0, 100)
    bottom.scatter(first.flatten(), previous.flatten(), s=14, alpha=0.6)
    bottom.set_xlim(0, 1)
    bottom.set_ylim(0, 1)
    # labels to the right of their dots, top to bottom, at least ``gap`` apart (in axes units)
    gap, y_last = 0.1, 2.0
    for layer, head in sorted(label_heads, key=lambda lh: -float(previous[lh])):
        x, y = float(first[layer, head]), float(previous[layer, head])
        y_text = min(y, y_last - gap)
        y_last = y_text
        bottom.annotate(
            f"L{layer}H{head}",
            (x, y),
            xytext=(x + 0.1, y_text),
            textcoords="data",
            fontsize=fontsize,
            va="center",
            arrowprops={"arrowstyle": "-", "color": "grey", "lw": 0.8, "shrinkA": 0, "shrinkB": 3},
        )
    bottom.set_xlabel(t("mean attention on the first token"), fontsize=fontsize)
    bottom.set_ylabel(t("mean attention on\nthe previous token"), fontsize=fontsize)
    bottom.set_title(t("All {n} heads, one dot each", n=first.numel()), fontsize=fontsize)
    for ax in (top, bottom):
        ax.tick_params(labelsize=fontsize)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_head_maps(
    maps: dict[int, torch.Tensor],
    labels: Sequence[str],
    heads: Sequence[tuple[int, int]],
    width: float = 4.0,
    fontsize: float = 12.5,
) -> Figure:
    """The attention weights of each (layer, head) in ``heads``, one map under the other: rows are
    queries, columns keys, both labelled with the tokens; one colour bar across the top gives the
    weight (0 to 1) that a colour stands for, the same for every map. ``maps``: {layer: (n_heads,
    T, T)}. ``fontsize`` >= 2.2 x ``width`` keeps every text 11 px or more on a phone; the default
    12.5 pt in 4 in gives the token labels about 14 px on a 366-px phone column."""
    fig, axes = plt.subplots(len(heads), 1, figsize=(width, 0.5 + 4.2 * len(heads)), layout="constrained")
    axes = [axes] if len(heads) == 1 else list(axes)
    for ax, (layer, head) in zip(axes, heads):
        heatmap(maps[layer][head], labels, labels, ax=ax, annotate=False, colorbar=False, vmin=0, vmax=1, cmap="Blues")
        ax.set_title(t("layer {layer}, head {head} (L{layer}H{head})", layer=layer, head=head), fontsize=fontsize + 1)
        ax.set_xlabel(t("key: the token looked at"), fontsize=fontsize)
        ax.set_ylabel(t("query: the token looking"), fontsize=fontsize)
        ax.tick_params(labelsize=fontsize)
        plt.setp(ax.get_xticklabels(), rotation=90, ha="center")
        # the tokens are English text: a Latin font keeps "·" (a space) narrow, also in the
        # Chinese edition, whose first font draws it full-width
        plt.setp(ax.get_xticklabels() + ax.get_yticklabels(), fontfamily="DejaVu Sans")
    bar = fig.colorbar(
        axes[0].images[0], ax=axes, location="top", fraction=0.02, aspect=25, pad=0.01, ticks=[0, 0.25, 0.5, 0.75, 1]
    )
    bar.set_label(t("attention weight"), fontsize=fontsize)
    bar.ax.tick_params(labelsize=fontsize)
    return fig
