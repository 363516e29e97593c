"""Chapter 4: the time of one attention against the sequence length, with a T² guide line."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator

from .._checks import check_int_list, check_number, check_str
from ..i18n import t
from ._phone import min_font, set_fonts


def plot_attention_time(lengths: Sequence[int], runs: Sequence[Sequence[float]], anchor: int | None = None,
                        title: str | None = None, width: float = 5.0) -> Figure:
    """Measured time (ms) against length T on log-log axes: the fastest of the repeated timings
    of each length (the run least disturbed by other programs), and a T² line through it at
    ``lengths[anchor]`` (default: the middle length). ``title`` defaults to "one attention head"
    (in the edition's language).

    lengths: the sequence lengths, increasing; runs[i]: the timings (seconds) of lengths[i].
    """
    lengths = check_int_list(lengths, "lengths")
    if not lengths or any(n <= 0 for n in lengths) or sorted(set(lengths)) != lengths:
        raise ValueError(f"lengths must be increasing positive ints, got {lengths}")
    if isinstance(runs, (str, bytes)) or len(runs) != len(lengths):
        raise ValueError(f"runs must hold one list of timings per length ({len(lengths)}), got {runs!r:.80}")
    for i, r in enumerate(runs):
        if isinstance(r, (str, bytes)) or len(r) == 0:
            raise ValueError(f"runs[{i}] must be a non-empty list of timings in seconds, got {r!r:.80}")
        for seconds in r:
            check_number(seconds, f"runs[{i}] item", 0, low_open=True)
    anchor = len(lengths) // 2 if anchor is None else anchor
    if isinstance(anchor, bool) or not isinstance(anchor, int) or not 0 <= anchor < len(lengths):
        raise ValueError(f"anchor must be an index into lengths (0 .. {len(lengths) - 1}), got {anchor!r}")
    ms = [np.asarray(r, dtype=float) * 1e3 for r in runs]
    fastest = np.array([r.min() for r in ms])
    fig, ax = plt.subplots(figsize=(width, width * 0.75))
    n_runs = min(len(r) for r in ms)
    (measured,) = ax.plot(lengths, fastest, "o-", label=t("measured: fastest of {n}", n=n_runs))
    guide = [fastest[anchor] * (n / lengths[anchor]) ** 2 for n in lengths]
    (guide_line,) = ax.plot(lengths, guide, "--", label="∝ T²")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xticks(lengths, [str(n) for n in lengths])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel(t("sequence length T"))
    ax.set_ylabel(t("time (ms)"))
    ax.set_title(t("one attention head") if title is None else check_str(title, "title"))
    ax.legend(handles=[measured, guide_line])
    set_fonts(fig, round(1.3 * min_font(width), 1))  # well above the phone minimum
    fig.tight_layout()
    return fig
