"""Chapter 7: where a model's parameters are, one horizontal bar per piece (counts and shares)."""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from .._checks import _is_int, check_str, show
from ..i18n import t


def plot_param_groups(counts: Mapping[str, int], title: str = "") -> Figure:
    """One bar per piece of ``counts`` ({piece: parameter count}, top to bottom in the mapping's
    order), each labelled with its exact count and its share of the total; the piece names are
    drawn in the book's language (``helpers.i18n.t``). ``title``: shown above (empty: none).
    4.8 in wide, text >= 9 pt, so a phone shows it at 9 px or more."""
    if not isinstance(counts, Mapping):
        raise TypeError(f"counts must be a dict {{piece name: parameter count}}, got {show(counts)}")
    if not counts:
        raise ValueError("counts must hold at least one piece, got an empty dict")
    for name, n in counts.items():
        check_str(name, "counts' keys", nonempty=True)
        if not _is_int(n) or n < 0:
            raise ValueError(f"counts[{name!r}] must be an int >= 0 (a parameter count), got {show(n)}")
    check_str(title, "title")
    total = sum(counts.values())
    if total == 0:
        raise ValueError(f"counts must hold at least one parameter, got only zeros: {dict(counts)}")
    fig, ax = plt.subplots(figsize=(4.8, 0.4 * len(counts) + 0.8))
    ax.barh([t(name) for name in counts], list(counts.values()), color="tab:blue")
    for i, n in enumerate(counts.values()):
        ax.text(n, i, f" {n:,} ({n / total:.0%})", va="center", fontsize=9)
    ax.invert_yaxis()  # the first piece on top
    ax.set_xlim(0, 1.6 * max(counts.values()))
    ax.xaxis.set_major_locator(plt.MaxNLocator(3))
    ax.set_xlabel(t("parameters"), fontsize=10)
    ax.tick_params(labelsize=10)
    if title:
        ax.set_title(title, fontsize=11)
    fig.tight_layout()
    return fig
