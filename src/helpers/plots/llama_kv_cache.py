"""Time to generate one token with and without a KV cache, by position (chapter 12)."""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t


def plot_time_per_token(rows: list[dict], width: float = 4.2, fontsize: float = 11.5) -> Figure:
    """``rows`` from ``helpers.llama.time_per_token``: milliseconds per token against the position,
    one line without the cache and one with it, through the medians; where a row holds its runs
    (``no_cache_runs``, ``cache_runs``), a bar marks their range. ``fontsize`` >= 1.8 x ``width``
    for phones."""
    positions = [r["position"] for r in rows]
    fig, ax = plt.subplots(figsize=(width, 3.4))
    for key, style, label in (("no_cache", "o-", t("no cache: whole sequence")),
                              ("cache", "s-", t("KV cache: one token"))):
        median = [1000 * r[f"{key}_s"] for r in rows]
        runs = [[1000 * x for x in r.get(f"{key}_runs", [r[f"{key}_s"]])] for r in rows]
        spread = [[m - min(x) for m, x in zip(median, runs)], [max(x) - m for m, x in zip(median, runs)]]
        ax.errorbar(positions, median, yerr=spread, fmt=style, capsize=3, label=label)
    ax.set_xlabel(t("position of the new token"), fontsize=fontsize)
    ax.set_ylabel(t("time per token (ms)"), fontsize=fontsize)
    ax.set_xticks(positions)
    ax.set_ylim(0, None)
    ax.tick_params(labelsize=fontsize)
    ax.legend(fontsize=fontsize, frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return fig
