"""The reading times and the course plan of the book's front page (intro.md) agree with the chapters,
in both editions.

intro.md is plain Markdown, so its numbers cannot be computed on the page. They are derived here
instead, on ONE scale, the one of the chapters' "Reading path" boxes: each chapter's "(~N min)" is
its core path (``core_minutes``: the prose of the sections that are not Optional at 200 words a
minute, 1 minute per figure, the shown code at 15 lines a minute; exercises left out), to within 5
minutes; the total, the parts and each week of the 6-week plan are sums of those times as the page
gives them. A chapter whose core path grows or shrinks by more than about 5 minutes makes this test
fail until its time on the front page is updated (``python scripts/make_intro_map.py --times``).

The Chinese edition's times (locale/zh_CN/intro.po) are its own: the same core path in the
chapter's catalog, its prose read at 300 a minute (each Chinese character and each English word or
number within it counting one), plus the same figures and code; and the Chinese course plan sums
those. The times are plain text; the rule they follow is stated on the How to run page (its
"Reading times" section, checked here against the constants below).
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTRO = ROOT / "intro.md"
TOLERANCE_MIN = 5  # the times are rounded to 5 minutes, and "about"


# ----------------------------------------------------------------------------- the core path
# Each chapter's "Reading path" box states how long its core path takes. The rule (first used for
# chapters 5-9): the core path's prose at 200 words a minute (Chinese: 300 characters a minute,
# English words and numbers among them counting one each), plus 1 minute per figure, plus the code a reader sees at 15 lines a minute.

CORE_WORDS_PER_MINUTE = 200
CORE_ZH_PER_MINUTE = 300
CODE_LINES_PER_MINUTE = 15
MINUTES_PER_FIGURE = 1
CODE_HIDDEN_TAGS = frozenset({"hide-input", "remove-input", "hide-cell", "remove-cell"})
OUTPUT_HIDDEN_TAGS = frozenset({"hide-output", "remove-output", "hide-cell", "remove-cell"})
OPTIONAL_MARK = re.compile(r"\s*\*\*(?:Optional|选读)")  # how an optional section's first paragraph opens
SKIPPED_TITLES = re.compile(r"(?:Exercises|Solutions)\b")  # the exercises and their solutions
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$", re.M)
_LABEL = re.compile(r"^\([\w\-:.]+\)=\s*$")
_FIGURE_DIRECTIVE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?:figure|glue:figure|image)\}|!\[[^\]]*\]\(", re.M)
_CLOSED_DROPDOWN = re.compile(
    r"^\s*(?:`{3,}|:{3,})\{(?:dropdown\}|admonition\}.*\n(?::\w+:.*\n)*:class:.*\bdropdown\b)"
)


@dataclass
class CorePath:
    """What the core path of a chapter holds: the English text of each markdown unit on it (in the
    units of the translation catalog), the number of figures shown, and the lines of code shown."""

    units: list[str]
    figures: int
    code_lines: int


def _is_heading(block: str) -> re.Match | None:
    return _HEADING.search(block)


def _is_paragraph(block: str) -> bool:
    """A block of prose: not a heading, a label line or an HTML comment."""
    s = block.strip()
    return bool(s) and not _is_heading(s) and not _LABEL.match(s) and not s.startswith("<!--")


def core_path(notebook_path: str | Path) -> CorePath:
    """The core path of the chapter at ``notebook_path``: everything a first reading reads.

    Sections are cut at markdown headings (a section runs to the next heading of its level or
    higher, so a ``###`` section lies inside its ``##`` section). A section is **optional** when
    the first paragraph after its heading (labels and comments aside) opens with ``**Optional``
    (the Chinese catalog's ``**选读``); it is left out with all its subsections, as are the
    sections titled "Exercises" and "Solutions". In the sections left:

    - markdown: every translation unit (scripts/translation.py's blocks that hold words) except a
      closed dropdown (``{dropdown}`` or an admonition of class ``dropdown``, without ``:open:``),
      which a first reading leaves closed; markdown cells tagged ``remove-cell`` are not shown;
    - figures: each code cell whose metadata gives its figure a caption or alt text
      (``mystnb.figure`` / ``mystnb.image``: every figure of the book has one), unless the cell's
      output is hidden or removed (tags ``hide-output``, ``remove-output``, ``hide-cell``,
      ``remove-cell``); plus each ``{figure}``, ``{glue:figure}``, ``{image}`` directive or
      Markdown image in the prose;
    - code: the non-blank lines of code cells whose code is shown (not tagged ``hide-input``,
      ``remove-input``, ``hide-cell`` or ``remove-cell``: code behind a toggle is not read on the
      core path).

    Raises TypeError / ValueError / FileNotFoundError for a path that is not an existing notebook.
    """
    path = _notebook_path(notebook_path)
    sys.path.insert(0, str(ROOT / "scripts"))
    import translation

    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ValueError(
            f"notebook_path must be a Jupyter notebook (JSON with 'cells'), got {str(path)!r}: {err}"
        ) from err
    items = []  # ("heading", level, title) / ("block", text) / ("code", cell)
    for cell in cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        source = "".join(cell.get("source", ""))
        if cell.get("cell_type") == "markdown":
            if "remove-cell" in tags:
                continue
            for block in translation.split_blocks(source)[::2]:
                heading = _is_heading(block)
                if heading:
                    items.append(("heading", len(heading.group(1)), heading.group(2).strip()))
                items.append(("block", block))
        elif cell.get("cell_type") == "code":
            items.append(("code", cell))

    def optional(at: int) -> bool:  # the first paragraph after the heading at items[at]
        for item in items[at + 1 :]:
            if item[0] == "heading":
                return False
            if item[0] == "block" and _is_paragraph(item[1]):
                return bool(OPTIONAL_MARK.match(item[1]))
        return False

    core = CorePath([], 0, 0)
    stack: list[tuple[int, bool]] = []  # (level, left out) of the sections we are in
    for at, item in enumerate(items):
        if item[0] == "heading":
            _, level, title = item
            while stack and stack[-1][0] >= level:
                stack.pop()
            out = bool(stack and stack[-1][1]) or optional(at) or bool(SKIPPED_TITLES.match(title))
            stack.append((level, out))
            continue
        if stack and stack[-1][1]:
            continue
        if item[0] == "block":
            block = item[1]
            if _CLOSED_DROPDOWN.match(block) and not re.search(r"^:open:", block, re.M):
                continue
            core.figures += len(_FIGURE_DIRECTIVE.findall(block))
            if translation.translatable(block):
                core.units.append(block.rstrip("\n"))
        else:
            cell = item[1]
            tags = set(cell.get("metadata", {}).get("tags", []))
            mystnb = cell.get("metadata", {}).get("mystnb", {})
            if ("figure" in mystnb or "image" in mystnb) and not tags & OUTPUT_HIDDEN_TAGS:
                core.figures += 1
            if not tags & CODE_HIDDEN_TAGS:
                source = "".join(cell.get("source", ""))
                core.code_lines += sum(1 for line in source.splitlines() if line.strip())
    return core


def _notebook_path(notebook_path: str | Path) -> Path:
    if not isinstance(notebook_path, (str, Path)):
        raise TypeError(f"notebook_path must be a str or Path, got {type(notebook_path).__name__}")
    path = Path(notebook_path)
    if path.suffix != ".ipynb":
        raise ValueError(f"notebook_path must name a .ipynb notebook, got {str(path)!r}")
    if not path.is_file():
        raise FileNotFoundError(f"notebook_path {str(path)!r} is not a file")
    return path


def _shown(text: str) -> str:
    """The words a reader sees: roles reduced to their shown text; labels and directive options out."""
    text = re.sub(r"^\([\w\-:.]+\)=\s*$|^:\w+:.*$", "", text, flags=re.M)
    return re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)


def core_minutes(notebook_path: str | Path, lang: str = "en", catalog: str | Path | None = None) -> float:
    """Minutes the core path of the chapter at ``notebook_path`` takes to read in ``lang`` ("en" or
    "zh_CN"): its prose (see ``core_path`` for what counts) at CORE_WORDS_PER_MINUTE English words,
    or, in Chinese, the catalog's translation of the same units at CORE_ZH_PER_MINUTE Chinese
    characters (English words and numbers among them counting one each),
    plus MINUTES_PER_FIGURE per figure, plus the shown code lines at CODE_LINES_PER_MINUTE.

    ``catalog``: the Chinese catalog (default: the notebook's, as scripts/translation.py finds it). A
    unit without a current translation counts in English. Not rounded.
    """
    if lang not in ("en", "zh_CN"):
        raise ValueError(f"lang must be 'en' or 'zh_CN', got {lang!r}")
    if catalog is not None and not isinstance(catalog, (str, Path)):
        raise TypeError(f"catalog must be a str, Path or None, got {type(catalog).__name__}")
    core = core_path(notebook_path)
    fixed = core.figures * MINUTES_PER_FIGURE + core.code_lines / CODE_LINES_PER_MINUTE
    if lang == "en":
        words = sum(len(re.findall(r"[A-Za-z0-9']+", _shown(u))) for u in core.units)
        return words / CORE_WORDS_PER_MINUTE + fixed
    chinese = _chinese(Path(notebook_path), catalog)
    text = " ".join(_shown(chinese.get(u, u)) for u in core.units)
    count = len(re.findall(r"[\u3400-\u9fff]", text)) + len(re.findall(r"[A-Za-z0-9']+", text))
    return count / CORE_ZH_PER_MINUTE + fixed


def _chinese(notebook: Path, catalog: str | Path | None) -> dict[str, str]:
    """{English unit: its current Chinese} of the notebook's catalog."""
    import polib

    sys.path.insert(0, str(ROOT / "scripts"))
    import translation

    where = Path(catalog) if catalog is not None else translation.catalog_path(notebook.resolve())
    if not where.is_file():
        raise FileNotFoundError(f"catalog {str(where)!r} is not a file")
    return {e.msgid: e.msgstr for e in polib.pofile(str(where)) if not e.obsolete and e.msgstr and not e.fuzzy}


BOX_EN = re.compile(r"Core path \(about (\d+) min")
BOX_ZH = re.compile(r"核心路线（约 (\d+) 分钟")


def box_minutes(notebook_path: str | Path, catalog: str | Path | None = None) -> dict[str, int | None]:
    """{"en": N, "zh_CN": N}: the minutes the chapter's "Reading path" box states, in English and in
    the Chinese catalog (``catalog``, default the notebook's); None where there is no box, or no
    current translation of it that states its minutes."""
    path = _notebook_path(notebook_path)
    if catalog is not None and not isinstance(catalog, (str, Path)):
        raise TypeError(f"catalog must be a str, Path or None, got {type(catalog).__name__}")
    units = [u for u in core_path(path).units if re.match(r"\s*(?:`{3,}|:{3,})\{admonition\} Reading path", u)]
    if not units:
        return {"en": None, "zh_CN": None}
    en = BOX_EN.search(units[0])
    zh = BOX_ZH.search(_chinese(path, catalog).get(units[0], ""))
    return {"en": int(en.group(1)) if en else None, "zh_CN": int(zh.group(1)) if zh else None}


def core_table() -> list[dict]:
    """One row per chapter: its number, the box's minutes and the computed ones, in both editions,
    with what goes into the computed minutes."""
    return [core_row(number, path) for number, path in chapter_files().items()]


def core_row(number: int, path: Path) -> dict:
    """``core_table``'s row of chapter ``number`` (its notebook at ``path``)."""
    core = core_path(path)
    return {
        "chapter": number,
        "box": box_minutes(path),
        "computed": {lang: core_minutes(path, lang) for lang in ("en", "zh_CN")},
        "figures": core.figures,
        "code_lines": core.code_lines,
    }


def core_box_problems(rows: list[dict] | None = None) -> list[str]:
    """Each box whose minutes differ by more than TOLERANCE_MIN from the computed minutes rounded
    to 5, as a sentence; a chapter without a box is fine."""
    problems = []
    for row in core_table() if rows is None else rows:
        if not any(row["box"].values()):  # no box: a short chapter
            continue
        for lang, stated in row["box"].items():
            if stated is None:
                problems.append(
                    f"chapter {row['chapter']} ({lang}): its Reading path box states no minutes as "
                    f"{'Core path (about N min' if lang == 'en' else '核心路线（约 N 分钟'} (or its Chinese is not current)"
                )
                continue
            rounded = 5 * round(row["computed"][lang] / 5)
            if abs(stated - rounded) > TOLERANCE_MIN:
                problems.append(
                    f"chapter {row['chapter']} ({lang}): the Reading path box says about {stated} min, "
                    f"the core path reads in {row['computed'][lang]:.1f} min (about {rounded})"
                )
    return problems


def zh_intro() -> str:
    """intro.md as the Chinese edition shows it: every unit replaced by its translation."""
    import polib

    po = polib.pofile(str(ROOT / "locale" / "zh_CN" / "intro.po"))
    return "\n\n".join(e.msgstr for e in po if not e.obsolete and e.msgstr and not e.fuzzy)


TIME = r"(?:~|约 )(\d+) (?:min|分钟)"


def roadmap_times(text: str | None = None) -> dict[int, int]:
    """{chapter number: minutes} from the roadmap's lines "- [N Title](chapters/NN_x.ipynb) (~M min)"
    (Chinese "（约 M 分钟）")."""
    text = INTRO.read_text(encoding="utf-8") if text is None else text
    found = re.findall(rf"^- \[(\d+) [^\]]+\]\(chapters/\d\d_\w+\.ipynb\) ?[(（]{TIME}[)）]", text, re.M)
    return {int(n): int(m) for n, m in found}


def chapter_files() -> dict[int, Path]:
    return {int(p.name[:2]): p for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))}


def test_every_chapter_has_a_reading_time():
    assert sorted(roadmap_times()) == sorted(chapter_files())
    assert sorted(roadmap_times(zh_intro())) == sorted(chapter_files())


@pytest.mark.parametrize("number", sorted(chapter_files()))
def test_reading_time_matches_the_chapters_core_path(number):
    stated = roadmap_times()[number]
    measured = core_minutes(chapter_files()[number], "en")
    assert abs(stated - measured) <= TOLERANCE_MIN, (
        f"chapter {number}: intro.md says ~{stated} min, its core path reads in {measured:.1f} min "
        "(core_minutes): run scripts/make_intro_map.py --times"
    )


@pytest.mark.parametrize("number", sorted(chapter_files()))
def test_chinese_reading_time_matches_the_chinese_core_path(number):
    stated = roadmap_times(zh_intro())[number]
    measured = core_minutes(chapter_files()[number], "zh_CN")
    assert abs(stated - measured) <= TOLERANCE_MIN, (
        f"chapter {number}: intro.po says 约 {stated} 分钟, its Chinese core path reads in {measured:.1f} "
        "min (core_minutes): run scripts/make_intro_map.py --times"
    )


def _hours_minutes(minutes: int) -> str:
    """Minutes as the page writes the exact total, e.g. 560 -> "9 hours 20 minutes"."""
    whole, rest = divmod(minutes, 60)
    return f"{whole} hours" + (f" {rest} minutes" if rest else "")


def _zh_hours_minutes(minutes: int) -> str:
    """Minutes as the Chinese page writes a part's time, e.g. 415 -> "6 小时 55 分钟"."""
    whole, rest = divmod(minutes, 60)
    return f"{whole} 小时" + (f" {rest} 分钟" if rest else "")


def test_the_totals_are_the_sums_of_the_times():
    text = INTRO.read_text(encoding="utf-8")
    times = roadmap_times(text)
    total = sum(times.values())
    parts_1_2 = sum(m for n, m in times.items() if n <= 9)
    part_3 = total - parts_1_2
    plan = text.split("(course-plan)=", 1)[1]
    plan = " ".join(plan.split())
    assert f"add up to {total} minutes ({_hours_minutes(total)}) of" in plan
    # "chapters [0](chapters/00_big_picture.ipynb)–[9](...), 6 hours 55 minutes)"
    assert re.search(rf"chapters \[0\]\([^)]*\)–\[9\]\([^)]*\), {_hours_minutes(parts_1_2)}\)", plan)
    assert f"({_hours_minutes(part_3)})" in plan


def test_the_chinese_totals_are_the_sums_of_the_chinese_times():
    text = zh_intro()
    times = roadmap_times(text)
    total = sum(times.values())
    parts_1_2 = sum(m for n, m in times.items() if n <= 9)
    whole, rest = divmod(total, 60)
    assert f"{total} 分钟（{whole} 小时{f' {rest} 分钟' if rest else ''}）" in text
    assert f"章，{_zh_hours_minutes(parts_1_2)}）" in text
    assert f"（{_zh_hours_minutes(total - parts_1_2)}）" in text


@pytest.mark.parametrize("edition", ["en", "zh_CN"])
def test_the_six_week_plan_covers_every_chapter_once_with_its_sums(edition):
    text = INTRO.read_text(encoding="utf-8") if edition == "en" else zh_intro()
    times = roadmap_times(text)
    plan = text.split("(course-plan)=", 1)[1] if edition == "en" else text
    rows = re.findall(r"^\| (\d) \| ([\d, –]+) \| (\d+) (?:min|分钟) \|$", plan, re.M)
    assert [int(w) for w, _, _ in rows] == list(range(1, 7))
    seen = []
    for _, chapters, minutes in rows:
        numbers = []
        for part in chapters.split(","):
            a, _, b = part.strip().partition("–")
            numbers += range(int(a), int(b or a) + 1)
        seen += numbers
        assert int(minutes) == sum(times[n] for n in numbers), (chapters, minutes)
    assert seen == sorted(times)


def test_how_to_run_states_the_rule_the_times_follow():
    """The front page links its times to How to run's "Reading times" section, which states this rule."""
    intro = " ".join(INTRO.read_text(encoding="utf-8").split())
    assert "{ref}`how it is counted <reading-times>`" in intro
    page = (ROOT / "appendix" / "how_to_run.md").read_text(encoding="utf-8")
    section = " ".join(page.split("(reading-times)=", 1)[1].split("\n## ", 2)[1].split())
    for words in (
        f"prose at {CORE_WORDS_PER_MINUTE} words a minute",
        f"{'a' if MINUTES_PER_FIGURE == 1 else MINUTES_PER_FIGURE} minute per figure",
        f"at {CODE_LINES_PER_MINUTE} lines a minute",
        f"rounded to {TOLERANCE_MIN} minutes",
        f"at {CORE_ZH_PER_MINUTE} a minute",
        f"within {TOLERANCE_MIN} minutes of them",
    ):
        assert words in section, words

if __name__ == "__main__":  # print each chapter's reading time in both editions, to update the pages
    for n, path in chapter_files().items():
        en, zh = core_minutes(path, "en"), core_minutes(path, "zh_CN")
        print(f"chapter {n:2d}: ~{5 * round(en / 5)} min ({en:.1f}); 约 {5 * round(zh / 5)} 分钟 ({zh:.1f})")
