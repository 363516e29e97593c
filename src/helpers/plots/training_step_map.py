"""Chapter 0's map of one training step of an encoder-decoder Transformer.

The figure is drawn in inches, 5.8 inches wide, with every text at 13.6 points (2.3 points per inch
of width, above the book's 1.8), so that its text is about 12 px when a 390-pixel phone shows it
366 pixels wide.
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
    "enc": (0, 2.2),
    "dec_in": (1, 0),
    "dec_emb": (1, 1),
    "self": (1, 2.2),
    "cross": (1, 3.2),
    "out": (1, 4.5),
    "soft": (1, 5.5),
    "loss": (1, 6.5),
    "target": (0, 6.5),
    "update": (2, 7.7),
}


def _words() -> dict[str, tuple[str, str]]:
    """Each box's text and the chapter that explains it, in the book's language (read at draw time)."""
    return {
        "src": (t("source: {text}", text="The cat sat"), t("chapter {n}", n=1)),
        "src_emb": (t("embeddings + positions"), t("chapters {a}, {b}", a=2, b=3)),
        "enc": (t("self-attention"), t("chapters {a}, {b}", a=4, b=7)),
        "dec_in": (t("input: {tokens}", tokens="<sos> 猫 坐着"), t("target shifted right, ch. {n}", n=8)),
        "dec_emb": (t("embeddings + positions"), t("chapters {a}, {b}", a=2, b=3)),
        "self": (t("masked self-attention"), t("chapter {n}", n=5)),
        "cross": (t("cross-attention"), t("chapter {n}", n=6)),
        "out": (t("output layer → logits"), t("chapters {a}, {b}", a=7, b=8)),
        "soft": (t("softmax → probabilities"), t("chapter {n}", n=8)),
        "loss": (t("cross-entropy loss"), t("chapter {n}", n=8)),
        "target": (t("target: {tokens}", tokens="猫 坐着 <eos>"), t("input shifted left")),
        "update": (t("backpropagation: gradients → update every parameter"), t("chapter {n}", n=9)),
    }


BOX_W, BOX_H, PITCH = 2.36, 0.66, 0.88  # inches
LEFT = {0: 0.1, 1: 2.74, 2: 0.1}
WIDTH = {0: BOX_W, 1: BOX_W, 2: 2.74 + BOX_W - 0.1}
FIG_W = 5.2
FONT, FONT_BIG = 13.6, 13.6  # points: 2.6 x FIG_W, about 13 px on a 390-px phone (366 px for the figure)


def _corner(name: str) -> tuple[float, float, float]:
    """Lower-left corner (x, y) and width of a box, in inches."""
    col, row = BOXES[name]
    return LEFT[col], -row * PITCH, WIDTH[col]


def _arrow(ax: plt.Axes, start, end, colour: str = "#333333", **style) -> None:
    ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.3, **style})


def _layer_frame(ax: plt.Axes, first: str, last: str, colour: str) -> None:
    """A dotted frame around the boxes of one layer, labelled "× N layers"."""
    x, y_top, w = _corner(first)
    _, y_bottom, _ = _corner(last)
    pad = 0.1
    ax.add_patch(plt.Rectangle((x - pad, y_bottom - pad), w + 2 * pad, y_top - y_bottom + BOX_H + 2.6 * pad,
                               fc="none", ec=colour, lw=1, ls=":"))
    ax.text(x + w + pad, y_top + BOX_H + 1.6 * pad, t("× N layers"), ha="right", va="center",
            fontsize=FONT, color=colour, bbox={"fc": "white", "ec": "none", "pad": 1})


def draw_training_step_map() -> Figure:
    """Draw the training step of "The cat sat" → "猫 坐着 <eos>" as boxes and arrows.

    Left column: the encoder; right column: the decoder; dotted frames: the layers that a real
    model repeats N times; the blue arrow: the encoder's output C, which every decoder layer's
    cross-attention reads as keys and values. Returns the figure.
    """
    fig = plt.figure(figsize=(FIG_W, 7.75 * PITCH + 1.25))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, FIG_W)
    ax.set_ylim(-7.75 * PITCH - 0.05, 1.2)
    ax.axis("off")
    words = _words()
    for name, (col, _) in BOXES.items():
        text, chapter = words[name]
        x, y, w = _corner(name)
        plain = name in ("src", "dec_in", "target")  # text, not a computation
        edge = ORANGE if name == "target" else {0: BLUE, 1: ORANGE, 2: GREY}[col]
        ax.add_patch(plt.Rectangle((x, y), w, BOX_H, fc="white" if plain else FILL[col], ec=edge,
                                   lw=1.2, ls="--" if col == 2 else "-"))
        ax.text(x + w / 2, y + 0.46, text, ha="center", va="center", fontsize=FONT_BIG)
        ax.text(x + w / 2, y + 0.17, chapter, ha="center", va="center", fontsize=FONT, color="#444444")

    for names in (["src", "src_emb", "enc"], ["dec_in", "dec_emb", "self", "cross", "out", "soft", "loss"]):
        for a, b in zip(names, names[1:]):
            (xa, ya, w), (_, yb, _) = _corner(a), _corner(b)
            _arrow(ax, (xa + w / 2, ya), (xa + w / 2, yb + BOX_H))
    _layer_frame(ax, "enc", "enc", BLUE)
    _layer_frame(ax, "self", "cross", ORANGE)

    # the encoder's output C enters the cross-attention of every decoder layer
    xe, ye, w = _corner("enc")
    xc, yc, _ = _corner("cross")
    _arrow(ax, (xe + w / 2, ye - 0.1), (xc - 0.1, yc + BOX_H / 2), colour=BLUE, lw=2,
           connectionstyle="angle,angleA=-90,angleB=180,rad=0")
    label = t("encoder output C:\nthe keys and values\nof the cross-attention\nin every decoder layer")
    ax.text(xe + 0.1, yc - 0.15, label, fontsize=FONT, color=BLUE, va="top")

    # the loss compares the predictions with the target; the backward pass follows
    xt, yt, w = _corner("target")
    xl, yl, _ = _corner("loss")
    _arrow(ax, (xt + w, yt + BOX_H / 2), (xl, yl + BOX_H / 2))
    _, yu, _ = _corner("update")
    _arrow(ax, (xl + BOX_W / 2, yl), (xl + BOX_W / 2, yu + BOX_H), ls="--")

    for col, label, colour in ((0, t("encoder: reads English"), BLUE), (1, t("decoder: writes Chinese"), ORANGE)):
        ax.text(LEFT[col] + BOX_W / 2, 1.0, label, ha="center", fontsize=FONT_BIG, color=colour)
    return fig
