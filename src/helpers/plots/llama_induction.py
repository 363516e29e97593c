"""Induction heads in a real model: per-head scores on repeated random tokens, and the loss on
the first and the second copy (chapter 12)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure

from .._checks import show
from ..i18n import t


def plot_induction_scores(score: torch.Tensor, width: float = 3.6, fontsize: float = 11) -> Figure:
    """``score`` (n_layers, n_heads): each head's mean attention to the token after the previous
    occurrence of the current token. Layers run down, heads across. ``fontsize`` >= 1.8 x width."""
    n_layers, n_heads = score.shape
    fig, ax = plt.subplots(figsize=(width, 5.6))
    im = ax.imshow(score, cmap="Blues", vmin=0, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xticks(range(n_heads))
    ax.set_yticks(range(0, n_layers, 2))
    ax.set_xlabel(t("head"), fontsize=fontsize)
    ax.set_ylabel(t("layer"), fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    bar = fig.colorbar(im, ax=ax, fraction=0.08, pad=0.04)
    bar.set_label(t("induction score"), fontsize=fontsize)
    bar.ax.tick_params(labelsize=fontsize)
    fig.tight_layout()
    return fig


def plot_repeat_loss(
    loss: torch.Tensor,
    half: int,
    ablated: torch.Tensor | None = None,
    controls: Sequence[torch.Tensor] = (),
    width: float = 4.2,
    fontsize: float = 11.5,
    prefix: int = 0,
) -> Figure:
    """Next-token loss by position on random tokens repeated twice. ``loss`` (n_sequences, 2 * half - 1):
    the mean over the sequences is drawn, with its range as a band; ``ablated`` (same shape), if
    given, the same with the induction heads switched off; ``controls``, tensors of the same shape
    (e.g. as many other heads switched off, one tensor per random draw), each drawn as a thin grey
    line, the mean over the sequences. ``prefix``: the tokens before the repeats (e.g. 1, a
    document-start token at position 0); the positions drawn count them. The second copy starts at
    ``prefix + half``."""
    if isinstance(prefix, bool) or not isinstance(prefix, int) or prefix < 0:
        raise ValueError(f"prefix must be an int >= 0, got {prefix!r}")
    if not isinstance(loss, torch.Tensor) or loss.ndim != 2:
        raise ValueError(f"loss must be a (n_sequences, 2 * half - 1) tensor, got {show(loss)}")
    if isinstance(controls, torch.Tensor) or not isinstance(controls, (list, tuple)):
        raise TypeError(f"controls must be a list of tensors shaped like loss, got {show(controls)}")
    for i, c in enumerate(controls):
        if not isinstance(c, torch.Tensor) or c.shape != loss.shape:
            raise ValueError(
                f"controls[{i}] must be a tensor of loss's shape {tuple(loss.shape)}, got {show(c)}"
            )
    fig, ax = plt.subplots(figsize=(width, 3.8))
    x = torch.arange(1, loss.shape[1] + 1) + prefix  # the position of the token predicted
    top = 0.0
    for k, values in enumerate(controls):  # under the other curves
        label = t("other heads off") if k == 0 else None
        ax.plot(x, values.mean(0), color="#888888", lw=0.9, label=label, zorder=1)
        top = max(top, float(values.mean(0).max()))
    for values, colour, label in ((loss, "#2166ac", t("the model")), (ablated, "#b2182b", t("induction heads off"))):
        if values is None:
            continue
        ax.plot(x, values.mean(0), color=colour, label=label, zorder=2)
        ax.fill_between(x, values.min(0).values, values.max(0).values, color=colour, alpha=0.2, lw=0)
        top = max(top, float(values.max()))
    half = half + prefix  # the position where the second copy starts
    ax.axvline(half - 0.5, color="grey", ls="--", lw=1)
    # the data fill the axes; the names of the two copies stand just above them, one on each side
    # of the line, under the legend
    ax.set_ylim(0, 1.03 * top)
    strip = ax.get_xaxis_transform()  # x in positions, y in axes units
    for x_text, ha, label in ((half - 1.5, "right", t("1st copy")), (half + 0.5, "left", t("2nd copy"))):
        ax.text(x_text, 1.02, label, transform=strip, ha=ha, va="bottom", fontsize=fontsize, color="#222222")
    ax.set_xlabel(t("position of the predicted token"), fontsize=fontsize)
    ax.set_ylabel(t("loss (nats)"), fontsize=fontsize)
    ax.tick_params(labelsize=fontsize)
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: i == 0 and bool(controls))  # the grey line last
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        fontsize=0.92 * fontsize,
        frameon=False,
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        borderaxespad=1.7,  # in font sizes: room for the names of the copies below the legend
        ncol=2,
        handlelength=1.2,  # short handles and gaps: the legend no wider than the axes
        columnspacing=1.0,
    )
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig


def _two_lines(label: str) -> str:
    """A tick label on two lines when it is longer than a bar is wide ("all on" -> "all\\non"; a
    label without spaces, e.g. Chinese, split in the middle); short labels ("H0") as they are."""
    if len(label) <= 3:
        return label
    if " " in label:
        return label.replace(" ", "\n", 1)
    half = (len(label) + 1) // 2
    return label[:half] + "\n" + label[half:]


def plot_ablation(
    effects: dict[str, dict[str, torch.Tensor]],
    labels: dict[str, str],
    title: str,
    highlight: str | None = None,
    width: float = 4.2,
    fontsize: float = 11.5,
) -> Figure:
    """Two panels, one above the other, one bar per entry of ``effects`` (from
    ``helpers.llama.heads.ablation_effects``), named by ``labels`` ({name: tick label}). Top: the
    loss on the second copy; bottom: the mean induction score of the watched heads. Bars are the
    mean over the sequences, dots the sequences. ``highlight`` (a name) is drawn in red.
    ``fontsize`` >= 1.8 x ``width`` keeps every text 9 px or more on a phone."""
    names = list(effects)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(width, 5.8), sharex=True)
    x = torch.arange(len(names)).float()
    colours = ["#b2182b" if n == highlight else "#2166ac" for n in names]
    panels = (
        (top, lambda e: e["second"], t("loss on the 2nd copy (nats)")),
        (bottom, lambda e: e["watch"].mean(1), t("induction score\n(mean of the heads)")),
    )
    for ax, value, ylabel in panels:
        values = [value(effects[n]) for n in names]
        ax.bar(x, [float(v.mean()) for v in values], color=colours, alpha=0.35, width=0.7)
        for i, v in enumerate(values):
            ax.scatter(torch.full_like(v, float(x[i])), v, color=colours[i], s=12, zorder=3)
        ax.set_ylabel(ylabel, fontsize=fontsize)
        ax.set_ylim(0, None)
        ax.tick_params(labelsize=fontsize)
        ax.spines[["top", "right"]].set_visible(False)
    top.set_title(title, fontsize=fontsize)
    bottom.set_xticks(x.tolist(), [_two_lines(labels[n]) for n in names])
    bottom.set_xlabel(t("head switched off"), fontsize=fontsize)
    fig.align_ylabels([top, bottom])
    fig.tight_layout()
    return fig
