"""Chapter 0's map of one training step of an encoder-decoder Transformer.

The boxes are placed in layout units, 5.8 across the figure, and the figure is drawn SHOWN_W = 3.8
inches wide, with every text at 12.5 points (3.1 points per inch of the 4-inch PNG, well above the
book's 2.2), so that its text is about 16 px when a 390-pixel phone shows it 366 pixels wide. A text
too wide for its box is broken onto two lines (at a space, or after Chinese punctuation), so each box
holds up to three lines. The residual connections are drawn as in the 2017 paper's figure: a line
carries each attention box's input around the box to a "+" below it.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..i18n import t

BLUE, ORANGE, GREY = "#3367d6", "#d9731c", "#555555"
FILL = {0: "#e8f0fe", 1: "#fdeee0", 2: "#eeeeee"}

# Each box: (column, row). Column 0 is the encoder, column 1 the decoder, column 2 spans both;
# row 0 is the top. The words in each box (its text, where the book explains it) come from _words().
BOXES: dict[str, tuple[int, float]] = {
    "src": (0, 0),
    "src_emb": (0, 1),
    "enc": (0, 2.4),
    "dec_in": (1, 0),
    "dec_emb": (1, 1),
    "self": (1, 2.4),
    "cross": (1, 4.0),
    "out": (1, 5.6),
    "soft": (1, 6.6),
    "loss": (1, 7.6),
    "target": (0, 7.6),
    "update": (2, 8.8),
}
# The residual connections: each attention box's input is added back to its output in a circle
# (its "+") below the box; name of the circle: (its column, its row, the box it goes around).
PLUSES: dict[str, tuple[int, float, str]] = {
    "enc_plus": (0, 3.2, "enc"),
    "self_plus": (1, 3.2, "self"),
    "cross_plus": (1, 4.8, "cross"),
}


def _words() -> dict[str, tuple[str, str]]:
    """Each box's text and the chapter that explains it, in the book's language (read at draw time)."""
    return {
        "src": (t("source: {text}", text="The cat sat"), t("chapter {n}", n=1)),
        "src_emb": (t("embeddings + positions"), t("chapters {a}, {b}", a=2, b=3)),
        "enc": (t("self-attention"), t("chapters {a}, {b}", a=4, b=7)),
        # tokens (chapter 1), shifted right for teacher forcing (chapter 8)
        "dec_in": (t("input: {tokens}", tokens="<sos> 猫 坐着"), t("chapters {a}, {b}", a=1, b=8)),
        "dec_emb": (t("embeddings + positions"), t("chapters {a}, {b}", a=2, b=3)),
        "self": (t("masked self-attention"), t("chapter {n}", n=5)),
        "cross": (t("cross-attention"), t("chapter {n}", n=6)),
        "out": (t("output layer → logits"), t("chapters {a}, {b}", a=7, b=8)),
        "soft": (t("softmax → probabilities"), t("chapter {n}", n=8)),
        "loss": (t("cross-entropy loss"), t("chapter {n}", n=8)),
        "target": (t("target: {tokens}", tokens="猫 坐着 <eos>"), t("input shifted left")),
        "update": (t("backpropagation: gradients → update"), t("chapter {n}", n=9)),
    }


BOX_W, BOX_H, PITCH = 2.53, 1.05, 1.25  # layout units: a box holds three lines of text
LEFT = {0: 0.29, 1: 2.97, 2: 0.29}
WIDTH = {0: BOX_W, 1: BOX_W, 2: 2.97 + BOX_W - 0.29}
SKIP_X = {0: 0.17, 1: 5.62}  # where each column's residual lines run: left of the encoder, right of the decoder
RADIUS = 0.14  # of a residual "+" circle, inches
FIG_W = 5.8  # layout units across the figure (the coordinates above are in these units)
SHOWN_W = 3.8  # inches: the figure's real width
FONT, FONT_BIG = 12.5, 12.5  # points: 15.9 px on a 390-px phone (366 px for the 4.0-in PNG, with padding)
LINE = 1.2 * FONT / 72 * FIG_W / SHOWN_W  # layout units from one line of text to the next
PAD = 0.12  # layout units: the margin between a box's edge and its text
BOTTOM = 8.8  # the lowest row


def _corner(name: str) -> tuple[float, float, float]:
    """Lower-left corner (x, y) and width of a box, in inches."""
    col, row = BOXES[name]
    return LEFT[col], -row * PITCH, WIDTH[col]


def _plus_centre(name: str) -> tuple[float, float]:
    """Centre (x, y) of a residual "+" circle, in inches."""
    col, row, _ = PLUSES[name]
    return LEFT[col] + BOX_W / 2, -row * PITCH + BOX_H / 2


def _residual(ax: plt.Axes, name: str, colour: str) -> None:
    """The "+" circle below a box, and the line that carries the box's input around it to the circle."""
    col, _, box = PLUSES[name]
    cx, cy = _plus_centre(name)
    _, y_box, _ = _corner(box)
    ax.add_patch(plt.Circle((cx, cy), RADIUS, fc="white", ec=colour, lw=1.3))
    ax.plot([cx - 0.6 * RADIUS, cx + 0.6 * RADIUS], [cy, cy], color=colour, lw=1.5)
    ax.plot([cx, cx], [cy - 0.6 * RADIUS, cy + 0.6 * RADIUS], color=colour, lw=1.5)
    _arrow(ax, (cx, y_box), (cx, cy + RADIUS))  # the box's output into the circle
    y_branch = y_box + BOX_H + 0.12  # on the arrow into the box: its input
    side = SKIP_X[col]
    edge = cx - RADIUS if side < cx else cx + RADIUS
    ax.plot([cx, side, side], [y_branch, y_branch, cy], color=colour, lw=1.3)
    ax.plot([cx], [y_branch], "o", color=colour, ms=4)
    _arrow(ax, (side, cy), (edge, cy), colour=colour)


def _measure(ax: plt.Axes, fontsize: float):
    """A function giving the width of a line of text at ``fontsize``, in layout units."""
    renderer = ax.figure.canvas.get_renderer()

    def wide(line: str) -> float:
        probe = ax.text(0, 0, line, fontsize=fontsize)
        measured = probe.get_window_extent(renderer).width / ax.figure.dpi
        probe.remove()
        return measured * FIG_W / SHOWN_W

    return wide


def _wrap(ax: plt.Axes, text: str, width: float, fontsize: float) -> str:
    """``text`` on one line if it fits ``width`` layout units, else broken in two: after its colon
    if both halves then fit ("target:" / "猫 坐着 <eos>"), else at the space, or after the Chinese
    punctuation, that makes the longer half narrowest."""
    wide = _measure(ax, fontsize)
    if wide(text) <= width:
        return text
    splits = [(text[:i], text[i + 1 :]) for i, c in enumerate(text) if c == " "]
    splits += [(text[: i + 1], text[i + 1 :].lstrip()) for i, c in enumerate(text[:-1]) if c in "，：、"]
    fitting = [halves for halves in splits if max(map(wide, halves)) <= width]
    if not fitting:
        raise ValueError(f"the text {text!r} does not fit {width} layout units in two lines")
    after_colon = [halves for halves in fitting if halves[0].endswith((":", "："))]
    return "\n".join(after_colon[0] if after_colon else min(fitting, key=lambda h: max(map(wide, h))))


def _flow(ax: plt.Axes, text: str, width: float, fontsize: float) -> str:
    """``text`` as it is if every line fits ``width`` layout units, else its words refilled line
    by line (a label of several lines whose line breaks were written for a wider figure)."""
    wide = _measure(ax, fontsize)
    if all(wide(line) <= width for line in text.split("\n")):
        return text
    lines: list[str] = []
    for word in text.split():
        if lines and wide(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        elif wide(word) <= width:
            lines.append(word)
        else:
            raise ValueError(f"the word {word!r} of {text!r} is wider than {width} layout units")
    return "\n".join(lines)


def _arrow(ax: plt.Axes, start, end, colour: str = "#333333", **style) -> None:
    ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.3, **style})


def _layer_frame(ax: plt.Axes, first: str, last: str, colour: str) -> None:
    """A dotted frame around the boxes and residual circles of one layer, labelled "× N layers"
    above its outer top corner. The frame keeps clear of the residual line on its outer side and
    of the other column's frame on its inner side."""
    col, _ = BOXES[first]
    x, y_top, w = _corner(first)
    _, y_bottom = _plus_centre(last)
    pad, inner, outer = 0.09, 0.05, 0.14
    left = min(x, SKIP_X[col]) - (outer if col == 0 else inner)
    right = max(x + w, SKIP_X[col]) + (inner if col == 0 else outer)
    top = y_top + BOX_H + 0.2
    ax.add_patch(
        plt.Rectangle(
            (left, y_bottom - RADIUS - pad),
            right - left,
            top - (y_bottom - RADIUS - pad),
            fc="none",
            ec=colour,
            lw=1,
            ls=":",
        )
    )
    ax.text(
        left if col == 0 else right,
        top + 0.04,
        t("× N layers"),
        ha="left" if col == 0 else "right",
        va="bottom",
        fontsize=FONT,
        color=colour,
    )


def draw_training_step_map() -> Figure:
    """Draw the training step of "The cat sat" → "猫 坐着 <eos>" as boxes and arrows.

    Left column: the encoder; right column: the decoder; circles with a "+": the residual
    connections, which add each attention box's input to its output; dotted frames: the layers
    that a real model repeats N times; the blue arrow ("K, V"): the encoder's output C, which every
    decoder layer's cross-attention reads as keys and values, while its queries ("Q") come down the
    decoder. Returns the figure.
    """
    top = BOX_H + 2.4 * LINE  # room for the two column titles, up to two lines each
    height = top + BOTTOM * PITCH + 0.05
    scale = SHOWN_W / FIG_W  # inches per layout unit
    fig = plt.figure(figsize=(SHOWN_W, height * scale))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, FIG_W)
    ax.set_ylim(top - height, top)
    ax.axis("off")
    words = _words()
    for name, (col, _) in BOXES.items():
        x, y, w = _corner(name)
        text, chapter = (_wrap(ax, words[name][i], w - 2 * PAD, FONT) for i in (0, 1))
        n_text, n_chapter = text.count("\n") + 1, chapter.count("\n") + 1
        if n_text + n_chapter > 3:
            raise ValueError(f"the box {name!r} needs {n_text + n_chapter} lines, it holds 3: {text!r}, {chapter!r}")
        plain = name in ("src", "dec_in", "target")  # text, not a computation
        edge = ORANGE if name == "target" else {0: BLUE, 1: ORANGE, 2: GREY}[col]
        ax.add_patch(
            plt.Rectangle(
                (x, y), w, BOX_H, fc="white" if plain else FILL[col], ec=edge, lw=1.2, ls="--" if col == 2 else "-"
            )
        )
        first = y + BOX_H / 2 + (n_text + n_chapter) * LINE / 2  # the top of the lines, centred in the box
        ax.text(x + w / 2, first - n_text * LINE / 2, text, ha="center", va="center", fontsize=FONT_BIG)
        ax.text(x + w / 2, first - (n_text + n_chapter / 2) * LINE, chapter, ha="center", va="center",
                fontsize=FONT, color="#444444")

    # the main path: each box (or the "+" below it) into the next
    steps = (
        ["src", "src_emb", "enc"],
        ["dec_in", "dec_emb", "self", "self_plus", "cross", "cross_plus", "out", "soft", "loss"],
    )
    for names in steps:
        for a, b in zip(names, names[1:]):
            if b in PLUSES:  # drawn with the residual connection
                continue
            if a in PLUSES:
                xa, ya = _plus_centre(a)
                ya -= RADIUS
            else:
                (xa, ya, w) = _corner(a)
                xa += w / 2
            _, yb, _ = _corner(b)
            _arrow(ax, (xa, ya), (xa, yb + BOX_H))
    for name in PLUSES:
        _residual(ax, name, BLUE if PLUSES[name][0] == 0 else ORANGE)
    cx, cy = _plus_centre("enc_plus")
    ax.text(cx + RADIUS + 0.08, cy, t("residual"), ha="left", va="center", fontsize=FONT, color=BLUE)
    _layer_frame(ax, "enc", "enc_plus", BLUE)
    _layer_frame(ax, "self", "cross_plus", ORANGE)

    # the encoder's output C (after its residual "+") enters the cross-attention of every decoder layer
    xc, yc, _ = _corner("cross")
    _arrow(
        ax,
        (cx, cy - RADIUS),
        (xc - 0.06, yc + BOX_H / 2),
        colour=BLUE,
        lw=2,
        connectionstyle="angle,angleA=-90,angleB=180,rad=0",
    )
    # which input gives what: the queries come down the decoder, the keys and values from C
    y_gap = (_plus_centre("self_plus")[1] - RADIUS + yc + BOX_H) / 2  # between the "+" and the box
    ax.text(xc + BOX_W / 2 - 0.2, y_gap, "Q", ha="right", va="center", fontsize=FONT, color=ORANGE)
    ax.text(xc - 0.15, yc + BOX_H / 2 + 0.05, "K, V", ha="right", va="bottom", fontsize=FONT, color=BLUE)
    label = t("encoder output C:\nthe keys and values\nof the cross-attention\nin every decoder layer")
    label = _flow(ax, label, LEFT[1] - LEFT[0] - 0.2, FONT)
    ax.text(LEFT[0] + 0.05, yc - 0.15, label, fontsize=FONT, color=BLUE, va="top")

    # the loss compares the predictions with the target; the backward pass follows
    xt, yt, w = _corner("target")
    xl, yl, _ = _corner("loss")
    _arrow(ax, (xt + w, yt + BOX_H / 2), (xl, yl + BOX_H / 2))
    _, yu, _ = _corner("update")
    _arrow(ax, (xl + BOX_W / 2, yl), (xl + BOX_W / 2, yu + BOX_H), ls="--")

    for col, label, colour in ((0, t("encoder: reads English"), BLUE), (1, t("decoder: writes Chinese"), ORANGE)):
        label = _wrap(ax, label, BOX_W + 0.1, FONT_BIG)
        ax.text(LEFT[col] + BOX_W / 2, BOX_H + 0.15, label, ha="center", va="bottom", fontsize=FONT_BIG, color=colour)
    return fig
