"""The reading times and the course plan of the book's front page (intro.md) agree with the chapters.

intro.md is plain Markdown, so its numbers cannot be computed on the page. They are derived here
instead: each chapter's "(~N min)" is its prose read at 150 words a minute (the rate the page
states), to within 5 minutes; the total, the parts and each week of the 6-week plan are sums of
those times as the page gives them. A chapter that grows or shrinks by more than about 750 words
makes this test fail until its time on the front page is updated.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INTRO = ROOT / "intro.md"
WORDS_PER_MINUTE = 150
TOLERANCE_MIN = 5  # the times are rounded to 5 minutes, and "about"


def prose_words(notebook: Path) -> int:
    """The number of words in a chapter's markdown cells: roles reduced to their shown text."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    text = " ".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    text = re.sub(r"\{[a-z:]+\}`([^`<]*)(<[^>]*>)?`", r"\1", text)
    return len(re.findall(r"[A-Za-z0-9']+", text))


def reading_minutes(notebook: Path) -> float:
    return prose_words(notebook) / WORDS_PER_MINUTE


def roadmap_times(text: str | None = None) -> dict[int, int]:
    """{chapter number: minutes} from the roadmap's lines "- [N Title](chapters/NN_x.ipynb) (~M min)"."""
    text = INTRO.read_text(encoding="utf-8") if text is None else text
    found = re.findall(r"^- \[(\d+) [^\]]+\]\(chapters/\d\d_\w+\.ipynb\) \(~(\d+) min\)", text, re.M)
    return {int(n): int(m) for n, m in found}


def chapter_files() -> dict[int, Path]:
    return {int(p.name[:2]): p for p in sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))}


def test_every_chapter_has_a_reading_time():
    assert sorted(roadmap_times()) == sorted(chapter_files())


@pytest.mark.parametrize("number", sorted(chapter_files()))
def test_reading_time_matches_the_chapters_prose(number):
    stated = roadmap_times()[number]
    measured = reading_minutes(chapter_files()[number])
    assert abs(stated - measured) <= TOLERANCE_MIN, (
        f"chapter {number}: intro.md says ~{stated} min, its prose reads in {measured:.1f} min "
        f"at {WORDS_PER_MINUTE} words a minute: update its time (and the sums of the course plan)")


def _hours(minutes: int) -> str:
    """Minutes as the page writes hours: to the nearest quarter, e.g. 9¼ -> "9.25" is written "9¼"."""
    quarters = round(minutes / 15)
    whole, rest = divmod(quarters, 4)
    return f"{whole}{['', '¼', '½', '¾'][rest]}"


def _hours_minutes(minutes: int) -> str:
    """Minutes as the page writes the exact total, e.g. 560 -> "9 hours 20 minutes"."""
    whole, rest = divmod(minutes, 60)
    return f"{whole} hours" + (f" {rest} minutes" if rest else "")


def test_the_totals_are_the_sums_of_the_times():
    text = INTRO.read_text(encoding="utf-8")
    times = roadmap_times(text)
    total = sum(times.values())
    parts_1_2 = sum(m for n, m in times.items() if n <= 9)
    part_3 = total - parts_1_2
    plan = text.split("(course-plan)=", 1)[1]
    assert f"add up to {total} minutes ({_hours_minutes(total)}) of prose" in plan
    # "chapters [0](chapters/00_big_picture.ipynb)–[9](...), about 5½ hours"
    assert re.search(rf"chapters \[0\]\([^)]*\)–\[9\]\([^)]*\), about {_hours(parts_1_2)} hours", plan)
    assert f"(about {_hours(part_3)} hours)" in plan


def test_the_six_week_plan_covers_every_chapter_once_with_its_sums():
    text = INTRO.read_text(encoding="utf-8")
    times = roadmap_times(text)
    plan = text.split("(course-plan)=", 1)[1]
    rows = re.findall(r"^\| (\d) \| ([\d, –]+) \| (\d+) min \|$", plan, re.M)
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
