"""What a real model's heads attend to: sink heads and previous-token heads, measured for every
head, and the attention maps of chosen heads (chapter 12)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from ..i18n import t
from ..viz import heatmap


def plot_sinks_and_previous(first: torch.Tensor, previous: torch.Tensor, label_heads: Sequence[tuple[int, int]],
                            threshold: float = 0.5, width: float = 4.8, fontsize: float = 10) -> Figure:
    """Two panels, one above the other. Top: per layer, the share of heads that put at least
    ``threshold`` of their attention on the first token. Bottom: every head as a dot, attention on
    the first token against attention on the previous token; ``label_heads`` (layer, head) are
    named. ``first``, ``previous``: (n_layers, n_heads). ``fontsize`` >= 1.8 x ``width``."""
    n_layers = first.shape[0]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(width, 6.4))
    top.bar(range(n_layers), 100 * (first >= threshold).float().mean(1), color="#2166ac")
    top.set_xlabel(t("layer"), fontsize=fontsize)
    top.set_ylabel(t("% of the layer's heads"), fontsize=fontsize)
    top.set_title(t("Heads with ≥ {share:.0%} of their attention\non the first token", share=threshold),
                  fontsize=fontsize)
    top.set_ylim(0, 100)
    bottom.scatter(first.flatten(), previous.flatten(), s=14, alpha=0.6)
    for layer, head in label_heads:
        bottom.annotate(t("layer {layer}, head {head}", layer=layer, head=head),
                        (float(first[layer, head]), float(previous[layer, head])),
                        textcoords="offset points", xytext=(6, -4), fontsize=fontsize)
    bottom.set_xlabel(t("mean attention on the first token"), fontsize=fontsize)
    bottom.set_ylabel(t("on the previous token"), fontsize=fontsize)
    bottom.set_title(t("All {n} heads, one dot each", n=first.numel()), fontsize=fontsize)
    bottom.set_xlim(0, 1)
    bottom.set_ylim(0, 1)
    for ax in (top, bottom):
        ax.tick_params(labelsize=fontsize)
        ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def plot_head_maps(maps: dict[int, torch.Tensor], labels: Sequence[str], heads: Sequence[tuple[int, int]],
                   width: float = 4.4, fontsize: float = 9) -> Figure:
    """The attention weights of each (layer, head) in ``heads``, one map under the other: rows are
    queries, columns keys, both labelled with the tokens. ``maps``: {layer: (n_heads, T, T)}.
    ``fontsize`` >= 1.8 x ``width`` keeps the token labels readable on a phone."""
    fig, axes = plt.subplots(len(heads), 1, figsize=(width, 4.3 * len(heads)))
    axes = [axes] if len(heads) == 1 else list(axes)
    for ax, (layer, head) in zip(axes, heads):
        heatmap(maps[layer][head], labels, labels, ax=ax, annotate=False, colorbar=False, vmin=0, vmax=1,
                cmap="Blues")
        ax.set_title(t("layer {layer}, head {head}", layer=layer, head=head), fontsize=fontsize + 1)
        ax.set_xlabel(t("key: the token looked at"), fontsize=fontsize)
        ax.set_ylabel(t("query: the token looking"), fontsize=fontsize)
        ax.tick_params(labelsize=fontsize)
        plt.setp(ax.get_xticklabels(), rotation=90, ha="center")
    fig.tight_layout()
    return fig
