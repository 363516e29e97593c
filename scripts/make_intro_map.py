"""Draw the intro's map of the book (which chapter builds on which) into images/chapter_map.png.

Run from the repository root: ``python scripts/make_intro_map.py``. The figure is 3.6 inches wide
with 10-point text, drawn at 200 dpi and shown 360 px wide (intro.md's ``:width:``), so a 390-px
phone shows it unscaled, its text at 13.9 px. Part 1 fills the left column; parts 2 and 3 are
stacked in the right one.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = [  # (heading, colour, chapters as (number, name)); grouped as intro.md's roadmap and _toc.yml
    ("The step, part 1:\ntext to attention", "#e8f0fe",
     [(0, "Big picture"), (1, "Tokenization"), (2, "Embeddings"), (3, "Positions"),
      (4, "Attention"), (5, "Masking"), (6, "Cross-attention")]),
    ("The step, part 2: loss,\ngradients, training", "#fdeee0",
     [(7, "Transformer block"), (8, "Loss"), (9, "Backpropagation")]),
    ("Beyond the step:\nGPT and assistants", "#e6f4ea",
     [(10, "Pretraining,\nfine-tuning"), (11, "GPT"), (12, "A real model"), (13, "Post-training")]),
]
ZH = {  # the Chinese edition's labels (images/chapter_map_zh.png)
    "The step, part 1:\ntext to attention": "训练步（第 1 部分）\n从文本到注意力",
    "The step, part 2: loss,\ngradients, training": "训练步（第 2 部分）\n损失、梯度与训练",
    "Beyond the step:\nGPT and assistants": "更进一步\nGPT 与助手",
    "Big picture": "全景", "Tokenization": "词元化", "Embeddings": "嵌入", "Positions": "位置",
    "Attention": "注意力", "Masking": "掩码", "Cross-attention": "交叉注意力", "Transformer block": "Transformer 块",
    "Loss": "损失", "Backpropagation": "反向传播", "Pretraining,\nfine-tuning": "预训练与微调", "GPT": "GPT",
    "A real model": "真实模型", "Post-training": "后训练",
    "Each chapter uses the ones before it;\nchapter 0 is an overview of 1–9.":
        "每一章都用到前面各章；\n第 0 章是第 1–9 章的概览。",
}
BOX_W, BOX_H, PITCH = 1.66, 0.42, 0.56  # inches
HEAD = 0.55  # the height of a part's heading
X = (0.06, 1.88)  # the left edges of the two columns
FONT = 10.0
OUT = Path(__file__).resolve().parents[1] / "images" / "chapter_map.png"


def main() -> None:
    draw(lambda text: text, OUT)
    import sys

    sys.path.insert(0, str(OUT.parents[1] / "src"))
    from helpers.viz import setup_cjk_font

    setup_cjk_font()
    draw(lambda text: ZH[text], OUT.with_name("chapter_map_zh.png"))


def draw(say, out: Path) -> None:
    """The map with every label passed through ``say`` (English, or the Chinese of ``ZH``), into ``out``."""
    top = 0.0
    # part 1: the left column; parts 2 and 3: the right column, one under the other
    places = [(X[0], top), (X[1], top), (X[1], top - HEAD - 3 * PITCH - 0.12)]
    bottom = min(y - HEAD - len(chapters) * PITCH for (_, y), (_, _, chapters) in zip(places, COLUMNS))
    height = -bottom + 0.62
    fig = plt.figure(figsize=(3.6, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 3.6)
    ax.set_ylim(-height + 0.05, 0.05)
    ax.axis("off")
    where = {}
    for (x, y), (heading, colour, chapters) in zip(places, COLUMNS):
        ax.text(x + BOX_W / 2, y - HEAD / 2 + 0.02, say(heading), ha="center", va="center", fontsize=FONT,
                weight="bold", linespacing=1.15)
        for r, (number, name) in enumerate(chapters):
            yb = y - HEAD - r * PITCH - BOX_H
            ax.add_patch(plt.Rectangle((x, yb), BOX_W, BOX_H, fc=colour, ec="#555555", lw=1))
            ax.text(x + BOX_W / 2, yb + BOX_H / 2, f"{number}  {say(name)}", ha="center", va="center",
                    fontsize=FONT, linespacing=1.05)
            where[number] = (x, yb)

    def arrow(a: int, b: int, **style) -> None:
        (xa, ya), (xb, yb) = where[a], where[b]
        if abs(xa - xb) < 1e-6 and ya - yb < PITCH + 1e-6:  # next box down: a short arrow
            start, end = (xa + BOX_W / 2, ya), (xb + BOX_W / 2, yb + BOX_H)
        elif abs(xa - xb) < 1e-6:  # same column, past a heading: straight down, right of the heading
            start, end = (xa + BOX_W - 0.1, ya), (xb + BOX_W - 0.1, yb + BOX_H)
        else:  # to the next column: right into the gap between the columns, up it, then into the box
            gap = (xa + BOX_W + xb) / 2
            ax.plot([xa + BOX_W, gap, gap], [ya + BOX_H / 2, ya + BOX_H / 2, yb + BOX_H / 2],
                    color="#333333", lw=1.1, solid_joinstyle="miter")
            start, end = (gap, yb + BOX_H / 2), (xb, yb + BOX_H / 2)
        ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.1,
                                                "shrinkA": 0, "shrinkB": 0, **style})

    for a, b in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (7, 8), (8, 9), (10, 11), (11, 12), (12, 13)]:
        arrow(a, b)
    arrow(6, 7)
    arrow(9, 10)
    ax.text(X[0], -height + 0.12, say("Each chapter uses the ones before it;\nchapter 0 is an overview of 1–9."),
            fontsize=FONT, va="bottom", linespacing=1.15)
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=200)
    plt.close(fig)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
