"""Figures of chapter 3 (positional encoding): the sinusoids, the offset map, RoPE turning a query and a
key, train short / test long.

Every label sits outside the curves and heatmaps it describes (panel titles, axis labels, a legend
below the axes), so nothing is drawn over the data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from matplotlib.transforms import blended_transform_factory

from .._checks import check_int, check_int_list, check_number, check_tensor
from ..i18n import t
from ..positional import rotate_pairs
from ._phone import min_font, set_fonts


def kind_label(kind: str) -> str:
    """The legend's name for a kind of position information (``length_generalization``'s kinds),
    in the edition's language; any other name as it is."""
    labels = {
        "none": t("none"),
        "sinusoidal": t("sinusoidal"),
        "learned": t("learned"),
        "rope": "RoPE",
        "alibi": "ALiBi",
    }
    return labels.get(kind, kind)


def sinusoid_overview(pe: torch.Tensor, pairs: Sequence[int], base: float = 10000.0, width: float = 3.6) -> Figure:
    """Top: the sine dimensions (the even ones, 0, 2, ..., d_model - 2) as a heatmap (dimension x
    position); drawing only the sines keeps neighbouring rows alike, so that a phone's downscaling
    of the image cannot turn alternating sine/cosine rows into false stripes. Below: one panel per pair j in
    ``pairs``, drawing the sine of that pair at each position (a dot per position, joined by straight
    lines); each panel's title names the dimension, the pair and how many positions one turn takes
    (2 pi / omega_j), its y label the dimension's value PE_{2j}.

    pe: (n_positions, d_model), as ``sinusoidal_encoding`` returns it. The default width, 3.6 in,
    is shown unscaled on a 390-px phone, every text at 10.5 pt (14.6 px there).
    """
    check_tensor(pe, "pe", ndim=2, floating=True)
    n_pos, d_model = pe.shape
    pairs = check_int_list(pairs, "pairs")
    if not pairs or any(not 0 <= j < d_model // 2 for j in pairs):
        raise ValueError(f"pairs must be a non-empty list of pair indices 0 .. {d_model // 2 - 1}, got {pairs}")
    base = check_number(base, "base", 1.0, low_open=True)
    width = check_number(width, "width", 1.0)
    n = len(pairs)
    # constrained layout: each gap as tall as its own labels need (tight_layout makes every gap as
    # tall as the heatmap's axis label plus the next title)
    fig, axes = plt.subplots(
        n + 1, 1, figsize=(width, 3.3 + 1.25 * n), layout="constrained", gridspec_kw={"height_ratios": [2.4] + [1] * n}
    )
    im = axes[0].imshow(
        pe[:, 0::2].detach().cpu().numpy().T,  # the sines: rows 0, 2, ..., d_model - 2
        aspect="auto",
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        interpolation="nearest",
        extent=(-0.5, n_pos - 0.5, d_model - 1, -1),
    )
    axes[0].set_ylabel(t("dimension (sines)"))
    axes[0].set_xlabel(t("position pos"))
    axes[0].set_title(t("{pe}, {d} = {n}", pe="$PE(pos)$", d=r"$d_\mathrm{model}$", n=d_model))
    fig.colorbar(im, ax=axes[0], fraction=0.05, pad=0.02, ticks=[-1, 0, 1])
    pos = np.arange(n_pos)
    for ax, j in zip(axes[1:], pairs):
        turn = 2 * math.pi * base ** (2 * j / d_model)
        # a dot at each position, the only places where the encoding is defined: the lines between
        # them are straight, so a fast pair's wave looks jagged, its peaks uneven
        ax.plot(pos, pe[:, 2 * j].detach().cpu().numpy(), color="C0", lw=1, marker="o", ms=2.2)
        ax.set_ylim(-1.15, 1.15)
        ax.set_yticks([-1, 0, 1])
        ax.set_ylabel(f"$PE_{{{2 * j}}}$")  # the value of that dimension
        # two lines, so that the title fits a figure narrow enough to show large on a phone
        ax.set_title(
            t("dimension {dim} (pair j = {j})", dim=2 * j, j=j)
            + "\n"
            + t("one turn per {turn:,.1f} positions", turn=turn),
            loc="left",
        )
    for ax in axes:
        ax.set_xlim(-0.5, n_pos - 0.5)
    for ax in axes[1:-1]:
        ax.tick_params(labelbottom=False)
    axes[-1].set_xlabel(t("position pos"))
    set_fonts(fig, max(min_font(width), 10.5))
    return fig


def offset_map(M: torch.Tensor, dots: torch.Tensor, delta: int, width: float = 3.6) -> Figure:
    """Top: the block-diagonal offset matrix M (rows and columns numbered). Bottom: the dot
    products PE(pos) . PE(pos') for all pairs of positions. Stacked, so that a phone shows large text.

    M: (d_model, d_model); dots: (n_positions, n_positions).
    """
    check_tensor(M, "M", ndim=2, floating=True)
    check_tensor(dots, "dots", ndim=2, floating=True)
    if M.shape[0] != M.shape[1] or dots.shape[0] != dots.shape[1]:
        raise ValueError(f"M and dots must be square, got M {tuple(M.shape)} and dots {tuple(dots.shape)}")
    check_int(delta, "delta")
    d = M.shape[0]
    fig, axes = plt.subplots(2, 1, figsize=(width, 2 * 0.85 * width))
    im0 = axes[0].imshow(M.detach().cpu().numpy(), cmap="RdBu_r", vmin=-1, vmax=1, interpolation="nearest")
    axes[0].set_title(t("M for Δ = {delta}", delta=delta))
    step = 4 if d > 8 else 2
    axes[0].set_xticks(range(0, d, step))
    axes[0].set_yticks(range(0, d, step))
    axes[0].set_xlabel(t("column"))
    axes[0].set_ylabel(t("row"))
    fig.colorbar(im0, ax=axes[0], fraction=0.046, pad=0.04, ticks=[-1, 0, 1])
    im1 = axes[1].imshow(dots.detach().cpu().numpy(), cmap="viridis", interpolation="nearest")
    axes[1].set_title("PE(pos) · PE(pos′)")
    axes[1].set_xlabel("pos′")
    axes[1].set_ylabel("pos")
    fig.colorbar(im1, ax=axes[1], fraction=0.046, pad=0.04)
    set_fonts(fig, max(min_font(width), 11.0))
    fig.tight_layout(h_pad=1.0)
    return fig


def rope_rotation(
    q: torch.Tensor, k: torch.Tensor, cases: Sequence[tuple[int, int]], omega: float = 1.0, width: float = 3.6
) -> Figure:
    """RoPE on one pair of coordinates: one panel per (m, n) in ``cases``, showing the query q turned
    by the angle m * omega and the key k turned by n * omega (arrows from the origin; the unturned q
    and k thin and dashed), with the angle from the turned q to the turned k written below the panel.
    Cases with the same offset n - m show the same angle, wherever they sit.

    The panels sit two per row (three cases: a 2 x 2 grid whose fourth cell is the key to the
    arrows), so that each is large on a phone: at the default width, 3.6 in, shown unscaled on a
    390-px phone, every text is 12.5 pt (about 17 px).

    q, k: (2,) one pair of a query and a key, before rotation.
    """
    check_tensor(q, "q", ndim=1, floating=True)
    check_tensor(k, "k", ndim=1, floating=True)
    if q.shape != (2,) or k.shape != (2,):
        raise ValueError(f"q and k must be one pair each, shape (2,), got {tuple(q.shape)} and {tuple(k.shape)}")
    if isinstance(cases, (str, bytes)) or not isinstance(cases, Sequence) or not cases:
        raise ValueError(f"cases must be a non-empty list of (m, n) positions, got {cases!r}")
    for i, case in enumerate(cases):
        if not isinstance(case, (tuple, list)) or len(case) != 2:
            raise ValueError(f"cases[{i}] must be a pair (m, n) of positions, got {case!r}")
        check_int(case[0], f"cases[{i}][0]", 0)
        check_int(case[1], f"cases[{i}][1]", 0)
    omega = check_number(omega, "omega", 0, low_open=True)
    width = check_number(width, "width", 1.0)
    q64, k64 = q.detach().double().cpu(), k.detach().double().cpu()
    reach = 1.15 * max(q64.norm().item(), k64.norm().item())
    size = max(min_font(width), 12.5)
    n_cols = 1 if len(cases) == 1 else 2
    n_rows = (len(cases) + 1 + n_cols - 1) // n_cols  # one more cell for the key
    fig, grid = plt.subplots(n_rows, n_cols, figsize=(width, n_rows * (width / n_cols + 0.5)), squeeze=False)
    axes = list(grid.flat)
    for ax, (m, n) in zip(axes, cases):
        turned = {}
        for name, vec, pos, colour in (("q", q64, m, "C3"), ("k", k64, n, "C0")):
            angle = torch.tensor([[pos * omega]], dtype=torch.float64)
            turned[name] = rotate_pairs(vec[None], angle)[0]
            x0, y0 = vec.tolist()
            x1, y1 = turned[name].tolist()
            ax.annotate(
                "",
                xy=(x0, y0),
                xytext=(0, 0),
                arrowprops={"arrowstyle": "-|>", "color": colour, "alpha": 0.8, "ls": "--", "lw": 1.3},
            )
            ax.annotate("", xy=(x1, y1), xytext=(0, 0), arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 2.2})
            ax.text(1.16 * x1, 1.16 * y1, name, color=colour, ha="center", va="center")
        a_q = math.atan2(turned["q"][1].item(), turned["q"][0].item())
        a_k = math.atan2(turned["k"][1].item(), turned["k"][0].item())
        between = (a_k - a_q + math.pi) % (2 * math.pi) - math.pi  # from q to k, in (-pi, pi]
        arc = np.linspace(a_q, a_q + between, 30)
        ax.plot(0.35 * reach * np.cos(arc), 0.35 * reach * np.sin(arc), color="black", lw=1)
        circle = np.linspace(0, 2 * math.pi, 100)
        ax.plot(reach / 1.15 * np.cos(circle), reach / 1.15 * np.sin(circle), color="0.85", lw=0.8, zorder=0)
        ax.set_xlim(-1.3 * reach, 1.3 * reach)
        ax.set_ylim(-1.3 * reach, 1.3 * reach)
        ax.set_aspect("equal")
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title(t("q at {m}, k at {n}", m=m, n=n))
        ax.set_xlabel(t("angle {deg:.0f}°", deg=abs(math.degrees(between))))
    key, rest = axes[len(cases)], axes[len(cases) + 1 :]
    key.axis("off")
    for y, style, lw, label in ((0.72, "--", 1.3, t("before rotation")), (0.38, "-", 2.2, t("after rotation"))):
        key.annotate(
            "",
            xy=(0.3, y),
            xytext=(0.0, y),
            xycoords="axes fraction",
            arrowprops={"arrowstyle": "-|>", "color": "0.3", "ls": style, "lw": lw},
        )
        key.text(0.36, y, label, transform=key.transAxes, va="center")
    for ax in rest:
        ax.axis("off")
    set_fonts(fig, size)
    fig.tight_layout(w_pad=0.8, h_pad=1.2)
    return fig


def _two_lines(label: str) -> str:
    """A label of several words on two lines, cut at the space nearest its middle (so that it is
    narrow enough to stand beside a line in the figure); one word as it is."""
    if "\n" in label or " " not in label.strip():
        return label
    words = label.split()
    half = len(label) / 2
    cut = min(range(1, len(words)), key=lambda k: abs(len(" ".join(words[:k])) - half))
    return " ".join(words[:cut]) + "\n" + " ".join(words[cut:])


def extrapolation_curves(
    acc: Mapping[str, torch.Tensor],
    T_train: int,
    marks: Mapping[float, str] | None = None,
    width: float = 3.6,
    hatched: Sequence[str] = ("rope",),
) -> Figure:
    """Accuracy at each position, one line per kind (mean over seeds, band from min to max).

    acc: {kind: (n_seeds, T_test) accuracies, NaN where undefined}. A dashed line separates the
    trained positions (0 .. T_train - 1) from the longer ones; ``marks`` {x: label} adds dotted
    lines. Their labels are written above the axes (ending at their line when it lies in the right
    half, so that they stay inside the figure), the legend below them. The default width, 3.6 in,
    is shown unscaled on a 390-px phone, every text at 12 pt (about 17 px). The bands of the kinds in
    ``hatched`` are drawn hatched, not filled, so that they stay apart where they overlap a filled one.
    """
    if not isinstance(acc, Mapping):
        raise TypeError(f"acc must be a dict {{kind: (n_seeds, T_test) tensor}}, got {type(acc).__name__}")
    if not acc:
        raise ValueError("acc is empty: it needs at least one {kind: (n_seeds, T_test) tensor}")
    for kind, a in acc.items():
        check_tensor(a, f"acc[{kind!r}]", ndim=2, floating=True)
    T_train = check_int(T_train, "T_train", 1)
    marks = dict(marks or {})
    width = check_number(width, "width", 1.0)
    if isinstance(hatched, str) or not all(isinstance(k, str) for k in hatched):
        raise TypeError(f"hatched must be a list of kinds (str), got {hatched!r}")
    # taller with marks: their two-line labels stand above the axes
    fig, ax = plt.subplots(figsize=(width, 4.4 if marks else 3.9))
    for k, (kind, a) in enumerate(acc.items()):
        pos = np.arange(a.shape[1])
        lo, hi = a.min(0).values.numpy(), a.max(0).values.numpy()
        if kind in hatched:  # only the hatch lines in the kind's colour, the other bands show through
            ax.fill_between(pos, lo, hi, facecolor="none", edgecolor=f"C{k}", hatch="////", alpha=0.6, lw=0)
        else:
            ax.fill_between(pos, lo, hi, color=f"C{k}", alpha=0.2, lw=0)
        ax.plot(pos, a.mean(0).numpy(), color=f"C{k}", label=kind_label(kind))
    above = blended_transform_factory(ax.transData, ax.transAxes)
    ax.axvline(T_train - 0.5, color="black", ls="--", lw=1)
    # the dashed line itself is the border: one label on each side of it
    ax.plot([T_train - 0.5] * 2, [1.0, 1.11], transform=above, color="black", ls="--", lw=1, clip_on=False)
    ax.text(T_train - 2, 1.02, t("← trained"), transform=above, ha="right", va="bottom")
    ax.text(T_train + 1, 1.02, t("longer →"), transform=above, ha="left", va="bottom")
    for x, label in marks.items():  # a row above the dashed line's label, so that the two never overlap
        ax.axvline(x, color="black", ls=":", lw=1)
        # the dotted line goes on above the axes, up the side of its label, which sits right next to
        # it (on its left when it lies in the right half, so that the label stays inside the figure):
        # the label cannot be read as the dashed line's
        right_half = x > 0.5 * max(a.shape[1] for a in acc.values())
        lines = _two_lines(label)
        ax.plot([x, x], [1.0, 1.13 + 0.085 * (lines.count("\n") + 1)], transform=above, color="black", ls=":",
                lw=1, clip_on=False)
        ax.text(
            x - 0.8 if right_half else x + 0.8,
            1.13,
            lines,
            transform=above,
            ha="right" if right_half else "left",
            multialignment="right" if right_half else "left",
            va="bottom",
            linespacing=1.0,
        )
    ax.set_xlabel(t("position in a test sequence"))
    ax.set_ylabel(t("accuracy"))
    ax.set_ylim(-0.03, 1.03)
    ax.set_yticks([0, 0.5, 1], ["0", "0.5", "1"])
    ax.legend(
        loc="upper center",
        bbox_to_anchor=(0.5, -0.25),
        ncol=len(acc) if len(acc) <= 3 else 3,
        frameon=False,
        columnspacing=0.9,
        handlelength=1.3,
    )
    set_fonts(fig, max(min_font(width), 12.0))
    fig.tight_layout()
    return fig
