"""Draw the intro's opening figure, the shipped translator's cross-attention on a held-out sentence,
into images/intro_alignment.png (English) and images/intro_alignment_zh.png (Chinese).

Run from the repository root: ``python scripts/make_intro_hook.py``; ``--check`` only checks that
intro.md and locale/zh_CN/intro.po state what the shipped model computes: the figure's alt text
(its strongest weights), the caption's weights, the model's parameter count, and its training time
(under two minutes).

The map is the last decoder layer's cross-attention, averaged over heads, under teacher forcing
(``helpers.training.cross_attention``, as chapters 0 and 6 draw it), for the held-out sentence
"The cat sat under the tree today" → 猫 今天 在 树 下 坐着; the row of ``<eos>`` is left out. Rows are
labelled by the word each position writes ("→猫"), as chapters 0 and 6 label them.
The figure is 3.6 inches wide with 10-point text (9-point weights in the cells), drawn at 200 dpi
and shown 360 px wide (intro.md's ``:width:``), so a 390-px phone shows it unscaled, its text at
12.5-13.9 px.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polib  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
OUT = ROOT / "images" / "intro_alignment.png"
SENTENCE = "The cat sat under the tree today"
PHRASE = ("under", "the", "tree")  # the rows of 在 树 下 spread over this phrase
WORDS = {"猫": "cat", "今天": "today", "坐着": "sat"}  # each looks most at the word it translates
MOST = {"树": "under", "下": "the"}  # the caption: 树 looks most at "under", 下 at "the"
# the weights the caption gives
CAPTION = (*WORDS.items(), ("在", "under"), ("在", "the"), ("树", "under"), ("树", "tree"), ("下", "the"))
FONT, CELL_FONT, WIDTH = 10.0, 9.0, 3.6
SHOWN = 0.3  # weights at least this large are written in their cell
TEXT = {
    "en": {"x": "English source (held out)", "y": "Chinese it writes"},
    "zh_CN": {"x": "英文原句（未参与训练）", "y": "写出的中文"},
}


def alignment():
    """(weights (T, S) without the <eos> row, Chinese tokens, English tokens, parameter count),
    for the held-out sentence; checks what the intro says of it."""
    import torch

    from helpers import corpus, training, translator

    model, info = translator.load()
    if info["train_seconds"] >= 120:  # the caption says "under two minutes"
        raise AssertionError(f"the translator trained for {info['train_seconds']} s, not under two minutes")
    en_vocab, zh_vocab = corpus.build_vocabs()
    _, test_pairs = corpus.split_pairs()
    (pair,) = [p for p in test_pairs if " ".join(p.en) == SENTENCE]
    weights = training.cross_attention(model, pair, en_vocab, zh_vocab)[: len(pair.zh)]
    zh, en = list(pair.zh), list(pair.en)
    for word, english in {**WORDS, **MOST}.items():
        if en[int(weights[zh.index(word)].argmax())] != english:
            raise AssertionError(f"the row {word} no longer reads {english} most")
    cols = [i for i, w in enumerate(en) if i >= en.index("under") and w in PHRASE]
    for word in ("在", "树", "下"):
        if weights[zh.index(word), cols].sum() < 0.75:
            raise AssertionError(f"the row {word} puts under 0.75 on 'under the tree'")
    if not torch.allclose(weights.sum(-1), torch.ones(len(zh)), atol=1e-4):  # the caption: a row adds up to 1
        raise AssertionError(f"the rows do not add up to 1: {weights.sum(-1)}")
    n_params = sum(w.numel() for w in model.parameters())
    return weights, zh, en, n_params


def alt(lang: str = "en") -> str:
    """The figure's alt text in ``lang``, from the weights."""
    weights, zh, en, _ = alignment()

    def w(word: str) -> str:
        return f"{weights[zh.index(word)].max().item():.2f}"

    rows, cols = " ".join(zh), " ".join(en)
    if lang == "en":
        return (
            f"A grid of shaded squares, one row for each Chinese word the translator writes ({rows}) and "
            f"one column for each English word ({cols}). The darkest square of row 猫 is under cat "
            f"({w('猫')}), of row 今天 under today ({w('今天')}), of row 坐着 under sat ({w('坐着')}); "
            "rows 在, 树 and 下 are shaded across under, the and tree."
        )
    if lang != "zh_CN":
        raise ValueError(f"lang must be 'en' or 'zh_CN', got {lang!r}")
    return (
        f"一个由深浅不同的方格组成的网格：每行是翻译模型写出的一个中文词（{rows}），每列是一个英文词"
        f"（{cols}）。猫 这一行最深的方格在 cat 下（{w('猫')}），今天 这一行在 today 下（{w('今天')}），"
        f"坐着 这一行在 sat 下（{w('坐着')}）；在、树、下 三行的深色分布在 under、the、tree 三列上。"
    )


def draw(lang: str, out: Path) -> None:
    """The map in ``lang`` into ``out``."""
    weights, zh, en, _ = alignment()
    fig, ax = plt.subplots(figsize=(WIDTH, 3.3))
    ax.imshow(weights.numpy(), cmap="Blues", vmin=0, vmax=1)
    for r in range(weights.shape[0]):
        for c in range(weights.shape[1]):
            x = weights[r, c].item()
            if x >= SHOWN:
                ax.text(c, r, f"{x:.2f}"[1:], ha="center", va="center", fontsize=CELL_FONT,
                        color="white" if x > 0.6 else "black")
    ax.set_xticks(range(len(en)), en, rotation=45, ha="right", rotation_mode="anchor", fontsize=FONT)
    ax.set_yticks(range(len(zh)), [f"→{z}" for z in zh], fontsize=FONT)
    ax.set_xlabel(TEXT[lang]["x"], fontsize=FONT)
    ax.set_ylabel(TEXT[lang]["y"], fontsize=FONT)
    ax.tick_params(length=0)
    fig.tight_layout()
    fig.savefig(out, dpi=200)
    plt.close(fig)


def _figure_unit(text: str) -> str:
    """The figure directive of the hook in ``text`` (intro.md or a catalog's msgid/msgstr)."""
    start = text.index("```{figure} images/intro_alignment")
    return text[start : text.index("```", start + 3)]


def caption_weights() -> list[str]:
    """The weights the caption states (".64" for row 猫, column cat, ...), in CAPTION's order."""
    weights, zh, en, _ = alignment()
    return [f"{weights[zh.index(row), en.index(col)].item():.2f}"[1:] for row, col in CAPTION]


def check() -> list[str]:
    """What intro.md and intro.po say of the figure, against the model: alt text, the caption's
    weights and parameter count."""
    _, _, _, n_params = alignment()
    problems = []
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    catalog = polib.pofile(str(ROOT / "locale" / "zh_CN" / "intro.po"))
    entries = [e for e in catalog if not e.obsolete and "images/intro_alignment.png" in e.msgid]
    if len(entries) != 1:
        return [f"intro.po: expected one entry with the hook figure, found {len(entries)}"]
    (entry,) = entries
    for where, text, lang, count in (
        ("intro.md", intro, "en", f"{n_params:,}"),
        ("intro.po", entry.msgstr, "zh_CN", f"{n_params:,}"),
    ):
        unit = _figure_unit(text)
        if f":alt: {alt(lang)}\n" not in unit:
            problems.append(f"{where}: the hook figure's alt text should be:\n{alt(lang)}")
        if count not in unit:
            problems.append(f"{where}: the hook figure's caption should give {count} parameters")
        for (row, col), weight in zip(CAPTION, caption_weights()):
            shown = f"({weight})" if lang == "en" else f"（{weight}）"
            if shown not in unit.split(":alt:")[1].split("\n", 1)[1]:  # the caption, after the alt text
                problems.append(f"{where}: the caption should give row {row}, column {col} as {shown}")
    if "images/intro_alignment_zh.png" not in entry.msgstr:
        problems.append("intro.po: the Chinese figure should show images/intro_alignment_zh.png")
    if entry.msgid not in intro:
        problems.append("intro.po: the hook figure's English is not intro.md's (run translation.py update)")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check intro.md and intro.po")
    args = parser.parse_args()
    if args.check:
        problems = check()
        print("\n".join(problems) or "the hook's alt texts and parameter count match the model")
        sys.exit(1 if problems else 0)
    from helpers.viz import setup_cjk_font

    setup_cjk_font()  # the rows are Chinese in both editions
    draw("en", OUT)
    draw("zh_CN", OUT.with_name("intro_alignment_zh.png"))


if __name__ == "__main__":
    main()
