"""Chapter 1's trade-off between vocabulary size and sequence length, one panel per language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t


def plot_vocab_tradeoff(
    vocab_sizes: Sequence[int],
    curves: Mapping[str, Mapping[str, Sequence[float]]],
) -> Figure:
    """Average tokens per sentence against vocabulary size: one panel per language, stacked.

    curves[language][tokenizer name] holds one average length per vocabulary size. The last
    value of each curve is written at its end, so that no curve hides another's number.
    Returns the figure (3.6 in wide, text 10 pt: a 390-px phone shows it unscaled, text at 13.9 px).
    """
    fig, axes = plt.subplots(len(curves), 1, figsize=(3.6, 2.3 * len(curves) + 0.5), sharex=True)
    styles = [("o-", 1.0), ("s--", 0.75)]
    for ax, (language, by_tok) in zip(axes, curves.items()):
        ends = [lengths[-1] for lengths in by_tok.values()]
        for (name, lengths), (style, alpha) in zip(by_tok.items(), styles):
            line, = ax.plot(vocab_sizes, lengths, style, ms=4, alpha=alpha, label=name)
            # the higher end's label goes up, the lower one's down, so close ends stay apart
            dy = 6 if lengths[-1] >= max(ends) else -6
            ax.annotate(f"{lengths[-1]:.1f}", (vocab_sizes[-1], lengths[-1]), xytext=(5, dy),
                        textcoords="offset points", va="center", fontsize=10, color=line.get_color())
        ax.set_title(language, fontsize=10.5)
        ax.set_ylabel(t("tokens per sentence"), fontsize=10)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=10)
        ax.tick_params(labelsize=10)
    axes[-1].set_xlabel(t("vocabulary size |V|\n(bytes + merges + 4 special)"), fontsize=10)
    axes[-1].set_xlim(right=vocab_sizes[-1] * 1.12)
    fig.tight_layout()
    return fig
