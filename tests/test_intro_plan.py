"""The reading times and the course plan of the book's front page (intro.md) agree with the chapters,
in both editions.

intro.md is plain Markdown, so its numbers cannot be computed on the page. They are derived here
instead: each chapter's "(~N min)" is its prose read at 150 words a minute (the rate the page
states), to within 5 minutes; the total, the parts and each week of the 6-week plan are sums of
those times as the page gives them. A chapter that grows or shrinks by more than about 750 words
makes this test fail until its time on the front page is updated.

The Chinese edition's times (locale/zh_CN/intro.po) are its own: each chapter's Chinese prose (its
catalog's translations of the markdown units) read at 300 a minute, counting each Chinese character
and each English word or number within it as one; and the Chinese course plan sums those. Each
time is a {ref} role to the paragraph that states the rule, so that the two editions can show
different numbers (the catalog check keeps the numbers outside roles the same).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTRO = ROOT / "intro.md"
WORDS_PER_MINUTE = 150
ZH_PER_MINUTE = 300  # Chinese characters (and English words or numbers among them) a minute
TOLERANCE_MIN = 5  # the times are rounded to 5 minutes, and "about"


def prose_words(notebook: Path) -> int:
    """The number of words in a chapter's markdown cells: roles reduced to their shown text."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    text = re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)
    return len(re.findall(r"[A-Za-z0-9']+", text))


def reading_minutes(notebook: Path) -> float:
    return prose_words(notebook) / WORDS_PER_MINUTE


def zh_prose(notebook: Path) -> str:
    """A chapter's Chinese prose: its catalog's translation of each markdown unit (captions left out,
    as the English count leaves them out), roles reduced to their shown text."""
    import polib

    sys.path.insert(0, str(ROOT / "scripts"))
    import translation

    po = polib.pofile(str(translation.catalog_path(notebook)))
    # a unit whose English changed a moment ago counts with its previous translation (or, new, in
    # English): the catalog checks, not this test, keep the catalogs current
    chinese = {e.msgid: e.msgstr for e in po if not e.obsolete and e.msgstr}
    units = [u for u in translation.page_units(notebook) if ":" not in u.where]
    text = " ".join(chinese.get(u.text, u.text) for u in units)
    return re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)


def zh_reading_minutes(notebook: Path) -> float:
    """Chinese characters plus English words and numbers, at ZH_PER_MINUTE."""
    text = zh_prose(notebook)
    count = len(re.findall(r"[\u3400-\u9fff]", text)) + len(re.findall(r"[A-Za-z0-9']+", text))
    return count / ZH_PER_MINUTE


def zh_intro() -> str:
    """intro.md as the Chinese edition shows it: every unit replaced by its translation."""
    import polib

    po = polib.pofile(str(ROOT / "locale" / "zh_CN" / "intro.po"))
    return "\n\n".join(e.msgstr for e in po if not e.obsolete and e.msgstr and not e.fuzzy)


TIME = r"\{ref\}`(?:~|约 )(\d+) (?:min|分钟) <reading-times>`"


def roadmap_times(text: str | None = None) -> dict[int, int]:
    """{chapter number: minutes} from the roadmap's lines "- [N Title](chapters/NN_x.ipynb) (~M min)"
    (the time a {ref} role; Chinese "（约 M 分钟）")."""
    text = INTRO.read_text(encoding="utf-8") if text is None else text
    found = re.findall(rf"^- \[(\d+) [^\]]+\]\(chapters/\d\d_\w+\.ipynb\) ?[(（]{TIME}[)）]", text, re.M)
    return {int(n): int(m) for n, m in found}


def chapter_files() -> dict[int, Path]:
    return {int(p.name[:2]): p for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))}


def test_every_chapter_has_a_reading_time():
    assert sorted(roadmap_times()) == sorted(chapter_files())
    assert sorted(roadmap_times(zh_intro())) == sorted(chapter_files())


@pytest.mark.parametrize("number", sorted(chapter_files()))
def test_reading_time_matches_the_chapters_prose(number):
    stated = roadmap_times()[number]
    measured = reading_minutes(chapter_files()[number])
    assert abs(stated - measured) <= TOLERANCE_MIN, (
        f"chapter {number}: intro.md says ~{stated} min, its prose reads in {measured:.1f} min "
        f"at {WORDS_PER_MINUTE} words a minute: update its time (and the sums of the course plan)")


@pytest.mark.parametrize("number", sorted(chapter_files()))
def test_chinese_reading_time_matches_the_chinese_prose(number):
    stated = roadmap_times(zh_intro())[number]
    measured = zh_reading_minutes(chapter_files()[number])
    assert abs(stated - measured) <= TOLERANCE_MIN, (
        f"chapter {number}: intro.po says 约 {stated} 分钟, its Chinese prose reads in {measured:.1f} min "
        f"at {ZH_PER_MINUTE} a minute: update its time (and the sums of the Chinese course plan)")


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
    assert f"add up to {{ref}}`{total} minutes ({_hours_minutes(total)}) <reading-times>` of" in plan
    # "chapters [0](chapters/00_big_picture.ipynb)–[9](...),\n{ref}`6 hours 55 minutes <reading-times>`"
    assert re.search(rf"chapters \[0\]\([^)]*\)–\[9\]\([^)]*\),\s+\{{ref\}}`{_hours_minutes(parts_1_2)} <", plan)
    assert f"({{ref}}`{_hours_minutes(part_3)} <reading-times>`)" in plan


def test_the_chinese_totals_are_the_sums_of_the_chinese_times():
    text = zh_intro()
    times = roadmap_times(text)
    total = sum(times.values())
    parts_1_2 = sum(m for n, m in times.items() if n <= 9)
    whole, rest = divmod(total, 60)
    assert f"{{ref}}`{total} 分钟（{whole} 小时{f' {rest} 分钟' if rest else ''}） <reading-times>`" in text
    assert f"{{ref}}`{_zh_hours_minutes(parts_1_2)} <reading-times>`" in text
    assert f"{{ref}}`{_zh_hours_minutes(total - parts_1_2)} <reading-times>`" in text


@pytest.mark.parametrize("edition", ["en", "zh_CN"])
def test_the_six_week_plan_covers_every_chapter_once_with_its_sums(edition):
    text = INTRO.read_text(encoding="utf-8") if edition == "en" else zh_intro()
    times = roadmap_times(text)
    plan = text.split("(course-plan)=", 1)[1] if edition == "en" else text
    rows = re.findall(r"^\| (\d) \| ([\d, –]+) \| \{ref\}`(\d+) (?:min|分钟) <reading-times>` \|$", plan, re.M)
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


if __name__ == "__main__":  # print each chapter's reading time in both editions, to update the pages
    for n, path in chapter_files().items():
        en, zh = reading_minutes(path), zh_reading_minutes(path)
        print(f"chapter {n:2d}: ~{5 * round(en / 5)} min ({en:.1f}); 约 {5 * round(zh / 5)} 分钟 ({zh:.1f})")
