"""Chapter 7: the size of Adam's updates, step by step, with and without warm-up."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import check_int, check_list, check_number
from ..i18n import t
from ._phone import set_fonts


def _sizes(values: object, name: str) -> list[float]:
    """A non-empty list of finite update sizes (>= 0)."""
    items = check_list(values, name, "update sizes (numbers)")
    if not items:
        raise ValueError(f"{name} must hold at least one update size, got an empty list")
    return [check_number(v, f"{name}[{k}]", low=0.0) for k, v in enumerate(items)]


def plot_adam_updates(
    noise: Sequence[float], translator_runs: Sequence[Sequence[float]], warmup: int, settle: float
) -> Figure:
    """noise[t]: RMS update / lr at step t + 1 for pure-noise gradients; translator_runs: the same
    for short translator runs (one list per seed); warmup: the warm-up length drawn as a dotted
    line (noise times the warm-up factor); settle: the level the noise curve settles at (dashed).
    Log step axis; the legend sits below the axes, clear of the curves. 4.8 in wide, text >= 9 pt."""
    noise = _sizes(noise, "noise")
    runs = check_list(translator_runs, "translator_runs", "lists of update sizes, one per seed")
    if not runs:
        raise ValueError("translator_runs must hold at least one run (a list of update sizes), got []")
    runs = [_sizes(run, f"translator_runs[{k}]") for k, run in enumerate(runs)]
    check_int(warmup, "warmup", low=1)
    check_number(settle, "settle", low=0.0)
    fig, ax = plt.subplots(figsize=(3.8, 3.9))
    steps = range(1, len(noise) + 1)
    ax.plot(steps, noise, color="tab:gray", lw=2, label=t("pure-noise gradient"))
    label = t("translator ({n} seeds)", n=len(runs)) if len(runs) > 1 else t("translator ({n} seed)", n=1)
    for k, run in enumerate(runs):
        ax.plot(range(1, len(run) + 1), run, color="tab:red", lw=1, label=label if k == 0 else None)
    warm = [v * min(1.0, t / warmup) for t, v in zip(steps, noise)]
    ax.plot(steps, warm, ":", color="black", label=t("noise × warm-up over {n}", n=warmup))
    ax.axhline(settle, ls="--", color="tab:gray", lw=1, label=t("average of noise (theory)"))
    ax.set_xscale("log")
    ax.set_ylim(0, 1.08)
    ax.set_xlabel(t("step"), fontsize=10)
    ax.set_ylabel(t("update size (RMS) / peak lr"), fontsize=10)
    ax.tick_params(labelsize=9)
    # below the axes: inside, the legend box covered the start of the curves on a phone
    ax.legend(fontsize=9, loc="upper center", bbox_to_anchor=(0.5, -0.27), frameon=False)
    ax.grid(alpha=0.3, which="both")
    set_fonts(fig, 10.5)  # drawn 3.8 in wide: about 14 px on a 360-px phone
    fig.tight_layout()
    return fig
