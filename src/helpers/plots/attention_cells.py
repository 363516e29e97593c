"""Chapter 0: one row of self-attention drawn number by number, in the spirit of Jay Alammar's
"Illustrated Transformer": the rows of X, the query of one token, the keys and values of every
token, the scores and weights of that query, and the weighted sum of the value rows.

Tall and narrow (3.6 in by default), so that a 390-px phone shows it unscaled and every number
stays at least 11 px there (``helpers.plots._phone``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import matplotlib.pyplot as plt
import torch
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .._checks import check_int, check_number, check_str_list, check_tensor
from ..i18n import t
from ..viz import text_colour_on
from ._phone import min_font

# the colour of each kind of cell, as in chapter 4's data-flow diagram: X grey, queries red, keys
# blue, values green, scores and weights orange, the output purple
CMAPS = {"x": "Greys", "q": "Reds", "k": "Blues", "v": "Greens", "s": "Oranges", "w": "Oranges", "o": "Purples"}

ROW = 0.36  # height of a row of cells, inches
HEAD = 0.34  # height of a block's title line, inches
GAP = 0.08  # space between blocks, inches


def attention_cells(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                    row: int) -> dict[str, torch.Tensor]:
    """The numbers the figure draws: single-head attention, without a mask, for query row ``row``.

    x (T, d); w_q, w_k (d, d_k); w_v (d, d_v). Returns "x" (T, d), "q" (d_k,) = x[row] W^Q,
    "k" (T, d_k) = x W^K, "v" (T, d_v) = x W^V, "scores" (T,) = k q / sqrt(d_k), "weights" (T,) =
    softmax(scores), "output" (d_v,) = weights v (the row ``row`` of softmax(Q K^T / sqrt(d_k)) V).
    """
    check_tensor(x, "x", ndim=2, floating=True)
    for name, w in (("w_q", w_q), ("w_k", w_k), ("w_v", w_v)):
        check_tensor(w, name, ndim=2, floating=True)
        if w.shape[0] != x.shape[1]:
            raise ValueError(f"{name} must have {x.shape[1]} rows (x is {tuple(x.shape)}), "
                             f"got shape {tuple(w.shape)}")
    if w_q.shape[1] != w_k.shape[1]:
        raise ValueError(f"w_q and w_k must have the same number of columns (d_k), "
                         f"got {tuple(w_q.shape)} and {tuple(w_k.shape)}")
    row = check_int(row, "row", 0, x.shape[0] - 1)
    with torch.no_grad():
        x = x.detach().float()
        q = x[row] @ w_q.detach()
        k = x @ w_k.detach()
        v = x @ w_v.detach()
        scores = k @ q / math.sqrt(q.shape[0])
        weights = torch.softmax(scores, dim=0)
        output = weights @ v
    return {"x": x, "q": q, "k": k, "v": v, "scores": scores, "weights": weights, "output": output}


def draw_attention_cells(x: torch.Tensor, w_q: torch.Tensor, w_k: torch.Tensor, w_v: torch.Tensor,
                         tokens: Sequence[str], row: int = 1,
                         width: float = 3.6) -> tuple[Figure, dict[str, torch.Tensor]]:
    """Draw self-attention for the query of ``tokens[row]`` as coloured cells, each with its number.

    Top to bottom: the rows of x (T, d), the row ``row`` framed; its query q = x[row] W^Q; the keys
    k = x W^K of every token, each with its score k·q / sqrt(d_k) on the right; the values
    v = x W^V, each with its weight (the softmax of the scores) on the right; the output, the
    weighted sum of the value rows. A cell's shade grows with the size of its number (the number is
    written in it, two decimals). At most 6 tokens and 6 numbers a row, so the cells fit.

    Returns the figure and the numbers it drew (``attention_cells``), so that a caller can check
    them against its own attention.
    """
    tokens = check_str_list(tokens, "tokens", nonempty=True)
    width = check_number(width, "width", 3.0, 5.0)
    drawn = attention_cells(x, w_q, w_k, w_v, row)
    n, d = drawn["x"].shape
    d_k, d_v = drawn["q"].shape[0], drawn["v"].shape[1]
    if len(tokens) != n:
        raise ValueError(f"tokens must name the {n} rows of x, got {len(tokens)}: {tokens!r}")
    if max(n, d, d_k, d_v) > 6:
        raise ValueError(f"at most 6 tokens and 6 numbers a row fit the figure, got x {tuple(x.shape)}, "
                         f"w_q {tuple(w_q.shape)}, w_v {tuple(w_v.shape)}")
    size = max(9.5, 1.2 * min_font(width))
    token = tokens[row]
    label_w, side_w = 0.62, 0.62  # token labels (left), score / weight column (right), inches
    cell_w = (width - label_w - side_w - 0.14) / max(d, d_k, d_v)
    blocks = [  # (kind, title, right-hand column: (title, numbers) or None, rows of numbers, row labels)
        ("x", t("X: embedding + position"), None, drawn["x"], tokens),
        ("q", t("query of {token}: {formula}", token=token, formula=r"$q = x W^Q$"), None,
         drawn["q"][None], [token]),
        ("k", t("keys: {formula}", formula=r"$k = x W^K$"), (r"$q{\cdot}k/\sqrt{d_k}$", drawn["scores"]),
         drawn["k"], tokens),
        ("v", t("values: {formula}", formula=r"$v = x W^V$"), (t("weight"), drawn["weights"]), drawn["v"], tokens),
        ("o", t("output of {token}: Σ weight × v", token=token), None, drawn["output"][None], [token]),
    ]
    height = sum(HEAD + ROW * len(b[3]) + GAP for b in blocks) + 0.05
    fig = plt.figure(figsize=(width, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, width)
    ax.set_ylim(0, height)
    ax.axis("off")
    top = height - 0.02
    left = label_w
    for kind, title, side, numbers, labels in blocks:
        ax.text(0.04, top - HEAD / 2, title, ha="left", va="center", fontsize=size)
        if side is not None:
            ax.text(width - side_w / 2 - 0.04, top - HEAD / 2, side[0], ha="center", va="center", fontsize=size)
        top -= HEAD
        numbers = numbers.tolist()
        peak = max(abs(v) for r in numbers for v in r) or 1.0
        for i, (label, values) in enumerate(zip(labels, numbers)):
            y = top - (i + 1) * ROW
            ax.text(left - 0.06, y + ROW / 2, label, ha="right", va="center", fontsize=size)
            for j, value in enumerate(values):
                _cell(ax, left + j * cell_w, y, cell_w, value, 0.08 + 0.6 * abs(value) / peak, CMAPS[kind], size)
            if kind == "x" and i == row:  # the row whose query is drawn below
                ax.add_patch(Rectangle((left - 0.02, y - 0.02), len(values) * cell_w + 0.04, ROW + 0.04,
                                       fill=False, edgecolor="black", lw=2.2, zorder=5))
            if side is not None:
                value = float(side[1][i])
                s_peak = float(side[1].abs().max()) or 1.0
                shade = value if kind == "v" else 0.08 + 0.6 * abs(value) / s_peak  # weights: 0 to 1
                _cell(ax, width - side_w - 0.04 + 0.04, y, side_w - 0.08, value, shade,
                      CMAPS["w" if kind == "v" else "s"], size)
        top -= ROW * len(numbers) + GAP
    return fig, drawn


def _cell(ax: plt.Axes, x0: float, y0: float, w: float, value: float, shade: float, cmap: str,
          size: float) -> None:
    """One cell at (x0, y0), w wide and ROW high, filled with ``cmap`` at ``shade`` (0 to 1), its
    number written in black or white (whichever reads better)."""
    colour = plt.get_cmap(cmap)(min(max(shade, 0.0), 1.0))
    ax.add_patch(Rectangle((x0, y0), w, ROW, facecolor=colour, edgecolor="white", lw=1.5))
    text = f"{value:.2f}"
    text = "0.00" if text == "-0.00" else text.replace("-", "\u2212")
    ax.text(x0 + w / 2, y0 + ROW / 2, text, ha="center", va="center", fontsize=size,
            color=text_colour_on(colour))
