"""Chapter 13's figures: instruction-following before and after tuning, form share against KL, GRPO's curves.

Every figure is at most 5.6 inches wide with text at >= 1.8 pt per inch of width (``_phone``),
so it stays readable on a phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ._phone import min_font, set_fonts

WIDTH = 5.6
METRICS = {"form_ok": "requested form", "first_ok": "requested first character", "both": "both"}


def plot_instruction_following(rows: Mapping[str, Mapping[str, Sequence[float]]]) -> Figure:
    """Grouped horizontal bars: for each model (``rows`` label -> metric -> (share, low, high)),
    the share of answers with the requested form, first character, and both, with error bars
    from ``low`` to ``high`` (a 95% interval, or the seeds' range)."""
    labels = list(rows)
    fig, ax = plt.subplots(figsize=(WIDTH, 0.9 + 0.85 * len(labels)))
    h = 0.26
    y = np.arange(len(labels))[::-1]
    for k, (key, name) in enumerate(METRICS.items()):
        vals = np.array([100 * rows[m][key][0] for m in labels])
        lo = np.array([100 * rows[m][key][1] for m in labels])
        hi = np.array([100 * rows[m][key][2] for m in labels])
        ax.barh(y + (1 - k) * h, vals, h, xerr=[vals - lo, hi - vals], capsize=2, label=name)
    ax.set_yticks(y, labels)
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of answers to held-out instructions")
    ax.legend(loc="lower center", bbox_to_anchor=(0.4, 1.0), ncol=2, frameon=False)
    ax.grid(axis="x", alpha=0.3)
    set_fonts(fig, min_font(WIDTH))
    fig.tight_layout()
    return fig


def plot_share_vs_kl(points: Sequence[Mapping], best_of: Sequence[Mapping] | None = None,
                     ylabel: str = "% answers with requested form and first character") -> Figure:
    """Each method as a point: x = KL from the SFT model (nats per answer), y = a share (%).

    ``points``: dicts with "label", "kl", "share" and optional "kl_range", "share_range" (low,
    high) drawn as error bars (e.g. the spread over seeds). ``best_of``: dicts "n", "kl", "share",
    drawn as a dashed line (best-of-n's KL is a bound, not a measurement).
    """
    fig, ax = plt.subplots(figsize=(WIDTH, 3.9))
    if best_of:
        ax.plot([b["kl"] for b in best_of], [100 * b["share"] for b in best_of], "k--", lw=1, marker=".",
                label="best-of-n (KL: its bound)")
        for b in best_of:
            ax.annotate(f"n={b['n']}", (b["kl"], 100 * b["share"]), textcoords="offset points", xytext=(4, -10))
    markers = "osD^vP*X"
    for i, p in enumerate(points):
        kl_lo, kl_hi = p.get("kl_range", (p["kl"], p["kl"]))
        s_lo, s_hi = p.get("share_range", (p["share"], p["share"]))
        ax.errorbar(p["kl"], 100 * p["share"], xerr=[[p["kl"] - kl_lo], [kl_hi - p["kl"]]],
                    yerr=[[100 * (p["share"] - s_lo)], [100 * (s_hi - p["share"])]], fmt=markers[i % len(markers)],
                    ms=6, capsize=2, label=p["label"])
    ax.set_xlabel("KL from the SFT model (nats per answer)")
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(loc="upper right", fontsize=9)
    set_fonts(fig, min_font(WIDTH))
    fig.tight_layout()
    return fig


def plot_grpo(logs: Sequence[Sequence[Mapping]], hack_log: Sequence[Mapping]) -> Figure:
    """Two stacked panels over GRPO steps. Top: the form reward of each step's sampled answers,
    one thin line per seed and their mean. Bottom: the run on the flawed punctuation reward:
    its reward (left axis) and the answers' mean length in tokens (right axis)."""
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(WIDTH, 6.0))
    for i, log in enumerate(logs):
        ax.plot([e["step"] for e in log], [e["reward"] for e in log], lw=0.8, alpha=0.6, label=f"seed {i}")
    n = min(len(log) for log in logs)
    mean = np.mean([[e["reward"] for e in log[:n]] for log in logs], axis=0)
    ax.plot([e["step"] for e in logs[0][:n]], mean, "k-", lw=2, label="mean")
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("form reward")
    ax.set_title("GRPO with the form checker as reward")
    ax.legend(loc="lower right", ncol=2)
    ax.grid(alpha=0.3)
    steps = [e["step"] for e in hack_log]
    ax2.plot(steps, [e["reward"] for e in hack_log], "o-", ms=3, color="tab:red", label="punctuation reward")
    ax2.set_ylabel("punctuation reward", color="tab:red")
    ax2.set_xlabel("GRPO step")
    ax2.set_title("GRPO with a flawed reward")
    ax3 = ax2.twinx()
    ax3.plot(steps, [e["answer_length"] for e in hack_log], "s--", ms=3, color="tab:blue")
    ax3.set_ylabel("answer length (tokens)", color="tab:blue")
    ax2.grid(alpha=0.3)
    set_fonts(fig, min_font(WIDTH))
    fig.tight_layout()
    return fig
