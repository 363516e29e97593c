"""Chapter 8's figures (the loss): softmax bars, the -ln p curve, gradient size against batch size
for a summed and a mean loss, and label smoothing's target and loss floor.

Every figure keeps the phone rule of ``helpers.plots._phone`` (text >= 11 px on a 390-px phone: 2.2 pt
per inch of shown width, and at least 7.9 pt). The line charts go further: drawn about 3.6 in wide
with every text at ``PHONE_FONT`` points, a 366-px phone column shows them unscaled, so their text
is about 14 px high there.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from helpers._checks import check_int, check_number, check_tensor
from helpers.i18n import t
from helpers.plots._phone import set_fonts

DARK, LIGHT, RED = "#3367d6", "#9bb5e8", "#d62728"
#: Points for every text of the narrow (<= 3.66 in) line charts: 10 pt = 13.9 px, shown unscaled.
PHONE_FONT = 10.0


def _vector(x: torch.Tensor, name: str) -> list[float]:
    check_tensor(x, name, ndim=1)
    return x.detach().float().tolist()


def plot_softmax(z: torch.Tensor, p: torch.Tensor, correct: int) -> Figure:
    """Two stacked bar charts over the class ids: the logits z (C,) and their probabilities p (C,),
    the ``correct`` class in dark blue, each value written at its bar.

    Drawn 3.4 in wide, so that a phone shows it at its natural size: its 11-pt text stays about
    15 px high (the phone rule of ``helpers.plots._phone`` asks for 11 px).
    """
    z, p = _vector(z, "z"), _vector(p, "p")
    if len(z) != len(p):
        raise ValueError(f"z and p must have the same shape (C,), got ({len(z)},) and ({len(p)},)")
    check_int(correct, "correct", 0, len(z) - 1)
    ids = list(range(len(z)))
    colours = [DARK if i == correct else LIGHT for i in ids]
    fig, axes = plt.subplots(2, 1, figsize=(3.4, 4.9), sharex=True)
    axes[0].bar(ids, z, color=colours)
    axes[0].axhline(0, color="black", lw=0.8)
    span = max(z) - min(min(z), 0)
    for i, v in enumerate(z):  # above a positive bar, below a negative one
        axes[0].text(
            i,
            v + (0.04 if v >= 0 else -0.04) * span,
            f"{v:g}",
            ha="center",
            va="bottom" if v >= 0 else "top",
            fontsize=11,
        )
    axes[0].set_ylim(min(min(z), 0) - 0.25 * span, max(z) + 0.25 * span)
    axes[0].set_title(t("logits z"))
    axes[1].bar(ids, p, color=colours)
    for i, v in enumerate(p):
        axes[1].text(i, v + 0.02, f"{v:.3f}", ha="center", va="bottom", fontsize=11)
    axes[1].set_ylim(0, max(0.75, 1.2 * max(p)))
    axes[1].set_title(t("softmax(z): probabilities"))
    axes[1].set_xticks(ids, [str(i) for i in ids])
    axes[1].set_xlabel(t("class id (correct: id {correct}, dark blue)", correct=correct))
    fig.tight_layout()
    return fig


def plot_nll_curve(points: Sequence[tuple[float, str]]) -> Figure:
    """The loss -ln p against the probability p of the correct word, with labelled red points.

    points: (p, label) pairs, each p in (0, 1]; the label is written beside its point.
    """
    if isinstance(points, (str, bytes)) or not isinstance(points, Sequence):
        raise TypeError(f"points must be a sequence of (p, label) pairs, got {type(points).__name__}")
    for k, pt in enumerate(points):
        if not isinstance(pt, (tuple, list)) or len(pt) != 2 or not isinstance(pt[1], str):
            raise TypeError(f"points[{k}] must be a (p, label) pair, got {pt!r}")
        check_number(pt[0], f"points[{k}][0]", low=0.0, high=1.0, low_open=True)
    grid = torch.linspace(0.005, 1, 400)
    fig, ax = plt.subplots(figsize=(3.6, 3.1))
    ax.plot(grid.tolist(), (-torch.log(grid)).tolist(), color=DARK)
    for x, text in points:
        y = -math.log(x)
        ax.plot(x, y, "o", color=RED)
        # the label sits above the curve, with an arrow to its point: to the right of a point
        # near p = 0, where the curve is low; above a point near p = 1, well clear of the curve
        right = x < 0.5
        where = (x + 0.1, y + 0.6) if right else (0.98, y + 2.2)
        ax.annotate(
            text,
            (x, y),
            where,
            ha="left" if right else "right",
            va="bottom",
            arrowprops={"arrowstyle": "-", "color": "#777", "lw": 0.8},
        )
    ax.set_xlabel(t("probability of the correct word, $p_y$"))
    ax.set_ylabel(t("loss $-\\ln p_y$"))
    ax.set_ylim(0, 5.5)
    ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.set_title(t("cross-entropy at one position"))
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig


def plot_grad_norm_by_batch(sizes: Sequence[int], norms: Mapping[str, Sequence[float]]) -> Figure:
    """Log-log lines of the gradient norm against the number of sentences in the batch.

    sizes: the batch sizes (sentences); norms: label (e.g. "sum") -> one gradient norm per size.
    """
    if not sizes:
        raise ValueError("sizes must hold at least one batch size, got an empty sequence")
    for k, b in enumerate(sizes):
        check_int(b, f"sizes[{k}]", 1)
    if not norms:
        raise ValueError("norms must map at least one label to its gradient norms, got an empty mapping")
    for label, values in norms.items():
        if len(values) != len(sizes):
            raise ValueError(f"norms[{label!r}] must hold one value per size ({len(sizes)}), got {len(values)}")
        for k, v in enumerate(values):
            check_number(v, f"norms[{label!r}][{k}]", low=0.0, low_open=True)
    fig, ax = plt.subplots(figsize=(3.6, 3.2))
    for label, values in norms.items():
        ax.plot(sizes, values, "o-", label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    # labels at 1, 2, 5, 10, 20, ... so that values between powers of 10 can be read
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    ax.grid(True, which="major", axis="y", alpha=0.3)
    ax.set_xticks(list(sizes), [str(b) for b in sizes])
    ax.set_xlabel(t("sentences in the batch"))
    ax.set_ylabel(t("gradient norm (all parameters)"))
    ax.set_title(t("Gradient size of a fresh translator"))
    ax.legend()
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig


def plot_label_smoothing(
    target: torch.Tensor,
    smoothed: torch.Tensor,
    p_grid: torch.Tensor,
    plain: torch.Tensor,
    smooth: torch.Tensor,
    floor: float,
    best_p: float,
    vocab_size: int,
    eps: float,
) -> Figure:
    """Two stacked panels. Top: a one-hot ``target`` (C,) with its ``smoothed`` version (C,) drawn
    over it. Bottom: the loss at one position against the probability of the correct word
    (``p_grid``, (n,)), without (``plain``, (n,)) and with (``smooth``, (n,)) smoothing ``eps``, for
    a vocabulary of ``vocab_size``; a dashed line at the ``floor`` and a dotted one at ``best_p``.
    """
    target, smoothed = _vector(target, "target"), _vector(smoothed, "smoothed")
    if len(target) != len(smoothed):
        raise ValueError(
            f"target and smoothed must have the same shape (C,), got ({len(target)},) and ({len(smoothed)},)"
        )
    p_grid, plain, smooth = _vector(p_grid, "p_grid"), _vector(plain, "plain"), _vector(smooth, "smooth")
    if not len(p_grid) == len(plain) == len(smooth):
        raise ValueError(
            f"p_grid, plain and smooth must have the same shape (n,), got ({len(p_grid)},), "
            f"({len(plain)},) and ({len(smooth)},)"
        )
    check_number(floor, "floor", low=0.0)
    check_number(best_p, "best_p", low=0.0, high=1.0)
    check_int(vocab_size, "vocab_size", 2)
    check_number(eps, "eps", low=0.0, high=1.0)
    eps_label = f"$\\varepsilon_{{\\mathrm{{ls}}}}$ = {eps:g}"
    ids = list(range(len(target)))
    # drawn narrow so that its text is >= 11 px on a phone
    fig, axes = plt.subplots(2, 1, figsize=(3.9, 6.0))
    axes[0].bar(ids, target, color="#bbbbbb", label=t("one-hot"))
    axes[0].bar(ids, smoothed, width=0.5, color=DARK, label=eps_label)
    axes[0].set_xticks(ids, [str(i) for i in ids])
    axes[0].set_xlabel(t("class id"))
    five = len(ids) == 5  # the chapter's example: its number in words, as in the other figures
    title = t("target of the five-logit example") if five else t("target of the {n}-logit example", n=len(ids))
    axes[0].set_title(title)
    axes[0].legend(loc="upper left")
    axes[1].plot(p_grid, plain, label="$\\varepsilon_{\\mathrm{ls}} = 0$: $-\\ln p_y$")
    axes[1].plot(p_grid, smooth, label=eps_label)
    floor_label = t("floor $\\mathrm{{H}}(\\tilde{{y}})$ = {floor:.3f}", floor=floor)
    axes[1].axhline(floor, ls="--", color="gray", label=floor_label)
    # from the axis up to the floor only: a full-height line would cross the legend
    axes[1].vlines(best_p, 0, floor, ls=":", color="gray", label=t("best p(correct) = {best:.3f}", best=best_p))
    axes[1].set_ylim(0, 3.4)  # room for the legend above the curves
    axes[1].set_xlabel(t("probability of the correct word"))
    axes[1].set_ylabel(t("loss"))
    axes[1].set_title(t("loss at one position, $|\\mathcal{{V}}|$ = {V}", V=vocab_size))
    axes[1].legend(loc="upper right")
    fig.tight_layout()
    return fig


def plot_overfitting(
    train_steps: Sequence[int],
    train: torch.Tensor,
    eval_steps: Sequence[int],
    held: torch.Tensor,
    best_steps: Sequence[int],
) -> Figure:
    """Training and held-out loss per step, one thin line per seed, their mean thick.

    train: (seeds, len(train_steps)) training losses; held: (seeds, len(eval_steps)) held-out
    losses; best_steps: one step per seed, where that seed's held-out loss is lowest (a dot on its
    line, and a dotted vertical line: where early stopping would stop). Two panels: on top both
    losses on a logarithmic axis, so that the training loss's fall towards 0 shows; below the
    held-out loss alone on a linear axis, where its rise after the lowest point is not squeezed.
    """
    check_tensor(train, "train", ndim=2)
    check_tensor(held, "held", ndim=2)
    if train.shape[1] != len(train_steps):
        raise ValueError(f"train must have one column per training step ({len(train_steps)}), got {tuple(train.shape)}")
    if held.shape != (train.shape[0], len(eval_steps)):
        raise ValueError(
            f"held must have shape (seeds, evaluations) = ({train.shape[0]}, {len(eval_steps)}), "
            f"got {tuple(held.shape)}"
        )
    if len(best_steps) != train.shape[0]:
        raise ValueError(f"best_steps must hold one step per seed ({train.shape[0]}), got {len(best_steps)}")
    if bool((train <= 0).any()) or bool((held <= 0).any()):
        raise ValueError("train and held must hold positive losses (the loss axis is logarithmic)")
    fig, (ax, ax_h) = plt.subplots(2, 1, figsize=(3.6, 5.6), sharex=True, height_ratios=(1.0, 0.85))
    xs_t, xs_h = list(train_steps), list(eval_steps)
    for row in train:
        ax.plot(xs_t, row.tolist(), color=LIGHT, lw=0.8)
    for axis in (ax, ax_h):
        for row in held:
            axis.plot(xs_h, row.tolist(), color="#f4a6a6", lw=0.8)
    ax.plot(xs_t, train.mean(0).tolist(), color=DARK, lw=2, label=t("training pairs"))
    ax.plot(xs_h, held.mean(0).tolist(), color=RED, lw=2, label=t("held-out pairs"))
    ax_h.plot(xs_h, held.mean(0).tolist(), color=RED, lw=2)
    # each seed's lowest point: a dot on its own line (two seeds may share a step) and a dotted line
    for k, (row, s) in enumerate(zip(held, best_steps)):
        low = min(range(len(xs_h)), key=lambda i: abs(xs_h[i] - s))
        ax_h.axvline(s, color="#777", ls=":", lw=1, label=t("lowest held-out loss") if k == 0 else None)
        ax_h.plot([xs_h[low]], [row[low].item()], "o", color=RED, ms=4)
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 3.0)))  # few, large labels
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())
    top = float(held.max())
    ax_h.set_ylim(0, top * 1.08)
    for axis in (ax, ax_h):
        axis.grid(True, which="major", axis="y", alpha=0.3)
        axis.set_ylabel(t("loss per token (nats)"))
    ax_h.set_xlabel(t("training step"))
    # the legends go above each panel: inside, they would cover some seed's curve
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=2, frameon=False)
    ax_h.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), frameon=False)
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig
