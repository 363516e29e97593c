"""Chapter 6: the training log of the shipped translator, loss per logged step on a log scale."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import _is_int, check_list, check_number, show
from ..i18n import t


def plot_training_log(log: Sequence[Mapping[str, float]]) -> Figure:
    """``log``: the logged rows, each a dict with "step" (int >= 0, increasing) and "loss" (> 0),
    as ``translator.load`` returns them. Plots the loss against the step, log loss axis.
    5 in wide, text >= 9 pt."""
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
    fig, ax = plt.subplots(figsize=(5, 2.8))
    ax.plot(steps, losses)
    ax.set_yscale("log")
    ax.set_xlabel(t("training step"), fontsize=10)
    ax.set_ylabel(t("training loss"), fontsize=10)
    ax.tick_params(labelsize=10)
    fig.tight_layout()
    return fig
