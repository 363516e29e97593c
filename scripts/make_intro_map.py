"""Draw the intro's map of the book (which chapter builds on which) into images/chapter_map.png.

Run from the repository root: ``python scripts/make_intro_map.py``. The figure is 5 inches wide
with 10-point text, drawn at 200 dpi and shown 500 px wide, so a phone shows its text at 9 px or
more.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

COLUMNS = [  # (heading, colour, chapters as (number, name)); the same grouping as intro.md's first paragraph
    ("The step, part 1:\ntext to attention", "#e8f0fe",
     [(0, "Big picture"), (1, "Tokenization"), (2, "Embeddings"), (3, "Positions"),
      (4, "Attention"), (5, "Masking"), (6, "Cross-attention")]),
    ("The step, part 2:\nloss, gradients", "#fdeee0",
     [(7, "Transformer\nblock"), (8, "Loss"), (9, "Backpropagation")]),
    ("Beyond the step:\nGPT, assistants", "#e6f4ea",
     [(10, "Pretraining,\nfine-tuning"), (11, "GPT"), (12, "A real model"), (13, "Post-training")]),
]
ZH = {  # the Chinese edition's labels (images/chapter_map_zh.png)
    "The step, part 1:\ntext to attention": "训练步（上）\n从文本到注意力",
    "The step, part 2:\nloss, gradients": "训练步（下）\n损失与梯度",
    "Beyond the step:\nGPT, assistants": "更进一步\nGPT 与助手",
    "Big picture": "全景", "Tokenization": "词元化", "Embeddings": "嵌入", "Positions": "位置",
    "Attention": "注意力", "Masking": "掩码", "Cross-attention": "交叉注意力", "Transformer\nblock": "Transformer\n块",
    "Loss": "损失", "Backpropagation": "反向传播", "Pretraining,\nfine-tuning": "预训练与\n微调", "GPT": "GPT",
    "A real model": "真实模型", "Post-training": "后训练",
    "Each chapter uses the ones before it; chapter 0 is an overview of 1-9.":
        "每一章都用到前面各章；第 0 章是第 1-9 章的概览。",
}
BOX_W, BOX_H, PITCH, GAP = 1.5, 0.5, 0.68, 0.17
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
    fig = plt.figure(figsize=(5.0, 5.9))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 5.0)
    ax.set_ylim(-5.2, 0.7)
    ax.axis("off")
    where = {}
    for c, (heading, colour, chapters) in enumerate(COLUMNS):
        x = 0.08 + c * (BOX_W + GAP)
        ax.text(x + BOX_W / 2, 0.38, say(heading), ha="center", va="center", fontsize=10.5, weight="bold")
        y0 = 0 if c == 0 else -PITCH * (4 if c == 1 else 0.0)
        if c == 2:
            y0 = -PITCH * 1.5
        for r, (number, name) in enumerate(chapters):
            y = y0 - r * PITCH - BOX_H
            ax.add_patch(plt.Rectangle((x, y), BOX_W, BOX_H, fc=colour, ec="#555555", lw=1))
            ax.text(x + BOX_W / 2, y + BOX_H / 2, f"{number}  {say(name)}", ha="center", va="center", fontsize=10)
            where[number] = (x, y)

    def arrow(a: int, b: int, **style) -> None:
        (xa, ya), (xb, yb) = where[a], where[b]
        if abs(xa - xb) < 1e-6:  # same column: straight down
            start, end = (xa + BOX_W / 2, ya), (xb + BOX_W / 2, yb + BOX_H)
        else:  # to the next column: from the right side to the left side
            start, end = (xa + BOX_W, ya + BOX_H / 2), (xb, yb + BOX_H / 2)
        ax.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.1, **style})

    for a, b in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (7, 8), (8, 9), (10, 11), (11, 12), (12, 13)]:
        arrow(a, b)
    arrow(6, 7)
    arrow(9, 10)
    ax.text(0.08, -5.1, say("Each chapter uses the ones before it; chapter 0 is an overview of 1-9."),
            fontsize=10, va="bottom", wrap=True)
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=200)
    plt.close(fig)
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
