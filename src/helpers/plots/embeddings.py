"""Figures of chapter 2 (embeddings): which rows get a gradient, similarity blocks, a 2-D map."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..i18n import t
from ..viz import heatmap


def row_gradient_bars(norms: dict[str, torch.Tensor], tokens: Sequence[str], width: float = 3.9) -> plt.Figure:
    """One horizontal bar panel per loss, side by side: the gradient norm of every embedding row.

    norms: {panel title: (vocab_size,) tensor of row gradient norms};  tokens: the row labels, one
    per vocabulary row, written once, horizontally, left of the first panel (a phone-shaped figure:
    narrow enough that a 390-px phone shows it unscaled, one row per token). Bars of `<pad>` are
    drawn in red, and its label too, so the eye finds them. Returns the figure.
    """
    if not isinstance(norms, dict) or not norms:
        raise TypeError(f"norms must be a non-empty dict {{title: tensor}}, got {type(norms).__name__}")
    if isinstance(tokens, str) or len(tokens) == 0:
        raise TypeError(f"tokens must be a non-empty list of labels, got {tokens!r:.60}")
    for title, values in norms.items():
        if not isinstance(values, torch.Tensor) or values.shape != (len(tokens),):
            shape = tuple(values.shape) if isinstance(values, torch.Tensor) else type(values).__name__
            raise ValueError(f"norms[{title!r}] must be a tensor of shape ({len(tokens)},), got {shape}")
    font = 9.5
    fig, axes = plt.subplots(1, len(norms), figsize=(width, 0.165 * len(tokens) + 1.1), sharex=True, sharey=True)
    axes = np.atleast_1d(axes)
    y = np.arange(len(tokens))
    colours = ["C3" if token == "<pad>" else "C0" for token in tokens]
    for ax, (title, values) in zip(axes, norms.items()):
        ax.barh(y, values.detach().numpy(), color=colours, height=0.7)
        ax.set_title(title, fontsize=font)
        ax.set_xlabel(t("gradient norm"), fontsize=font)
        ax.tick_params(labelsize=font)
        ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        ax.grid(axis="x", alpha=0.3)
        ax.set_ylim(len(tokens) - 0.5, -0.5)  # the first row on top
    axes[0].set_yticks(y, tokens, fontsize=font)
    for label, token in zip(axes[0].get_yticklabels(), tokens):
        if token == "<pad>":
            label.set_color("C3")
    fig.tight_layout(w_pad=0.8)
    return fig


def grouped_similarity(sim: torch.Tensor, words: Sequence[str], group_sizes: Sequence[int],
                       title: str, width: float = 5.0, vmin: float = -1.0) -> plt.Figure:
    """A cosine-similarity heatmap with lines at the group boundaries."""
    fig, ax = plt.subplots(figsize=(width, width * 0.9))
    heatmap(sim, words, words, ax=ax, title=title, cmap="coolwarm" if vmin < 0 else "viridis",
            vmin=vmin, vmax=1, annotate=False, colorbar=False)
    plt.setp(ax.get_xticklabels(), rotation=90, ha="center")
    for edge in np.cumsum(group_sizes)[:-1]:
        ax.axhline(edge - 0.5, color="black", lw=1.5)
        ax.axvline(edge - 0.5, color="black", lw=1.5)
    fig.colorbar(ax.images[0], ax=ax, fraction=0.046, pad=0.03, label=t("cosine similarity"))
    fig.tight_layout()
    return fig


def projection_scatter(coords: torch.Tensor, words: Sequence[str], groups: Sequence[str],
                       explained: Sequence[float], width: float = 5.0) -> plt.Figure:
    """Words at their 2-D principal-component coordinates, coloured by group, each labelled."""
    fig, ax = plt.subplots(figsize=(width, width * 0.8))
    names = list(dict.fromkeys(groups))
    xy = coords.detach().numpy()
    label_y = _spread_labels(xy)
    dx = 0.03 * (np.ptp(xy[:, 0]) or 1.0)
    for k, name in enumerate(names):
        pick = [i for i, g in enumerate(groups) if g == name]
        ax.scatter(xy[pick, 0], xy[pick, 1], color=f"C{k}", label=name, s=30)
        for i in pick:
            moved = abs(label_y[i] - xy[i, 1]) > 1e-9  # pushed away from its point: draw a leader line
            ax.annotate(words[i], (xy[i, 0], xy[i, 1]), xytext=(xy[i, 0] + dx, label_y[i]), textcoords="data",
                        fontsize=9, color=f"C{k}", va="center", annotation_clip=False,
                        arrowprops={"arrowstyle": "-", "lw": 0.6, "color": f"C{k}"} if moved else None)
    ax.set_xlabel(t("component 1 ({share:.0f}% of the variance)", share=100 * explained[0]))
    ax.set_ylabel(t("component 2 ({share:.0f}%)", share=100 * explained[1]))
    ax.legend(loc="best", fontsize=9)
    ax.margins(0.15)
    low, high = ax.get_ylim()  # every label inside the axes, also those pushed below the lowest point
    span = high - low
    ax.set_ylim(min(low, float(label_y.min()) - 0.05 * span), max(high, float(label_y.max()) + 0.05 * span))
    fig.tight_layout()
    return fig


def _spread_labels(xy: np.ndarray, gap: float = 0.065, near: float = 0.3) -> np.ndarray:
    """Label heights that keep labels of nearby points at least ``gap`` (share of the y range) apart."""
    span_x = np.ptp(xy[:, 0]) or 1.0
    span_y = np.ptp(xy[:, 1]) or 1.0
    y = xy[:, 1].copy()
    order = np.argsort(-y)  # from the top down
    for a, i in enumerate(order):
        for j in order[:a]:
            if abs(xy[i, 0] - xy[j, 0]) < near * span_x and y[j] - y[i] < gap * span_y:
                y[i] = y[j] - gap * span_y
    return y


def context_similarity(panels: dict[str, torch.Tensor], labels: Sequence[str], width: float = 4.8) -> plt.Figure:
    """Stacked heatmaps of one word's cosine similarity across sentences, one per layer."""
    fig, axes = plt.subplots(len(panels), 1, figsize=(width, 4.3 * len(panels)))
    axes = np.atleast_1d(axes)
    low = min(float(s.min()) for s in panels.values())
    for ax, (title, sim) in zip(axes, panels.items()):
        heatmap(sim, labels, labels, ax=ax, title=title, cmap="viridis", vmin=low, vmax=1,
                annotate=False, colorbar=True)
        plt.setp(ax.get_xticklabels(), rotation=90, ha="center")
    fig.tight_layout()
    return fig
