"""Draw the intro's map of the book (which chapter builds on which) into images/chapter_map.png
(English) and images/chapter_map_zh.png (Chinese).

Run from the repository root: ``python scripts/make_intro_map.py``; ``--check`` only checks that
the figure's alt text in intro.md and locale/zh_CN/intro.po names every chapter as the map does;
``--times`` only rewrites the reading times of intro.md and intro.po (both editions, with their
sums) from the chapters, as tests/test_intro_plan.py measures them.
``--core`` only prints each chapter's "Reading path" box minutes (both editions) against its core
path's, as tests/test_intro_plan.py's ``core_minutes`` measures them; ``--core --check`` fails when a
box differs by more than 5 minutes from the computed time rounded to 5.

Each box is labelled with its chapter's title as the chapter page shows it, up to the title's colon
(or, for a title with none, its comma): read from the notebook's first heading for English and from
the chapter's catalog (locale/zh_CN/chapters/*.po) for Chinese, so the map cannot drift from the
titles. A label longer than its box is wrapped over two or three lines and the box grows with it.
The figure is 3.6 inches wide with 10-point text, drawn at 200 dpi and shown 360 px wide (intro.md's
``:width:``), so a 390-px phone shows it unscaled, its text at 13.9 px. Part 1 fills the left
column; parts 2 and 3 are stacked in the right one.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import polib  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PARTS = [  # (heading, colour, chapter numbers); grouped as intro.md's roadmap and _toc.yml
    ("The step, part 1:\ntext to attention", "#e8f0fe", range(0, 7)),
    ("The step, part 2: loss,\ngradients, training", "#fdeee0", range(7, 10)),
    ("Beyond the step:\nGPT and assistants", "#e6f4ea", range(10, 14)),
]
NOTE = "Each chapter uses the ones before it;\nchapter 0 is an overview of 1–9."
ZH = {  # the Chinese of the headings (as _book.po's part captions) and of the note
    "The step, part 1:\ntext to attention": "训练步（第 1 部分）\n从文本到注意力",
    "The step, part 2: loss,\ngradients, training": "训练步（第 2 部分）\n损失、梯度与训练",
    "Beyond the step:\nGPT and assistants": "更进一步\nGPT 与助手",
    NOTE: "每一章都用到前面各章；\n第 0 章是第 1–9 章的概览。",
}
BOX_W, LINE, PAD, GAP = 1.66, 0.175, 0.13, 0.14  # inches: box width, one text line, box padding, gap
HEAD = 0.55  # the height of a part's heading
DOWN = 0.05  # the arrow from chapter 9 to 10 runs down this far left of the boxes' right edge
X = (0.06, 1.88)  # the left edges of the two columns
FONT = 10.0
WIDTH = 3.6
OUT = ROOT / "images" / "chapter_map.png"


def _notebook(number: int) -> Path:
    (path,) = sorted((ROOT / "chapters").glob(f"{number:02d}_*.ipynb"))
    return path


def _heading(number: int) -> str:
    """The chapter's first heading, as its notebook writes it ("# 3. Positional encoding: ...")."""
    for cell in json.loads(_notebook(number).read_text(encoding="utf-8"))["cells"]:
        for line in "".join(cell["source"]).splitlines():
            if cell["cell_type"] == "markdown" and line.startswith("# "):
                return line
    raise ValueError(f"{_notebook(number).name} has no '# ' heading")


def title(number: int, lang: str = "en") -> str:
    """Chapter ``number``'s short title in ``lang`` ("en" or "zh_CN"): its heading without the
    number, up to the colon (with no colon, up to the comma); soft hyphens removed."""
    heading = _heading(number)
    if lang == "zh_CN":
        catalog = polib.pofile(str(ROOT / "locale" / "zh_CN" / "chapters" / f"{_notebook(number).stem}.po"))
        entry = catalog.find(heading)
        if entry is None or not entry.msgstr or entry.fuzzy:
            raise ValueError(f"chapter {number}'s heading has no current Chinese in its catalog")
        heading = entry.msgstr
    elif lang != "en":
        raise ValueError(f"lang must be 'en' or 'zh_CN', got {lang!r}")
    text = re.sub(rf"^# {number}\.\s*", "", heading).replace("\u00ad", "")
    cut = re.split(r"[:：]", text, maxsplit=1)[0]
    if cut == text:
        cut = re.split(r", |，", text, maxsplit=1)[0]
    return cut.strip()


def alt(lang: str = "en") -> str:
    """The map's alt text in ``lang``, naming every box as the map labels it."""
    names = {n: title(n, lang) for n in range(14)}
    if lang == "en":
        parts = [", ".join(f"{n} {names[n]}" for n in chapters) for _, _, chapters in PARTS]
        return (
            f'Chapter boxes joined by arrows, in two columns. Left, "The step, part 1: text to attention": '
            f"chapters {parts[0]}, one below the other. An arrow leads from chapter 6 to the top of the right "
            f'column, "The step, part 2: loss, gradients, training": {parts[1]}. An arrow leads down from '
            f'chapter 9 to the part below it, "Beyond the step: GPT and assistants": {parts[2]}.'
        )
    parts = ["，".join(f"{n} {names[n]}" for n in chapters) for _, _, chapters in PARTS]
    parts[0] = parts[0].replace("0 ", "0 章 ", 1)
    return (
        "章节方框由箭头相连，分成两列。左列是“训练步（第 1 部分）：从文本到注意力”：第 "
        f"{parts[0]}，自上而下排列。一支箭头从第 6 章指向右列顶部的“训练步（第 2 部分）：损失、梯度与训练”："
        f"{parts[1]}。一支箭头从第 9 章向下指向它下面的“更进一步：GPT 与助手”：{parts[2]}。"
    )


def _pieces(text: str) -> list[str]:
    """``text`` cut where a line may break: after a run of Latin letters or digits (with its
    spaces), and between the Chinese words jieba finds (so 运行 is never split as 运|行)."""
    pieces = []
    for run in re.findall(r"[A-Za-z0-9'\-–.]+\s*|[^\sA-Za-z0-9]+\s*|\s+", text):
        if re.match(r"[A-Za-z0-9'\-–.\s]", run):
            pieces.append(run)
        else:
            import jieba

            jieba.setLogLevel(60)
            jieba.add_word("语言模型")  # one word in a label: never 语言|模型
            pieces.extend(jieba.lcut(run))
    return pieces


def _wrap(text: str, fits) -> list[str]:
    """``text`` broken into lines that ``fits`` accepts: at spaces, or between Chinese words (a
    run of Latin letters or digits is never split)."""
    pieces = _pieces(text)
    lines, line = [], ""
    for piece in pieces:
        if line and not fits((line + piece).rstrip()):
            lines.append(line.rstrip())
            line = piece.lstrip()
        else:
            line += piece
    return [*lines, line.rstrip()]


def draw(lang: str, out: Path) -> None:
    """The map in ``lang`` into ``out``."""
    say = (lambda text: text) if lang == "en" else ZH.__getitem__
    probe = plt.figure(figsize=(WIDTH, 1))
    renderer = probe.canvas.get_renderer()

    def fits(text: str) -> bool:
        shown = probe.text(0, 0, text, fontsize=FONT)
        width = shown.get_window_extent(renderer).width / probe.dpi
        shown.remove()
        return width <= BOX_W - 0.12

    labels = {n: "\n".join(_wrap(f"{n}  {title(n, lang)}", fits)) for n in range(14)}
    plt.close(probe)
    heights = {n: PAD + LINE * (label.count("\n") + 1) for n, label in labels.items()}

    def column_height(chapters) -> float:
        return HEAD + sum(heights[n] + GAP for n in chapters)

    # part 1: the left column; parts 2 and 3: the right column, one under the other
    places = [(X[0], 0.0), (X[1], 0.0), (X[1], -column_height(PARTS[1][2]) - 0.06)]
    bottom = min(y - column_height(chapters) for (_, y), (_, _, chapters) in zip(places, PARTS))
    height = -bottom + 0.62
    fig = plt.figure(figsize=(WIDTH, height))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, WIDTH)
    ax.set_ylim(-height + 0.05, 0.05)
    ax.axis("off")
    where = {}
    for k, ((x, y), (heading, colour, chapters)) in enumerate(zip(places, PARTS)):
        # part 3's heading is centred left of the arrow that passes it on its way down from chapter 9
        centre = x + (BOX_W - 2 * DOWN if k == 2 else BOX_W) / 2
        ax.text(
            centre,
            y - HEAD / 2 + 0.02,
            say(heading),
            ha="center",
            va="center",
            fontsize=FONT,
            weight="bold",
            linespacing=1.15,
        )
        top = y - HEAD
        for n in chapters:
            yb = top - heights[n]
            ax.add_patch(plt.Rectangle((x, yb), BOX_W, heights[n], fc=colour, ec="#555555", lw=1))
            ax.text(
                x + BOX_W / 2, yb + heights[n] / 2, labels[n], ha="center", va="center", fontsize=FONT, linespacing=1.05
            )
            where[n] = (x, yb, top)
            top = yb - GAP

    def arrow(a: int, b: int) -> None:
        (xa, ya, _), (xb, yb, tb) = where[a], where[b]
        if abs(xa - xb) < 1e-6 and ya - tb < GAP + 1e-6:  # next box down: a short arrow
            start, end = (xa + BOX_W / 2, ya), (xb + BOX_W / 2, tb)
        elif abs(xa - xb) < 1e-6:  # same column, past a heading: straight down, right of the heading
            start, end = (xa + BOX_W - DOWN, ya), (xb + BOX_W - DOWN, tb)
        else:  # to the next column: right into the gap between the columns, up it, then into the box
            gap = (xa + BOX_W + xb) / 2
            ya_mid, yb_mid = (ya + where[a][2]) / 2, (yb + tb) / 2
            ax.plot([xa + BOX_W, gap, gap], [ya_mid, ya_mid, yb_mid], color="#333333", lw=1.1, solid_joinstyle="miter")
            start, end = (gap, yb_mid), (xb, yb_mid)
        ax.annotate(
            "", end, start, arrowprops={"arrowstyle": "-|>", "color": "#333333", "lw": 1.1, "shrinkA": 0, "shrinkB": 0}
        )

    for _, _, chapters in PARTS:
        for a in list(chapters)[:-1]:
            arrow(a, a + 1)
    arrow(6, 7)
    arrow(9, 10)
    ax.text(X[0], -height + 0.12, say(NOTE), fontsize=FONT, va="bottom", linespacing=1.15)
    out.parent.mkdir(exist_ok=True)
    fig.savefig(out, dpi=200)
    plt.close(fig)
    print(f"wrote {out.relative_to(ROOT)}")


def _alt_in(text: str) -> str:
    found = re.search(r"^:alt: (.*)$", text, re.MULTILINE)
    if found is None:
        raise ValueError("no :alt: line found")
    return found.group(1)


def check() -> list[str]:
    """Problems: an alt text of the map (intro.md, intro.po) that differs from ``alt()``."""
    problems = []
    intro = (ROOT / "intro.md").read_text(encoding="utf-8")
    if _alt_in(intro[intro.index("images/chapter_map.png") :]) != alt("en"):  # the map's, not the hook's
        problems.append(f"intro.md: the map's alt text should be:\n{alt('en')}")
    catalog = polib.pofile(str(ROOT / "locale" / "zh_CN" / "intro.po"))
    (entry,) = [e for e in catalog if not e.obsolete and "images/chapter_map.png" in e.msgid]
    if _alt_in(entry.msgid) != alt("en"):
        problems.append("intro.po: the map's English is not intro.md's (run scripts/translation.py update intro.md)")
    if _alt_in(entry.msgstr) != alt("zh_CN"):
        problems.append(f"intro.po: the map's Chinese alt text should be:\n{alt('zh_CN')}")
    return problems


def common_time(en: float, zh: float) -> int:
    """The minutes, a multiple of 5, that a chapter's box and the intro state in both editions: the
    English core path's time rounded to 5, or, where that is more than 5 minutes from the Chinese
    one, the mean of the two rounded to 5 (then within 5 of both whenever they differ by < 10)."""
    if not all(isinstance(x, (int, float)) and x >= 0 for x in (en, zh)):
        raise ValueError(f"en and zh must be minutes >= 0, got {en!r} and {zh!r}")
    t = 5 * round(en / 5)
    return t if abs(t - zh) <= 5 else 5 * round((en + zh) / 10)


def write_reading_times() -> dict[str, dict[int, int]]:
    """Rewrite the reading times of intro.md and locale/zh_CN/intro.po (each chapter's time, the
    totals and the 6-week plan) from the chapters as tests/test_intro_plan.py measures them: each
    chapter's core path (``core_minutes``, the rule of the chapters' "Reading path" boxes: prose at
    200 English words or 300 Chinese characters a minute, 1 minute per figure, shown code at 15
    lines a minute; Optional sections and exercises left out), rounded to 5.
    Returns {edition: {chapter: minutes}}."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_intro_plan as plan

    files = plan.chapter_files()
    times = {"en": {n: common_time(plan.core_minutes(p, "en"), plan.core_minutes(p, "zh_CN"))
                    for n, p in files.items()}}
    # the Chinese page shows the times its chapters' boxes show, the English ones: recounted on the
    # Chinese text each is within 5 minutes of them (tests/test_intro_plan.py checks it)
    times["zh"] = dict(times["en"])

    def rewrite(text: str, t: dict[int, int], zh: bool) -> str:
        unit = "分钟" if zh else "min"
        text = re.sub(
            r"(^- \[(\d+) [^\]]+\]\(chapters/\d\d_\w+\.ipynb\) ?[(（](?:~|约 ))\d+",
            lambda m: m.group(1) + str(t[int(m.group(2))]),
            text,
            flags=re.M,
        )

        def week(m: re.Match) -> str:
            numbers = []
            for part in m.group(2).split(","):
                a, _, b = part.strip().partition("–")
                numbers += range(int(a), int(b or a) + 1)
            return f"{m.group(1)}{sum(t[n] for n in numbers)} {unit} |"

        text = re.sub(rf"^(\| \d \| ([\d, –]+) \| )\d+ {unit} \|$", week, text, flags=re.M)
        total = sum(t.values())
        first = sum(m for n, m in t.items() if n <= 9)
        hours, rest = divmod(total, 60)
        if zh:
            minutes = f" {rest} 分钟" if rest else ""
            text = re.sub(r"\d+ 分钟（\d+ 小时(?: \d+ 分钟)?）", f"{total} 分钟（{hours} 小时{minutes}）", text)
            parts = r"(?<!分钟（)(?<!\d)\d+ 小时(?: \d+ 分钟)?"  # the two parts' hours, not the total's
            words = [plan._zh_hours_minutes(first), plan._zh_hours_minutes(total - first)]
        else:
            text = re.sub(
                r"\d+ minutes \(\d+ hours(?: \d+ minutes)?\)", f"{total} minutes ({plan._hours_minutes(total)})", text
            )
            parts = r"(?<!minutes \()(?<!\d)\d+ hours(?: \d+ minutes)?"
            words = [plan._hours_minutes(first), plan._hours_minutes(total - first)]
        spans = re.findall(parts, text)
        if len(spans) not in (0, 2):  # a catalog entry without the course plan has none
            raise ValueError(f"expected the two parts' hours in the course plan, found {spans}")
        if spans:
            new = iter(words)
            text = re.sub(parts, lambda m: next(new), text)
        return text

    intro = ROOT / "intro.md"
    intro.write_text(rewrite(intro.read_text(encoding="utf-8"), times["en"], zh=False), encoding="utf-8")
    # the catalog follows the English (scripts/translation.py update); a unit whose English changed
    # only in its times keeps its translation, with the Chinese times
    sys.path.insert(0, str(ROOT / "scripts"))
    import translation

    path = translation.catalog_path(intro)
    po = translation.update_catalog(translation.page_units(intro), translation.load_catalog(path))

    def untimed(text: str | None) -> str:  # the English without its times
        return re.sub(r"\d+ (?:hours|minutes|min)\b", "{time}", text or "")

    # a unit that changed only in its times may also come back as new (the old one obsolete): it
    # takes the translation of the obsolete unit with the same text
    retired = {untimed(e.msgid): e.msgstr for e in po if e.obsolete and e.msgstr}
    for entry in po:
        if entry.obsolete:
            continue
        if not entry.msgstr and untimed(entry.msgid) in retired:
            entry.msgstr = retired[untimed(entry.msgid)]
        if entry.fuzzy and entry.previous_msgid and untimed(entry.previous_msgid) == untimed(entry.msgid):
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = None
        if re.search(r"\d+ (?:分钟|小时)", entry.msgstr):
            entry.msgstr = rewrite(entry.msgstr, times["zh"], zh=True)
    po.save(str(path))
    return times


def print_core_minutes() -> list[str]:
    """Print, per chapter, the minutes its "Reading path" box states (English, Chinese) and those its
    core path takes as tests/test_intro_plan.py's ``core_minutes`` measures them (unrounded, then
    rounded to 5), with the figures and shown code lines counted; return the boxes that are off."""
    sys.path.insert(0, str(ROOT / "tests"))
    import test_intro_plan as plan

    rows = plan.core_table()
    print("chapter  box en  box zh  core en  core zh  ->  en  zh  figures  code lines")
    for row in rows:
        box, got = row["box"], row["computed"]
        shown = [str(box[k]) if box[k] is not None else "-" for k in ("en", "zh_CN")]
        rounded = [5 * round(got[k] / 5) for k in ("en", "zh_CN")]
        print(
            f"{row['chapter']:7d}  {shown[0]:>6}  {shown[1]:>6}  {got['en']:7.1f}  {got['zh_CN']:7.1f}"
            f"  -> {rounded[0]:3d} {rounded[1]:3d}  {row['figures']:7d}  {row['code_lines']:10d}"
        )
    return plan.core_box_problems(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the alt texts")
    parser.add_argument(
        "--times",
        action="store_true",
        help="only rewrite the reading times of intro.md and its catalog from the chapters",
    )
    parser.add_argument(
        "--core",
        action="store_true",
        help="only print each chapter's Reading path minutes against its core path's; with --check, fail "
        "when a box is off by more than 5 min",
    )
    args = parser.parse_args()
    if args.core:
        problems = print_core_minutes()
        if args.check:
            print("\n".join(problems) or "every Reading path box states its core path's minutes")
            sys.exit(1 if problems else 0)
        return
    if args.times:
        for edition, t in write_reading_times().items():
            print(edition, t, "total", sum(t.values()))
        return
    if args.check:
        problems = check()
        print("\n".join(problems) or "the map's alt texts name every chapter as the map does")
        sys.exit(1 if problems else 0)
    draw("en", OUT)
    sys.path.insert(0, str(ROOT / "src"))
    from helpers.viz import setup_cjk_font

    setup_cjk_font()
    draw("zh_CN", OUT.with_name("chapter_map_zh.png"))


if __name__ == "__main__":
    main()
