"""The figures' Chinese font: a Noto Sans SC subset shipped with the package (helpers.viz.setup_cjk_font).

It must be there with its licence and log, hold every character the figures draw, be the font
matplotlib draws Chinese labels with (no "Glyph ... missing" warning), have Simplified Chinese glyph
shapes (not Noto Sans CJK TC's), and fall back glyph by glyph to another CJK font for the rest.
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import json
import re
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pytest
from fontTools.pens.pointInsidePen import PointInsidePen
from fontTools.ttLib import TTCollection, TTFont
from matplotlib import font_manager

from helpers import viz

DATA = Path(viz.__file__).resolve().parent / "data"
FONTS = DATA / "fonts"
LOG = FONTS / "NotoSansSC-Regular-subset.json"
FAMILY = "Noto Sans SC"
RERUN = "add them with `python scripts/make_figure_font.py --force`"


@pytest.fixture(scope="module")
def cmap() -> dict[int, str]:
    return TTFont(viz.FIGURE_FONT).getBestCmap()


@pytest.fixture(autouse=True)
def _restore_rc():
    with matplotlib.rc_context():
        yield
    plt.close("all")


def _missing(text: str, cmap: dict[int, str]) -> str:
    return "".join(sorted({c for c in text if not c.isspace() and ord(c) not in cmap}))


def _tc_font() -> TTFont | None:
    """Noto Sans CJK TC (Traditional Chinese shapes): the cjk extra's file, or a system font."""
    path = viz._bundled_cjk_font()
    if path is not None:
        return TTFont(path, lazy=True)
    for entry in font_manager.fontManager.ttflist:
        if entry.name == "Noto Sans CJK TC":
            if entry.fname.lower().endswith(".ttc"):
                for font in TTCollection(entry.fname, lazy=True).fonts:
                    if font["name"].getDebugName(1) == "Noto Sans CJK TC":
                        return font
            else:
                return TTFont(entry.fname, lazy=True)
    return None


def test_the_font_ships_with_its_licence_and_a_log_that_matches_it(cmap):
    data = viz.FIGURE_FONT.read_bytes()
    assert len(data) <= 3_000_000, f"{len(data)} bytes: the subset should stay small"
    font = TTFont(viz.FIGURE_FONT)
    assert font["name"].getDebugName(1) == FAMILY
    assert "SIL Open Font License" in font["name"].getDebugName(13)  # the licence record is kept
    assert "SIL OPEN FONT LICENSE Version 1.1" in (FONTS / "OFL.txt").read_text(encoding="utf-8")
    log = json.loads(LOG.read_text(encoding="utf-8"))
    assert log["result"]["sha256"] == hashlib.sha256(data).hexdigest(), f"the font differs from its log: {RERUN}"
    assert log["result"]["bytes"] == len(data)
    assert log["result"]["characters"] == len(cmap)
    assert log["source"]["package"] == "@expo-google-fonts/noto-sans-sc"
    assert log["character_set"]["tgh"]["characters"] >= 3500  # at least level 1 of the 通用规范汉字表


def test_the_font_is_installed_with_the_package():
    """pyproject.toml's package data names the font, its licence and its log (the figures need them
    wherever the package is installed: Colab, Binder, a laptop)."""
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    section = pyproject.split("[tool.setuptools.package-data]", 1)[1]
    patterns = re.findall(r'"([^"]+)"', re.search(r"^helpers\s*=\s*\[(.*?)\]", section, re.M | re.S).group(1))
    for path in sorted(FONTS.iterdir()):
        relative = path.relative_to(DATA.parent).as_posix()
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), f"{relative} is not package data: {patterns}"


def test_the_font_has_every_character_the_figures_draw(cmap):
    strings = "".join(p.read_text(encoding="utf-8") for p in sorted((DATA / "strings_zh_CN").glob("*.json")))
    assert len(strings) > 100
    # a symbol that Noto Sans SC lacks (✗) is drawn by the last font of the fallback, DejaVu Sans
    dejavu = TTFont(font_manager.findfont("DejaVu Sans", fallback_to_default=False), lazy=True).getBestCmap()
    lacking = _missing(strings, cmap)
    assert not [c for c in lacking if ord(c) not in dejavu], f"strings_zh_CN has characters no figure font has: {RERUN}"
    assert not [c for c in lacking if ord(c) >= 0x2E80], f"strings_zh_CN has CJK characters the figure font lacks: {RERUN}"
    # the 3,500 characters of level 1 of the 通用规范汉字表 are all in GB 2312's 6,763 but 2 (啰 瞭)
    gb2312 = []
    for hi in range(0xB0, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    assert len(gb2312) == 6763
    assert not _missing("".join(gb2312) + "啰瞭", cmap)
    assert not _missing("，。、；：？！“”‘’（）《》【】—…·０１ＡＢａｂ%+-=<>→←✓≈×÷±°", cmap)
    assert not _missing("".join(chr(c) for c in range(0x20, 0x7F)), cmap)


def test_the_font_has_the_poems_characters(cmap):
    with gzip.open(DATA / "poems.jsonl.gz", "rt", encoding="utf-8") as f:
        poems = [json.loads(line) for line in f]
    sample = [p for i, p in enumerate(poems) if i < 200 or i % 97 == 0]
    text = "".join(p["title"] + p["author"] + p["text"] for p in sample)
    assert len(text) > 20_000
    # Noto Sans SC has every character of the corpus but 167 rare ideographs of the supplementary
    # planes (U+20000 on; 646 occurrences in titles, authors and texts); Noto Sans CJK TC has 5 of them
    assert not "".join(c for c in _missing(text, cmap) if ord(c) < 0x10000), RERUN
    every = "".join(p["title"] + p["author"] + p["text"] for p in poems)
    assert not "".join(c for c in _missing(every, cmap) if ord(c) < 0x10000), RERUN
    generated = json.loads((DATA / "gpt_poems.json").read_text(encoding="utf-8"))
    assert not _missing(json.dumps(generated, ensure_ascii=False), cmap)


def test_matplotlib_draws_chinese_labels_with_the_simplified_font():
    family = viz.setup_cjk_font()
    assert family == font_manager.FontProperties(fname=str(viz.FIGURE_FONT)).get_name() == FAMILY
    assert matplotlib.rcParams["font.family"][0] == FAMILY
    assert matplotlib.rcParams["font.sans-serif"][0] == FAMILY
    viz.setup_cjk_font()  # a second call adds nothing twice
    assert sum(e.fname == str(viz.FIGURE_FONT) for e in font_manager.fontManager.ttflist) == 1

    fig, ax = plt.subplots(figsize=(4, 2))
    ax.bar(range(4), [3, 1, 4, 1], tick_label=["骨", "角", "户", "猫"])
    ax.set_title("注意力权重：床前明月光，疑是地上霜。")
    ax.set_xlabel("训练步数（step）")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not glyphs, glyphs
    for text in [ax.title, ax.xaxis.label, *ax.get_xticklabels()]:
        path = font_manager.findfont(text.get_fontproperties(), fallback_to_default=False)
        assert font_manager.get_font(path).family_name == FAMILY, (text.get_text(), path)


def test_the_glyph_shapes_are_the_simplified_ones():
    """骨 and 角 differ between Simplified (mainland) and Traditional (Taiwan) Chinese shapes; 大 口 一 do not.

    Both outlines are sampled on the same grid of points of the em square (font units; both fonts
    have 1000 per em): a point is ink where it is inside the outline."""
    tc = _tc_font()
    if tc is None:
        pytest.skip("no Noto Sans CJK TC to compare with (pip install cvttf-notosanscjk-regular)")
    sc = TTFont(viz.FIGURE_FONT)

    def ink(font: TTFont, char: str, n: int = 40) -> set[tuple[int, int]]:
        glyphs = font.getGlyphSet()
        glyph = glyphs[font.getBestCmap()[ord(char)]]
        out = set()
        for i in range(n):
            for j in range(n):
                pen = PointInsidePen(glyphs, ((i + 0.5) * 1000 / n, -120 + (j + 0.5) * 1000 / n))
                glyph.draw(pen)
                if pen.getResult():
                    out.add((i, j))
        return out

    def difference(char: str) -> float:
        a, b = ink(sc, char), ink(tc, char)
        return len(a ^ b) / len(a | b)

    for char in "大口一":
        assert difference(char) < 0.03, char  # the same shape in both
    for char in "骨角":
        assert difference(char) > 0.1, char  # another shape: the subset's is not the TC one


def test_characters_outside_the_subset_fall_back_to_another_cjk_font(cmap):
    rare = "龘"  # not in the subset (not a common character), in Noto Sans CJK TC
    assert ord(rare) not in cmap
    tc = _tc_font()
    if tc is None or ord(rare) not in tc.getBestCmap():
        pytest.skip("no Noto Sans CJK font installed to fall back to (pip install cvttf-notosanscjk-regular)")
    viz.setup_cjk_font()
    assert len(matplotlib.rcParams["font.family"]) >= 3  # the subset, the CJK font, DejaVu Sans
    fig, ax = plt.subplots(figsize=(3, 1))
    ax.set_title(f"骨{rare}✗")  # ✗ is in DejaVu Sans only
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    glyphs = [str(w.message) for w in caught if "Glyph" in str(w.message)]
    assert not glyphs, glyphs


def test_tick_labels_use_a_true_minus_sign():
    """Negative ticks read "−4" (U+2212), in both editions: the figure font has the glyph."""
    import matplotlib.pyplot as plt

    from helpers import viz

    viz.setup_cjk_font()
    fig, ax = plt.subplots()
    ax.plot([-4, -1], [0, 1])
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    plt.close(fig)
    assert any("\u2212" in s for s in labels) and not any(s.startswith("-") for s in labels), labels
