"""Chapter 9's measurement figures (backpropagation): the gradient of one position's logits, the
causal mask in attention's backward pass, gradient flow through deep stacks, a learning-rate
schedule, and a live training run.

(The computational graph and the gate patterns are in ``compute_graph``, the optimizer paths in
``bowl``.) Every figure keeps the phone rule of ``helpers.plots._phone`` (text >= 11 px on a 390-px
phone). The line charts go further: drawn 3.6 in wide with every text at ``PHONE_FONT`` points, a
366-px phone column shows them unscaled, their text about 14.6 px high.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib import ticker
from matplotlib.figure import Figure

from helpers._checks import check_int, check_number, check_tensor
from helpers.i18n import t
from helpers.plots._phone import set_fonts
from helpers.viz import heatmap

CORRECT, OTHER = "#b3261e", "#2166ac"
#: Points for every text of the 3.6-in line charts: 10.5 pt = 14.6 px on a phone, shown unscaled.
PHONE_FONT = 10.5


def _numbers(values: Sequence[float], name: str, low: float | None = None) -> list[float]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Sequence):
        raise TypeError(f"{name} must be a sequence of numbers, got {type(values).__name__}")
    if not values:
        raise ValueError(f"{name} must hold at least one number, got an empty sequence")
    return [check_number(v, f"{name}[{k}]", low=low) for k, v in enumerate(values)]


def plot_logit_gradient(grad: torch.Tensor, correct: int, correct_label: str, position: int = 0) -> Figure:
    """One bar per token of the vocabulary (in id order): dL/d logit at one position, grad (|V|,).

    The bar of the ``correct`` id is red and labelled ``correct_label``; no other tick is labelled
    (all of them would overlap).
    """
    check_tensor(grad, "grad", ndim=1)
    check_int(correct, "correct", 0, len(grad) - 1)
    if not isinstance(correct_label, str):
        raise TypeError(f"correct_label must be a str, got {type(correct_label).__name__}")
    check_int(position, "position", 0)
    n = len(grad)
    fig, ax = plt.subplots(figsize=(4.2, 2.9))
    ax.bar(range(n), grad.detach().tolist(), color=[CORRECT if i == correct else OTHER for i in range(n)])
    ax.set_xticks([correct], [correct_label])
    ax.set_xlabel(t("the {n} tokens of the vocabulary, in id order", n=n))
    ax.axhline(0, color="black", lw=0.6)
    ax.set_ylabel("dL / d logit")
    ax.set_title(t("position {position} (must predict {word})", position=position, word=correct_label))
    fig.tight_layout()
    return fig


def plot_mask_gradients(
    weights: torch.Tensor,
    d_weights: torch.Tensor,
    d_scores: torch.Tensor,
    tokens: Sequence[str],
    writes: Sequence[str] | None = None,
) -> Figure:
    """Three stacked (T, T) heatmaps: the attention weights A, the gradient dL/dA reaching them,
    and dL/dR, the gradient of the scaled scores R = QK^T/sqrt(d_k) (the softmax's backward pass;
    the mask passes it on unchanged). The columns are the keys, labelled by the ``tokens`` read;
    the rows are the queries, labelled by the token each position writes, "→猫", when ``writes``
    (the T target tokens) is given (the book's convention for decoder rows), else by ``tokens``.

    The two gradients are written in thousandths (their entries are of the order of 0.01) and
    every exact zero as "0"; the cell values are 15 pt, for a phone (``helpers.plots._phone``).
    """
    mats = (weights, d_weights, d_scores)
    for m, name in zip(mats, ("weights", "d_weights", "d_scores")):
        check_tensor(m, name, ndim=2)
        if m.shape != (len(tokens), len(tokens)):
            raise ValueError(f"{name} must be (T, T) with T = len(tokens) = {len(tokens)}, got {tuple(m.shape)}")
    if writes is not None and (isinstance(writes, str) or len(writes) != len(tokens)):
        raise ValueError(f"writes must be a list of {len(tokens)} target tokens (one per row), got {writes!r}")
    rows = list(tokens) if writes is None else [f"→{w}" for w in writes]
    titles = (
        t("attention weights $A$"),
        t("$\\partial L/\\partial A$, in thousandths"),
        t("$\\partial L/\\partial R$, in thousandths"),
    )
    scales, formats = (1.0, 1000.0, 1000.0), ("{:.2f}", "{:.1f}", "{:.1f}")
    # the columns are the same keys in all three panels: only the bottom one labels them, which
    # keeps the figure shorter than a phone's screen (at 8.4 in its bottom fell off the screen)
    fig, axes = plt.subplots(3, 1, figsize=(3.5, 7.0))
    for k, (ax, m, title, scale, fmt) in enumerate(zip(axes, mats, titles, scales, formats)):
        # + 0.0 turns -0.0 (masked entries of dL/dR) into 0.0
        values = m.detach().double() * scale + 0.0
        heatmap(values, rows, list(tokens), ax=ax, title=title, colorbar=True, fmt=fmt)
        for text, v in zip(ax.texts, values.flatten().tolist()):
            text.set_fontsize(15)
            if v == 0:
                text.set_text("0")  # exactly zero, not a rounded small number
        ax.set_ylabel(t("query (row)"))
        if k < 2:
            ax.tick_params(axis="x", labelbottom=False)
        else:
            ax.set_xlabel(t("key (column)"))
    fig.tight_layout()
    return fig


def plot_gradient_flow(flow: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """flow[label]["encoder" | "decoder"] = one gradient norm per layer (layer 1 first).

    Two stacked panels, encoder above and decoder below, one line per label (circles, then
    squares, dashed), on a linear scale: a gradient that vanishes lies on the axis.
    """
    if not flow:
        raise ValueError("flow must map at least one label to its gradient norms, got an empty mapping")
    for label, sides in flow.items():
        for side in ("encoder", "decoder"):
            if side not in sides:
                raise ValueError(f"flow[{label!r}] must have an {side!r} entry, got {sorted(sides)}")
            _numbers(sides[side], f"flow[{label!r}][{side!r}]", low=0.0)
    fig, axes = plt.subplots(2, 1, figsize=(3.6, 5.0), sharex=True)
    names = {"encoder": t("encoder"), "decoder": t("decoder")}
    for ax, side in zip(axes, ("encoder", "decoder")):
        for (label, sides), style in zip(flow.items(), ("o-", "s--", "^:", "d-.")):
            values = list(sides[side])
            ax.plot(range(1, len(values) + 1), values, style, label=label)
        ax.set_title(names[side])
        ax.set_ylabel(t("gradient norm"))
    axes[1].set_xlabel(t("layer (1 = nearest the input)"))
    # in the decoder panel's empty upper left: in the encoder panel it would cover a curve
    axes[1].legend(loc="upper left")
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig


def plot_schedule(rates: Sequence[float], warmup: int) -> Figure:
    """The learning rate at every step (``rates[t]`` for step t), a dotted line at the end of the
    warm-up (step ``warmup``)."""
    rates = _numbers(rates, "rates", low=0.0)
    check_int(warmup, "warmup", 0, len(rates))
    fig, ax = plt.subplots(figsize=(3.6, 2.8))
    ax.plot(rates)
    ax.axvline(warmup, color="gray", ls=":")
    # a label beside the dotted line, low down: the ramp is to its left, the curve high above it
    ax.text(
        warmup + 0.02 * len(rates),
        0.08 * max(rates),
        t("end of warm-up (step {step})", step=warmup),
        ha="left",
        va="bottom",
        color="#555",
    )
    ax.set_xlabel(t("step"))
    ax.set_title(t("warm-up, then cosine decay"))
    # the rate in units of 0.001, so its tick labels stay short (1, 2, 3 rather than 0.003)
    ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{1000 * v:g}"))
    ax.set_ylabel(t("learning rate (× 0.001)"))
    ax.xaxis.set_major_locator(ticker.MaxNLocator(4))
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig


def plot_live_training(
    losses: Sequence[float], snapshot_steps: Sequence[int], accuracy: Sequence[float], guess_loss: float
) -> Figure:
    """Two stacked panels over the steps: the training loss (log scale, one value per step) with a
    dashed line at ``guess_loss`` (ln |V|), and the held-out exact match (a fraction in [0, 1],
    shown in %) at each snapshot step."""
    losses = _numbers(losses, "losses", low=0.0)
    accuracy = _numbers(accuracy, "accuracy", low=0.0)
    if any(a > 1 for a in accuracy):
        raise ValueError(f"accuracy must hold fractions in [0, 1], got a largest value of {max(accuracy)!r}")
    if len(snapshot_steps) != len(accuracy):
        raise ValueError(
            f"snapshot_steps and accuracy must have the same length, got {len(snapshot_steps)} and {len(accuracy)}"
        )
    for k, s in enumerate(snapshot_steps):
        check_int(s, f"snapshot_steps[{k}]", 0, len(losses) - 1)
    check_number(guess_loss, "guess_loss", low=0.0, low_open=True)
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(3.6, 4.8), sharex=True)
    ax1.plot(losses, lw=0.8)
    ax1.axhline(guess_loss, color="gray", ls="--", label=t("$\\ln|\\mathcal{V}|$ (guessing)"))
    ax1.set_yscale("log")
    # plain numbers (0.1, 1) rather than powers of ten with small superscripts
    ax1.yaxis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 3.0)))
    ax1.yaxis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax1.yaxis.set_minor_formatter(ticker.NullFormatter())
    ax1.set_ylabel(t("training loss"))
    ax1.legend(loc="lower left")  # empty there: the loss starts high and falls later
    ax2.plot(list(snapshot_steps), [100 * a for a in accuracy], "o-", ms=3)
    ax2.set_xlabel(t("step"))
    ax2.set_ylabel(t("held-out exact match (%)"))
    ax2.set_ylim(-5, 105)
    ax2.set_yticks([0, 50, 100])
    ax2.xaxis.set_major_locator(ticker.MaxNLocator(4))
    set_fonts(fig, PHONE_FONT)
    fig.tight_layout()
    return fig
