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
    About 3.6 in wide once cropped, so a phone shows it at full size; every text is 11 pt or more
    (15 px on a phone). The bars carry their counts, so there is no count axis."""
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
    fig, ax = plt.subplots(figsize=(3.6, 0.45 * len(counts) + 0.6))
    ax.barh([t(name) for name in counts], list(counts.values()), color="tab:blue", height=0.7)
    for i, n in enumerate(counts.values()):
        share = n / total  # one decimal for small shares, so 0.7% and 1.2% differ
        pct = f"{share:.0%}" if share >= 0.095 else f"{share:.1%}"
        ax.text(n, i, f" {n:,} ({pct})", va="center", fontsize=11)
    ax.invert_yaxis()  # the first piece on top
    ax.set_xlim(0, 1.75 * max(counts.values()))
    ax.set_xticks([])  # the bars carry their counts
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(axis="y", labelsize=11, length=0)
    if title:
        ax.set_title(title, fontsize=12)
    fig.tight_layout(pad=0.3)
    return fig
