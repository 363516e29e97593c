"""Chapter 10's answer in one figure: what pretraining buys on the poet task and on the order task."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt

from helpers.i18n import t

WIDTH = 4.8  # inches: at 11 pt the text is about 11 px on a 390-px phone (plots._phone)
FONTSIZE = 11.0


def _check(name: str, panel: Mapping[str, Sequence[float]]) -> None:
    if not isinstance(panel, Mapping) or not panel:
        raise ValueError(f"{name} must be a non-empty mapping of label -> accuracies (%), got {panel!r}")
    for label, values in panel.items():
        if not isinstance(label, str) or not values or not all(isinstance(v, (int, float)) for v in values):
            raise ValueError(
                f"{name}[{label!r}] must be a non-empty list of accuracies in %, one per seed, got {values!r}"
            )
        if not all(0 <= v <= 100 for v in values):
            raise ValueError(f"{name}[{label!r}] must hold accuracies in % (0 to 100), got {list(values)}")


def plot_answer(
    poet: Mapping[str, Sequence[float]],
    order: Mapping[str, Sequence[float]],
    titles: tuple[str, str],
    chance: float = 50.0,
    fontsize: float = FONTSIZE,
    colors: Mapping[str, str] | None = None,
) -> plt.Figure:
    """Two stacked panels of horizontal bars: the mean test accuracy (%) of each model, one dot per seed.

    ``poet`` and ``order`` map a model's label to its accuracies in % (one per seed), drawn top to
    bottom in their order; ``titles`` are the two panels' titles. A dotted line marks ``chance``.
    Both panels share the accuracy axis, so the two tasks' gaps can be compared by eye.
    ``colors`` maps every label to a matplotlib colour, so that one model keeps its colour in both
    panels; None gives each distinct label its own colour (a label in both panels keeps one).
    """
    _check("poet", poet)
    _check("order", order)
    if not (isinstance(titles, tuple) and len(titles) == 2 and all(isinstance(s, str) for s in titles)):
        raise ValueError(f"titles must be a tuple of two str (the panels' titles), got {titles!r}")
    labels_all = list(dict.fromkeys([*poet, *order]))  # each label once, in order of appearance
    if colors is None:
        colors = {label: f"C{i}" for i, label in enumerate(labels_all)}
    elif not isinstance(colors, Mapping) or any(label not in colors for label in labels_all):
        missing = [label for label in labels_all if not isinstance(colors, Mapping) or label not in colors]
        raise ValueError(f"colors must map every label to a colour; missing {missing}, got {colors!r}")
    heights = [len(poet), len(order)]
    fig, axes = plt.subplots(
        2, 1, figsize=(WIDTH, 1.3 + 0.55 * sum(heights)), sharex=True, gridspec_kw={"height_ratios": heights}
    )
    for ax, panel, title in zip(axes, (poet, order), titles):
        labels = list(panel)
        for row, label in enumerate(labels):
            values = list(panel[label])
            ax.barh(row, sum(values) / len(values), color=colors[label], alpha=0.45, height=0.6)
            ax.plot(values, [row] * len(values), "o", color=colors[label], ms=5)
        ax.axvline(chance, color="grey", ls=":")
        ax.set_yticks(range(len(labels)), labels, fontsize=fontsize)
        ax.invert_yaxis()  # the first model on top
        ax.set_title(title, fontsize=fontsize, loc="left")
        ax.tick_params(axis="x", labelsize=fontsize)
    axes[1].set_xlim(0, 100)
    axes[1].set_xlabel(t("test accuracy (%); dotted: chance"), fontsize=fontsize)
    fig.tight_layout()
    return fig
