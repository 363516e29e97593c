"""Chapter 4: what dividing the scores by √d_k does, measured at several head sizes d_k.

Drawn for a phone: every text, tick labels included, is at least 13 px on a 366-px column,
and no tick label uses a superscript (``2^{10}`` or ``10^{-4}`` would draw its exponent at
70 % of the font size): the head sizes are written out (4, 64, 1024; 16 and 256 carry unlabelled ticks)
and the log axes carry decimal labels (1, 0.01, 0.0001), with a labelled tick above the largest
value of each panel, so that the highest points can be read off.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from ..i18n import t
from ._phone import set_fonts

#: Smallest text (CSS px) wanted on a 366-px phone column, and the column's width.
TARGET_PX, PHONE_COLUMN_PX = 13.0, 366.0
KEYS = ("var", "max_w", "jac", "gq_mean", "gq_median")


def panels() -> tuple[tuple[str, str, bool], ...]:
    """(key, title, log y axis) of the four panels, the titles in the edition's language."""
    return (
        ("var", t("variance of the scores"), True),
        ("max_w", t("mean largest weight"), False),
        ("jac", t(r"median $\|\partial a / \partial s\|$"), True),
        ("gq_mean", r"$\|\partial L / \partial q\|$", True),
    )


def _decimal(value: float, _pos: int | None = None) -> str:
    """1000 -> '1000', 1 -> '1', 0.01 -> '0.01', 0.0001 -> '0.0001' (no exponent)."""
    if value >= 1:
        return f"{value:.0f}"
    return f"{value:.10f}".rstrip("0")


def _decade_ticks(values: Sequence[float]) -> list[float]:
    """Powers of ten for a log axis over ``values``: from the one at (or just below) the largest
    value down, every decade or, over more than three decades, every other one, until a tick lies
    below the smallest value or within 0.7 decades above it. So the largest values always sit
    under a labelled tick and the smallest ones close to one."""
    top, bottom = math.log10(max(values)), math.log10(min(values))
    high = math.ceil(top - 0.05)  # 1024 reads against 1000
    step = 1 if high - bottom <= 3.5 else 2
    exponents = [high]
    while exponents[-1] > bottom and exponents[-1] - step >= bottom - 0.7:
        exponents.append(exponents[-1] - step)
    return [10.0**e for e in sorted(exponents)]


def font_for(width: float) -> float:
    """Font size (points) that keeps text >= 13 px when a ``width``-inch figure fills 366 px."""
    shown = min(1.0, PHONE_COLUMN_PX / (width * 100.0))  # the phone's scale factor
    return round(TARGET_PX * 72.0 / 100.0 / shown + 0.05, 1)


def _check_rows(rows: Sequence[dict]) -> None:
    if not isinstance(rows, Sequence) or isinstance(rows, str) or not rows:
        raise ValueError(f"rows must be a non-empty list of dicts, got {type(rows).__name__}")
    for i, r in enumerate(rows):
        if not isinstance(r, dict):
            raise TypeError(f"rows[{i}] must be a dict, got {type(r).__name__}")
        missing = [k for k in ("d_k", "kind", *KEYS) if k not in r]
        if missing:
            raise ValueError(f"rows[{i}] lacks the keys {missing}")
        if r["kind"] not in ("unscaled", "scaled"):
            raise ValueError(f"rows[{i}]['kind'] must be 'unscaled' or 'scaled', got {r['kind']!r}")


def plot_scaling(rows: Sequence[dict], width: float = 4.4) -> Figure:
    """Four panels against d_k (log axes), unscaled in red and scaled in blue.

    rows: one dict per (d_k, kind) with keys "d_k", "kind" ("unscaled" or "scaled"), "var",
    "max_w", "jac", "gq_mean" and "gq_median" (as chapter 4 measures them).
    """
    _check_rows(rows)
    if not isinstance(width, (int, float)) or not 3.0 <= width <= 8.0:
        raise ValueError(f"width must be a number of inches in [3, 8], got {width!r}")
    dims = sorted({int(r["d_k"]) for r in rows})
    labelled = dims[::2] if len(dims) > 3 else dims  # every other head size: labels never touch
    fig, axes = plt.subplots(2, 2, figsize=(width, width * 1.2))
    for ax, (key, title, log_y) in zip(axes.flat, panels()):
        for kind, label, colour in (("unscaled", t("unscaled"), "C3"), ("scaled", t("scaled"), "C0")):
            rs = sorted((r for r in rows if r["kind"] == kind), key=lambda r: r["d_k"])
            ax.plot(dims, [r[key] for r in rs], "o-", color=colour, label=label, ms=4)
            if key == "gq_mean":
                ax.plot(dims, [r["gq_median"] for r in rs], "s--", color=colour, ms=4)
        ax.set_xscale("log", base=2)
        ax.xaxis.set_major_locator(FixedLocator(labelled))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:.0f}"))
        ax.xaxis.set_minor_locator(FixedLocator([d for d in dims if d not in labelled]))
        ax.xaxis.set_minor_formatter(NullFormatter())
        if log_y:
            ax.set_yscale("log")
            ticks = _decade_ticks([r[k] for r in rows for k in ((key, "gq_median") if key == "gq_mean" else (key,))])
            ax.yaxis.set_major_locator(FixedLocator(ticks))
            ax.yaxis.set_major_formatter(FuncFormatter(_decimal))
            ax.yaxis.set_minor_formatter(NullFormatter())
            # a labelled tick at or beyond both ends of the data: every point can be read off
            shown = [r[key] for r in rows] + ([r["gq_median"] for r in rows] if key == "gq_mean" else [])
            ax.set_ylim(min(ticks[0], min(shown)) / 1.6, max(ticks[-1], max(shown)) * 1.6)
        ax.set_title(title)
        ax.set_xlabel("$d_k$")
    # one legend below the panels, where it covers no curve; the line styles apply to the last
    # panel, which draws the mean (solid) and the median (dashed) of the query gradients
    handles = [
        Line2D([], [], color="C3", marker="o", ms=4, label=t("unscaled")),
        Line2D([], [], color="C0", marker="o", ms=4, label=t("scaled")),
        Line2D([], [], color="0.35", ls="-", label=t("solid: mean")),
        Line2D([], [], color="0.35", ls="--", label=t("dashed: median")),
    ]
    fig.legend(handles=handles, loc="lower center", ncol=2, frameon=False, columnspacing=1.2)
    set_fonts(fig, font_for(width))
    fig.tight_layout(h_pad=0.6, w_pad=0.4, rect=(0.0, 0.12, 1.0, 1.0))
    return fig
