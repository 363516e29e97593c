"""Chapter 7: the size of Adam's updates, step by step, with and without warm-up."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure


def plot_adam_updates(
    noise: Sequence[float], translator_runs: Sequence[Sequence[float]], warmup: int, settle: float
) -> Figure:
    """noise[t]: RMS update / lr at step t + 1 for pure-noise gradients; translator_runs: the same
    for short translator runs (one list per seed); warmup: the warm-up length drawn as a dotted
    line (noise times the warm-up factor); settle: the level the noise curve settles at.
    Log step axis; 4.8 in wide, text >= 9 pt."""
    fig, ax = plt.subplots(figsize=(4.8, 3.4))
    steps = range(1, len(noise) + 1)
    ax.plot(steps, noise, color="tab:gray", lw=2, label="pure-noise gradient")
    for k, run in enumerate(translator_runs):
        ax.plot(range(1, len(run) + 1), run, color="tab:red", lw=1, label="translator (3 seeds)" if k == 0 else None)
    warm = [v * min(1.0, t / warmup) for t, v in zip(steps, noise)]
    ax.plot(steps, warm, ":", color="black", label=f"noise × warm-up over {warmup}")
    ax.axhline(settle, ls="--", color="tab:gray", lw=1)
    ax.set_xscale("log")
    ax.set_ylim(0, 1.08)
    ax.set_xlabel("step", fontsize=10)
    ax.set_ylabel("RMS update / peak lr", fontsize=10)
    ax.tick_params(labelsize=9)
    ax.legend(fontsize=9, loc="lower left")
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
