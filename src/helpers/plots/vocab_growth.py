"""Chapter 1's vocabulary growth: distinct words seen against words read, for open and closed text."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from ..i18n import t


def distinct_so_far(words: Sequence[str]) -> list[int]:
    """After reading words[:n + 1], how many distinct words have been seen (for each n)."""
    seen: set[str] = set()
    out = []
    for w in words:
        seen.add(w)
        out.append(len(seen))
    return out


def plot_vocab_growth(texts: Mapping[str, Sequence[str]]) -> Figure:
    """One curve per text (name -> its words in order): distinct words against words read, both axes
    logarithmic (each tenfold step gets the same room), so that a closed vocabulary that runs out
    within the first hundred words shows its rise and its flat end as clearly as an open one that
    keeps growing over thousands. Returns the figure (3.6 in wide, text 10 pt: a 390-px phone shows
    it unscaled, text at 13.9 px)."""
    if not isinstance(texts, Mapping) or not texts:
        raise ValueError(f"texts must be a non-empty mapping name -> words, got {texts!r:.60}")
    for name, words in texts.items():
        if isinstance(words, str) or not isinstance(words, Sequence) or not words:
            raise ValueError(f"texts[{name!r}] must be a non-empty list of words, got {words!r:.60}")
    fig, ax = plt.subplots(figsize=(3.6, 3.2))
    for name, words in texts.items():
        growth = distinct_so_far(words)
        line, = ax.plot(range(1, len(growth) + 1), growth, label=name)
        ax.annotate(f"{growth[-1]:,}", (len(growth), growth[-1]), xytext=(-4, 6), textcoords="offset points",
                    ha="right", fontsize=10, color=line.get_color())
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlim(1, max(len(words) for words in texts.values()))
    # room for the counts written above the ends of the curves (a factor: the axis is logarithmic)
    ax.set_ylim(bottom=1, top=4 * max(len(set(words)) for words in texts.values()))
    plain = FuncFormatter(lambda value, _pos: f"{value:,.0f}")  # 1, 10, 100, 1,000: no superscripts
    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(LogLocator(base=10))
        axis.set_major_formatter(plain)
        axis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(t("words read (log scale)"), fontsize=10)
    ax.set_ylabel(t("distinct words (log scale)"), fontsize=10)
    ax.tick_params(labelsize=10)
    ax.grid(alpha=0.3)
    # below the axes: inside, it would cover the count written at the end of a curve
    ax.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=1, frameon=False)
    fig.tight_layout()
    return fig
