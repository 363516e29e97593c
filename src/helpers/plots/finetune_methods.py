"""Chapter 10: three ways to fine-tune (and LoRA's rank), compared over several seeds."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from helpers.i18n import t

WIDTH = 4.2  # inches; 10.5-pt text is about 13 px on a 366-px phone figure
MIN_SPAN = 10.0  # points of accuracy: the least range the rank figure's axis shows


def _dots(ax: plt.Axes, labels: Sequence[str], values: Sequence[Sequence[float]], colour: str) -> None:
    """Every seed as a dot, the mean as a short bar, one column per label."""
    for x, vals in enumerate(values):
        ax.plot([x] * len(vals), vals, "o", color=colour, alpha=0.6, ms=7)
        mean = sum(vals) / len(vals)
        ax.plot([x - 0.25, x + 0.25], [mean, mean], color="black", lw=2)
    ax.set_xticks(range(len(labels)), list(labels))
    ax.set_xlim(-0.5, len(labels) - 0.5)


def plot_methods(
    accuracy: Mapping[str, Sequence[float]],
    lm_after: Mapping[str, Sequence[float]],
    lm_before: float,
    fontsize: float = 10.5,
    noise: float | None = None,
) -> plt.Figure:
    """Two stacked panels, one column per method: test accuracy (%) and the pretraining LM loss after.

    Dots are seeds, black bars their means; the dashed line is the LM loss before fine-tuning.
    ``noise`` (points of accuracy, e.g. one accuracy's standard error) draws one grey band of
    ± noise around the first method's mean, across every column, so that the other methods' gaps
    from it can be read against the noise of a single accuracy (it is not a band of each method).
    """
    if noise is not None and not noise > 0:
        raise ValueError(f"noise must be a positive number of points, got {noise!r}")
    with plt.rc_context({"font.size": fontsize, "xtick.labelsize": fontsize, "ytick.labelsize": fontsize}):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(WIDTH, 5.6), sharex=True)
        labels = list(accuracy)
        if noise is not None:
            first = sum(accuracy[labels[0]]) / len(accuracy[labels[0]])
            top.axhspan(first - noise, first + noise, color="0.88", lw=0, zorder=0)
        _dots(top, labels, [accuracy[k] for k in labels], "C0")
        top.set_ylabel(t("test accuracy (%)"))
        title = (
            t("dots: seeds; bar: mean")
            if noise is None
            else t(
                "dots: seeds; bar: mean;\ngrey band: {first}'s mean\n± 1 standard error",
                first=labels[0],
            )
        )
        top.set_title(title, fontsize=fontsize + 1)
        _dots(bottom, labels, [lm_after[k] for k in labels], "C3")
        bottom.axhline(lm_before, color="black", ls="--", lw=1)
        bottom.annotate(
            t("before fine-tuning"),
            (-0.45, lm_before),
            xytext=(0, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=fontsize,
        )
        bottom.set_ylabel(t("LM loss after (nats)"))
        fig.tight_layout()
    return fig


def plot_ranks(
    accuracy: Mapping[int, Sequence[float]], trainable: Mapping[int, int], fontsize: float = 10.5
) -> plt.Figure:
    """LoRA's test accuracy (%) against its rank r: dots are seeds, a black bar marks each rank's mean.

    No line joins the means (it would suggest a trend the seeds cannot resolve), and the accuracy
    axis spans at least ``MIN_SPAN`` points, so that a gap of a point or two looks as small as it is.
    """
    with plt.rc_context({"font.size": fontsize, "xtick.labelsize": fontsize, "ytick.labelsize": fontsize}):
        fig, ax = plt.subplots(figsize=(WIDTH, 3.2))
        ranks = sorted(accuracy)
        for r in ranks:
            ax.plot([r] * len(accuracy[r]), accuracy[r], "o", color="C2", alpha=0.6, ms=7)
            mean = sum(accuracy[r]) / len(accuracy[r])
            ax.plot([r / 1.25, r * 1.25], [mean, mean], color="black", lw=2)  # equal width on a log axis
        values = [v for r in ranks for v in accuracy[r]]
        low, high = min(values), max(values)
        pad = max(0.5, (MIN_SPAN - (high - low)) / 2)
        ax.set_ylim(low - pad, high + pad)
        ax.set_xscale("log")
        ax.minorticks_off()
        ax.set_xticks(ranks, [f"{r}\n({trainable[r]:,})" for r in ranks])
        ax.set_xlabel(t("rank r (trainable weights)"))
        ax.set_ylabel(t("test accuracy (%)"))
        fig.tight_layout()
    return fig
