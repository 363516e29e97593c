"""Figures of chapter 3 (positional encoding): equivariance, sinusoids, offsets, extrapolation."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch

from ..i18n import t
from ..viz import heatmap
from .positional_figs import kind_label


def permuted_outputs(out: torch.Tensor, out_shuffled: torch.Tensor, tokens: Sequence[str],
                     shuffled_tokens: Sequence[str], width: float = 5.0) -> plt.Figure:
    """Two annotated heatmaps side by side: attention outputs for one order and a shuffled order.

    Rows are labelled by token, so the reader can see that each token keeps its row of numbers.
    """
    fig, axes = plt.subplots(1, 2, figsize=(width, 2.0))
    low = float(min(out.min(), out_shuffled.min()))
    high = float(max(out.max(), out_shuffled.max()))
    bound = max(abs(low), abs(high))
    cols = [f"c{c}" for c in range(out.shape[1])]
    for ax, m, rows, title in ((axes[0], out, tokens, " ".join(tokens)),
                               (axes[1], out_shuffled, shuffled_tokens, " ".join(shuffled_tokens))):
        heatmap(m, rows, cols, ax=ax, title=t("input: {tokens}", tokens=title), cmap="RdBu_r", vmin=-bound, vmax=bound,
                fmt="{:.1f}", colorbar=False)
    fig.tight_layout()
    return fig


def sinusoid_overview(pe: torch.Tensor, pairs: Sequence[int], width: float = 5.0) -> plt.Figure:
    """Top: the encoding as a heatmap (dimension x position). Below: one small panel per pair j,
    drawing its sine over the positions, so fast and slow pairs do not overlap."""
    n = len(pairs)
    fig, axes = plt.subplots(n + 1, 1, figsize=(width, 3.0 + 1.15 * n),
                             gridspec_kw={"height_ratios": [2.6] + [1] * n})
    im = axes[0].imshow(pe.T, aspect="auto", cmap="RdBu", vmin=-1, vmax=1, interpolation="nearest")
    axes[0].set_ylabel(t("dimension"))
    axes[0].set_title(f"PE(pos), d_model = {pe.shape[1]}")
    fig.colorbar(im, ax=axes[0], fraction=0.04, pad=0.02)
    pos = np.arange(pe.shape[0])
    for ax, j in zip(axes[1:], pairs):
        ax.plot(pos, pe[:, 2 * j].numpy(), color="C0")
        ax.set_ylim(-1.15, 1.15)
        ax.set_yticks([-1, 0, 1])
        ax.set_xlim(0, pe.shape[0] - 1)
        ax.text(0.99, 0.92, t("dimension {dim} (pair j = {j})", dim=2 * j, j=j), transform=ax.transAxes, ha="right",
                va="top", fontsize=9, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    for ax in axes[:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel(t("position pos"))
    fig.tight_layout(h_pad=0.4)
    return fig


def offset_map(M: torch.Tensor, dots: torch.Tensor, delta: int, width: float = 5.0) -> plt.Figure:
    """Left: the block-diagonal offset matrix M. Right: PE(pos) . PE(pos') for all pairs of positions."""
    fig, axes = plt.subplots(1, 2, figsize=(width, 2.7))
    heatmap(M, ax=axes[0], title=t("M for Δ = {delta}", delta=delta), cmap="RdBu", vmin=-1, vmax=1, annotate=False,
            colorbar=False)
    axes[0].set_xticks([])
    axes[0].set_yticks([])
    im = axes[1].imshow(dots, cmap="viridis", interpolation="nearest")
    axes[1].set_title("PE(pos) · PE(pos′)")
    axes[1].set_xlabel("pos′")
    axes[1].set_ylabel("pos")
    fig.colorbar(im, ax=axes[1], fraction=0.046, pad=0.04)
    fig.tight_layout()
    return fig


def extrapolation_curves(acc: dict[str, torch.Tensor], T_train: int, width: float = 5.0) -> plt.Figure:
    """Accuracy at each position, one line per kind (mean over seeds, band from min to max).

    acc: {kind: (n_seeds, T_test) accuracies, NaN where undefined}.
    """
    fig, ax = plt.subplots(figsize=(width, 3.4))
    for k, (kind, a) in enumerate(acc.items()):
        pos = np.arange(a.shape[1])
        mean = a.mean(0).numpy()
        ax.fill_between(pos, a.min(0).values.numpy(), a.max(0).values.numpy(), color=f"C{k}", alpha=0.2, lw=0)
        ax.plot(pos, mean, color=f"C{k}", label=kind_label(kind))
    ax.axvline(T_train - 0.5, color="black", ls="--", lw=1)
    ax.text(T_train, 0.5, t(" longer than\n any training\n sequence"), fontsize=9, va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.set_xlabel(t("position in a test sequence"))
    ax.set_ylabel(t("accuracy"))
    ax.set_ylim(-0.03, 1.03)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.22), ncol=4, fontsize=9, frameon=False)
    fig.tight_layout()
    return fig
