"""Chapter 6: the training log of the shipped translator, loss per logged step on a log scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import _is_int, check_list, check_number, show
from ..i18n import t


def plot_training_log(log: Sequence[Mapping[str, float]], warmup: int | None = None) -> Figure:
    """``log``: the logged rows, each a dict with "step" (int >= 0, increasing) and "loss" (> 0),
    as ``translator.load`` returns them. Plots the loss against the step, log loss axis.
    ``warmup`` (an int >= 1, or None): shade the first ``warmup`` steps, labelled as the warm-up.
    About 3.6 in wide once cropped, so a phone shows it at full size, text 11 pt (15 px)."""
    rows = check_list(log, "log", "rows (dicts with 'step' and 'loss')")
    if not rows:
        raise ValueError("log must hold at least one row, got an empty list")
    steps, losses = [], []
    for k, row in enumerate(rows):
        if not isinstance(row, Mapping) or "step" not in row or "loss" not in row:
            raise TypeError(f"log[{k}] must be a dict with 'step' and 'loss', got {show(row)}")
        if not _is_int(row["step"]) or row["step"] < 0:
            raise ValueError(f"log[{k}]['step'] must be an int >= 0, got {show(row['step'])}")
        if steps and row["step"] <= steps[-1]:
            raise ValueError(f"log's steps must increase, got {steps[-1]} then {row['step']} at log[{k}]")
        steps.append(int(row["step"]))
        losses.append(check_number(row["loss"], f"log[{k}]['loss']", low=0.0, low_open=True))
    if warmup is not None and (not _is_int(warmup) or warmup < 1):
        raise ValueError(f"warmup must be an int >= 1 (a number of steps) or None, got {show(warmup)}")
    fig, ax = plt.subplots(figsize=(3.6, 2.6))
    ax.plot(steps, losses, lw=2)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(plt.MaxNLocator(4))
    ax.set_xlabel(t("training step"), fontsize=11)
    ax.set_ylabel(t("training loss"), fontsize=11)
    ax.tick_params(labelsize=11)
    ax.grid(alpha=0.3, which="major")
    if warmup is not None:
        ax.axvspan(0, warmup, color="tab:orange", alpha=0.18, lw=0)
        ax.text(warmup, 0.97, " " + t("warm-up"), transform=ax.get_xaxis_transform(), ha="left", va="top",
                fontsize=11, color="#8a4b00")
    fig.tight_layout(pad=0.3)
    return fig
