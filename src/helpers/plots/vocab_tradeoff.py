"""Chapter 1's trade-off between vocabulary size and sequence length, one panel per language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, NullLocator

from ..i18n import t


def plot_vocab_tradeoff(
    vocab_sizes: Sequence[int],
    curves: Mapping[str, Mapping[str, Sequence[float]]],
    base: int | None = None,
) -> Figure:
    """Average tokens per sentence against the number of merges: one panel per language, stacked.

    vocab_sizes: the vocabulary size |V| of each measured tokenizer, increasing; base: |V| with no
    merges (default: the first size). The x-axis is the number of merges, |V| - base, on a log
    scale, so that the first merges (10, 25, 50, ...) get as much room as the last ones: equal
    distances are equal ratios of merges. A tokenizer with no merges (bytes only) cannot sit on a
    log axis; its length is drawn as a dotted horizontal line. curves[language][tokenizer name]
    holds one average length per vocabulary size. The last value of each curve is written at its
    end, so that no curve hides another's number. Returns the figure (3.6 in wide, text 10 pt: a
    390-px phone shows it unscaled, text at 13.9 px).
    """
    sizes = list(vocab_sizes)
    if len(sizes) < 2 or any(b <= a for a, b in zip(sizes, sizes[1:])):
        raise ValueError(f"vocab_sizes must increase and hold at least 2 sizes, got {sizes}")
    base = sizes[0] if base is None else base
    merges = [size - base for size in sizes]
    if merges[0] < 0:
        raise ValueError(f"base must be at most the first vocabulary size {sizes[0]}, got {base}")
    for by_tok in curves.values():
        for name, lengths in by_tok.items():
            if len(lengths) != len(sizes):
                raise ValueError(f"curve {name!r} has {len(lengths)} values for {len(sizes)} vocabulary sizes")
    shown = [i for i, k in enumerate(merges) if k > 0]  # the points a log axis can show
    fig, axes = plt.subplots(len(curves), 1, figsize=(3.6, 2.3 * len(curves) + 0.6), sharex=True)
    axes = [axes] if len(curves) == 1 else list(axes)
    styles = [("o-", 1.0), ("s--", 0.75)]
    for ax, (language, by_tok) in zip(axes, curves.items()):
        ends = [lengths[-1] for lengths in by_tok.values()]
        # two decimals when one would make different ends read the same
        digits = 2 if len({f"{e:.1f}" for e in ends}) < len(set(ends)) else 1
        for (name, lengths), (style, alpha) in zip(by_tok.items(), styles):
            (line,) = ax.plot(
                [merges[i] for i in shown], [lengths[i] for i in shown], style, ms=4, alpha=alpha, label=name
            )
            # the higher end's label goes up, the lower one's down, so close ends stay apart
            dy = 6 if lengths[-1] >= max(ends) else -6
            ax.annotate(
                f"{lengths[-1]:.{digits}f}",
                (merges[-1], lengths[-1]),
                xytext=(5, dy),
                textcoords="offset points",
                va="center",
                fontsize=10,
                color=line.get_color(),
            )
        if merges[0] == 0:  # bytes only: the same for every tokenizer of the panel
            start = next(iter(by_tok.values()))[0]
            ax.axhline(start, color="#777777", ls=":", lw=1.2)
            ax.annotate(
                t("bytes only: {n:.1f}", n=start),
                (merges[-1], start),
                xytext=(0, -4),
                textcoords="offset points",
                ha="right",
                va="top",
                fontsize=10,
                color="#555555",
            )
        ax.set_title(language, fontsize=10.5)
        ax.set_ylabel(t("tokens per sentence"), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=10, loc="lower left")
        ax.tick_params(labelsize=10)
    axes[-1].set_xscale("log")
    ticks = [merges[i] for i in shown]
    axes[-1].xaxis.set_major_locator(FixedLocator(ticks))
    axes[-1].xaxis.set_minor_locator(NullLocator())
    axes[-1].set_xticks(ticks, [str(k) for k in ticks], rotation=90)
    axes[-1].set_xlabel(t("merges (log scale); |V| = {base} + merges", base=base), fontsize=10)
    axes[-1].set_xlim(merges[shown[0]] * 0.8, merges[-1] * 1.9)
    fig.tight_layout()
    return fig
