"""Chapter 4: what dividing the scores by √d_k does, measured at several head sizes d_k."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from ..i18n import t
from ._phone import min_font, set_fonts


def panels() -> tuple[tuple[str, str, bool], ...]:
    """(key, title, log y axis) of the four panels, the titles in the edition's language."""
    return (
        ("var", t("variance of the scores"), True),
        ("max_w", t("mean largest weight"), False),
        ("jac", t(r"median $\|\partial a / \partial s\|$"), True),
        ("gq_mean", t("$\\|\\partial L / \\partial q\\|$\nmean —, median - -"), True),
    )


def plot_scaling(rows: Sequence[dict], width: float = 5.6) -> Figure:
    """Four panels against d_k (log axes), unscaled in red and scaled in blue.

    rows: one dict per (d_k, kind) with keys "d_k", "kind" ("unscaled" or "scaled"), "var",
    "max_w", "jac", "gq_mean" and "gq_median" (as chapter 4 measures them).
    """
    dims = sorted({r["d_k"] for r in rows})
    fig, axes = plt.subplots(2, 2, figsize=(width, width * 1.0))
    for ax, (key, title, log_y) in zip(axes.flat, panels()):
        for kind, label, colour in (("unscaled", t("unscaled"), "C3"), ("scaled", t("scaled"), "C0")):
            rs = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["d_k"])
            ax.plot(dims, [r[key] for r in rs], "o-", color=colour, label=label)
            if key == "gq_mean":
                ax.plot(dims, [r["gq_median"] for r in rs], "s--", color=colour)
        ax.set_xscale("log", base=2)
        # powers of two as 2^k: narrow labels that do not touch on a phone
        ax.set_xticks(dims, [f"$2^{{{int(d).bit_length() - 1}}}$" if d & (d - 1) == 0 else str(d) for d in dims])
        ax.xaxis.set_minor_locator(NullLocator())
        if log_y:
            ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("$d_k$")
    axes[0, 1].legend(loc="center right")  # empty there: between the two lines
    set_fonts(fig, round(1.2 * min_font(width), 1))  # well above the phone minimum
    fig.tight_layout()
    return fig
