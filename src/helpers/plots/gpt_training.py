"""Chapter 11's figures of the poem GPT: its loss and form curves, the form curve with its intervals,
and what it writes after an injected error.

Every figure is 4.2 inches wide with every text at 10 pt: about 12 px on a 390-px phone.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t
from ._phone import min_font, set_fonts

WIDTH = 4.2
FONT = 10.0  # 10 pt in 4.2 in: ~12 px when the figure is shown 366 px wide
assert FONT >= min_font(WIDTH)


def plot_pretraining(log: Sequence[Mapping], shares: Mapping[str, str], n_form: int,
                     uniform_loss: float, baselines: Mapping[str, float] | None = None) -> Figure:
    """Two stacked panels over the training steps of the shipped run's ``log``.

    Top: held-out and training loss (nats per token), a dotted line at ``uniform_loss`` (ln|V|)
    and dashed lines at ``baselines`` (label -> loss, e.g. n-gram models). Bottom: the share of
    the ``n_form`` sampled poems that pass each check of ``shares`` (label -> key of
    ``log[i]["form"]``).
    """
    steps = [e["step"] for e in log]
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(WIDTH, 7.0), sharex=True)
    ax.plot(steps, [e["val_loss"] for e in log], "o-", ms=3, label=t("GPT, held-out"))
    train_pts = [(e["step"], e["train_loss"]) for e in log if e["train_loss"]]
    ax.plot(*zip(*train_pts), "s--", ms=3, label=t("GPT, training"))
    ax.axhline(uniform_loss, color="grey", lw=0.8, ls=":")
    ax.text(steps[-1], uniform_loss - 0.1, t("uniform guess"), ha="right", va="top")
    for (label, value), colour in zip((baselines or {}).items(), ("tab:green", "tab:purple", "tab:brown")):
        ax.axhline(value, color=colour, lw=1, ls="--")
        ax.text(steps[-1], value + 0.05, label, ha="right", va="bottom", color=colour)
    ax.set_ylabel(t("loss (nats per token)"))
    ax.legend(loc="center right")  # the empty middle right: above the curves, below ln|V|
    for label, key in shares.items():
        ax2.plot(steps, [100 * e["form"][key] for e in log], "o-", ms=3, label=label)
    ax2.set_ylim(0, 100)
    ax2.set_xlabel(t("training step"))
    ax2.set_ylabel(t("% of {n} sampled poems", n=n_form))
    # under the panel: inside it, any corner would cover a curve somewhere along the run
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=1, frameon=False)
    ax2.grid(alpha=0.3)
    set_fonts(fig, FONT)
    fig.tight_layout()
    return fig


def plot_share_with_intervals(steps: Sequence[int], shares: Sequence[float],
                              bounds: Sequence[tuple[float, float]], n: int) -> Figure:
    """The share of regular poems at each evaluation with its 95% interval (low, high) as error bars."""
    fig, ax = plt.subplots(figsize=(WIDTH, 3.0))
    ax.errorbar(steps, [100 * s for s in shares],
                yerr=[[100 * (s - lo) for s, (lo, _) in zip(shares, bounds)],
                      [100 * (hi - s) for s, (_, hi) in zip(shares, bounds)]],
                fmt="o-", ms=3, capsize=2)
    ax.set_xlabel(t("training step"))
    ax.set_ylabel(t("% regular form"))
    ax.set_title(t("95% Wilson intervals, {n} poems each", n=n))
    ax.grid(alpha=0.3)
    set_fonts(fig, FONT)
    fig.tight_layout()
    return fig


def _check_shares(name: str, shares: Mapping[str, Sequence[float]], n_lines: int) -> None:
    """condition -> one share in [0, 1] per line, each with n_lines values."""
    if not isinstance(shares, Mapping) or not shares:
        raise ValueError(f"{name} must be a non-empty mapping condition -> shares per line, got {shares!r}")
    for cond, values in shares.items():
        if len(values) != n_lines:
            raise ValueError(f"{name}[{cond!r}] must hold one share per line ({n_lines}), got {len(values)}")
        if not all(0 <= v <= 1 for v in values):
            raise ValueError(f"{name}[{cond!r}] must hold shares in [0, 1], got {list(values)}")


def _grouped_bars(ax, means: Mapping[str, Sequence[float]], ranges: Mapping[str, Sequence[tuple[float, float]]],
                  colours: Mapping[str, str], n_lines: int) -> None:
    """One group of bars per line, one bar per condition, error bars from the lowest to the highest seed."""
    width = 0.8 / len(means)
    for j, (cond, values) in enumerate(means.items()):
        offset = (j - (len(means) - 1) / 2) * width
        lows = [100 * (v - lo) for v, (lo, _) in zip(values, ranges[cond])]
        highs = [100 * (hi - v) for v, (_, hi) in zip(values, ranges[cond])]
        xs = [i + offset for i in range(n_lines)]
        ax.bar(xs, [100 * v for v in values], width, yerr=[lows, highs], capsize=3, color=colours[cond],
               label=cond)
        for x, v in zip(xs, values):
            if round(100 * v) == 0:  # a bar of height 0 is invisible: say it is 0, not missing
                ax.text(x, 2, "0", ha="center", va="bottom", color=colours[cond])


def plot_error_carried(right: Mapping[str, Sequence[float]], right_range: Mapping[str, Sequence[tuple[float, float]]],
                       followed: Mapping[str, Sequence[float]],
                       followed_range: Mapping[str, Sequence[tuple[float, float]]],
                       line_labels: Sequence[str]) -> Figure:
    """What a model writes after a first line with an injected error: two stacked panels of grouped bars.

    Top: per condition (e.g. "clean", "one wrong mark"), the share of continuations whose line k
    has the right form. Bottom: for the error conditions only, the share whose line k follows the
    pattern the error implies (``followed``: condition label -> shares; the label says what
    following means). Shares are means over seeds in [0, 1], one per entry of ``line_labels``;
    ``*_range`` gives each share's (lowest, highest) seed, drawn as error bars.
    """
    n = len(line_labels)
    if n == 0:
        raise ValueError("line_labels must name at least one line")
    for name, shares in (("right", right), ("followed", followed)):
        _check_shares(name, shares, n)
    for name, shares, ranges in (("right_range", right, right_range), ("followed_range", followed, followed_range)):
        if set(ranges) != set(shares):
            raise ValueError(f"{name} must have the same conditions as its shares {sorted(shares)}, "
                             f"got {sorted(ranges)}")
        for cond, pairs in ranges.items():
            if len(pairs) != n or not all(lo <= v <= hi for v, (lo, hi) in zip(shares[cond], pairs)):
                raise ValueError(f"{name}[{cond!r}] must hold one (low, high) per line around each share, got "
                                 f"{list(pairs)}")
    palette = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    colours = {cond: palette[i % len(palette)] for i, cond in enumerate(right)}
    # a followed condition takes the colour of the right-form condition it is named after
    for i, cond in enumerate(followed):
        own = palette[(len(right) + i) % len(palette)]
        colours[cond] = next((colours[c] for c in right if cond.startswith(c)), own)
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(WIDTH, 6.4), sharex=True)
    _grouped_bars(ax, right, right_range, colours, n)
    ax.set_ylabel(t("% right form"))
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=1, frameon=False)  # no wider than the axes
    _grouped_bars(ax2, followed, followed_range, colours, n)
    ax2.set_ylabel(t("% following the error"))
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=1, frameon=False)
    ax2.set_xticks(range(n), line_labels)
    for a in (ax, ax2):
        a.set_ylim(0, 100)
        a.grid(axis="y", alpha=0.3)
    ax2.tick_params(labelbottom=True)
    set_fonts(fig, FONT)
    fig.tight_layout()
    return fig
